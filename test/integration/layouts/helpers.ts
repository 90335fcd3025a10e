/**
 * Shared steps of the server-layout tests: the CLI run in-process against a server with the scripted browser as
 * `$BROWSER`, and the library with an injected clock (to drive token expiry without waiting).
 */
import assert from 'node:assert/strict';
import { createConnectionAuth } from '../../../src/auth/connection-auth.ts';
import { type Clock, FileTokenStore, MCPToolset, OAuthConfig, StreamableHttpServerInfo } from '../../../src/index.ts';
import { cleanEnv, runMain, SCRIPTED_BROWSER } from '../signin/helpers.ts';
import { forbiddenHandler, text } from '../support/oauth-stack.ts';

export { tempDir } from '../support/oauth-stack.ts';

/** The environment of the CLI runs: the scripted browser approves at once; nothing else from the developer's. */
export function layoutEnv(): NodeJS.ProcessEnv {
  return cleanEnv({ BROWSER: SCRIPTED_BROWSER });
}

/** `mcptool <args> --token-store DIR` in-process; fails with the output when the exit code is not `expected`. */
export async function cli(args: string[], dir: string, expected = 0): Promise<{ stdout: string; stderr: string }> {
  const run = await runMain([...args, '--token-store', dir], layoutEnv());
  assert.equal(run.code, expected, `mcptool ${args.join(' ')}: exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  return run;
}

/** What `mcptool status <url> --json` lists. */
export async function statusOf(url: string, dir: string): Promise<{ server: string; issuer: string }[]> {
  // `status` exits 1 when nothing is stored (so a script can test it), 0 otherwise.
  const run = await runMain(['status', url, '--json', '--token-store', dir], layoutEnv());
  assert.ok(run.code === 0 || run.code === 1, `mcptool status ${url}: exit ${run.code}\n${run.stderr}`);
  const { stdout } = run;
  return (JSON.parse(stdout) as { credentials: { server: string; issuer: string }[] }).credentials;
}

/**
 * Call `tool` through the library with the token store in `dir` and a clock `aheadMs` ahead of real time (a stored
 * access token is then seen as expired), with a handler that fails the test if a sign-in is started.
 */
export async function callWithClockAhead(url: string, dir: string, aheadMs: number, tool = 'whoami'): Promise<string> {
  const clock: Clock = { now: () => Date.now() + aheadMs };
  const forbidden = forbiddenHandler();
  const oauth = new OAuthConfig({ tokenStore: new FileTokenStore({ dir }), authorizationHandler: forbidden.handler });
  // The engine of (server, config) is created here with the clock; the toolset below shares it.
  createConnectionAuth({ serverUrl: new URL(url), oauth, clock });
  const toolset = new MCPToolset({ serverInfo: new StreamableHttpServerInfo({ url, oauth, timeoutMs: 20_000 }) });
  try {
    await toolset.warmUp();
    const result = await toolset.getTool(tool).invoke({});
    assert.equal(forbidden.opened(), 0, 'no interactive sign-in');
    return text(result as { content?: unknown });
  } finally {
    await toolset.close();
  }
}
