/**
 * One sign-in per server however many processes need it: five `mcptool call` processes started at once on a shared
 * `--token-store` run exactly one authorization flow; and a sign-in whose process is killed while it holds the
 * store's lock does not block the next one.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  cleanEnv,
  readBrowserLog,
  runCli,
  SCRIPTED_BROWSER,
  startCli,
  tempDir,
  useDemoServers,
  waitFor,
} from './helpers.ts';

const demo = useDemoServers();

describe('sign-in across processes', () => {
  it('five concurrent processes needing sign-in run one authorization flow and all succeed', async () => {
    const logs = tempDir('mcptool-browser-log-');
    after(() => logs.cleanup());
    const log = join(logs.dir, 'browser.log');
    const env = cleanEnv({ BROWSER: SCRIPTED_BROWSER, SCRIPTED_BROWSER_LOG: log });
    const runs = await Promise.all(
      Array.from({ length: 5 }, () =>
        runCli(['call', demo.servers.mcp.url, 'whoami', '--token-store', demo.store.dir], env, { timeoutMs: 55_000 }),
      ),
    );
    for (const [i, run] of runs.entries()) {
      assert.equal(run.code, 0, `process ${i + 1}: ${run.stderr}`);
      assert.match(run.stdout, /"sub":"test-user"/);
    }
    const { stats } = demo.servers.as;
    assert.equal(stats.endpoints['authorization'], 1, 'one authorization request');
    assert.equal(stats.grants['authorization_code'], 1, 'one code exchange');
    assert.equal(stats.endpoints['registration'], 1, 'one client registration');
    assert.equal(readBrowserLog(log).filter((e) => e.done).length, 1, 'one browser opened');
    assert.equal(demo.servers.mcp.stats.toolCallsByName['whoami'], 5);
    const records = readdirSync(demo.store.dir).filter((f) => f.endsWith('.json'));
    assert.equal(records.length, 1);
  });

  it('recovers the lock of a sign-in whose process was killed (SIGKILL) mid-flow', async () => {
    // The owner: its browser stops at the consent page, so it waits for the callback while holding the lock.
    demo.servers.as.mode = 'consent';
    const owner = startCli(
      ['login', demo.servers.mcp.url, '--token-store', demo.store.dir],
      cleanEnv({ BROWSER: SCRIPTED_BROWSER }),
    );
    owner.child.stdin.end();
    await waitFor('the consent page to be shown', () =>
      (demo.servers.as.stats.endpoints['interaction'] ?? 0) >= 1 ? true : undefined,
    );
    const locks = readdirSync(demo.store.dir).filter((f) => f.includes('lock'));
    assert.ok(locks.length >= 1, `the owner holds a lock file (${readdirSync(demo.store.dir).join(', ')})`);
    owner.child.kill('SIGKILL');
    const exited = await owner.exit;
    assert.equal(exited.signal, 'SIGKILL');

    demo.servers.as.mode = 'auto-approve';
    const started = Date.now();
    const next = await runCli(
      ['login', demo.servers.mcp.url, '--token-store', demo.store.dir],
      cleanEnv({ BROWSER: SCRIPTED_BROWSER }),
    );
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, /^Signed in to /m);
    assert.ok(Date.now() - started < 30_000, 'the dead owner is noticed; its lock ttl (6 min) is not waited out');
    assert.equal(demo.servers.as.stats.endpoints['authorization'], 2, "the killed owner's flow and the new one");
    assert.equal(demo.servers.as.stats.grants['authorization_code'], 1);
  });
});
