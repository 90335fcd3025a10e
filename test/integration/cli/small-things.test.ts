// Items 1 and 5 of the CLI review, against the real `mcptool` process: static credentials from the command line
// (--bearer-env, --env), and the small things (status exit codes, logout --all, servers, completion, --arg,
// tools --schema).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileTokenStore } from '../../../src/index.ts';
import { type McpServerHandle, startMcpServer } from '../../fixtures/mcp-server.ts';
import { EVERYTHING_STDIO, runCli as runCliWithin } from './run-cli.ts';

const runCli = (args: string[], options: { env?: NodeJS.ProcessEnv } = {}) =>
  runCliWithin(args, { ...options, timeoutMs: 180_000 });

describe('items 1 and 5: static credentials and small things (the real process)', { concurrency: 2 }, () => {
  let http: McpServerHandle;
  let guarded: McpServerHandle;
  let dir: string;
  let config: string;

  before(async () => {
    [http, guarded] = await Promise.all([
      startMcpServer({ transport: 'streamable-http' }),
      startMcpServer({ transport: 'streamable-http', requireToken: 'letmein' }),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'mcptool-cli-small-'));
    config = join(dir, 'mcp.json');
    await writeFile(
      config,
      JSON.stringify({
        mcpServers: {
          fixture: { url: http.url },
          local: { command: 'node', args: ['server.js', '--port', '0'] },
        },
      }),
    );
  });

  after(async () => {
    await Promise.all([http.close(), guarded.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('item 1: --bearer-env sends the token of a variable; a refused one is CREDENTIALS_REFUSED naming the flag', async () => {
    const [ok, refused, unset] = await Promise.all([
      runCli(['call', guarded.url, 'echo', '--arg', 'message=hi', '--bearer-env', 'MCP_TEST_TOKEN'], {
        env: { MCP_TEST_TOKEN: 'letmein' },
      }),
      runCli(['tools', guarded.url, '--bearer-env', 'MCP_TEST_TOKEN'], { env: { MCP_TEST_TOKEN: 'wrong' } }),
      runCli(['tools', guarded.url, '--bearer-env', 'MCP_TEST_UNSET_TOKEN']),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'hi\n');
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(
      refused.stderr,
      /refused the credentials in the bearer token of --bearer-env MCP_TEST_TOKEN \(HTTP 401\)/,
    );
    assert.ok(!refused.stderr.includes('wrong'), 'the token value is never printed');
    assert.equal(unset.code, 2, unset.stderr);
    assert.match(
      unset.stderr,
      /--bearer-env MCP_TEST_UNSET_TOKEN: the environment variable MCP_TEST_UNSET_TOKEN is not set/,
    );
  });

  it('item 1: --env passes a variable to a stdio server, which otherwise does not see it', async () => {
    const [passed, literal, notPassed] = await Promise.all([
      runCli(['call', '--stdio', EVERYTHING_STDIO, 'get-env', '--env', 'MY_API_KEY', '--json'], {
        env: { MY_API_KEY: 'abc-from-caller' },
      }),
      runCli(['call', '--stdio', EVERYTHING_STDIO, 'get-env', '--env', 'OTHER_KEY=given', '--json']),
      runCli(['call', '--stdio', EVERYTHING_STDIO, 'get-env', '--json'], { env: { MY_API_KEY: 'abc-from-caller' } }),
    ]);
    assert.equal(passed.code, 0, passed.stderr);
    assert.match(passed.stdout, /abc-from-caller/);
    assert.equal(literal.code, 0, literal.stderr);
    assert.match(literal.stdout, /OTHER_KEY[^\n]*given/);
    assert.equal(notPassed.code, 0, notPassed.stderr);
    assert.doesNotMatch(notPassed.stdout, /abc-from-caller/);
    assert.match(notPassed.stdout, /PATH/);
  });

  it('item 5: status exits 1 when nothing is stored; --token-store that is not a directory is a usage error (2)', async () => {
    const [empty, passwd] = await Promise.all([
      runCli(['status', '--token-store', join(dir, 'empty-store')]),
      runCli(['status', '--token-store', '/etc/passwd']),
    ]);
    assert.equal(empty.code, 1, empty.stderr);
    assert.match(empty.stdout, /No stored credentials in /);
    assert.equal(passwd.code, 2, passwd.stderr);
    assert.match(passwd.stderr, /^mcptool: --token-store \/etc\/passwd is not a directory/);
  });

  it('item 5: logout --all signs out of every server in the store', async () => {
    const storeDir = join(dir, 'all-store');
    const store = new FileTokenStore({ dir: storeDir });
    const records = ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b'].map((resource) => ({
      version: 1 as const,
      resource,
      issuer: 'http://127.0.0.1:9/as',
      updated_at: 1_700_000_000,
    }));
    for (const record of records) await store.set(record);
    const run = await runCli(['logout', '--all', '--token-store', storeDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /127\.0\.0\.1:9\/a/);
    assert.match(run.stdout, /127\.0\.0\.1:9\/b/);
    for (const record of records) assert.equal(existsSync(store.recordPath(record)), false);
    const usage = await runCli(['logout', '--all', 'http://127.0.0.1:9/a']);
    assert.equal(usage.code, 2, usage.stderr);
  });

  it('item 5: mcptool servers lists a config file, the default one from MCPTOOL_CONFIG, which names resolve through', async () => {
    const [listed, json, byDefault] = await Promise.all([
      runCli(['servers', '--config', config]),
      runCli(['servers', '--json'], { env: { MCPTOOL_CONFIG: config } }),
      runCli(['tools', 'fixture', '--json'], { env: { MCPTOOL_CONFIG: config } }),
    ]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /fixture +http +http:\/\/127\.0\.0\.1:\d+\/mcp/);
    assert.match(listed.stdout, /local +stdio +node server\.js --port 0/);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(
      (JSON.parse(json.stdout) as { name: string }[]).map((s) => s.name),
      ['fixture', 'local'],
    );
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.ok((JSON.parse(byDefault.stdout) as unknown[]).length > 0);
  });

  it('item 5: mcptool completion bash|zsh|fish prints a script that completes commands and flags', async () => {
    const [bash, zsh, fish, bad] = await Promise.all([
      runCli(['completion', 'bash']),
      runCli(['completion', 'zsh']),
      runCli(['completion', 'fish']),
      runCli(['completion', 'tcsh']),
    ]);
    for (const run of [bash, zsh, fish]) assert.equal(run.code, 0, run.stderr);
    assert.equal(bad.code, 2);
    const completed = spawnSync(
      'bash',
      [
        '-c',
        `${bash.stdout}\nCOMP_WORDS=(mcptool ca); COMP_CWORD=1; _mcptool; echo "\${COMPREPLY[*]}"\n` +
          `COMP_WORDS=(mcptool call --ar); COMP_CWORD=2; _mcptool; echo "\${COMPREPLY[*]}"`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(completed.status, 0, completed.stderr);
    assert.deepEqual(completed.stdout.trim().split('\n'), ['call', '--arg --args']);
    assert.match(zsh.stdout, /^#compdef mcptool/);
    assert.match(zsh.stdout, /'call:call a tool/);
    assert.match(fish.stdout, /complete -c mcptool -n '__fish_seen_subcommand_from call' -l args/);
  });

  it('item 5: --arg key=value is typed by the tool schema; tools --schema lists the arguments', async () => {
    const [add, echo, badNumber, schema] = await Promise.all([
      runCli(['call', http.url, 'add', '--arg', 'a=2', '--arg', 'b=3', '--json']),
      runCli(['call', http.url, 'echo', '--arg', 'message=007']),
      runCli(['call', http.url, 'add', '--arg', 'a=two', '--arg', 'b=3']),
      runCli(['tools', http.url, '--schema']),
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.deepEqual((JSON.parse(add.stdout) as { structuredContent: unknown }).structuredContent, { sum: 5 });
    assert.equal(echo.code, 0, echo.stderr);
    assert.equal(echo.stdout, '007\n', 'a string property keeps the value as typed');
    assert.equal(badNumber.code, 2, badNumber.stderr);
    assert.match(badNumber.stderr, /--arg a: the tool expects a number; got "two"/);
    assert.equal(schema.code, 0, schema.stderr);
    assert.match(schema.stdout, /^echo {2}Echo the message back\n {4}--arg message=<string>/m);
  });
});
