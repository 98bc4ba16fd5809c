import { CompiledQuery, type Kysely } from 'kysely';
import type { Schema } from './schema.js';

// 1,000 rows of 13 columns stay under SQLite's 32,766 parameters.
const SQLITE_CHUNKS = [1_000, 100, 10, 1];
const statements = new Map<string, string>();

/**
 * Inserts rows on SQLite in a few fixed statement sizes (at most 9 of each smaller one), not one
 * per row count: each size is a statement of its own in the statement cache. Without Kysely's
 * query building, which cost more than SQLite's own work per row (`vault-sessions demo`).
 * Returns what `suffix` (a RETURNING clause) returns.
 */
export async function insertSqliteRows<Row>(
  db: Kysely<Schema>,
  table: string,
  columns: readonly (keyof Row & string)[],
  rows: Row[],
  suffix = '',
): Promise<Record<string, unknown>[]> {
  const returned: Record<string, unknown>[] = [];
  for (let i = 0; i < rows.length; ) {
    const size = SQLITE_CHUNKS.find((n) => n <= rows.length - i) as number;
    const chunk = rows.slice(i, i + size);
    i += size;
    const key = `${table}/${size}/${suffix}`;
    let text = statements.get(key);
    if (text === undefined) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      text = `insert into ${table} (${columns.map(snakeCase).join(', ')}) values ${Array(size).fill(tuple).join(', ')} ${suffix}`;
      statements.set(key, text);
    }
    // A plain loop: Array#flat is several times slower on 13,000 values.
    const params: unknown[] = new Array(size * columns.length);
    let k = 0;
    for (const row of chunk) for (const column of columns) params[k++] = row[column];
    returned.push(...(await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, params))).rows);
  }
  return returned;
}

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
