/**
 * Step-up authorization end to end (MCP Authorization 2025-11-25, "Step-Up Authorization Flow"): a tool that needs
 * more scope is answered 403 `insufficient_scope`; the client re-authorizes with the union of the granted and the
 * challenged scopes and retries once. A server that will never grant the scope ends in INSUFFICIENT_SCOPE after a
 * bounded number of attempts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InsufficientScopeError, MemoryTokenStore } from '../../../src/index.ts';
import {
  call,
  decodeJwt,
  FAKE_REDIRECT_URI,
  oauthToolset,
  onlyRecord,
  redirectFollowingHandler,
  type Stack,
  startStack,
  text,
} from './helpers.ts';

describe('step-up on 403 insufficient_scope', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      as: {
        clients: [
          {
            client_id: 'limited-app',
            application_type: 'native',
            redirect_uris: [FAKE_REDIRECT_URI],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            token_endpoint_auth_method: 'none',
            // The server never grants this client more than mcp:tools.
            scope: 'openid offline_access mcp:tools',
          },
        ],
      },
    });
  });
  after(() => stack.close());

  it('re-authorizes with the union of granted and challenged scopes, then the call succeeds', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const store = new MemoryTokenStore();
    const { handler, log } = redirectFollowingHandler();
    const toolset = oauthToolset(mcp.url, { tokenStore: store, authorizationHandler: handler });
    try {
      await toolset.warmUp();
      assert.equal(decodeJwt((await onlyRecord(store)).tokens?.access_token ?? '')['scope'], 'mcp:tools');
      mcp.stats.reset();
      assert.equal(text(await call(toolset, 'admin_action', { action: 'rotate' })), 'admin action "rotate" done');
      assert.equal(mcp.stats.forbidden, 1, 'one 403 insufficient_scope');
      assert.equal(log.authorizationUrls.length, 2, 'one step-up authorization');
      const scopes = (log.authorizationUrls[1]?.searchParams.get('scope') ?? '').split(' ');
      assert.ok(scopes.includes('mcp:tools') && scopes.includes('mcp:admin'), `step-up scope ${scopes.join(' ')}`);
      assert.equal(log.authorizationUrls[1]?.searchParams.get('resource'), mcp.resource);
      const claims = decodeJwt((await onlyRecord(store)).tokens?.access_token ?? '');
      assert.deepEqual(String(claims['scope']).split(' ').sort(), ['mcp:admin', 'mcp:tools']);
      // The wider token serves both kinds of call from now on.
      assert.equal(text(await call(toolset, 'admin_action', { action: 'again' })), 'admin action "again" done');
      assert.equal(text(await call(toolset, 'echo', { text: 'still fine' })), 'still fine');
      assert.equal(log.authorizationUrls.length, 2);
      assert.equal(as.stats.grants['refresh_token'], undefined, 'a refresh cannot widen scope: none was tried');
    } finally {
      await toolset.close();
    }
  });

  it('a server that never grants the scope: INSUFFICIENT_SCOPE after a bounded number of authorizations', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const { handler, log } = redirectFollowingHandler();
    const toolset = oauthToolset(mcp.url, {
      clientId: 'limited-app',
      tokenStore: new MemoryTokenStore(),
      authorizationHandler: handler,
      maxStepUpAttempts: 2,
    });
    try {
      await toolset.warmUp();
      const signIns = log.authorizationUrls.length;
      const perCall: number[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const before = log.authorizationUrls.length;
        await assert.rejects(call(toolset, 'admin_action', {}), (error: unknown) => {
          assert.ok(error instanceof InsufficientScopeError, `InsufficientScopeError, got ${String(error)}`);
          assert.deepEqual(error.grantedScopes, ['mcp:tools']);
          assert.ok(error.requiredScopes.includes('mcp:admin'));
          return true;
        });
        perCall.push(log.authorizationUrls.length - before);
      }
      assert.deepEqual(perCall, [1, 1, 0], 'one step-up per call until maxStepUpAttempts (2), then none');
      assert.equal(log.authorizationUrls.length - signIns, 2);
      assert.equal(text(await call(toolset, 'echo', { text: 'basic scope still works' })), 'basic scope still works');
    } finally {
      await toolset.close();
    }
    assert.deepEqual(as.stats.grants, { authorization_code: 1 }, 'refused step-ups never reach the token endpoint');
  });
});
