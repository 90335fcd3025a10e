/**
 * 200 concurrent tool calls in one process across an access-token expiry all succeed, and the authorization server
 * (oidc-provider, JWT access tokens, rotating refresh tokens) sees exactly one refresh (or client-credentials grant)
 * per expiry and no new authorization. Expiry is driven by one test clock shared by the client, the authorization
 * server and the protected server (tokens live 600 s by that clock; the test moves it), so nothing here depends on
 * how fast the machine is.
 *
 * A call whose request carried a token that expired or was replaced while it was in flight is answered 401; it is
 * resent with the current token (renewed single-flight when due) on the same connection, never AUTH_REQUIRED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MCPToolResult, MemoryTokenStore, OAuthConfig, Secret } from '../../../src/index.ts';
import { TestClock } from '../../fixtures/test-clock.ts';
import {
  approvingHandler,
  expireHeldToken,
  freshConnectionFetch,
  grants,
  onlyRecord,
  refusingHandler,
  type Stack,
  startStack,
  text,
  toolset,
} from './helpers.ts';

const CALLS = 200;
const TTL = 600;

function settle<T>(p: Promise<T>): Promise<PromiseSettledResult<T>> {
  return p.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
}

function assertAllSucceeded(results: PromiseSettledResult<MCPToolResult>[]): void {
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected'
      ? [`#${i}: ${(r.reason as { code?: string })?.code ?? ''} ${(r.reason as Error)?.message ?? r.reason}`]
      : [],
  );
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${results.length} calls failed`);
  for (const [i, r] of results.entries()) {
    assert.ok(r.status === 'fulfilled' && !r.value.isError, `call #${i} returned a tool error`);
  }
}

/** The bearer token of a request, if any. */
function bearer(init: RequestInit | undefined): string | undefined {
  return /^bearer\s+(.+)$/i.exec(new Headers(init?.headers).get('authorization') ?? '')?.[1];
}

/**
 * A fetch (under the library's own) that moves the shared clock past the held token's expiry just before the
 * `atCall`-th `tools/call` request goes out: that request and every later one still carrying the old token reach the
 * server expired. With `again`, the first request carrying a token issued after that is delayed the same way, so a
 * resent request meets a stale token a second time.
 */
function expiringFetch(clock: TestClock, store: MemoryTokenStore, options: { atCall: number; again?: boolean }) {
  let calls = 0;
  let firstStale: string | undefined;
  let secondDone = !options.again;
  const seen = new Set<string>();
  const sent: string[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const token = bearer(init);
    if (typeof init?.body === 'string' && init.body.includes('"tools/call"')) {
      calls += 1;
      const fresh = token !== undefined && !seen.has(token);
      if (token !== undefined) {
        seen.add(token);
        sent.push(token);
      }
      if (calls === options.atCall) {
        firstStale = token;
        await expireHeldToken(store, clock);
      } else if (!secondDone && firstStale !== undefined && fresh) {
        secondDone = true;
        await expireHeldToken(store, clock);
      }
    }
    return freshConnectionFetch(input, init);
  };
  return { fetch: fetchFn, sent };
}

