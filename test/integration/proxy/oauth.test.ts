/**
 * `mcptool proxy` in front of the OAuth-protected demo server (a real oidc-provider authorization server), started
 * by a real SDK v2 client over stdio as a desktop client does, with the scripted browser as $BROWSER: the first
 * start signs in, a second start reuses the stored token without a single request to the authorization server,
 * six proxies started at once sign in once, and six started after the access token expired refresh once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileTokenStore } from '../../../src/index.ts';
import {
  cleanEnv,
  connectProxy,
  type ProxiedClient,
  ROOT,
  readBrowserLog,
  SCRIPTED_BROWSER,
  tempDir,
  useDemoServers,
} from './helpers.ts';

const demo = useDemoServers();

function textOf(result: { content?: unknown }): string {
  const blocks = (result.content ?? []) as { type: string; text?: string }[];
  return blocks.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
}

function browserEnv(): { env: NodeJS.ProcessEnv; log: string } {
  const logs = tempDir('mcptool-proxy-browser-');
  after(() => logs.cleanup());
  const log = join(logs.dir, 'browser.log');
  return { env: cleanEnv({ BROWSER: SCRIPTED_BROWSER, SCRIPTED_BROWSER_LOG: log }), log };
}

async function whoami(proxied: ProxiedClient): Promise<string> {
  return textOf(await proxied.client.callTool({ name: 'whoami', arguments: {} }));
}

async function startProxies(count: number, env: NodeJS.ProcessEnv): Promise<ProxiedClient[]> {
  const args = [demo.servers.mcp.url, '--token-store', demo.store.dir];
  const settled = await Promise.allSettled(Array.from({ length: count }, () => connectProxy(args, { env })));
  const proxies = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  after(() => Promise.all(proxies.map((p) => p.client.close())));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return proxies;
}

describe('proxy with OAuth (demo authorization server)', () => {
  it('the first start signs in through the browser; a second start reuses the token with zero requests to the authorization server', async () => {
    const { env, log } = browserEnv();
    const [first] = await startProxies(1, env);
    assert.match(await whoami(first!), /test-user/);
    assert.equal(demo.servers.as.stats.endpoints['authorization'], 1);
    assert.equal(demo.servers.as.stats.grants['authorization_code'], 1);
    assert.equal(readBrowserLog(log).filter((e) => e.done).length, 1, 'one browser opened');
    assert.doesNotMatch(first!.stderr(), /ey[A-Za-z0-9_-]{20,}\./, 'no token on stderr');
    await first!.client.close();

    demo.servers.as.stats.reset();
    const [second] = await startProxies(1, env);
    assert.match(await whoami(second!), /test-user/);
    assert.equal(demo.servers.as.stats.total, 0, 'no request to the authorization server');
    assert.equal(readBrowserLog(log).filter((e) => e.done).length, 1, 'no second browser');
  });

  it('--device: with no browser, the proxy signs in with the device authorization grant (code on stderr)', async () => {
    let approving: Promise<void> | undefined;
    const proxied = await connectProxy([demo.servers.mcp.url, '--device', '--token-store', demo.store.dir], {
      env: cleanEnv(),
      onStderr: (stderr) => {
        const userCode = /shows the code (\S+?)\s/.exec(stderr)?.[1];
        if (userCode && !approving) approving = demo.servers.as.approveDevice(userCode);
      },
    });
    after(() => proxied.client.close());
    await approving;
    assert.match(await whoami(proxied), /test-user/);
    const { stats } = demo.servers.as;
    assert.equal(stats.endpoints['device_authorization'], 1);
    assert.equal(stats.endpoints['authorization'] ?? 0, 0, 'no browser redirect flow');
  });

  it('a sign-in that cannot happen (no browser, no terminal): initialize is answered with the reason, exit 3', async () => {
    const { Client } = await import('@modelcontextprotocol/client');
    const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/cli/run.ts', 'proxy', demo.servers.mcp.url, '--token-store', demo.store.dir],
      cwd: ROOT,
      env: cleanEnv({ CI: 'true' }) as Record<string, string>,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    // The exit code, recorded as the process is started (the transport forgets its child when it closes).
    let exitCode: Promise<number | null> | undefined;
    const start = transport.start.bind(transport);
    transport.start = async () => {
      await start();
      const child = (transport as unknown as { _process: import('node:child_process').ChildProcess })._process;
      exitCode = new Promise((resolve) => child.once('exit', (c) => resolve(c)));
    };
    const client = new Client({ name: 'desktop', version: '1.0.0' });
    await assert.rejects(client.connect(transport), /INTERACTION_REQUIRED.*mcptool login/);
    const code = await exitCode;
    await client.close();
    assert.equal(code, 3, stderr);
    assert.match(stderr, /^mcptool: Sign-in needs a person/m);
    assert.equal(demo.servers.as.stats.grants['authorization_code'] ?? 0, 0);
  });

  it('six proxies started at once: one sign-in, one code exchange, six working sessions', async () => {
    const { env, log } = browserEnv();
    const proxies = await startProxies(6, env);
    const answers = await Promise.all(proxies.map(whoami));
    for (const answer of answers) assert.match(answer, /test-user/);
    const { stats } = demo.servers.as;
    assert.equal(stats.endpoints['authorization'], 1, 'one authorization request');
    assert.equal(stats.grants['authorization_code'], 1, 'one code exchange');
    assert.equal(stats.endpoints['registration'], 1, 'one client registration');
    assert.equal(readBrowserLog(log).filter((e) => e.done).length, 1, 'one browser opened');
    assert.equal(demo.servers.mcp.stats.toolCallsByName['whoami'], 6);
  });

  it('six proxies started after the access token expired: one refresh, six working sessions', async () => {
    const { env, log } = browserEnv();
    const [signIn] = await startProxies(1, env);
    assert.match(await whoami(signIn!), /test-user/);
    await signIn!.client.close();
    // Expire the stored access token (its expiry is what the proxies' clocks compare against): no real short
    // lifetime, no sleep.
    const store = new FileTokenStore({ dir: demo.store.dir });
    const [record] = await store.list();
    assert.ok(record?.tokens?.refresh_token, 'a refresh token is stored');
    await store.set({ ...record, tokens: { ...record.tokens, expires_at: Math.floor(Date.now() / 1000) - 60 } });
    demo.servers.as.stats.reset();

    const proxies = await startProxies(6, env);
    const answers = await Promise.all(proxies.map(whoami));
    for (const answer of answers) assert.match(answer, /test-user/);
    const { stats } = demo.servers.as;
    assert.equal(stats.grants['refresh_token'], 1, 'one refresh');
    assert.equal(stats.endpoints['authorization'] ?? 0, 0, 'no new sign-in');
    assert.equal(readBrowserLog(log).filter((e) => e.done).length, 1, 'only the first sign-in opened a browser');
    const [after6] = await store.list();
    assert.notEqual(after6?.tokens?.access_token, record.tokens.access_token, 'the refreshed token is stored');
  });
});
