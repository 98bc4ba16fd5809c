import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, type CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../kernel/config.js';
import { CommitScopedCache } from './commit-scoped-cache.js';
import { batchedPerTurn } from './per-turn.js';
import { copyCsvOut, copyRowsIn } from './postgres-copy.js';
import type { Schema } from './schema.js';
import { createTurnShare, runAtOnce, type TurnShare } from './turn-share.js';

export type Engine = 'sqlite' | 'postgres';

/** One engine behind one facade: the Kysely instance and what differs between SQLite and PostgreSQL. */
export interface DatabaseEngine {
  db: Kysely<Schema>;
  engine: Engine;
  /** The connection string for PostgreSQL, so LISTEN can open its own dedicated connection. */
  postgresUrl: string | undefined;
  /** The search_path schema on PostgreSQL (tests isolate themselves in one each). */
  postgresSchema: string | undefined;
  /** The SQLite file, for a worker thread's own read-only connection (undefined: in memory, or PostgreSQL). */
  sqlitePath: string | undefined;
  /**
   * The hottest read (the per-request session check): the row of `from` whose `key` column equals
   * the key, without Kysely's per-call query building. Rows come back as arrays of the `columns`
   * for `toRow` to name: both drivers build arrays several times faster than objects.
   *
   * SQLite: a cached statement on a second, read-only connection, which sees committed data only;
   * its rows are answered from memory until any connection commits (decision 006).
   * PostgreSQL: the keys asked for during one event-loop turn go in one prepared round trip.
   */
  keyedLookup<Row extends object>(
    query: KeyedLookup<Row>,
  ): (key: string) => Promise<Readonly<Row> | undefined>;
  /**
   * Runs a compiled Kysely query and returns its rows as arrays of column values, in select-list
   * order, skipping Kysely's per-row result transformation: exports read millions of rows this way.
   * On a SQLite file it reads through the read-only connection (committed data only).
   */
  arrayRows(query: CompiledQuery): Promise<unknown[][]>;
  /**
   * Runs one piece of a long read (an export batch, a verification batch). On SQLite, where every
   * read blocks the event loop, the pieces of all long readers take turns within a bounded slice
   * of each loop turn (src/db/turn-share.ts); on PostgreSQL they run at once. A piece must not
   * itself call `paced`.
   */
  paced: TurnShare;
  /** PostgreSQL only: the query's rows as CSV text from `COPY ... TO STDOUT` (src/db/postgres-copy.ts). */
  copyCsv: ((query: CompiledQuery) => Readable) | undefined;
  /**
   * PostgreSQL only: rows into `COPY table (columns) FROM STDIN`, in a transaction of their own;
   * answers how many (src/db/postgres-copy.ts). Column names as the table has them (snake_case).
   */
  copyRowsIn:
    | ((
        target: { table: string; columns: readonly string[] },
        rows: Iterable<readonly unknown[]>,
      ) => Promise<number>)
    | undefined;
  /** PostgreSQL only: the pool's connections right now, for monitoring. */
  poolState: (() => PoolState) | undefined;
  close(): Promise<void>;
}

export interface PoolState {
  /** Connections open, idle or checked out. */
  total: number;
  idle: number;
  /** Queries queued for want of a free connection. */
  waiting: number;
}

export interface KeyedLookup<Row> {
  /** The PostgreSQL prepared statement's name. */
  name: string;
  /** The select list, in the order `toRow` reads it. */
  columns: string;
  from: string;
  /** A unique column. */
  key: string;
  toRow: (values: unknown[]) => Row;
}

