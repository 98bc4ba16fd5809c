import type { Database } from '../db/database.js';
import { type ExportRow, exportRowToActivity } from './activity.js';
import { exportPositionOf, selectExportBatch } from './activity.repository.js';
import { toCsvChunk } from './csv.js';
import type { CursorPosition } from './cursor.js';
import type { ActivityFilter } from './filter.js';

/**
 * Rows per export query (keyset path: SQLite, and JSON Lines). Larger batches outlive more
 * young-generation collections and grow the heap (decision 004, docs/benchmarks.md).
 */
const EXPORT_BATCH = 500;

export type ExportFormat = 'csv' | 'jsonl';

/** One encoded batch, and where the next one starts (null after the last). */
interface EncodedBatch {
  bytes: Buffer;
  rows: number;
  next: CursorPosition | null;
}

const encoders: Record<ExportFormat, (rows: readonly ExportRow[]) => string> = {
  csv: toCsvChunk,
  jsonl: (rows) => rows.map((row) => `${JSON.stringify(exportRowToActivity(row))}\n`).join(''),
};

/**
 * The filtered rows as encoded chunks, one per keyset batch, with the running row count: memory
 * stays flat, and no connection is held between batches (decision 004).
 *
 * A batch is read, encoded and turned into bytes in one piece of `Database.paced`, so its rows
 * never outlive the piece: with 20 exports taking turns on SQLite, rows kept from one turn to the
 * next (a read batch waiting for its encoding turn) survived young-generation collections and
 * filled the old generation, whose collections were the longest stalls of the loop (decision 009).
 * The next batch is asked for before this one is handed on: on PostgreSQL the database reads it
 * while this one is sent.
 */
export async function* exportChunks(
  database: Database,
  filter: ActivityFilter,
  format: ExportFormat,
): AsyncGenerator<{ text: Buffer; rows: number }> {
  const encode = encoders[format];
  const fetch = (after: CursorPosition | null) => {
    const batch = database.paced(async (): Promise<EncodedBatch> => {
      const rows = await selectExportBatch(database, filter, { after, limit: EXPORT_BATCH });
      const last = rows[rows.length - 1];
      const more = rows.length === EXPORT_BATCH && last !== undefined;
      return {
        bytes: Buffer.from(encode(rows)),
        rows: rows.length,
        next: more ? exportPositionOf(last, filter.sort) : null,
      };
    });
    batch.catch(() => {}); // an abandoned export's prefetch must not crash the process
    return batch;
  };
  let rows = 0;
  let next = fetch(null);
  for (;;) {
    const batch = await next;
    if (batch.next !== null) next = fetch(batch.next);
    rows += batch.rows;
    if (batch.rows > 0) yield { text: batch.bytes, rows };
    if (batch.next === null) return;
  }
}
