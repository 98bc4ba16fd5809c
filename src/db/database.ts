import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import type { Schema } from './schema.js';

export type Engine = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<Schema>;
  engine: Engine;
  /** The connection string for PostgreSQL, so LISTEN can open its own dedicated connection. */
  postgresUrl: string | undefined;
  /** The search_path schema on PostgreSQL (tests isolate themselves in one each). */
  postgresSchema: string | undefined;
  /**
   * Runs one fixed read on the hottest path (the per-request session check) without Kysely's
   * per-call query building: a cached better-sqlite3 statement, or a named (server-side
   * prepared) PostgreSQL statement — one round trip.
   */
  prepared<Row>(name: string, sqlText: string): (...values: unknown[]) => Promise<Row | undefined>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL only: run every connection in this schema (created if missing). */
  postgresSchema?: string;
  poolSize?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
// Our bigints are epoch milliseconds and counts, all far below 2^53.
pg.types.setTypeParser(INT8_OID, (value) => Number(value));
pg.types.setTypeParser(NUMERIC_OID, (value) => Number(value));

const STATEMENT_CACHE_SIZE = 200;

/** Opens SQLite (WAL, synchronous=FULL) or a PostgreSQL pool behind one Kysely instance. */
export function createDatabase(config: DatabaseConfig, options: DatabaseOptions = {}): Database {
  return config.engine === 'sqlite' ? openSqlite(config.path) : openPostgres(config.url, options);
}

function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: an acknowledged write (a logout, an audit row) survives a power cut.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    plugins: [new CamelCasePlugin()],
  });
  return {
    db,
    engine: 'sqlite',
    postgresUrl: undefined,
    postgresSchema: undefined,
    prepared<Row>(_name: string, sqlText: string) {
      const statement = sqlite.prepare(sqlText.replace(/\$\d+/g, '?'));
      return async (...values: unknown[]) => statement.get(...values) as Row | undefined;
    },
    close: () => db.destroy(),
  };
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing is
 * the most expensive part of the per-request session lookup.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      return (sqlText: string) => {
        let statement = cache.get(sqlText);
        if (!statement) {
          statement = target.prepare(sqlText);
          if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
          cache.set(sqlText, statement);
        }
        return statement;
      };
    },
  });
}

function openPostgres(url: string, options: DatabaseOptions): Database {
  const schema = options.postgresSchema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new Error(`bad schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // Nor may a client checked out by Kysely: the pool listens only to idle clients, so a connection
  // cut mid-query (network loss, server killed) would be an unhandled 'error' event and kill the
  // process. The query itself still fails, and the pool drops the dead client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
  return {
    db,
    engine: 'postgres',
    postgresUrl: url,
    postgresSchema: schema,
    prepared<Row>(name: string, sqlText: string) {
      return async (...values: unknown[]) => {
        const result = await pool.query({ name, text: sqlText, values });
        return result.rows[0] as Row | undefined;
      };
    },
    close: () => db.destroy(),
  };
}
