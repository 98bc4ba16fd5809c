import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

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

/** A column value as COPY's text format writes it: `\N` for null, and its four special characters escaped. */
export function copyTextValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'string' ? value : String(value);
  return /[\\\n\r\t]/.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c] as string) : text;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Lines a chunk of the COPY stream: few, large writes. */
const LINES_A_CHUNK = 500;

/**
 * Streams rows into `COPY table (columns) FROM STDIN` on a connection of its own, in one
 * transaction (all rows or none); answers how many went in. A bulk load's fastest way in: one
 * statement, no bound parameters (table and column names come from code, never from a request).
 */
export async function copyRowsIn(
  pool: pg.Pool,
  target: { table: string; columns: readonly string[] },
  rows: Iterable<readonly unknown[]>,
): Promise<number> {
  for (const name of [target.table, ...target.columns]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`COPY: bad identifier ${name}`);
  }
  let count = 0;
  function* chunks(): Generator<string> {
    let lines: string[] = [];
    for (const row of rows) {
      lines.push(`${row.map(copyTextValue).join('\t')}\n`);
      count += 1;
      if (lines.length === LINES_A_CHUNK) {
        yield lines.join('');
        lines = [];
      }
    }
    if (lines.length > 0) yield lines.join('');
  }
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('begin');
    const copy = client.query(
      copyFrom(`copy ${target.table} (${target.columns.join(', ')}) from stdin with (format text)`),
    );
    await pipeline(Readable.from(chunks()), copy);
    await client.query('commit');
    return count;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw failure;
  } finally {
    // A connection that failed mid-COPY cannot be reused: releasing it with an error closes it.
    client.release(failure);
  }
}
