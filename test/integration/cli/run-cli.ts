import { fileURLToPath } from 'node:url';
import { type ProcessRun, runTsx } from '../support/run-tsx.ts';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The server-everything stdio command line, relative to the repository root. */
export const EVERYTHING_STDIO = 'node node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio';

export type CliRun = ProcessRun;

/**
 * Run the real `mcptool` CLI from the sources (`node --import tsx src/cli/run.ts`) in the repository root, as a
 * child process with piped (non-TTY) streams, and collect its output. Kills it after `timeoutMs`.
 */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return runTsx(['src/cli/run.ts', ...args], {
    cwd: ROOT,
    env: options.env,
    stdin: options.stdin ?? '',
    timeoutMs: options.timeoutMs ?? 30_000,
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
