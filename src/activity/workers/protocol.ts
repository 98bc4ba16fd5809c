import type { SortKey } from '../../contracts/activity-terms.js';
import type { ChainReport } from '../chain/chain-verify.js';
import type { EncodedBatch, ExportFormat } from '../export/export-encode.js';

/** What the main thread asks the export worker for: one batch's statement, run and encoded. */
export interface BatchJob {
  id: number;
  sql: string;
  parameters: readonly unknown[];
  format: ExportFormat;
  sort: SortKey;
  limit: number;
}

/** A statement whose rows go back as they are, arrays of column values (a stream's batch). */
export interface RowsJob {
  id: number;
  sql: string;
  parameters: readonly unknown[];
}

export type WorkerJob = BatchJob | RowsJob;

export type BatchAnswer =
  | { id: number; batch: EncodedBatch }
  | { id: number; rows: unknown[][] }
  | { id: number; error: string };

/** What the worker is started with. */
export interface WorkerSetup {
  sqlitePath: string;
}

/** What a chain verification's worker is started with. */
export interface ChainWorkerSetup {
  sqlitePath: string;
  orgId: string;
}

export type ChainAnswer = { report: ChainReport } | { error: string };
