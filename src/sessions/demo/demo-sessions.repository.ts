import { sql } from 'kysely';
import type { DatabaseEngine } from '../../db/database.js';
import type { NewSessionRow, SessionTable } from '../session.table.js';

/**
 * Rows a statement on SQLite: 32 columns make 32,000 bound parameters, within its 32,766.
 */
const ROWS_PER_INSERT = 1_000;
/**
 * Rows a SQLite transaction: a running server's writers wait for one at most (about a second).
 * With the cache below, one transaction for 100,000 rows was no faster than slices of 10,000.
 */
const ROWS_PER_TRANSACTION = 10_000;
/** Rows between two progress reports. */
const PROGRESS_EVERY = 5_000;

/**
 * SQLite's page cache for a bulk load, in KiB. A session row goes into a dozen indexes at random
 * places; with the default 2 MB cache each page was read and written again and again (100,000
 * rows: 19 s of CPU, against 8 s with the cache holding every index).
 */
const BULK_CACHE_KIB = 1_048_576;

/** Every column of a session row: a column added to SessionTable fails to compile until it is here. */
const ALL_COLUMNS: Record<keyof SessionTable, true> = {
  id: true,
  tokenHash: true,
  orgId: true,
  userId: true,
  username: true,
  createdAt: true,
  lastAccessAt: true,
  lastUsedOn: true,
  expiresAt: true,
  publicIp: true,
  city: true,
  region: true,
  countryCode: true,
  country: true,
  latitude: true,
  longitude: true,
  deviceType: true,
  os: true,
  browser: true,
  osName: true,
  browserName: true,
  search: true,
  userAgent: true,
  clientHints: true,
  flags: true,
  travel: true,
  loginMethod: true,
  mfa: true,
  identityProvider: true,
  revokedAt: true,
  revokedBy: true,
  revokedReason: true,
};

/** The columns, with the table's own (snake_case) names for COPY. */
const COLUMNS = (Object.keys(ALL_COLUMNS) as Array<keyof SessionTable>).map(
  (key) => [key, key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] as const,
);

/**
 * Writes session rows in bulk: PostgreSQL by one COPY in one transaction (a quarter less server CPU
 * than multi-row inserts; other writers do not wait for it), SQLite by multi-row inserts in
 * transactions of 10,000 rows with a page cache that holds the indexes. `onProgress` hears how
 * many rows are in so far, every few thousand.
 */
export async function insertSessionsInBulk(
  database: DatabaseEngine,
  rows: Iterable<NewSessionRow>,
  onProgress: (written: number) => void,
): Promise<number> {
  if (database.copyRowsIn) {
    let written = 0;
    const values = function* () {
      for (const row of rows) {
        yield COLUMNS.map(([key]) => row[key] ?? null);
        written += 1;
        if (written % PROGRESS_EVERY === 0) onProgress(written);
      }
    };
    const count = await database.copyRowsIn(
      { table: 'sessions', columns: COLUMNS.map(([, column]) => column) },
      values(),
    );
    onProgress(count);
    return count;
  }
  const { db } = database;
  const { rows: pragma } = await sql<{ cache_size: number }>`pragma cache_size`.execute(db);
  await sql.raw(`pragma cache_size = -${BULK_CACHE_KIB}`).execute(db);
  try {
    let written = 0;
    let pending: NewSessionRow[] = [];
    const commit = async () => {
      const slice = pending;
      pending = [];
      await db.transaction().execute(async (trx) => {
        for (let at = 0; at < slice.length; at += ROWS_PER_INSERT) {
          await trx
            .insertInto('sessions')
            .values(slice.slice(at, at + ROWS_PER_INSERT))
            .execute();
        }
      });
      written += slice.length;
      onProgress(written);
    };
    for (const row of rows) {
      pending.push(row);
      if (pending.length === ROWS_PER_TRANSACTION) await commit();
    }
    if (pending.length > 0) await commit();
    return written;
  } finally {
    await sql.raw(`pragma cache_size = ${Number(pragma[0]?.cache_size ?? -2000)}`).execute(db);
  }
}
