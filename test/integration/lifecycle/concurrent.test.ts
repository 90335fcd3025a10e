/**
 * Issue 4, "How it is checked": 200 concurrent tool calls in one process across an access-token expiry all
 * succeed, and the authorization server (oidc-provider, 3 s JWT access tokens, rotating refresh tokens) sees
 * exactly one refresh request and no new authorization. With client credentials: exactly one client_credentials
 * grant per expiry. Renewal is single-flight inside the engine (one in-flight promise) and under the store lock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { type ProtectedMcpServer, startProtectedMcpServer } from '../../../src/demo/protected-server.ts';
import { type MCPToolResult, MemoryTokenStore, OAuthConfig, Secret } from '../../../src/index.ts';
import {
  approvingHandler,
  freshConnectionFetch,
  grants,
  onlyRecord,
  refusingHandler,
  renewalPointMs,
  type Stack,
  sleepUntil,
  startStack,
  text,
  toolset,
} from './helpers.ts';

const CALLS = 200;

/**
 * Start `CALLS` tool calls spread evenly over [renewal - spreadMs/2, renewal + spreadMs/2] (spreadMs 0: all at
 * once, just after the renewal point), where `renewalMs` is when the held token is due for renewal. Each call is
 * short, so that one renewal point is crossed and the next (at least 1.4 s later with 3 s tokens) is not, even on a
 * loaded machine.
 */
async function callsAcrossExpiry(
  invoke: (i: number) => Promise<MCPToolResult>,
  renewalMs: number,
  spreadMs: number,
): Promise<Phase> {
  const start = spreadMs === 0 ? renewalMs + 50 : renewalMs - spreadMs / 2;
  await sleepUntil(start);
  // Settled at once, so that a failure is reported by the assertions, not as an unhandled rejection.
  const calls: Promise<PromiseSettledResult<MCPToolResult>>[] = [];
  for (let i = 0; i < CALLS; i++) {
    if (spreadMs > 0) await sleepUntil(start + (i * spreadMs) / CALLS);
    calls.push(
      invoke(i).then(
        (value) => ({ status: 'fulfilled', value }),
        (reason: unknown) => ({ status: 'rejected', reason }),
      ),
    );
  }
  const results = await Promise.all(calls);
  return { results, renewalMs, settledMs: Date.now() };
}

/** The calls of one phase, when the held token was due, and when the last call settled. */
interface Phase {
  results: PromiseSettledResult<MCPToolResult>[];
  renewalMs: number;
  settledMs: number;
}

/**
 * Exactly one `grantType` request for the phase. The renewed 3 s token is due again 1.4 s after the renewal at
 * the earliest; a machine so loaded that calls were still running by then crossed further renewal points, and then
 * (only then) one more request per renewal point crossed is correct: that is reported, and only that many are
 * accepted (single-flight still turns 200 calls into one request per renewal point).
 */
function assertOneRenewal(t: TestContext, as: Stack['as'], grantType: string, phase: Phase): void {
  const expected = { [grantType]: 1 };
  const ranFor = phase.settledMs - phase.renewalMs;
  if (ranFor < 1_300) {
    assert.deepEqual(grants(as), expected, `exactly one ${grantType} request`);
    return;
  }
  const renewalPoints = 1 + Math.floor(ranFor / 1_300);
  t.diagnostic(`slow machine: the calls ran until ${ranFor} ms after the renewal point (${renewalPoints} crossed)`);
  const count = as.stats.grants[grantType] ?? 0;
  assert.ok(count >= 1 && count <= renewalPoints, `${count} ${grantType} requests for ${renewalPoints} renewal points`);
  assert.deepEqual(Object.keys(grants(as)), [grantType]);
}

