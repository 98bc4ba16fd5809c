import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { type AppDeps, buildApp } from '../../src/app.js';
import { createDatabase, type DatabaseEngine } from '../../src/db/database.js';
import { MIGRATION_LOCK_KEY, migrateToLatest } from '../../src/db/migrate.js';
import type { Clock } from '../../src/kernel/clock.js';
import { type Config, loadConfig } from '../../src/kernel/config.js';
import { openSecretBox, secretsKeyPath } from '../../src/kernel/secret-box.js';
import { openSigningKey, signingKeyPath } from '../../src/kernel/signing-key.js';
import { openGeoLocator } from '../../src/sessions/geo.js';
import { POSTGRES_URL, type TestEngine } from './engines.js';

/** Durable SQLite commits fsync; on tmpfs that costs nothing. */
const TMP_ROOT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

export interface TestApp {
  app: FastifyInstance;
  database: DatabaseEngine;
  config: Config;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** PostgreSQL: join an existing test schema (a second instance on the same database). */
  postgresSchema?: string;
  /** Registers test-only routes (or hooks) before the app is ready, e.g. a route behind the auth hook. */
  beforeReady?: (app: FastifyInstance) => void | Promise<void>;
  /** Wraps the app's live bus, e.g. with one whose publish fails. */
  wrapLiveBus?: AppDeps['wrapLiveBus'];
  /** Serve this folder as the built web app instead of web/dist. */
  webRoot?: string;
  /** Logs (at LOG_LEVEL) into this stream, as the server logs to stdout. */
  logStream?: NodeJS.WritableStream;
}

/**
 * A fresh, migrated app on its own database: its own PostgreSQL schema, or a SQLite file (as in
 * production: WAL, and the hot-path reader on its own connection) on tmpfs where there is one.
 */
export async function createTestApp(engine: TestEngine, options: TestAppOptions = {}): Promise<TestApp> {
  const sqliteDir = engine === 'sqlite' ? mkdtempSync(join(TMP_ROOT, 'vault-test-')) : undefined;
  const ownsSchema = engine === 'postgres' && !options.postgresSchema;
  const schema =
    engine === 'postgres' ? (options.postgresSchema ?? `t_${randomBytes(6).toString('hex')}`) : undefined;
  // PostgreSQL: one key per schema, shared by the instances joining it, as SIGNING_KEY_FILE would
  // be in production (SQLite: beside the file).
  const keyDir = schema ? join(TMP_ROOT, `vault-key-${schema}`) : undefined;
  if (keyDir) mkdirSync(keyDir, { recursive: true });
  const config = loadConfig({
    DATABASE_URL: sqliteDir ? `sqlite:${join(sqliteDir, 'vault.db')}` : POSTGRES_URL,
    ...(keyDir ? { SIGNING_KEY_FILE: join(keyDir, 'signing-key.pem') } : {}),
    ...options.env,
  });
  const database = createDatabase(config.database, schema ? { postgresSchema: schema } : {});
  await migrateToLatest(database);
  const geo = await openGeoLocator({ cityDbPath: config.geoipCityDb });
  const app = await buildApp({
    config,
    database,
    geo,
    signingKey: openSigningKey(signingKeyPath(config), { create: true }),
    secretBox: openSecretBox(secretsKeyPath(config), { create: true }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.wrapLiveBus ? { wrapLiveBus: options.wrapLiveBus } : {}),
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    ...(options.logStream ? { logger: true, logStream: options.logStream } : {}),
  });
  await options.beforeReady?.(app);
  await app.ready();
  return {
    app,
    database,
    config,
    async close() {
      await app.close();
      await database.close();
      if (ownsSchema && schema) await dropSchema(schema);
      if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
      if (ownsSchema && keyDir) rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
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
