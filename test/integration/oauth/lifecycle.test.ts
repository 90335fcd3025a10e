/**
 * The token lifecycle end to end against oidc-provider (rotating refresh tokens with reuse detection): refresh
 * before expiry (single-flight), a refresh token presented twice (the server revokes the grant; the client signs in
 * again exactly once), access denied by the user, and tokens revoked mid-session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryTokenStore, OAuthConfig, OAuthError, type TokenRecord } from '../../../src/index.ts';
import { TestClock } from '../../fixtures/test-clock.ts';
import {
  call,
  oauthToolset,
  onlyRecord,
  recordingFetch,
  redirectFollowingHandler,
  type Stack,
  startStack,
  text,
} from './helpers.ts';

const TTL = 3;
/** The time of the short-lived part: shared by the client and both servers, moved by the tests (no real waits). */
const clock = new TestClock({ frozen: true });

/** Move the shared clock past the stored access token's expiry (plus a margin). */
function untilExpired(record: TokenRecord): void {
  const expiresAt = record.tokens?.expires_at;
  assert.ok(expiresAt !== undefined);
  clock.advance(Math.max(0, expiresAt * 1000 - clock.now()) + 250);
}

describe('short-lived tokens (TTL 3 s): refresh', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ as: { accessTokenTTL: TTL, clock }, mcp: { clock } });
  });
  after(() => stack.close());

  it('a call after expiry refreshes exactly once (also for concurrent calls), before the request, with resource', async () => {
    const { as, mcp } = stack;
    const store = new MemoryTokenStore();
    const recorded = recordingFetch();
    const { handler, log } = redirectFollowingHandler();
    const toolset = oauthToolset(mcp.url, { tokenStore: store, authorizationHandler: handler, clock }, recorded);
    try {
      await toolset.warmUp();
      const before = await onlyRecord(store);
      untilExpired(before);
      as.stats.reset();
      mcp.stats.reset();
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((n) => call(toolset, 'echo', { text: `call ${n}` }).then(text)),
      );
      assert.deepEqual(results, ['call 1', 'call 2', 'call 3', 'call 4', 'call 5']);
      assert.deepEqual(as.stats.grants, { refresh_token: 1 }, 'one refresh for five concurrent calls');
      assert.deepEqual(as.stats.grantErrors, {});
      assert.equal(as.stats.endpoints['authorization'], undefined, 'no new authorization');
      assert.equal(log.authorizationUrls.length, 1);
      assert.equal(mcp.stats.unauthorized, 0, 'refreshed before use: the expired token was never sent');

      const refresh = recorded.to(as.endpoints.token).filter((r) => r.form?.get('grant_type') === 'refresh_token');
      assert.equal(refresh.length, 1);
      assert.equal(refresh[0]?.form?.get('resource'), mcp.resource);
      assert.equal(refresh[0]?.form?.get('refresh_token'), before.tokens?.refresh_token);

      const afterRefresh = await onlyRecord(store);
      assert.notEqual(afterRefresh.tokens?.access_token, before.tokens?.access_token);
      assert.notEqual(afterRefresh.tokens?.refresh_token, before.tokens?.refresh_token, 'the rotated one is stored');
      assert.ok((afterRefresh.tokens?.expires_at ?? 0) > clock.now() / 1000);
    } finally {
      await toolset.close();
    }
  });

  it('a refresh token presented twice: the server revokes the grant, the client signs in again once, never loops', async () => {
    const { as, mcp } = stack;
    const store = new MemoryTokenStore();
    const first = redirectFollowingHandler();
    const original = oauthToolset(mcp.url, { tokenStore: store, authorizationHandler: first.handler, clock });
    const second = redirectFollowingHandler();
    let restored: ReturnType<typeof oauthToolset> | undefined;
    try {
      await original.warmUp();
      const copy = structuredClone(await onlyRecord(store));
      untilExpired(copy);
      as.stats.reset();
      assert.equal(text(await call(original, 'echo', { text: 'refreshed' })), 'refreshed');
      assert.deepEqual(as.stats.grants, { refresh_token: 1 }, 'the first refresh consumed the copied refresh token');

      // A stale copy of the record comes back (a restored backup, a second machine): its refresh token is used again.
      await store.set({ ...copy, updated_at: Math.floor(clock.now() / 1000) });
      as.stats.reset();
      restored = oauthToolset(
        mcp.url,
        new OAuthConfig({ tokenStore: store, authorizationHandler: second.handler, clock }),
      );
      await restored.warmUp();
      assert.equal(text(await call(restored, 'echo', { text: 'signed in again' })), 'signed in again');
      assert.deepEqual(as.stats.grantErrors, { refresh_token: 1 }, 'the reused refresh token was refused');
      assert.deepEqual(
        as.stats.grants,
        { refresh_token: 1, authorization_code: 1 },
        'the old refresh token presented exactly once, then one code exchange',
      );
      assert.equal(as.stats.endpoints['authorization'], 1, 'one new authorization');
      assert.equal(second.log.authorizationUrls.length, 1);

      // The original toolset's grant died with the reuse; it picks up the new login from the shared store.
      as.stats.reset();
      assert.equal(text(await call(original, 'echo', { text: 'original again' })), 'original again');
      assert.equal(as.stats.endpoints['authorization'], undefined, 'no further authorization');
      assert.equal(first.log.authorizationUrls.length, 1);
    } finally {
      await original.close();
      await restored?.close();
    }
  });
});

