import type { EncodedBatch, ExportFormat } from '../export-encode.js';
import type { SortKey } from '../filter.js';

/** What the main thread asks the export worker for: one batch's statement, run and encoded. */
export interface BatchJob {
  id: number;
  sql: string;
  parameters: readonly unknown[];
  format: ExportFormat;
  sort: SortKey;
  limit: number;
}

export type BatchAnswer = { id: number; batch: EncodedBatch } | { id: number; error: string };

/** What the worker is started with. */
export interface WorkerSetup {
  sqlitePath: string;
}
