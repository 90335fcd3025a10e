import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The server-everything stdio command line, relative to the repository root. */
export const EVERYTHING_STDIO = 'node node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the real `mcptool` CLI from the sources (`node --import tsx src/cli/run.ts`) in the repository root, as a
 * child process with piped (non-TTY) streams, and collect its output. Kills it after `timeoutMs`.
 */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Run `main()` in this process with captured, non-TTY streams — the same code path as the binary minus process
 * start-up (which costs seconds per run on a loaded machine). `process.test.ts` covers the real process.
 */
export async function runMain(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<CliRun> {
  const { main } = await import('../../../src/cli/main.ts');
  const { Readable } = await import('node:stream');
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: Readable.from([options.stdin ?? '']),
    env: { ...process.env, ...options.env },
  });
  return { code, stdout, stderr };
}
