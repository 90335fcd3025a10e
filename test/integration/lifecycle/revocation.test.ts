/**
 * Issue 4, a token revoked mid-session: the protected MCP server asks the authorization server whether each token
 * is still active (as with RFC 7662 introspection). Revoking the access token: the next call refreshes and
 * succeeds with no user-visible error. Revoking everything (the refresh token dies too): the next call
 * re-authorizes (the handler is called again) and succeeds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryTokenStore } from '../../../src/index.ts';
import { approvingHandler, grants, onlyRecord, type Stack, startStack, text, toolset } from './helpers.ts';

describe('revocation mid-session', () => {
  let stack: Stack;
  before(async () => {
    // Long-lived tokens: every renewal here is caused by the revocation, not by an expiry.
    stack = await startStack({ ttl: 300, checkRevocation: true });
  });
  after(() => stack.close());

  it('access token revoked: the next call refreshes silently; everything revoked: the user signs in again', async () => {
    const { as, mcp } = stack;
    const store = new MemoryTokenStore();
    const user = approvingHandler();
    const ts = toolset(mcp.url, { flow: 'authorization_code', tokenStore: store, authorizationHandler: user.handler });
    try {
      await ts.warmUp();
      assert.equal(text(await ts.getTool('echo').invoke({ text: 'one' })), 'one');
      assert.equal(user.opened(), 1);
      const before = (await onlyRecord(store)).tokens;
      assert.ok(before?.refresh_token);

      // 1. The access token alone is revoked: refresh, then the call goes through.
      as.stats.reset();
      mcp.stats.reset();
      assert.equal(await as.revokeToken(before.access_token), true);
      assert.equal(text(await ts.getTool('echo').invoke({ text: 'two' })), 'two');
      assert.deepEqual(grants(as), { refresh_token: 1 }, 'one refresh');
      assert.deepEqual(as.stats.grantErrors, {});
      assert.equal(user.opened(), 1, 'no sign-in');
      assert.equal(mcp.stats.unauthorized, 1, 'one 401 (the revoked token)');
      const refreshed = (await onlyRecord(store)).tokens;
      assert.notEqual(refreshed?.access_token, before.access_token);
      assert.notEqual(refreshed?.refresh_token, before.refresh_token, 'rotated refresh token stored');
      // Several calls afterwards: nothing more at the authorization server.
      for (let i = 0; i < 5; i++) assert.equal(text(await ts.getTool('add').invoke({ a: i, b: 1 })), String(i + 1));
      assert.deepEqual(grants(as), { refresh_token: 1 });

      // 2. Every grant revoked (the refresh token is dead too): the refresh fails once, the user signs in again.
      as.stats.reset();
      mcp.stats.reset();
      assert.ok((await as.revokeAll()) > 0);
      assert.equal(text(await ts.getTool('echo').invoke({ text: 'three' })), 'three');
      assert.equal(user.opened(), 2, 'the handler was called again');
      assert.equal(as.stats.grants['authorization_code'], 1, 'one new authorization');
      assert.ok((as.stats.grants['refresh_token'] ?? 0) <= 1, 'at most one (failed) refresh attempt');
      assert.equal(as.stats.grantErrors['refresh_token'] ?? 0, as.stats.grants['refresh_token'] ?? 0);
      const fresh = (await onlyRecord(store)).tokens;
      assert.ok(fresh?.refresh_token && fresh.refresh_token !== refreshed?.refresh_token);
      assert.equal(text(await ts.getTool('echo').invoke({ text: 'four' })), 'four');
      assert.equal(user.opened(), 2);
    } finally {
      await ts.close();
    }
  });
});
