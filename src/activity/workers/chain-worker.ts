/**
 * A chain verification's worker thread (decision 009): walks and hashes one org's chain on its own
 * read-only SQLite connection, so none of its reads or hashing blocks the main thread's event loop.
 * One worker per verification; it answers once and is ended.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { verifyChain } from '../chain/chain-verify.js';
import type { ChainAnswer, ChainWorkerSetup } from './protocol.js';

const { sqlitePath, orgId } = workerData as ChainWorkerSetup;
const sqlite = new SQLite(sqlitePath);
// Committed data only, like the main thread's reader.
sqlite.pragma('query_only = ON');
sqlite.pragma('busy_timeout = 5000');
const db = new Kysely<Schema>({
  dialect: new SqliteDialect({ database: sqlite }),
  plugins: [new CamelCasePlugin()],
});
const port = parentPort as NonNullable<typeof parentPort>;

verifyChain(db, orgId).then(
  (report) => port.postMessage({ report } satisfies ChainAnswer),
  (error: unknown) =>
    port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies ChainAnswer),
);
