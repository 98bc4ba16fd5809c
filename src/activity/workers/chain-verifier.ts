import type { ChainReport } from '../chain/chain-verify.js';
import type { ChainAnswer, ChainWorkerSetup } from './protocol.js';
import { startWorker } from './start-worker.js';

/** Verifies one org's chain in a worker thread of its own, which is ended when it answers. */
export function verifyChainInWorker(sqlitePath: string, orgId: string): Promise<ChainReport> {
  return new Promise((resolve, reject) => {
    const setup: ChainWorkerSetup = { sqlitePath, orgId };
    const worker = startWorker(import.meta.url, 'chain-worker', setup);
    worker.once('message', (answer: ChainAnswer) => {
      if ('report' in answer) resolve(answer.report);
      else reject(new Error(answer.error));
      void worker.terminate();
    });
    worker.once('error', reject);
    // After an answer this changes nothing; before one, the worker died without answering.
    worker.once('exit', (code) => reject(new Error(`the chain worker exited with ${code}`)));
  });
}
