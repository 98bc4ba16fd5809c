import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * Streams `COPY (query) TO STDOUT WITH (FORMAT csv)` from a connection of its own, with the
 * socket paused whenever the reader is behind.
 *
 * COPY takes no bind parameters, so each `$n` of the compiled query is first bound into a
 * transaction-local setting (`set_config`) and read back with `current_setting`: nothing a user
 * typed is ever spliced into SQL text. A reader that stops early destroys the connection.
 */
export function copyCsvOut(pool: pg.Pool, query: CompiledQuery): Readable {
  assertPlaceholdersOnly(query.sql);
  const output = new PassThrough();
  // A reader that stops reading but stays connected would otherwise hold a pooled connection,
  // and a snapshot that keeps vacuum from cleaning up, for as long as it likes. Only a buffer that
  // stays full counts (a slow reader still drains it now and then; a COPY slow to find its rows
  // leaves it empty).
  let fullSince: number | undefined;
  output.on('drain', () => {
    fullSince = undefined;
  });
  const stalled = setInterval(() => {
    if (!output.writableNeedDrain) fullSince = undefined;
    else if (fullSince === undefined) fullSince = Date.now();
    else if (Date.now() - fullSince > COPY_STALL_MS) output.destroy(new Error('export reader stalled'));
  }, COPY_STALL_MS / 6);
  stalled.unref();
  void (async () => {
    let client: pg.PoolClient | undefined;
    let failure: Error | undefined;
    try {
      client = await pool.connect();
      await client.query('begin transaction read only');
      const values = query.parameters.map(settingValue);
      if (values.length > 0) {
        const sets = values.map((_, i) => `set_config('vault.copy_${i + 1}', $${i + 1}, true)`);
        await client.query(`select ${sets.join(', ')}`, values);
      }
      const text = query.sql.replace(/\$(\d+)/g, (_, n: string) => {
        return `current_setting('vault.copy_${n}')::${settingType(query.parameters[Number(n) - 1])}`;
      });
      await pipeline(client.query(copyTo(`copy (${text}) to stdout with (format csv)`)), output);
      await client.query('commit');
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      output.destroy(failure);
    } finally {
      clearInterval(stalled);
      // A connection left mid-COPY cannot be reused: releasing it with an error closes it.
      client?.release(failure);
    }
  })();
  return output;
}

/** How long an export may go unread before its COPY is abandoned. */
const COPY_STALL_MS = 60_000;

/**
 * The rewrite above takes every `$n` for a placeholder. Kysely writes values as placeholders, so a
 * `$` followed by a digit inside a quoted literal or identifier would be a query this was not made for.
 */
function assertPlaceholdersOnly(sqlText: string): void {
  const quoted = sqlText.match(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g) ?? [];
  if (quoted.some((part) => /\$\d/.test(part)))
    throw new Error('COPY query has a $n inside a quoted literal');
}

function settingValue(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new Error(`COPY parameter of type ${typeof value} is not supported`);
}

function settingType(value: unknown): string {
  if (typeof value === 'string') return 'text';
  return Number.isInteger(value) ? 'bigint' : 'double precision';
}
