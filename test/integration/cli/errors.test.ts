// Item 2 of the CLI review: errors that tell the truth. Each case runs the real `mcptool` process against real
// servers on 127.0.0.1 (SDK v2 fixtures, the oidc-provider demo stack, stdio child processes).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type McpServerHandle, startMcpServer } from '../../fixtures/mcp-server.ts';
import { type Stack, startOAuthStack } from '../support/oauth-stack.ts';
import { runCli as runCliWithin } from './run-cli.ts';

/** The real process, with a bound that only a hang reaches on a loaded machine. */
const runCli = (args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) =>
  runCliWithin(args, { ...options, timeoutMs: options.timeoutMs ?? 180_000 });

/** One line on stderr, `mcptool: …`. */
function oneLine(stderr: string): string {
  assert.match(stderr, /^mcptool: [^\n]+\n$/, stderr);
  return stderr;
}

describe('item 2: errors that tell the truth (the real process)', { concurrency: 2 }, () => {
  let http: McpServerHandle;
  let sse: McpServerHandle;
  let guarded: McpServerHandle;
  let stack: Stack;
  let dir: string;
  let config: string;

  before(async () => {
    [http, sse, guarded, stack] = await Promise.all([
      startMcpServer({ transport: 'streamable-http' }),
      startMcpServer({ transport: 'sse' }),
      startMcpServer({ transport: 'streamable-http', requireToken: 'letmein' }),
      startOAuthStack(),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'mcptool-cli-errors-'));
    config = join(dir, 'mcp.json');
    await writeFile(
      config,
      JSON.stringify({ mcpServers: { guarded: { url: guarded.url, headers: { Authorization: 'Bearer wrong' } } } }),
    );
  });

  after(async () => {
    await Promise.all([http.close(), sse.close(), guarded.close(), stack.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  const env = () => ({ MCPTOOL_HOME: join(dir, 'home') });

  it('item 2: a refused static Authorization header is CREDENTIALS_REFUSED naming the header, no sign-in (exit 3)', async () => {
    const run = await runCli(['tools', 'guarded', '--config', config], { env: env() });
    assert.equal(run.code, 3, run.stderr);
    oneLine(run.stderr);
    assert.match(run.stderr, /refused the credentials in the "Authorization" header of server "guarded" in /);
    assert.match(run.stderr, /HTTP 401/);
    assert.doesNotMatch(run.stderr, /registration|sign-in needs a person/i);
  });

  it('item 2: login to a server that needs no authorization says so and exits 0', async () => {
    const run = await runCli(['login', http.url, '--token-store', join(dir, 'store')], { env: env() });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /needs no sign-in: it answers without authorization/);
  });

  it('item 2: client_credentials with an unknown client id says invalid_client and points at the client id and secret', async () => {
    const run = await runCli(
      [
        'call',
        String(stack.mcp.url),
        'echo',
        '--flow',
        'client_credentials',
        '--client-id',
        'nope',
        '--client-secret-env',
        'MCPTOOL_TEST_SECRET',
      ],
      { env: { ...env(), MCPTOOL_TEST_SECRET: 'not-it' } },
    );
    assert.equal(run.code, 3, run.stderr);
    oneLine(run.stderr);
    assert.match(run.stderr, /invalid_client/);
    assert.match(run.stderr, /check --client-id and the secret/);
    assert.doesNotMatch(run.stderr, /challenge in the WWW-Authenticate/);
  });

  it('item 2: HTTP failures keep the status; a wrong transport gets a hint naming the other one', async () => {
    const [notFound, sseWithoutFlag, sseOnStreamable] = await Promise.all([
      runCli(['tools', http.url.replace(/\/mcp$/, '/nothere')], { env: env() }),
      runCli(['tools', sse.url], { env: env() }),
      runCli(['tools', '--sse', http.url], { env: env() }),
    ]);
    for (const run of [notFound, sseWithoutFlag, sseOnStreamable]) {
      assert.equal(run.code, 4, run.stderr);
      oneLine(run.stderr);
    }
    assert.match(notFound.stderr, /HTTP 404 Not Found/);
    assert.doesNotMatch(notFound.stderr, /--sse/);
    assert.match(sseWithoutFlag.stderr, /HTTP 404.*answers as an HTTP\+SSE server .*add --sse/);
    assert.match(sseOnStreamable.stderr, /HTTP 400.*speaks Streamable HTTP.*drop --sse/);
  });

  it('item 2: a stdio server that exits says its exit code and the first meaningful stderr line; junk on stdout is named', async () => {
    const [exits, missingModule, junk] = await Promise.all([
      runCli(['tools', '--stdio', 'false'], { env: env() }),
      runCli(['tools', '--stdio', `node -e "require('mcptool-missing-module')"`], { env: env() }),
      // The junk server never answers: the connect waits for --timeout, then names the junk line.
      runCli(
        [
          'tools',
          '--stdio',
          `node -e "console.log('hello from a logger'); setInterval(() => {}, 1000)"`,
          '--timeout',
          '5',
        ],
        {
          env: env(),
        },
      ),
    ]);
    assert.equal(exits.code, 4, exits.stderr);
    assert.match(oneLine(exits.stderr), /the server process exited with code 1 before answering/);
    assert.equal(missingModule.code, 4, missingModule.stderr);
    assert.match(
      oneLine(missingModule.stderr),
      /exited with code 1 before answering; its stderr says "Error: Cannot find module 'mcptool-missing-module'/,
    );
    assert.doesNotMatch(missingModule.stderr, /Node\.js v/);
    assert.equal(junk.code, 4, junk.stderr);
    assert.match(
      oneLine(junk.stderr),
      /no answer within 5000 ms; the server wrote a line that is not a JSON-RPC message to stdout: "hello from a logger"/,
    );
    assert.match(junk.stderr, /--timeout SECONDS/);
  });

  it("item 2: every usage error is mcptool's own, with did-you-mean for commands, flags and tool names", async () => {
    const runs = await Promise.all([
      runCli(['tools', '--jsno', http.url]),
      runCli(['tools', http.url, '--timeout', '-1']),
      runCli(['cal']),
      runCli(['call', http.url, 'ecoh'], { env: env() }),
      runCli(['call', http.url, 'echo', '--args', '{}', '--args', '{"message":"x"}']),
      runCli(['tools', '--stdio', '--json']),
    ]);
    for (const run of runs) {
      assert.equal(run.code, 2, run.stderr);
      oneLine(run.stderr);
      assert.doesNotMatch(run.stderr, /ambiguous|To specify a positional argument/);
    }
    assert.match(runs[0]!.stderr, /unknown option --jsno \(did you mean --json\?\)/);
    assert.match(runs[1]!.stderr, /--timeout must be a positive number of seconds.*got "-1"/);
    assert.match(runs[2]!.stderr, /unknown command "cal" \(did you mean 'mcptool call'\?\)/);
    assert.match(runs[3]!.stderr, /no tool "ecoh" \(did you mean "echo"\?\)/);
    assert.match(runs[4]!.stderr, /--args was given more than once/);
    assert.match(runs[5]!.stderr, /--stdio needs a value, but the next argument is the option --json/);
  });

  it('item 2: --version and -V print the version', async () => {
    const [long, short] = await Promise.all([runCli(['--version']), runCli(['-V'])]);
    for (const run of [long, short]) {
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^mcptool \d+\.\d+\.\d+/);
    }
  });

  it('item 2: a call that times out names the limit and the flag to raise it', async () => {
    const run = await runCli(['call', http.url, 'slow', '--args', '{"ms":600000}', '--timeout', '2'], {
      env: env(),
    });
    assert.equal(run.code, 4, run.stderr);
    assert.match(oneLine(run.stderr), /2000 ms.*raise the limit with --timeout SECONDS/);
  });
});
