import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres } from './helpers/engines.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * Every connection the product opens to PostgreSQL runs without JIT compilation: the planner
 * overestimates the short index ranges a histogram or a capped count reads, and compiling them
 * took longer than running them (src/db/database.ts).
 */
describePostgres('the PostgreSQL connections', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('postgres');
  });
  afterAll(() => t.close());

  it('compile no query to machine code, on every pooled connection', async () => {
    const settings = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.database.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{
            jit: string;
          }>`select current_setting('jit') as jit, pg_sleep(0.05)`.execute(trx);
          return rows[0]?.jit;
        }),
      ),
    );
    expect(new Set(settings)).toEqual(new Set(['off']));
  });
});
