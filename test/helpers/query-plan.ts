import { type CompiledQuery, type Kysely, sql } from 'kysely';
import type { Engine } from '../../src/db/database.js';
import type { Schema } from '../../src/db/schema.js';

/**
 * What an engine makes of a compiled query: SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN
 * with the scans `off` turned off. A small test table may be cheaper to scan; what these tests
 * check is that an index can serve the query.
 */
export async function explainPlan(
  db: Kysely<Schema>,
  engine: Engine,
  compiled: CompiledQuery,
  off: readonly string[] = ['seqscan', 'bitmapscan'],
): Promise<string> {
  if (engine === 'sqlite') {
    const rows = await db
      .withoutPlugins()
      .executeQuery<{ detail: string }>({ ...compiled, sql: `explain query plan ${compiled.sql}` });
    return rows.rows.map((r) => r.detail).join('\n');
  }
  return db.connection().execute(async (connection) => {
    for (const scan of off) await sql.raw(`set enable_${scan} = off`).execute(connection);
    const explained = await connection.executeQuery<{ 'QUERY PLAN': string }>({
      ...compiled,
      sql: `explain ${compiled.sql}`,
    });
    for (const scan of off) await sql.raw(`reset enable_${scan}`).execute(connection);
    return explained.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}