describe('one process, 200 concurrent calls across an expiry (shared test clock)', () => {
  let stack: Stack;
  const clock = new TestClock({ frozen: true });
  before(async () => {
    stack = await startStack({
      ttl: TTL,
      clock,
      as: {
        clients: [
          {
            client_id: 'svc',
            client_secret: 'svc-secret',
            grant_types: ['client_credentials'],
            redirect_uris: [],
            response_types: [],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
      },
    });
  });
  after(() => stack.close());

  // The default skew renews ahead of expiry (calls started after the move renew first); skew 0 renews at the expiry.
  for (const skew of [undefined, 0]) {
    it(`authorization code${skew === undefined ? '' : `, refreshSkewSeconds ${skew}`}: the token expires mid-burst; every call succeeds, one refresh_token grant, no new authorization`, async (t) => {
      const { as, mcp } = stack;
      const store = new MemoryTokenStore();
      const user = approvingHandler();
      const faults = expiringFetch(clock, store, { atCall: CALLS / 2 });
      const ts = toolset(
        mcp.url,
        {
          flow: 'authorization_code',
          tokenStore: store,
          authorizationHandler: user.handler,
          clock,
          ...(skew !== undefined && { refreshSkewSeconds: skew }),
        },
        faults.fetch,
      );
      try {
        await ts.warmUp();
        assert.equal(user.opened(), 1, 'signed in once');
        const first = (await onlyRecord(store)).tokens;
        assert.ok(first?.refresh_token, 'a refresh token was issued');
        as.stats.reset();
        mcp.stats.reset();

        const results = await Promise.all(
          Array.from({ length: CALLS }, (_, i) => settle(ts.getTool('sleep').invoke({ ms: 20 + (i % 5) * 10 }))),
        );
        assertAllSucceeded(results);
        t.diagnostic(`401 answers during the calls: ${mcp.stats.unauthorized}`);
        assert.deepEqual(grants(as), { refresh_token: 1 }, 'exactly one refresh for one expiry');
        assert.deepEqual(as.stats.grantErrors, {});
        assert.equal(as.stats.endpoints['authorization'] ?? 0, 0, 'no new authorization');
        assert.equal(user.opened(), 1, 'the user was not asked again');
        assert.equal(mcp.stats.toolCallsByName['sleep'], CALLS, 'the server ran every call once');
        const rotated = (await onlyRecord(store)).tokens;
        assert.notEqual(rotated?.refresh_token, first.refresh_token, 'the rotated refresh token was stored');
        assert.notEqual(rotated?.access_token, first.access_token);
      } finally {
        await ts.close();
      }
    });
  }

  it('client credentials: all 200 at once after the expiry, one client_credentials grant', async () => {
    const { as } = stack;
    const store = new MemoryTokenStore();
    const never = refusingHandler();
    process.env['LIFECYCLE_SVC_SECRET'] = 'svc-secret';
    const config = new OAuthConfig({
      flow: 'client_credentials',
      clientId: 'svc',
      clientSecret: Secret.fromEnv('LIFECYCLE_SVC_SECRET'),
      tokenStore: store,
      clock,
    });
    as.stats.reset();
    const ts = toolset(stack.mcp.url, config, freshConnectionFetch);
    try {
      await ts.warmUp();
      assert.deepEqual(grants(as), { client_credentials: 1 });
      await expireHeldToken(store, clock);
      as.stats.reset();
      const results = await Promise.all(
        Array.from({ length: CALLS }, (_, i) => settle(ts.getTool('echo').invoke({ text: `b${i}` }))),
      );
      assertAllSucceeded(results);
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? text(r.value) : '')),
        results.map((_, i) => `b${i}`),
      );
      assert.deepEqual(grants(as), { client_credentials: 1 });
      assert.equal(never.opened(), 0);
    } finally {
      await ts.close();
      delete process.env['LIFECYCLE_SVC_SECRET'];
    }
  });

  it('item 1: calls whose token goes stale twice while in flight are resent with the current token, on the same connection; one grant per expiry, never AUTH_REQUIRED', async (t) => {
    const { as, mcp } = stack;
    const store = new MemoryTokenStore();
    process.env['LIFECYCLE_SVC_SECRET'] = 'svc-secret';
    const config = new OAuthConfig({
      flow: 'client_credentials',
      clientId: 'svc',
      clientSecret: Secret.fromEnv('LIFECYCLE_SVC_SECRET'),
      tokenStore: store,
      clock,
    });
    const faults = expiringFetch(clock, store, { atCall: 1, again: true });
    const ts = toolset(mcp.url, config, faults.fetch);
    try {
      await ts.warmUp();
      as.stats.reset();
      mcp.stats.reset();
      const results = await Promise.all(
        Array.from({ length: CALLS }, (_, i) => settle(ts.getTool('echo').invoke({ text: `s${i}` }))),
      );
      assertAllSucceeded(results);
      t.diagnostic(`401 answers: ${mcp.stats.unauthorized}; tokens sent: ${new Set(faults.sent).size}`);
      assert.ok(mcp.stats.unauthorized > 0, 'stale tokens were refused (the scenario happened)');
      assert.equal(new Set(faults.sent).size, 3, 'three tokens: the original and one per expiry');
      assert.deepEqual(grants(as), { client_credentials: 2 }, 'one grant per expiry');
      assert.equal(mcp.stats.toolCallsByName['echo'], CALLS, 'every call ran once');
      // The shared connection was kept: no new MCP session was initialized.
      assert.equal(mcp.stats.requests - mcp.stats.unauthorized - CALLS, 0, 'no request besides the calls');
    } finally {
      await ts.close();
      delete process.env['LIFECYCLE_SVC_SECRET'];
    }
  });

  it('item 1: a current token the server refuses is AUTH_REQUIRED, and the message says the current token was refused', async () => {
    const store = new MemoryTokenStore();
    const { startProtectedMcpServer } = await import('../../../demo/protected-server.ts');
    const refusing = await startProtectedMcpServer({ issuer: stack.as.issuer, clock, isTokenRevoked: () => true });
    process.env['LIFECYCLE_SVC_SECRET'] = 'svc-secret';
    const ts = toolset(
      refusing.url,
      new OAuthConfig({
        flow: 'client_credentials',
        clientId: 'svc',
        clientSecret: Secret.fromEnv('LIFECYCLE_SVC_SECRET'),
        tokenStore: store,
        clock,
      }),
      freshConnectionFetch,
    );
    try {
      await assert.rejects(ts.warmUp(), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'AUTH_REQUIRED', error.message);
        assert.match(error.message, /refused the current access token/);
        return true;
      });
    } finally {
      await ts.close();
      await refusing.close();
      delete process.env['LIFECYCLE_SVC_SECRET'];
    }
  });
});
