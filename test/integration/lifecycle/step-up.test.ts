/**
 * Issue 4, step-up end to end (MCP Authorization 2025-11-25, "Step-Up Authorization Flow"): a toolset holding
 * `mcp:tools` calls `admin_action`, the protected server answers 403 `insufficient_scope` with
 * `scope="mcp:tools mcp:admin"`, the client re-authorizes with the union of the granted and the challenged scopes
 * and the call succeeds. When the authorization server never grants `mcp:admin`, the call stops after the bounded
 * number of attempts with `INSUFFICIENT_SCOPE` naming the scopes, and later calls do not loop either.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InsufficientScopeError, MemoryTokenStore, OAuthError } from '../../../src/index.ts';
import {
  approvingHandler,
  grants,
  onlyRecord,
  REDIRECT_URI,
  type Stack,
  startStack,
  text,
  toolset,
} from './helpers.ts';

/** The resource scopes (`mcp:*`) an authorization URL asks for, sorted. */
const scopesOf = (url: URL | undefined) =>
  (url?.searchParams.get('scope') ?? '')
    .split(' ')
    .filter((s) => s.startsWith('mcp:'))
    .sort();

/** Find an error with `code` in an error's `cause` chain. */
function findCode(error: unknown, code: string): (Error & { code: string }) | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    if ((current as { code?: unknown }).code === code) return current as Error & { code: string };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

describe('step-up on 403 insufficient_scope', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      ttl: 60,
      as: {
        clients: [
          {
            client_id: 'tools-only',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            redirect_uris: [REDIRECT_URI],
            token_endpoint_auth_method: 'none',
            application_type: 'native',
            scope: 'openid offline_access mcp:tools',
          },
        ],
      },
    });
  });
  after(() => stack.close());

  it('re-authorizes with the union (mcp:tools mcp:admin) and the call succeeds', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    mcp.stats.reset();
    const store = new MemoryTokenStore();
    const user = approvingHandler();
    const ts = toolset(mcp.url, {
      flow: 'authorization_code',
      scopes: ['mcp:tools'],
      tokenStore: store,
      authorizationHandler: user.handler,
    });
    try {
      await ts.warmUp();
      assert.equal(text(await ts.getTool('echo').invoke({ text: 'before' })), 'before');
      assert.deepEqual(scopesOf(user.urls[0]), ['mcp:tools']);
      assert.equal((await onlyRecord(store)).tokens?.scope?.includes('mcp:admin'), false);

      const result = await ts.getTool('admin_action').invoke({ action: 'rotate' });
      assert.equal(text(result), 'admin action "rotate" done');
      assert.equal(user.opened(), 2, 'one re-authorization');
      const stepUp = scopesOf(user.urls[1]);
      assert.ok(stepUp.includes('mcp:tools') && stepUp.includes('mcp:admin'), `step-up asked for ${stepUp}`);
      assert.equal(mcp.stats.forbidden, 1, 'one 403 insufficient_scope');
      assert.equal(mcp.stats.toolCallsByName['admin_action'], 1);
      const granted = (await onlyRecord(store)).tokens?.scope?.split(' ') ?? [];
      assert.ok(granted.includes('mcp:admin') && granted.includes('mcp:tools'), `stored scope ${granted}`);

      // The wider token serves both kinds of call from now on, with no further authorization.
      assert.equal(text(await ts.getTool('admin_action').invoke({})), 'admin action "noop" done');
      assert.equal(text(await ts.getTool('echo').invoke({ text: 'after' })), 'after');
      assert.equal(user.opened(), 2);
      assert.equal(mcp.stats.forbidden, 1);
      assert.deepEqual(grants(as), { authorization_code: 2 });
    } finally {
      await ts.close();
    }
  });

  for (const variant of ['a pre-registered client limited to mcp:tools', 'a user who never grants mcp:admin']) {
    it(`stops with INSUFFICIENT_SCOPE naming the scopes, no loop: ${variant}`, async () => {
      const { as, mcp } = stack;
      as.stats.reset();
      mcp.stats.reset();
      const store = new MemoryTokenStore();
      const limitedClient = variant.startsWith('a pre-registered');
      // The stingy user removes mcp:admin from every authorization request before approving it.
      const user = approvingHandler(
        limitedClient
          ? {}
          : {
              transform: (url) => {
                const scope = (url.searchParams.get('scope') ?? '').split(' ').filter((s) => s !== 'mcp:admin');
                url.searchParams.set('scope', scope.join(' '));
                return url;
              },
            },
      );
      const ts = toolset(mcp.url, {
        flow: 'authorization_code',
        ...(limitedClient && { clientId: 'tools-only' }),
        scopes: ['mcp:tools'],
        tokenStore: store,
        authorizationHandler: user.handler,
        maxStepUpAttempts: 2,
      });
      try {
        await ts.warmUp();
        const signIns = user.opened();
        assert.equal(signIns, 1);

        const failures: unknown[] = [];
        for (let i = 0; i < 3; i++) {
          failures.push(
            await ts
              .getTool('admin_action')
              .invoke({})
              .then(
                () => undefined,
                (error: unknown) => error,
              ),
          );
        }
        const first = failures[0];
        assert.ok(first, 'the call failed');
        const scopeError = findCode(first, 'INSUFFICIENT_SCOPE');
        assert.ok(
          scopeError,
          `INSUFFICIENT_SCOPE in the cause chain; got ${(first as { code?: string }).code}: ${(first as Error).message}`,
        );
        assert.ok(scopeError instanceof OAuthError);
        assert.ok(scopeError instanceof InsufficientScopeError);
        assert.match(scopeError.message, /mcp:admin/, 'the message names the missing scope');
        for (const later of failures.slice(1)) assert.ok(findCode(later, 'INSUFFICIENT_SCOPE'), 'later calls too');

        // Bounded: at most maxStepUpAttempts re-authorizations in all, and at most a few 403s per call.
        // Bounded: the first two calls each re-authorize once (maxStepUpAttempts = 2) and stop at once when the
        // server grants less than asked; the third fails without asking anyone. One 403 per call, no retry loop.
        assert.equal(user.opened() - signIns, 2, 're-authorizations');
        assert.equal(mcp.stats.forbidden, 3, '403 answers for 3 calls');
        assert.equal(mcp.stats.toolCallsByName['admin_action'] ?? 0, 0);
        // The toolset still works for what the token does cover.
        assert.equal(text(await ts.getTool('echo').invoke({ text: 'still fine' })), 'still fine');
      } finally {
        await ts.close();
      }
    });
  }
});
