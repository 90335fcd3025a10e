// Item 5 of the CLI review, in a terminal: `mcptool login` in a pseudo-terminal made by script(1), against the
// demo's authorization server and protected MCP server (oidc-provider, auto-approve).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { cleanEnv, useDemoServers, waitFor } from '../signin/helpers.ts';
import { startInTerminal as startTerminal } from '../support/terminal.ts';

const demo = useDemoServers();

const startInTerminal = (args: string[], env: NodeJS.ProcessEnv) => startTerminal('src/cli/run.ts', args, env);

const lockFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.lock'));

describe('item 5: login in a terminal', () => {
  it('item 5: the device-flow prompt gets its own line (no progress line left before it)', async () => {
    const run = startInTerminal(
      ['login', demo.servers.mcp.url, '--device', '--token-store', demo.store.dir],
      cleanEnv({ TERM: 'dumb' }),
    );
    const userCode = await waitFor(
      'the user code in the terminal',
      () => /shows the code (\S+?)\s/.exec(run.screen())?.[1],
    );
    const before = run.screen().slice(0, run.screen().indexOf('To sign in'));
    assert.ok(
      !before.includes('Signing in to'),
      `no progress text shares the prompt's line: ${JSON.stringify(before)}`,
    );
    await demo.servers.as.approveDevice(userCode);
    assert.equal(await run.exit, 0, run.screen());
    assert.match(run.screen(), /Signed in to /);
  });

  it('item 5: Ctrl-C during login removes its lock file and exits 130', async () => {
    const run = startInTerminal(
      ['login', demo.servers.mcp.url, '--no-browser', '--token-store', demo.store.dir],
      cleanEnv({ TERM: 'dumb' }),
    );
    await waitFor('the paste-back prompt', () => (/paste it here/i.test(run.screen()) ? true : undefined), 120_000);
    assert.ok(lockFiles(demo.store.dir).length > 0, 'the sign-in holds a lock while it waits');
    run.type('\x03');
    const code = await run.exit;
    assert.equal(code, 130, run.screen());
    assert.deepEqual(lockFiles(demo.store.dir), [], 'no lock file naming a dead pid is left behind');
  });
});
