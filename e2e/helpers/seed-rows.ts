import { randomBytes } from 'node:crypto';
import type { SessionFlag, Travel } from '../../src/contracts/sessions.ts';
import { createDatabase } from '../../src/db/database.ts';
import { newId } from '../../src/kernel/ids.ts';
import { clientHintsOf, parseClientInfo } from '../../src/sessions/client-info.ts';
import { type GeoLocator, openGeoLocator } from '../../src/sessions/geo.ts';
import type { NewSessionRow } from '../../src/sessions/session.table.ts';
import { filterColumns, PASSWORD_SIGN_IN, signInColumns } from '../../src/sessions/session-row.ts';

const MINUTE = 60_000;
/** The server's default lifetime (SESSION_MAX_HOURS=12): a session inserted here ends when a real one would. */
const LIFETIME_MS = 12 * 60 * MINUTE;

/** One live session to insert: who, from where and on what, and how long ago it was created and used. */
export interface SessionSeed {
  orgId: string;
  userId: string;
  username: string;
  ip: string;
  userAgent: string;
  /** Client-hint headers sent at login, by lower-case name. */
  hints?: Record<string, string>;
  createdMinutesAgo?: number;
  /** Within the idle timeout (30 min by default), or it is not live. */
  usedMinutesAgo?: number;
  lastUsedOn?: string | null;
  flags?: SessionFlag[];
  travel?: Travel | null;
}

let geo: Promise<GeoLocator> | undefined;

/**
 * Writes sessions straight into the running server's SQLite file, as a login would have stored
 * them (the same User-Agent parsing and IP geolocation): hundreds in a blink where logins through
 * the API take a password hash each. Nothing is announced, so open lists see them at their next load.
 * Answers the new sessions' ids, in order.
 */
export async function insertSessions(databasePath: string, seeds: SessionSeed[]): Promise<string[]> {
  geo ??= openGeoLocator({});
  const locator = await geo;
  const now = Date.now();
  const rows: NewSessionRow[] = seeds.map((seed) => {
    const headers = { 'user-agent': seed.userAgent, ...seed.hints };
    const client = parseClientInfo(headers);
    const place = locator.lookup(seed.ip);
    const hints = clientHintsOf(headers);
    // Whole milliseconds, as the server's clock gives them (a cursor holds them as integers).
    const createdAt = Math.round(now - (seed.createdMinutesAgo ?? 0) * MINUTE);
    return {
      id: newId(),
      tokenHash: randomBytes(32).toString('hex'),
      orgId: seed.orgId,
      userId: seed.userId,
      username: seed.username,
      createdAt,
      lastAccessAt: Math.round(now - (seed.usedMinutesAgo ?? 0) * MINUTE),
      lastUsedOn: seed.lastUsedOn ?? null,
      expiresAt: createdAt + LIFETIME_MS,
      publicIp: seed.ip,
      ...place,
      ...client,
      ...filterColumns(seed.username, client, place.city),
      userAgent: seed.userAgent,
      clientHints: hints === null ? null : JSON.stringify(hints),
      flags: (seed.flags ?? []).join(' '),
      travel: seed.travel ? JSON.stringify(seed.travel) : null,
      ...signInColumns(PASSWORD_SIGN_IN),
      revokedAt: null,
      revokedBy: null,
      revokedReason: null,
    };
  });
  const database = createDatabase({ engine: 'sqlite', path: databasePath }, { mustExist: true });
  try {
    await database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 200) {
        await trx
          .insertInto('sessions')
          .values(rows.slice(i, i + 200))
          .execute();
      }
    });
  } finally {
    await database.close();
  }
  return rows.map((row) => row.id);
}
