import type { DatabaseEngine } from '../../db/database.js';
import type { ExportRow } from '../activity.js';
import { exportBatchQuery } from '../activity.repository.js';
import type { CursorPosition } from '../search/cursor.js';
import type { ActivityFilter } from '../search/filter.js';
import type { ExportReader } from '../workers/export-reader.js';
import { type EncodedBatch, type ExportFormat, encodeBatch } from './export-encode.js';

/**
 * Rows per export query (keyset path: SQLite, and JSON Lines). Larger batches outlive more
 * young-generation collections and grow the heap (decision 004, docs/benchmarks.md).
 */
const EXPORT_BATCH = 500;

/**
 * The filtered rows as encoded chunks, one per keyset batch, with the running row count: memory
 * stays flat, and no connection is held between batches (decision 004). The next batch is asked
 * for before this one is handed on, so it is read while this one is sent; at most two are held.
 *
 * On a SQLite file the batches are read and encoded by the export worker (`reader`), off the event
 * loop; otherwise a batch is read and encoded in one piece of `DatabaseEngine.paced`, so its rows never
 * outlive the piece (rows kept from one turn to the next survived young-generation collections and
 * made the old generation's collections the loop's longest stalls; decision 009).
 */
export async function* exportChunks(
  database: DatabaseEngine,
  reader: ExportReader | undefined,
  filter: ActivityFilter,
  format: ExportFormat,
): AsyncGenerator<{ text: Buffer; rows: number }> {
  const options = { format, sort: filter.sort, limit: EXPORT_BATCH };
  const read = (after: CursorPosition | null): Promise<EncodedBatch> => {
    const query = exportBatchQuery(database.db, filter, { after, limit: EXPORT_BATCH });
    if (reader) return reader.read({ sql: query.sql, parameters: query.parameters, ...options });
    return database.paced(async () => encodeBatch((await database.arrayRows(query)) as ExportRow[], options));
  };
  const fetch = (after: CursorPosition | null) => {
    const batch = read(after);
    batch.catch(() => {}); // an abandoned export's prefetch must not crash the process
    return batch;
  };
  let rows = 0;
  let next = fetch(null);
  for (;;) {
    const batch = await next;
    if (batch.next !== null) next = fetch(batch.next);
    rows += batch.rows;
    const bytes = batch.bytes;
    if (batch.rows > 0) yield { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), rows };
    if (batch.next === null) return;
  }
}
