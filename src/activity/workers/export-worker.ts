/**
 * The export worker thread (decision 009): runs export batch statements on its own read-only
 * SQLite connection and encodes their rows, so neither blocks the main thread's event loop; and a
 * stream's batches, whose rows go back as they are (decision 026). Jobs run one at a time, in the
 * order they arrive, which shares the thread fairly between exports and streams.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import type { ExportRow } from '../activity.js';
import { encodeBatch } from '../export/export-encode.js';
import type { BatchAnswer, WorkerJob, WorkerSetup } from './protocol.js';

const STATEMENT_CACHE_SIZE = 50;
/**
 * SQLite's page cache for this connection, in KiB (a negative cache_size). An export reads each
 * page once, in order, so pages kept for a second read are memory held for nothing; the
 * operating system's file cache serves what is read again (decision 025).
 */
const PAGE_CACHE_KIB = 2_048;

const { sqlitePath } = workerData as WorkerSetup;
const reader = new SQLite(sqlitePath);
// Committed data only, as the main thread's reader: an export never sees a half-done write.
reader.pragma('query_only = ON');
reader.pragma('busy_timeout = 5000');
reader.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
const statements = new Map<string, SQLite.Statement>();

function statement(sqlText: string): SQLite.Statement {
  let prepared = statements.get(sqlText);
  if (!prepared) {
    prepared = reader.prepare(sqlText).raw(true);
    if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
    statements.set(sqlText, prepared);
  }
  return prepared;
}

const port = parentPort as NonNullable<typeof parentPort>;
port.on('message', (job: WorkerJob) => {
  let answer: BatchAnswer;
  try {
    const rows = statement(job.sql).all(...job.parameters);
    answer =
      'format' in job
        ? { id: job.id, batch: encodeBatch(rows as ExportRow[], job) }
        : { id: job.id, rows: rows as unknown[][] };
  } catch (error) {
    answer = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answer, 'batch' in answer ? [answer.batch.bytes.buffer as ArrayBuffer] : []);
});