function assertAllSucceeded({ results }: Phase): void {
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

describe('one process, 200 concurrent calls across an expiry', () => {
  let stack: Stack;
  /** The same kind of server without clock tolerance: a token that expires in flight is answered 401. */
  let strict: ProtectedMcpServer;
  before(async () => {
    // The resource server tolerates 1 s of clock skew on `exp` (as real ones do, usually more), so that a request
    // that a loaded machine delays past the token's expiry still counts; the `strict` server tolerates none.
    stack = await startStack({
      ttl: 3,
      mcp: { clockToleranceSeconds: 1 },
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
    strict = await startProtectedMcpServer({ issuer: stack.as.issuer });
  });
  after(async () => {
    await strict?.close();
    await stack.close();
  });

  // The default skew renews a fifth of the lifetime early (no 401 expected); skew 0 renews at the expiry, so calls
  // sent just before it reach the strict server after it and are answered 401: those must not cause a second
  // refresh either (the engine knows which token each 401 answered).
  for (const skew of [undefined, 0]) {
    it(`authorization code${skew === undefined ? '' : `, refreshSkewSeconds ${skew}`}: every call succeeds, one refresh_token grant, no new authorization`, async (t) => {
      const as = stack.as;
      const mcp = skew === 0 ? strict : stack.mcp;
      const store = new MemoryTokenStore();
      const user = approvingHandler();
      const ts = toolset(
        mcp.url,
        {
          flow: 'authorization_code',
          tokenStore: store,
          authorizationHandler: user.handler,
          ...(skew !== undefined && { refreshSkewSeconds: skew }),
        },
        freshConnectionFetch,
      );
      try {
        await ts.warmUp();
        assert.equal(user.opened(), 1, 'signed in once');
        const first = (await onlyRecord(store)).tokens;
        assert.ok(first?.refresh_token, 'a refresh token was issued');
        const renewalMs = await renewalPointMs(store, skew);
        as.stats.reset();
        mcp.stats.reset();

        const phase = await callsAcrossExpiry(
          (i) => ts.getTool('sleep').invoke({ ms: 60 + (i % 5) * 20 }),
          renewalMs,
          500,
        );
        assertAllSucceeded(phase);
        t.diagnostic(`401 answers during the calls: ${mcp.stats.unauthorized}`);
        assertOneRenewal(t, as, 'refresh_token', phase);
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

  it('client credentials: all 200 at once after the expiry, one client_credentials grant per expiry', async (t) => {
    const { as, mcp } = stack;
    const store = new MemoryTokenStore();
    const never = refusingHandler();
    process.env['LIFECYCLE_SVC_SECRET'] = 'svc-secret';
    const config = new OAuthConfig({
      flow: 'client_credentials',
      clientId: 'svc',
      clientSecret: Secret.fromEnv('LIFECYCLE_SVC_SECRET'),
      tokenStore: store,
    });
    as.stats.reset();
    const ts = toolset(mcp.url, config, freshConnectionFetch);
    try {
      await ts.warmUp();
      assert.deepEqual(grants(as), { client_credentials: 1 });
      let renewalMs = await renewalPointMs(store);

      // First expiry: every call starts together just after it.
      as.stats.reset();
      const burst = await callsAcrossExpiry((i) => ts.getTool('echo').invoke({ text: `b${i}` }), renewalMs, 0);
      assertAllSucceeded(burst);
      assert.deepEqual(
        burst.results.map((r) => (r.status === 'fulfilled' ? text(r.value) : '')),
        burst.results.map((_, i) => `b${i}`),
      );
      assertOneRenewal(t, as, 'client_credentials', burst);

      // Second expiry: calls spread across it.
      renewalMs = await renewalPointMs(store);
      as.stats.reset();
      mcp.stats.reset();
      const spread = await callsAcrossExpiry(
        (i) => ts.getTool('sleep').invoke({ ms: 60 + (i % 3) * 40 }),
        renewalMs,
        500,
      );
      assertAllSucceeded(spread);
      t.diagnostic(`401 answers around the second expiry: ${mcp.stats.unauthorized}`);
      assertOneRenewal(t, as, 'client_credentials', spread);
      assert.equal(as.stats.endpoints['authorization'] ?? 0, 0);
      assert.equal(never.opened(), 0);
    } finally {
      await ts.close();
      delete process.env['LIFECYCLE_SVC_SECRET'];
    }
  });
});