describe('long-lived tokens: denial and revocation', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('access denied by the user: ACCESS_DENIED with the server description quoted, no token request, one attempt', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    as.mode = 'deny';
    const { handler, log } = redirectFollowingHandler();
    const toolset = oauthToolset(mcp.url, { tokenStore: new MemoryTokenStore(), authorizationHandler: handler });
    try {
      await assert.rejects(toolset.warmUp(), (error: unknown) => {
        assert.ok(error instanceof OAuthError, `an OAuthError, got ${String(error)}`);
        assert.equal(error.code, 'ACCESS_DENIED');
        assert.match(error.message, /"the user denied the request"/);
        assert.match(error.message, /"access_denied"/);
        return true;
      });
    } finally {
      await toolset.close();
      as.mode = 'auto-approve';
    }
    assert.equal(log.authorizationUrls.length, 1, 'the user was asked once');
    assert.equal(as.stats.endpoints['authorization'], 1);
    assert.deepEqual(as.stats.grants, {}, 'no token request after a denial');
  });

  it('an access token revoked mid-session: the next call refreshes and succeeds; after revokeAll it re-authorizes', async () => {
    const { as, mcp } = stack;
    const store = new MemoryTokenStore();
    const { handler, log } = redirectFollowingHandler();
    const toolset = oauthToolset(mcp.url, { tokenStore: store, authorizationHandler: handler });
    try {
      await toolset.warmUp();
      assert.equal(text(await call(toolset, 'echo', { text: 'before' })), 'before');
      const signedIn = await onlyRecord(store);

      // Only the access token is revoked: the 401 is answered by a refresh, then the call is retried.
      assert.equal(await as.revokeToken(signedIn.tokens?.access_token ?? ''), true);
      as.stats.reset();
      mcp.stats.reset();
      assert.equal(text(await call(toolset, 'echo', { text: 'after revocation' })), 'after revocation');
      assert.ok(mcp.stats.unauthorized >= 1, 'the revoked token was refused by the MCP server');
      assert.deepEqual(as.stats.grants, { refresh_token: 1 });
      assert.equal(as.stats.endpoints['authorization'], undefined);
      const refreshed = await onlyRecord(store);
      assert.notEqual(refreshed.tokens?.access_token, signedIn.tokens?.access_token);

      // Everything is revoked (grant and refresh token): the refresh fails and the user signs in again, once.
      await as.revokeAll();
      as.stats.reset();
      mcp.stats.reset();
      assert.equal(text(await call(toolset, 'echo', { text: 'after revokeAll' })), 'after revokeAll');
      assert.deepEqual(as.stats.grantErrors, { refresh_token: 1 });
      assert.equal(as.stats.endpoints['authorization'], 1);
      assert.deepEqual(as.stats.grants, { refresh_token: 1, authorization_code: 1 });
      assert.equal(log.authorizationUrls.length, 2);
      assert.equal(text(await call(toolset, 'echo', { text: 'settled' })), 'settled');
      assert.equal(as.stats.endpoints['authorization'], 1, 'settled: no further authorization');
    } finally {
      await toolset.close();
    }
  });
});
