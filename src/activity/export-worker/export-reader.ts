import { Worker } from 'node:worker_threads';
import type { EncodedBatch } from '../export-encode.js';
import type { BatchAnswer, BatchJob, WorkerSetup } from './protocol.js';

export interface ExportReader {
  /** Runs one batch's statement in the worker and encodes its rows there. */
  read(job: Omit<BatchJob, 'id'>): Promise<EncodedBatch>;
  close(): Promise<void>;
}

/**
 * From dist/ the worker is plain JavaScript. From the sources (tsx, vitest) it is TypeScript, which
 * Node 20 loads only through tsx's loader; vitest's processes have none, and a worker does not
 * inherit loader hooks, so a small bootstrap registers tsx in the worker and then imports it.
 */
function startWorker(setup: WorkerSetup): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./export-worker.js', import.meta.url), { workerData: setup });
  }
  const entry = new URL('./export-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: setup });
}

/**
 * The main thread's side of the export worker, started on the first batch asked for. A worker
 * that dies fails the batches it held, and the next batch starts a new one.
 */
export function createExportReader(sqlitePath: string): ExportReader {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: (batch: EncodedBatch) => void; reject: (e: Error) => void }>();

  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  const start = (): Worker => {
    const started = startWorker({ sqlitePath });
    // Idle, it must not keep the process (a CLI command) alive; busy, the export's socket does.
    started.unref();
    started.on('message', (answer: BatchAnswer) => {
      const waiter = pending.get(answer.id);
      pending.delete(answer.id);
      if ('error' in answer) waiter?.reject(new Error(answer.error));
      else waiter?.resolve(answer.batch);
    });
    const gone = (error: Error) => {
      if (worker === started) worker = undefined;
      failAll(error);
    };
    started.on('error', gone);
    started.on('exit', (code) => gone(new Error(`the export worker exited with ${code}`)));
    return started;
  };

  return {
    read(job) {
      worker ??= start();
      const id = nextId++;
      const answer = new Promise<EncodedBatch>((resolve, reject) => pending.set(id, { resolve, reject }));
      worker.postMessage({ ...job, id } satisfies BatchJob);
      return answer;
    },
    async close() {
      const running = worker;
      worker = undefined;
      if (running) await running.terminate();
    },
  };
}
