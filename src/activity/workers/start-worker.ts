import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * Each worker thread is a V8 isolate with a heap of its own, which by default may grow as large as
 * the main thread's. A worker reads and encodes one batch at a time, whose objects die with the
 * batch: a small young generation collects them as often as they die, and the old generation's cap
 * leaves room for a batch of the largest rows ingest accepts (decision 025). A worker over it is
 * ended, which fails what it was doing, not the process.
 */
const WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 48 };

/**
 * Starts the worker module `name` next to `from` (the caller's import.meta.url). From dist/ it is
 * plain JavaScript. From the sources (tsx, vitest) it is TypeScript, which Node 20 loads only
 * through tsx's loader; vitest's processes have none, and a worker does not inherit loader hooks,
 * so a small bootstrap registers tsx in the worker and then imports the module.
 */
export function startWorker(from: string, name: string, workerData: unknown): Worker {
  if (!from.endsWith('.ts'))
    return new Worker(new URL(`./${name}.js`, from), { workerData, resourceLimits: WORKER_LIMITS });
  const entry = new URL(`./${name}.ts`, from).href;
  // Resolved here: the eval'd bootstrap would look for tsx from the current folder, which is
  // wherever the operator ran the CLI.
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits: WORKER_LIMITS });
}
