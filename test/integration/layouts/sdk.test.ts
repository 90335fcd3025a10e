/**
 * The official TypeScript SDK v1's server auth in the two layouts its documentation shows (split ports; a single app
 * with `mcpAuthRouter` beside `/mcp`, whose metadata names the origin as the resource): the first `call` signs in,
 * the second makes no request to the authorization server and gets no 401, `status` shows the record, an expired
 * access token is refreshed silently, and `logout` revokes and deletes it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type SdkV1Layout, startSdkV1Layout } from '../../fixtures/sdk-v1-servers.ts';
import { callWithClockAhead, cli, statusOf, tempDir } from './helpers.ts';

for (const layout of ['split', 'single'] as const) {
  describe(`SDK v1 server auth, ${layout} layout`, () => {
    let servers: SdkV1Layout;
    const store = tempDir('mcptool-sdk-v1-');
    before(async () => {
      servers = await startSdkV1Layout(layout);
    });
    after(async () => {
      await servers?.close();
      store.cleanup();
    });

    it('item 1: sign-in, then zero authorization server requests and no 401; status, refresh, logout', async () => {
      const url = servers.mcpUrl;
      const first = await cli(['call', url, 'whoami'], store.dir);
      const clientId = first.stdout.trim();
      assert.ok(clientId.length > 0 && clientId !== '(none)', first.stdout);
      assert.ok(
        servers.log.asRequests().some((r) => r === 'POST /token'),
        'the first run obtained a token',
      );

      servers.log.reset();
      const second = await cli(['call', url, 'whoami'], store.dir);
      assert.equal(second.stdout.trim(), clientId);
      assert.deepEqual(servers.log.asRequests(), [], 'the second run makes no request to the authorization server');
      assert.equal(servers.log.unauthorized, 0, 'the second run gets no 401');

      const status = await statusOf(url, store.dir);
      assert.equal(status.length, 1, JSON.stringify(status));
      assert.equal(status[0]?.issuer, servers.issuer);
      if (layout === 'single') assert.equal(status[0]?.server, new URL(url).origin + '/', 'keyed by the origin');

      // Two hours later by the client's clock: the access token has expired and is refreshed without a 401.
      servers.log.reset();
      assert.equal(await callWithClockAhead(url, store.dir, 2 * 3600_000), clientId);
      assert.deepEqual(servers.log.asRequests(), ['POST /token'], 'one refresh, nothing else');
      assert.equal(servers.log.unauthorized, 0);

      const logout = await cli(['logout', url], store.dir);
      assert.match(logout.stdout, /Revoked the refresh token/);
      assert.equal(servers.provider.revoked.length, 1);
      assert.deepEqual(await statusOf(url, store.dir), []);
    });
  });
}
