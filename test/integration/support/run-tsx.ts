/**
 * Run a TypeScript entry point of the repository in a new Node process (`node --import tsx …`) with piped,
 * non-TTY output, and collect what it printed.
 */
import { spawn } from 'node:child_process';

/** How a process ended and what it printed. */
export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `node --import tsx ...args` in `cwd` with `env` added to this process's environment. `stdin`, when given,
 * is written to the child's stdin, which is then closed (no stdin at all otherwise). Killed (SIGKILL) after
 * `timeoutMs` (default 30 s). `node` is the Node binary (default: this process's).
 */
export function runTsx(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv | undefined; stdin?: string; timeoutMs?: number; node?: string },
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, ['--import', 'tsx', ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}
