/**
 * Child processes running a test fixture script (`node --import tsx <script> <spec as JSON>`) for the
 * cross-process tests (token stores, token lifecycle), with line-based waits and cleanup.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const running = new Set<ChildProcess>();

/** A running child process. */
export interface Worker {
  child: ChildProcess;
  /** Resolves when the worker printed a line starting with `prefix` (READY, DONE, RESULT …), with that line. */
  printed(prefix: string): Promise<string>;
  /** Write one line to the worker's stdin (ignored when stdin is not piped). */
  send(line: string): void;
  /** Resolves once the worker exited and its output was read, with the exit code (or signal) and stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Start `script` (a path) in a new Node process with `spec` as its one argument (JSON). */
export function startChildWorker(script: string, spec: unknown, options: { stdin?: 'pipe' | 'ignore' } = {}): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(spec)], {
    stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  child.stdout?.on('data', (chunk) => {
    stdout += chunk.toString();
    notify();
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk.toString();
  });
  child.stdin?.on('error', () => {});
  // 'close' (not 'exit'): by then everything the child printed has been read.
  let closed = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.once('close', (code, signal) => {
      closed = true;
      running.delete(child);
      resolve({ code, signal, stderr });
      notify();
    });
  });
  return {
    child,
    exited,
    printed: (prefix) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const line = stdout.split('\n').find((l) => l.startsWith(prefix));
          if (line !== undefined) {
            listeners.delete(check);
            resolve(line);
          } else if (closed) {
            listeners.delete(check);
            reject(new Error(`worker exited (${child.exitCode ?? child.signalCode}) before ${prefix}: ${stderr}`));
          }
        };
        listeners.add(check);
        check();
      }),
    send: (line) => {
      child.stdin?.write(`${line}\n`);
    },
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** SIGKILL every worker still running (for `after` hooks). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
