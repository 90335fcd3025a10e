/**
 * fastmcp 4.x with its built-in `OAuthProvider` (an OAuth proxy in front of an upstream identity provider, here the
 * oidc-provider demo authorization server), whose metadata names the origin as the resource: the first `call` signs
 * in, the second makes no request to the authorization server and gets no 401, `status` shows the record, an expired
 * access token is refreshed silently, and `logout` deletes it (fastmcp offers no revocation endpoint).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FastmcpLayout, startFastmcpLayout } from '../../fixtures/fastmcp-server.ts';
import { callWithClockAhead, cli, statusOf, tempDir } from './helpers.ts';

/** Requests to fastmcp's authorization server side (its OAuth endpoints and metadata). */
const asRequests = (lines: string[]) =>
  lines.filter((l) => /\s\/oauth\/|oauth-authorization-server|openid-configuration/.test(l));
const unauthorized = (lines: string[]) => lines.filter((l) => l.endsWith(' 401'));

describe('fastmcp OAuthProvider in front of an upstream authorization server', () => {
  let servers: FastmcpLayout;
  const store = tempDir('mcptool-fastmcp-');
  before(async () => {
    servers = await startFastmcpLayout();
  });
  after(async () => {
    await servers?.close();
    store.cleanup();
  });

  it('item 1: sign-in, then zero authorization server requests and no 401; status, refresh, logout', async () => {
    const url = servers.mcpUrl;
    const first = await cli(['call', url, 'whoami'], store.dir);
    assert.equal(first.stdout.trim(), 'hello');
    assert.ok(
      asRequests(servers.log.lines).some((l) => l.startsWith('POST /oauth/token 200')),
      'signed in',
    );

    servers.log.reset();
    await cli(['call', url, 'whoami'], store.dir);
    assert.deepEqual(asRequests(servers.log.lines), [], 'the second run makes no authorization server request');
    assert.deepEqual(unauthorized(servers.log.lines), [], 'the second run gets no 401');

    const status = await statusOf(url, store.dir);
    assert.equal(status.length, 1, JSON.stringify(status));
    assert.equal(status[0]?.server, new URL(url).origin, 'the record of the origin-wide resource');

    // Two hours later by the client's clock: refreshed at fastmcp's token endpoint, without a 401.
    servers.log.reset();
    assert.equal(await callWithClockAhead(url, store.dir, 2 * 3600_000), 'hello');
    assert.deepEqual(asRequests(servers.log.lines), ['POST /oauth/token 200'], 'one refresh, nothing else');
    assert.deepEqual(unauthorized(servers.log.lines), []);

    const logout = await cli(['logout', url], store.dir);
    assert.match(logout.stdout, /Signed out/);
    assert.deepEqual(await statusOf(url, store.dir), []);
  });
});
