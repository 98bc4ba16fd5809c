import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `name` next to `from` (the caller's import.meta.url). From dist/ it is
 * plain JavaScript. From the sources (tsx, vitest) it is TypeScript, which Node 20 loads only
 * through tsx's loader; vitest's processes have none, and a worker does not inherit loader hooks,
 * so a small bootstrap registers tsx in the worker and then imports the module.
 */
export function startWorker(from: string, name: string, workerData: unknown): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), { workerData });
  const entry = new URL(`./${name}.ts`, from).href;
  // Resolved here: the eval'd bootstrap would look for tsx from the current folder, which is
  // wherever the operator ran the CLI.
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
