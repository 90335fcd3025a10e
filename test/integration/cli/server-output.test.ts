// Item 3 of the CLI review: what the server says, and what goes on. The real `mcptool` process; the terminal
// behaviour (elicitation asked field by field) under a pseudo-terminal made by script(1).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type McpServerHandle, startMcpServer } from '../../fixtures/mcp-server.ts';
import { startInTerminal } from '../support/terminal.ts';
import { runCli as runCliWithin } from './run-cli.ts';

const runCli = (args: string[], options: { env?: NodeJS.ProcessEnv } = {}) =>
  runCliWithin(args, { ...options, timeoutMs: 180_000 });

/**
 * Run the CLI in a pseudo-terminal, typing `answers` one line each; resolves with everything the terminal showed
 * once the process exits (stdin stays open until then, as a person's keyboard would).
 */
async function runInTerminal(args: string[], answers: string[]): Promise<{ code: number | null; screen: string }> {
  const run = startInTerminal('src/cli/run.ts', args, process.env);
  // Type each answer once a new prompt (a line ending in ': ') is on the screen, as a person would.
  let typed = 0;
  let seen = 0;
  const poll = setInterval(() => {
    const screen = run.screen();
    if (typed < answers.length && screen.length > seen && /: $/.test(screen)) {
      seen = screen.length;
      run.type(`${answers[typed++]}\n`);
    }
  }, 50);
  const code = await run.exit.finally(() => clearInterval(poll));
  return { code, screen: run.screen() };
}

describe('item 3: what the server says, and what goes on (the real process)', { concurrency: 2 }, () => {
  let http: McpServerHandle;
  let guarded: McpServerHandle;
  let dir: string;
  let config: string;

  before(async () => {
    [http, guarded] = await Promise.all([
      startMcpServer({ transport: 'streamable-http' }),
      startMcpServer({ transport: 'streamable-http', requireToken: 'letmein-secret' }),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'mcptool-cli-output-'));
    config = join(dir, 'mcp.json');
    await writeFile(
      config,
      JSON.stringify({
        mcpServers: {
          guarded: { url: `${guarded.url}?key=query-secret`, headers: { Authorization: 'Bearer letmein-secret' } },
        },
      }),
    );
  });

  after(async () => {
    await Promise.all([http.close(), guarded.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('item 3: server log messages and progress go to stderr; --quiet hides them; stdout stays the result', async () => {
    const [log, progress, quiet] = await Promise.all([
      runCli(['call', http.url, 'log', '--args', '{"level":"warning","message":"disk \\u001b[31mlow"}']),
      runCli(['call', http.url, 'progress', '--args', '{"steps":2}']),
      runCli(['call', http.url, 'log', '--quiet', '--args', '{"level":"warning","message":"hidden"}']),
    ]);
    assert.equal(log.code, 0, log.stderr);
    assert.equal(log.stdout, 'logged\n');
    assert.match(log.stderr, /^\[server warning\] [^\n]*disk low\n/m);
    assert.ok(!log.stderr.includes('\u001b'), 'escape sequences of the server are not passed to the terminal');
    assert.equal(progress.code, 0, progress.stderr);
    assert.match(progress.stderr, /\[server progress\] 1\/2/);
    assert.match(progress.stderr, /\[server progress\] 2\/2/);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
  });

  it('item 3: an elicitation is declined without a terminal, saying so', async () => {
    const run = await runCli(['call', http.url, 'elicit', '--args', '{"message":"who are you?"}']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /"action":\s*"decline"/);
    assert.match(run.stderr, /declined the server's request for input \(who are you\?\): not a terminal/);
  });

  it('item 3: in a terminal an elicitation is asked field by field with its defaults', async () => {
    // name: typed; age: Enter keeps 36; subscribe: typed n; color: typed green.
    const run = await runInTerminal(
      ['call', http.url, 'elicit', '--args', '{"message":"who are you?"}'],
      ['Grace', '', 'n', 'green'],
    );
    assert.equal(run.code, 0, run.screen);
    assert.match(run.screen, /The server asks: who are you\?/);
    assert.match(run.screen, /Name \(default: Ada\): /);
    assert.match(run.screen, /age \(integer\) \(default: 36\): /);
    assert.match(run.screen, /color \[red\/green\/blue\] \(default: blue\): /);
    const result = /\{"action":.*\}/s.exec(run.screen.replace(/\r/g, ''));
    assert.ok(result, run.screen);
    const answer = JSON.parse(result[0]) as { action: string; content: Record<string, unknown> };
    assert.deepEqual(answer, {
      action: 'accept',
      content: { name: 'Grace', age: 36, subscribe: false, color: 'green' },
    });
  });

  it('item 3: --verbose and MCPTOOL_DEBUG=http trace each HTTP request with status and time, no secrets', async () => {
    const [verbose, debug] = await Promise.all([
      runCli(['tools', 'guarded', '--config', config, '--verbose']),
      runCli(['tools', http.url, '--json'], { env: { MCPTOOL_DEBUG: 'http' } }),
    ]);
    assert.equal(verbose.code, 0, verbose.stderr);
    assert.match(verbose.stderr, /^mcptool: http POST http:\/\/127\.0\.0\.1:\d+\/mcp\?key=REDACTED → 200 \(\d+ ms\)$/m);
    assert.doesNotMatch(verbose.stderr, /letmein-secret|query-secret|Bearer/);
    assert.equal(debug.code, 0, debug.stderr);
    assert.match(debug.stderr, /^mcptool: http POST http:\/\/127\.0\.0\.1:\d+\/mcp → 200 \(\d+ ms\)$/m);
    JSON.parse(debug.stdout);
  });
});
