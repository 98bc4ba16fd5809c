import type { Worker } from 'node:worker_threads';
import type { EncodedBatch } from '../export/export-encode.js';
import type { BatchAnswer, BatchJob, RowsJob, WorkerJob, WorkerSetup } from './protocol.js';
import { startWorker } from './start-worker.js';

export interface ExportReader {
  /** Runs one batch's statement in the worker and encodes its rows there. */
  read(job: Omit<BatchJob, 'id'>): Promise<EncodedBatch>;
  /** Runs a statement in the worker: its rows, each an array of its columns' values. */
  rows(sql: string, parameters: readonly unknown[]): Promise<unknown[][]>;
  close(): Promise<void>;
}

/**
 * The main thread's side of the export worker, started on the first batch asked for. A worker
 * that dies fails the batches it held, and the next batch starts a new one.
 */
export function createExportReader(sqlitePath: string): ExportReader {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: (answer: BatchAnswer) => void; reject: (e: Error) => void }>();

  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  const start = (): Worker => {
    const setup: WorkerSetup = { sqlitePath };
    const started = startWorker(import.meta.url, 'export-worker', setup);
    // Idle, it must not keep the process alive; with batches asked for, it must (a CLI export
    // waiting for its next batch may hold nothing else that keeps Node running).
    started.unref();
    started.on('message', (answer: BatchAnswer) => {
      const waiter = pending.get(answer.id);
      pending.delete(answer.id);
      if (pending.size === 0) started.unref();
      if ('error' in answer) waiter?.reject(new Error(answer.error));
      else waiter?.resolve(answer);
    });
    const gone = (error: Error) => {
      if (worker === started) worker = undefined;
      failAll(error);
    };
    started.on('error', gone);
    started.on('exit', (code) => gone(new Error(`the export worker exited with ${code}`)));
    return started;
  };

  const ask = (job: Omit<BatchJob, 'id'> | Omit<RowsJob, 'id'>): Promise<BatchAnswer> => {
    worker ??= start();
    const id = nextId++;
    if (pending.size === 0) worker.ref();
    const answer = new Promise<BatchAnswer>((resolve, reject) => pending.set(id, { resolve, reject }));
    worker.postMessage({ ...job, id } satisfies WorkerJob);
    return answer;
  };

  return {
    async read(job) {
      const answer = await ask(job);
      if (!('batch' in answer)) throw new Error('the export worker answered rows for a batch');
      return answer.batch;
    },
    async rows(sql, parameters) {
      const answer = await ask({ sql, parameters });
      if (!('rows' in answer)) throw new Error('the export worker answered a batch for rows');
      return answer.rows;
    },
    async close() {
      const running = worker;
      worker = undefined;
      if (running) await running.terminate();
    },
  };
}
