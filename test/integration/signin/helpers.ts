/**
 * Shared setup of the sign-in tests: the demo's servers (a real oidc-provider authorization server and a protected
 * MCP server), the CLI run in-process (`main()` with captured streams and a writable stdin) or as a real process,
 * the scripted browser, temp token stores.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { after, before, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type DemoServers, startDemoServers } from '../../../demo/servers.ts';
import { main } from '../../../src/cli/main.ts';
import { tempDir } from '../support/oauth-stack.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SCRIPTED_BROWSER = fileURLToPath(new URL('../../fixtures/scripted-browser.mjs', import.meta.url));

export type { DemoServers };
export { startDemoServers };

/** An environment without anything that could open a real browser or read a developer's token store. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'NODE_OPTIONS', 'SystemRoot']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return { ...env, ...extra };
}

export { tempDir };

/**
 * Register the hooks of a file whose tests share the demo's servers: started once (auto-approve) and closed at
 * the end; before each test, a new temp token store, the authorization server back in auto-approve mode and both
 * servers' counters reset. Read `servers` and `store` inside the tests (they are set by the hooks).
 */
export function useDemoServers(): { readonly servers: DemoServers; readonly store: ReturnType<typeof tempDir> } {
  let servers: DemoServers | undefined;
  let store: ReturnType<typeof tempDir> | undefined;
  before(async () => {
    servers = await startDemoServers({ mode: 'auto-approve' });
  });
  after(async () => {
    store?.cleanup();
    await servers?.close();
  });
  beforeEach(() => {
    store?.cleanup();
    store = tempDir('mcptool-signin-');
    if (servers) {
      servers.as.mode = 'auto-approve';
      servers.as.stats.reset();
      servers.mcp.stats.reset();
    }
  });
  return {
    get servers() {
      if (!servers) throw new Error('the demo servers are not started (use them inside a test)');
      return servers;
    },
    get store() {
      if (!store) throw new Error('no token store yet (use it inside a test)');
      return store;
    },
  };
}

export interface InProcessRun {
  /** Resolves with the exit code. */
  done: Promise<number>;
  stdout(): string;
  stderr(): string;
  /** Write to the CLI's stdin (a pipe). */
  stdin: PassThrough;
}

/**
 * Run `main()` in this process with captured non-TTY streams and a stdin pipe that stays open until the test ends
 * it (for paste-back). `env` is the CLI's whole environment.
 */
export function startMain(args: string[], env: NodeJS.ProcessEnv): InProcessRun {
  let out = '';
  let err = '';
  const stdin = new PassThrough();
  const done = main(args, {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    stdin,
    env,
  }).finally(() => stdin.end());
  return { done, stdout: () => out, stderr: () => err, stdin };
}

/** Run `main()` in-process to the end, with stdin closed at once. */
export async function runMain(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startMain(args, env);
  run.stdin.end();
  const code = await run.done;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

export interface ProcessRun {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited (and been reaped). */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Start the real CLI from the sources (`node --import tsx src/cli/run.ts ...`) with piped streams. It is killed
 * after `timeoutMs` so that a hung test cannot hang the suite.
 */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { stdin?: 'pipe' | 'ignore'; timeoutMs?: number } = {},
): ProcessRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'],
  }) as ChildProcessWithoutNullStreams;
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Run the real CLI to the end; stdin is closed at once (or `/dev/null` with `stdin: 'ignore'`). */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { stdin?: 'pipe' | 'ignore'; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startCli(args, env, options);
  if (options.stdin !== 'ignore') run.child.stdin.end();
  const { code } = await run.exit;
  // 'exit' may come before the last output: wait for the streams to end.
  await Promise.all([
    new Promise((r) => (run.child.stdout.readableEnded ? r(undefined) : run.child.stdout.once('end', r))),
    new Promise((r) => (run.child.stderr.readableEnded ? r(undefined) : run.child.stderr.once('end', r))),
  ]);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Poll `check` every 25 ms until it returns a value other than `undefined`, or fail after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The lines the scripted browser logged (see test/fixtures/scripted-browser.mjs). */
export function readBrowserLog(file: string): { kind?: string; url?: string; status?: number; done?: boolean }[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {}
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/**
 * Follow the authorization server's redirects from `authorizationUrl` with plain GETs (auto-approve mode) up to,
 * not including, the redirect URI; resolves with the redirect URL the browser would have landed on.
 */
export async function followToRedirect(authorizationUrl: string, redirectUri: string): Promise<string> {
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(redirectUri)) return url;
    const response = await fetch(url, { redirect: 'manual' });
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (!location) throw new Error(`GET ${url}: HTTP ${response.status} without a redirect`);
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

/** The first `http(s)://…` URL in `text` that starts with `prefix`. */
export function findUrl(text: string, prefix: string): string | undefined {
  for (const m of text.matchAll(/https?:\/\/\S+/g)) if (m[0].startsWith(prefix)) return m[0];
  return undefined;
}
