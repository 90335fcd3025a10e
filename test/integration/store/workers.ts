// Spawning store-worker children for the cross-process tests, with cleanup.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerSpec } from '../../fixtures/store-worker.ts';

const WORKER = fileURLToPath(new URL('../../fixtures/store-worker.ts', import.meta.url));

export interface Worker {
  child: ChildProcess;
  /** Resolves when the worker printed `line` (READY, DONE). */
  printed(line: string): Promise<void>;
  /** Resolves with the exit code (or signal) and stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<ChildProcess>();

export function startWorker(spec: WorkerSpec): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const listeners: Array<() => void> = [];
  child.stdout?.on('data', (chunk) => {
    stdout += chunk.toString();
    for (const l of listeners) l();
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      for (const l of listeners) l();
      resolve({ code, signal, stderr });
    });
  });
  return {
    child,
    exited,
    printed: (line) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (stdout.split('\n').includes(line)) resolve();
          else if (child.exitCode !== null || child.signalCode !== null) {
            reject(new Error(`worker exited (${child.exitCode ?? child.signalCode}) before ${line}: ${stderr}`));
          }
        };
        listeners.push(check);
        check();
      }),
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await exited;
      }
    },
  };
}

/** Kill every worker still running (for `after` hooks). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
