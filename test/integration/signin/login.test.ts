/**
 * `mcptool login / status / logout` through the CLI's `main()` in this process, against a real authorization server
 * (oidc-provider) and protected MCP server, with the scripted browser as `$BROWSER` driving the real loopback
 * listener.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { TokenRecord } from '../../../src/index.ts';
import {
  cleanEnv,
  type DemoServers,
  findUrl,
  followToRedirect,
  readBrowserLog,
  runMain,
  SCRIPTED_BROWSER,
  startDemoServers,
  startMain,
  tempDir,
  waitFor,
} from './helpers.ts';

let servers: DemoServers;
let store: ReturnType<typeof tempDir>;
let logDir: ReturnType<typeof tempDir>;
let logFile: string;
let n = 0;

before(async () => {
  servers = await startDemoServers({ mode: 'auto-approve' });
  logDir = tempDir('mcptool-browser-log-');
});
after(async () => {
  await servers.close();
  logDir.cleanup();
});
beforeEach(() => {
  store?.cleanup();
  store = tempDir();
  logFile = join(logDir.dir, `browser-${++n}.log`);
  servers.as.mode = 'auto-approve';
  servers.as.stats.reset();
});

const browserEnv = (extra: NodeJS.ProcessEnv = {}) =>
  cleanEnv({ BROWSER: SCRIPTED_BROWSER, SCRIPTED_BROWSER_LOG: logFile, ...extra });

function storedRecords(): TokenRecord[] {
  return readdirSync(store.dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(store.dir, f), 'utf8')) as TokenRecord);
}

async function isListening(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('mcptool login / status / logout (in-process, scripted browser)', () => {
  it('signs in through the loopback listener, shows the record without token values, then revokes and deletes it', async () => {
    const url = servers.mcp.url;
    const login = await runMain(['login', url, '--token-store', store.dir], browserEnv());
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /^Signed in to http:\/\/127\.0\.0\.1:\d+\/mcp$/m);
    assert.match(login.stdout, /client\s+\S+ \(dynamic client registration\)/);
    assert.match(login.stdout, /scopes\s+mcp:tools/);
    assert.match(login.stdout, /refresh token\s+held/);
    assert.match(login.stderr, /Opening the browser to sign in/, 'the URL is shown on stderr');
    const { stats } = servers.as;
    assert.equal(stats.endpoints['authorization'], 1);
    assert.equal(stats.grants['authorization_code'], 1);
    assert.equal(stats.endpoints['registration'], 1);
    const browser = readBrowserLog(logFile);
    assert.ok(
      browser.some((e) => e.url?.includes('/callback') && e.status === 200),
      'the browser landed on the success page',
    );

    const [record] = storedRecords();
    assert.ok(record?.tokens?.access_token && record.tokens.refresh_token && record.client);
    const secrets = [record.tokens.access_token, record.tokens.refresh_token];

    const status = await runMain(['status', '--token-store', store.dir], cleanEnv());
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^${url}$`, 'm'));
    assert.match(status.stdout, new RegExp(`issuer\\s+${servers.as.issuer}$`, 'm'));
    assert.match(status.stdout, new RegExp(`client\\s+${record.client.client_id} \\(dynamic client registration\\)`));
    assert.match(
      status.stdout,
      /scopes\s+mcp:tools$/m,
      "login asks the server for its challenge first: the challenged scope, as a call's sign-in would",
    );
    assert.match(status.stdout, /access token\s+valid until \S+Z \(in (59 min|1 h)\)/);
    assert.match(status.stdout, /refresh token\s+held/);

    const json = await runMain(['status', url, '--json', '--token-store', store.dir], cleanEnv());
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.tokenStore, store.dir);
    assert.equal(parsed.credentials.length, 1);
    const c = parsed.credentials[0];
    assert.deepEqual(
      { ...c, accessTokenExpiresAt: typeof c.accessTokenExpiresAt, updatedAt: typeof c.updatedAt },
      {
        server: url,
        issuer: servers.as.issuer,
        clientId: record.client.client_id,
        registration: 'dynamic',
        scopes: ['mcp:tools'],
        hasAccessToken: true,
        accessTokenExpiresAt: 'string',
        expired: false,
        hasRefreshToken: true,
        updatedAt: 'string',
      },
    );
    for (const output of [login.stdout, login.stderr, status.stdout, json.stdout]) {
      for (const secret of secrets) assert.ok(!output.includes(secret), 'no token value is ever printed');
    }

    const other = await runMain(['status', 'http://127.0.0.1:9/other', '--token-store', store.dir], cleanEnv());
    assert.equal(other.code, 1, 'item 5: status exits 1 when nothing is stored');
    assert.match(other.stdout, /No stored credentials for http:\/\/127\.0\.0\.1:9\/other/);

    assert.ok(servers.as.isAccessTokenActive(record.tokens.access_token));
    const logout = await runMain(['logout', url, '--token-store', store.dir], cleanEnv());
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stdout, /Signed out of http:\/\/127\.0\.0\.1:\d+\/mcp/);
    assert.match(logout.stdout, /Revoked the refresh token at http:\/\/127\.0\.0\.1:\d+ \(RFC 7009\)/);
    assert.match(logout.stdout, /Deleted the stored record/);
    assert.equal(servers.as.stats.endpoints['revocation'], 1);
    assert.equal(servers.as.isAccessTokenActive(record.tokens.access_token), false, 'the grant is revoked');
    assert.deepEqual(storedRecords(), []);

    const after = await runMain(['status', '--token-store', store.dir], cleanEnv());
    assert.match(after.stdout, /No stored credentials in /);
    const again = await runMain(['logout', url, '--token-store', store.dir], cleanEnv());
    assert.equal(again.code, 0);
    assert.match(again.stdout, /No stored credentials for .*nothing to do/);
  });

  it('keeps a valid login without any request, and signs in again with --force', async () => {
    const url = servers.mcp.url;
    assert.equal((await runMain(['login', url, '--token-store', store.dir], browserEnv())).code, 0);
    servers.as.stats.reset();
    const kept = await runMain(['login', url, '--token-store', store.dir], browserEnv());
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /Already signed in to .* \(use --force to sign in again\)/);
    assert.equal(servers.as.stats.total, 0, 'no request to the authorization server');

    const forced = await runMain(['login', url, '--force', '--token-store', store.dir, '--json'], browserEnv());
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(forced.stdout).hasRefreshToken, true);
    assert.equal(servers.as.stats.endpoints['authorization'], 1, 'a new authorization');
    assert.equal(servers.as.stats.endpoints['registration'] ?? 0, 0, 'the stored client registration is reused');
  });

  it('ignores a forged callback (wrong state) and completes with the genuine one', async () => {
    const run = await runMain(
      ['login', servers.mcp.url, '--token-store', store.dir],
      browserEnv({ SCRIPTED_BROWSER_FORGE: '1' }),
    );
    assert.equal(run.code, 0, run.stderr);
    // The sign-in ends when the listener has the callback; the browser logs its last page a moment later.
    const log = await waitFor('the scripted browser to finish', () => {
      const entries = readBrowserLog(logFile);
      return entries.some((e) => e.done) ? entries : undefined;
    });
    const forged = log.find((e) => e.kind === 'forged');
    assert.equal(forged?.status, 400, 'the forged callback got a 400 page');
    assert.ok(log.some((e) => e.kind === 'follow' && e.url?.includes('/callback') && e.status === 200));
    assert.equal(storedRecords()[0]?.tokens !== undefined, true);
  });

  it('exits 3 with ACCESS_DENIED when the user denies', async () => {
    servers.as.mode = 'deny';
    const run = await runMain(['login', servers.mcp.url, '--token-store', store.dir], browserEnv());
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^mcptool: sign-in to http:\S+ failed \(ACCESS_DENIED\): .*"access_denied"/m);
    assert.match(run.stderr, /the user denied the request/);
    assert.equal(run.stdout, '');
    assert.ok(
      storedRecords().every((r) => r.tokens === undefined),
      'no tokens stored',
    );
  });

  it('times out (exit 3, CALLBACK_TIMEOUT) when nobody approves, and closes the listener', async () => {
    servers.as.mode = 'consent';
    const started = Date.now();
    const run = await runMain(['login', servers.mcp.url, '--timeout', '1.5', '--token-store', store.dir], browserEnv());
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /failed \(CALLBACK_TIMEOUT\)/);
    assert.ok(Date.now() - started < 15_000);
    const authUrl = readBrowserLog(logFile).find((e) => e.kind === 'follow')?.url;
    assert.ok(authUrl, 'the scripted browser opened the authorization URL (and stopped at the consent page)');
    const redirectUri = new URL(new URL(authUrl).searchParams.get('redirect_uri') ?? '');
    assert.equal(await isListening(Number(redirectUri.port)), false, 'the listener is closed');
  });

  it('fails clearly, naming the port, when a fixed --callback-port is busy', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runMain(
        ['login', servers.mcp.url, '--callback-port', String(port), '--token-store', store.dir],
        browserEnv(),
      );
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /CALLBACK_PORT_IN_USE/);
      assert.match(run.stderr, new RegExp(`port ${port} of 127\\.0\\.0\\.1: the port is in use`));
      assert.equal(servers.as.stats.endpoints['authorization'] ?? 0, 0);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('pastes back from piped stdin with --no-browser (the same state checks apply)', async () => {
    const run = startMain(['login', servers.mcp.url, '--no-browser', '--token-store', store.dir], cleanEnv());
    const authUrl = await waitFor('the authorization URL on stderr', () =>
      findUrl(run.stderr(), `${servers.as.issuer}/auth?`),
    );
    const redirectUri = new URL(authUrl).searchParams.get('redirect_uri');
    assert.equal(redirectUri, 'http://127.0.0.1/callback', 'paste-back needs no listener, so no port');
    const landed = await followToRedirect(authUrl, redirectUri);
    const forged = new URL(landed);
    forged.searchParams.set('state', 'not-the-state');
    run.stdin.write(`${forged.href}\n`);
    run.stdin.write(`${landed}\n`);
    const code = await run.done;
    assert.equal(code, 0, run.stderr());
    assert.match(run.stderr(), /That was not accepted/);
    assert.match(run.stdout(), /^Signed in to /m);
    assert.equal(servers.as.stats.grants['authorization_code'], 1);
  });

  it('refuses what cannot be signed in to, with usage errors (exit 2)', async () => {
    const stdio = await runMain(['login', '--stdio', 'node server.js'], cleanEnv());
    assert.equal(stdio.code, 2);
    assert.match(stdio.stderr, /stdio server has no sign-in/);
    const none = await runMain(['login'], cleanEnv());
    assert.equal(none.code, 2);
    assert.match(none.stderr, /login needs a <target>/);
    const both = await runMain(['login', servers.mcp.url, '--device', '--no-browser'], cleanEnv());
    assert.equal(both.code, 2);
    assert.match(both.stderr, /pick one/);
    const secret = await runMain(['login', servers.mcp.url, '--client-secret', 'x'], cleanEnv());
    assert.equal(secret.code, 2);
    assert.match(secret.stderr, /secrets never go on the command line/);
    const help = await runMain(['login', '--help'], cleanEnv());
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--device/);
  });
});
