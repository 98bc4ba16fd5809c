import { describe } from 'vitest';

export type TestEngine = 'sqlite' | 'postgres';

const postgresUrl = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : undefined;
// In CI the PostgreSQL half is mandatory: a missing server must fail the run, never skip it.
const postgresRequired = process.env.CI === 'true' || process.env.REQUIRE_POSTGRES === '1';

if (!postgresUrl && postgresRequired) {
  throw new Error('PostgreSQL tests are mandatory here (CI=true): set DATABASE_URL=postgres://...');
}
if (!postgresUrl && !process.env.VITEST_WORKER_WARNED) {
  process.env.VITEST_WORKER_WARNED = '1';
  console.warn('DATABASE_URL is not a postgres:// URL: PostgreSQL tests are SKIPPED (SQLite only).');
}

export const POSTGRES_URL = postgresUrl;
export const ENGINES: TestEngine[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/** Runs the same behaviour tests on every engine this machine has. */
export function describeEachEngine(name: string, body: (engine: TestEngine) => void): void {
  describe.each(ENGINES)(`${name} [%s]`, (engine) => body(engine));
}

/** For tests only PostgreSQL can run (several instances on one database). */
export const describePostgres = postgresUrl ? describe : describe.skip;
