import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { MIGRATION_LOCK_KEY, migrateToLatest } from '../../src/db/migrate.js';
import { openGeoLocator } from '../../src/sessions/geo.js';
import { POSTGRES_URL, type TestEngine } from './engines.js';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Config;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** PostgreSQL: join an existing test schema (a second instance on the same database). */
  postgresSchema?: string;
}

/** A fresh, migrated app on its own database: in-memory SQLite, or its own PostgreSQL schema. */
export async function createTestApp(engine: TestEngine, options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({
    DATABASE_URL: engine === 'postgres' ? POSTGRES_URL : 'sqlite::memory:',
    ...options.env,
  });
  const ownsSchema = engine === 'postgres' && !options.postgresSchema;
  const schema =
    engine === 'postgres' ? (options.postgresSchema ?? `t_${randomBytes(6).toString('hex')}`) : undefined;
  const database = createDatabase(config.database, schema ? { postgresSchema: schema } : {});
  await migrateToLatest(database);
  const geo = await openGeoLocator({ cityDbPath: config.geoipCityDb });
  const app = await buildApp({ config, database, geo, ...(options.clock ? { clock: options.clock } : {}) });
  await app.ready();
  return {
    app,
    database,
    config,
    async close() {
      await app.close();
      await database.close();
      if (ownsSchema && schema) await dropSchema(schema);
    },
  };
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    // Under the migration lock: Kysely's migrator lists every schema's tables and trips over one
    // that disappears meanwhile.
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
