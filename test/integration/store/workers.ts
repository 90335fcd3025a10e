// Spawning store-worker children for the cross-process tests, with cleanup.
import { fileURLToPath } from 'node:url';
import type { WorkerSpec } from '../../fixtures/store-worker.ts';
import { startChildWorker, type Worker } from '../support/child-worker.ts';

export { killAllWorkers, type Worker } from '../support/child-worker.ts';

const WORKER = fileURLToPath(new URL('../../fixtures/store-worker.ts', import.meta.url));

/** Start a store-worker child; it prints READY (and DONE) lines, and reads nothing from stdin. */
export function startWorker(spec: WorkerSpec): Worker {
  return startChildWorker(WORKER, spec, { stdin: 'ignore' });
}
