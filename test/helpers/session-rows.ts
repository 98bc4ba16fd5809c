import { randomUUID } from 'node:crypto';
import type { DatabaseEngine } from '../../src/db/database.js';
import type { NewSessionRow } from '../../src/sessions/session.table.js';
import { filterColumns, PASSWORD_SIGN_IN, signInColumns } from '../../src/sessions/session-row.js';
import { generateSessionToken, hashToken } from '../../src/sessions/tokens.js';

/** What a test says about a session row; the rest gets plain defaults. */
export type SessionRowSpec = Partial<NewSessionRow> & {
  orgId: string;
  userId: string;
  username: string;
  lastAccessAt: number;
};

/**
 * Inserts session rows straight into the table, derived columns filled as login fills them, for
 * tests that need hundreds of sessions with chosen places, devices and times (a login each would
 * hash a password each).
 */
export async function insertSessionRows(
  database: DatabaseEngine,
  specs: SessionRowSpec[],
): Promise<Array<{ id: string; token: string; cookie: string }>> {
  const tokens = specs.map(() => generateSessionToken());
  const rows = specs.map((spec, i): NewSessionRow => {
    const os = spec.os ?? 'Windows 11';
    const browser = spec.browser ?? 'Chrome 131';
    const city = spec.city === undefined ? 'Berlin' : spec.city;
    return {
      id: randomUUID(),
      tokenHash: hashToken(tokens[i] as string),
      createdAt: spec.lastAccessAt - 60_000,
      expiresAt: spec.lastAccessAt + 12 * 3_600_000,
      publicIp: '203.0.113.7',
      region: null,
      countryCode: 'DE',
      country: 'Germany',
      latitude: null,
      longitude: null,
      deviceType: 'Desktop',
      userAgent: 'test',
      clientHints: null,
      flags: '',
      travel: null,
      ...signInColumns(PASSWORD_SIGN_IN),
      lastUsedOn: null,
      revokedAt: null,
      revokedBy: null,
      revokedReason: null,
      ...spec,
      os,
      browser,
      city,
      ...filterColumns(spec.username, { os, browser }, city),
    };
  });
  for (let i = 0; i < rows.length; i += 500) {
    await database.db
      .insertInto('sessions')
      .values(rows.slice(i, i + 500))
      .execute();
  }
  return rows.map((r, i) => ({
    id: r.id as string,
    token: tokens[i] as string,
    cookie: `vault_session=${tokens[i]}`,
  }));
}