export interface DatabaseOptions {
  /** PostgreSQL only: run every connection in this schema (created if missing). */
  postgresSchema?: string;
  poolSize?: number;
  /** SQLite only: open an existing file, never create it (nor its folder). */
  mustExist?: boolean;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
// Our bigints are epoch milliseconds and counts, all far below 2^53.
pg.types.setTypeParser(INT8_OID, (value) => Number(value));
pg.types.setTypeParser(NUMERIC_OID, (value) => Number(value));

const STATEMENT_CACHE_SIZE = 200;
/**
 * SQLite: the time long reads may take between two polls for I/O. Small against the 50 ms a
 * health check may take at p99, large against one piece (an export batch of 500 rows).
 */
const LONG_READ_SLICE_MS = 10;
/** 40 MB of 4 kB pages (bench:sessions-list, the Logout by filter). */
const WAL_CHECKPOINT_PAGES = 10_000;
/** SQLite's advice for statistics good enough for the planner, at a bounded cost (PRAGMA optimize). */
const ANALYSIS_LIMIT_ROWS = 1_000;
/** Rows the hot-path reader keeps between commits: one per active session, ~1 kB each. */
const HOT_ROW_CACHE_SIZE = 10_000;

/** Opens SQLite (WAL, synchronous=FULL) or a PostgreSQL pool behind one Kysely instance. */
export function createDatabase(config: DatabaseConfig, options: DatabaseOptions = {}): DatabaseEngine {
  if (config.engine === 'sqlite') return openSqlite(config.path, options);
  const postgresSchema = options.postgresSchema ?? config.schema;
  return openPostgres(config.url, postgresSchema ? { ...options, postgresSchema } : options);
}

function openSqlite(path: string, options: DatabaseOptions): DatabaseEngine {
  const mustExist = options.mustExist === true && path !== ':memory:';
  if (path !== ':memory:' && !mustExist) mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path, { fileMustExist: mustExist });
  sqlite.pragma('journal_mode = WAL');
  // FULL: an acknowledged write (a logout, an audit row) survives a power cut.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // The commit that grows the WAL past this many pages copies them into the database first. A
  // Logout by filter dirties thousands of index pages per batch and paid that in every batch at
  // SQLite's default of 1,000; a larger WAL writes a page several batches touch once.
  sqlite.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  // The daily ANALYZE (retention) reads this many rows of each index instead of all of them: on a
  // 1M-row log the whole scan was one statement of seconds, on the event loop (decision 009).
  sqlite.pragma(`analysis_limit = ${ANALYSIS_LIMIT_ROWS}`);
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    plugins: [new CamelCasePlugin()],
  });
  const reader = path === ':memory:' ? undefined : openReader(path);
  // Statements of their own (not Kysely's cached ones): raw mode is a property of the statement.
  const arrayStatements = statementCache(reader ?? sqlite, (statement) => statement.raw(true));
  return {
    db,
    engine: 'sqlite',
    postgresUrl: undefined,
    postgresSchema: undefined,
    sqlitePath: path === ':memory:' ? undefined : path,
    keyedLookup<Row extends object>({ columns, from, key, toRow }: KeyedLookup<Row>) {
      const statement = (reader ?? sqlite)
        .prepare(`select ${columns} from ${from} where ${key} = ?`)
        .raw(true);
      const read = (value: string) => {
        const row = statement.get(value) as unknown[] | undefined;
        return row === undefined ? undefined : toRow(row);
      };
      // An in-memory database has no second connection to watch commits from: read every time.
      if (!reader) return async (value: string) => read(value);
      const dataVersion = reader.prepare('pragma data_version').pluck();
      const cache = new CommitScopedCache<Row>(() => dataVersion.get(), HOT_ROW_CACHE_SIZE);
      return (value: string) => cache.get(value, () => read(value));
    },
    copyCsv: undefined,
    copyRowsIn: undefined,
    poolState: undefined,
    paced: createTurnShare(LONG_READ_SLICE_MS),
    async arrayRows(query: CompiledQuery) {
      return arrayStatements(query.sql).all(...query.parameters) as unknown[][];
    },
    async close() {
      await db.destroy();
      reader?.close();
    },
  };
}

function openReader(path: string): SQLite.Database {
  const reader = new SQLite(path);
  reader.pragma('query_only = ON');
  reader.pragma('busy_timeout = 5000');
  return reader;
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing costs
 * more than running a small query.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const prepare = statementCache(sqlite);
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      return property === 'prepare' ? prepare : Reflect.get(target, property, receiver);
    },
  });
}

function statementCache(
  sqlite: SQLite.Database,
  setUp: (statement: SQLite.Statement) => SQLite.Statement = (statement) => statement,
): (sqlText: string) => SQLite.Statement {
  const cache = new Map<string, SQLite.Statement>();
  return (sqlText) => {
    let statement = cache.get(sqlText);
    if (!statement) {
      statement = setUp(sqlite.prepare(sqlText));
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(sqlText, statement);
    }
    return statement;
  };
}

function openPostgres(url: string, options: DatabaseOptions): DatabaseEngine {
  const schema = options.postgresSchema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new Error(`bad schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    // No JIT compilation: the planner overestimates short index ranges with bounds it cannot see
    // (a histogram's edges), and compiling took four times as long as running them; the exports'
    // COPY ran faster without it too (docs/benchmarks.md, "Activity log", 2026-12-04).
    options: `-c jit=off${schema ? ` -c search_path=${schema}` : ''}`,
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
    sqlitePath: undefined,
    keyedLookup<Row extends object>({ name, columns, from, key, toRow }: KeyedLookup<Row>) {
      // The key comes back first, to hand each row to the request that asked for it.
      const text = `select ${key}, ${columns} from ${from} where ${key} = any($1::text[])`;
      return batchedPerTurn(async (keys) => {
        const result = await pool.query<unknown[]>({ name, text, values: [keys], rowMode: 'array' });
        return new Map(result.rows.map((row) => [row[0] as string, toRow(row.slice(1))]));
      });
    },
    copyCsv: (query: CompiledQuery) => copyCsvOut(pool, query),
    copyRowsIn: (target, rows) => copyRowsIn(pool, target, rows),
    poolState: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    paced: runAtOnce,
    async arrayRows(query: CompiledQuery) {
      const result = await pool.query<unknown[]>({
        text: query.sql,
        values: [...query.parameters],
        rowMode: 'array',
      });
      return result.rows;
    },
    close: () => db.destroy(),
  };
}
