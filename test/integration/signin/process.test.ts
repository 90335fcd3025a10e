/**
 * `mcptool login` as a real process (node --import tsx src/cli/run.ts): paste-back from the process's piped stdin,
 * a non-interactive context that fails at once, and the device authorization grant against oidc-provider.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanEnv, findUrl, followToRedirect, runCli, startCli, useDemoServers, waitFor } from './helpers.ts';

const demo = useDemoServers();

describe('mcptool login as a process', () => {
  it('reads the pasted redirect URL from the piped stdin of the process (--no-browser)', async () => {
    const run = startCli(['login', demo.servers.mcp.url, '--no-browser', '--token-store', demo.store.dir], cleanEnv());
    const authUrl = await waitFor('the authorization URL on stderr', () =>
      findUrl(run.stderr(), `${demo.servers.as.issuer}/auth?`),
    );
    const redirectUri = new URL(authUrl).searchParams.get('redirect_uri') ?? '';
    const landed = await followToRedirect(authUrl, redirectUri);
    run.child.stdin.end(`${landed}\n`);
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    assert.match(run.stdout(), /^Signed in to /m);
    assert.match(run.stderr(), /paste it here/);
    assert.equal(demo.servers.as.stats.grants['authorization_code'], 1);
  });

  it('mcptool call signs in the same way on a 401: the pasted redirect URL from piped stdin (--no-browser)', async () => {
    const run = startCli(
      ['call', demo.servers.mcp.url, 'whoami', '--no-browser', '--token-store', demo.store.dir, '--json'],
      cleanEnv(),
    );
    const authUrl = await waitFor('the authorization URL on stderr', () =>
      findUrl(run.stderr(), `${demo.servers.as.issuer}/auth?`),
    );
    const redirectUri = new URL(authUrl).searchParams.get('redirect_uri') ?? '';
    run.child.stdin.end(`${await followToRedirect(authUrl, redirectUri)}\n`);
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    assert.equal(JSON.parse(run.stdout()).isError ?? false, false);
    assert.match(run.stderr(), /paste it here/);
    assert.equal(demo.servers.as.stats.grants['authorization_code'], 1);
  });

  it('fails at once with INTERACTION_REQUIRED (exit 3) and its hint when nothing can interact', async () => {
    const started = Date.now();
    const run = await runCli(
      ['login', demo.servers.mcp.url, '--token-store', demo.store.dir],
      cleanEnv({ CI: 'true' }), // no $BROWSER, CI: no browser; stdin is /dev/null: no paste source
      { stdin: 'ignore' },
    );
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /failed \(INTERACTION_REQUIRED\)/);
    assert.match(run.stderr, /--flow client_credentials/, 'the hint names what would work');
    assert.match(run.stderr, /mcptool login/);
    assert.ok(Date.now() - started < 20_000, 'it does not wait for anything');
    assert.equal(demo.servers.as.stats.endpoints['authorization'] ?? 0, 0);
  });

  it('signs in with the device authorization grant (--device), polling until the user approves', async () => {
    const run = startCli(['login', demo.servers.mcp.url, '--device', '--token-store', demo.store.dir], cleanEnv());
    run.child.stdin.end();
    const userCode = await waitFor('the user code on stderr', () => /shows the code (\S+?)\s/.exec(run.stderr())?.[1]);
    assert.match(run.stderr(), /To sign in, open:/);
    await demo.servers.as.approveDevice(userCode);
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    assert.match(run.stdout(), /^Signed in to /m);
    assert.match(run.stdout(), /refresh token\s+held/);
    const { stats } = demo.servers.as;
    assert.equal(stats.endpoints['device_authorization'], 1);
    assert.equal(stats.endpoints['authorization'] ?? 0, 0, 'no browser redirect flow');
    assert.ok((stats.grants['urn:ietf:params:oauth:grant-type:device_code'] ?? 0) >= 1);

    const status = await runCli(
      ['status', demo.servers.mcp.url, '--json', '--token-store', demo.store.dir],
      cleanEnv(),
    );
    assert.equal(JSON.parse(status.stdout).credentials[0].hasAccessToken, true);
  });
});
