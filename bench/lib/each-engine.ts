import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDatabase } from './fresh-postgres.js';

export type BenchEngine = 'sqlite' | 'postgres';

/**
 * Runs a benchmark on each engine BENCH_ENGINES names (default both): SQLite in a temporary
 * folder, PostgreSQL in a fresh database `databaseName` on DATABASE_URL's server (skipped, with a
 * warning, without one).
 */
export async function onEachEngine(
  name: string,
  databaseName: string,
  run: (engine: BenchEngine, databaseUrl: string) => Promise<void>,
): Promise<void> {
  const engines = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
  const dir = mkdtempSync(join(tmpdir(), `vault-bench-${name}-`));
  try {
    if (engines.includes('sqlite')) await run('sqlite', `sqlite:${join(dir, 'vault.db')}`);
    const pgUrl = process.env.DATABASE_URL;
    if (engines.includes('postgres') && pgUrl?.startsWith('postgres')) {
      await run('postgres', await freshPostgresDatabase(pgUrl, databaseName));
    } else if (engines.includes('postgres')) {
      console.warn('DATABASE_URL is not postgres://...: PostgreSQL skipped');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
