/**
 * Negative end-to-end tests: each security check stops the flow before anything is sent that should not be.
 * - Protected resource metadata naming another resource (RFC 9728 §3.3): RESOURCE_MISMATCH before any request to
 *   the authorization server (no authorization request, no registration, no token request).
 * - A callback whose RFC 9207 `iss` is wrong or missing: ISS_MISMATCH, and the code is never exchanged.
 * - A callback whose `state` is wrong (RFC 6749 §10.12): STATE_MISMATCH, and the code is never exchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IssuerMismatchError, MemoryTokenStore, OAuthError, ResourceMismatchError } from '../../../src/index.ts';
import { oauthToolset, recordingFetch, redirectFollowingHandler, type Stack, startStack } from './helpers.ts';

/** The first error with a `code` in the cause chain (the error itself first). */
function codeOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 6 && e; depth++) {
    if (e instanceof OAuthError) return e.code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

describe('protected resource metadata naming another resource', () => {
  const OTHER = 'http://127.0.0.1:1/someone-else';
  let stack: Stack;
  before(async () => {
    stack = await startStack({ mcp: { resource: OTHER } });
  });
  after(() => stack.close());

  it('RESOURCE_MISMATCH, and the authorization server sees no request at all', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const recorded = recordingFetch();
    const { handler, log } = redirectFollowingHandler();
    const toolset = oauthToolset(
      mcp.url,
      { tokenStore: new MemoryTokenStore(), authorizationHandler: handler },
      recorded,
    );
    try {
      await assert.rejects(toolset.warmUp(), (error: unknown) => {
        assert.ok(error instanceof ResourceMismatchError, `a ResourceMismatchError, got ${String(error)}`);
        assert.equal(error.code, 'RESOURCE_MISMATCH');
        assert.equal(error.received, OTHER);
        assert.equal(error.expected, mcp.url);
        return true;
      });
    } finally {
      await toolset.close();
    }
    assert.equal(log.authorizationUrls.length, 0, 'the user was never sent to authorize');
    assert.equal(as.stats.total, 0, `the authorization server saw ${JSON.stringify(as.stats.requests)}`);
    assert.deepEqual(
      recorded.requests.filter((r) => r.url.startsWith(as.origin)),
      [],
    );
  });
});

describe('tampered authorization responses', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  const cases: {
    name: string;
    code: string;
    tamper: (callback: URL) => URL;
    check?: (error: unknown) => void;
  }[] = [
    {
      name: 'a wrong iss (RFC 9207) -> ISS_MISMATCH',
      code: 'ISS_MISMATCH',
      tamper: (callback) => {
        callback.searchParams.set('iss', 'http://127.0.0.1:1/evil-issuer');
        return callback;
      },
      check: (error) => {
        assert.ok(error instanceof IssuerMismatchError);
        assert.equal(error.received, 'http://127.0.0.1:1/evil-issuer');
        assert.equal(error.expected, stack.as.issuer);
      },
    },
    {
      name: 'a missing iss from a server that advertises it -> ISS_MISMATCH',
      code: 'ISS_MISMATCH',
      tamper: (callback) => {
        callback.searchParams.delete('iss');
        return callback;
      },
    },
    {
      name: 'a wrong state -> STATE_MISMATCH',
      code: 'STATE_MISMATCH',
      tamper: (callback) => {
        callback.searchParams.set('state', 'forged-state');
        return callback;
      },
    },
    {
      name: 'no state -> STATE_MISMATCH',
      code: 'STATE_MISMATCH',
      tamper: (callback) => {
        callback.searchParams.delete('state');
        return callback;
      },
    },
  ];

  for (const [c, raw] of cases.flatMap((c) => [[c, false] as const, [c, true] as const])) {
    const through = raw ? 'a bare AuthorizationHandler (the engine checks alone)' : 'functionAuthorizationHandler';
    it(`${c.name} through ${through}, and the code is never exchanged`, async () => {
      const { as, mcp } = stack;
      as.stats.reset();
      const { handler, log } = redirectFollowingHandler({ tamper: c.tamper, raw });
      const toolset = oauthToolset(mcp.url, { tokenStore: new MemoryTokenStore(), authorizationHandler: handler });
      try {
        await assert.rejects(toolset.warmUp(), (error: unknown) => {
          assert.equal(codeOf(error), c.code, `code ${c.code}, got ${String(error)}`);
          assert.ok(error instanceof OAuthError, 'the OAuthError itself reaches the caller');
          c.check?.(error);
          for (const callback of log.callbacks) {
            const code = callback.searchParams.get('code');
            assert.ok(code && !error.message.includes(code), 'the code is not in the message');
          }
          return true;
        });
      } finally {
        await toolset.close();
      }
      assert.equal(log.authorizationUrls.length, 1, 'one authorization attempt, no retry loop');
      assert.equal(as.stats.endpoints['authorization'], 1);
      assert.equal(as.stats.endpoints['token'], undefined, 'no token request');
      assert.deepEqual(as.stats.grants, {});
    });
  }

  it('an error response with a wrong state is STATE_MISMATCH, not ACCESS_DENIED (a forged denial is not believed)', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    as.mode = 'deny';
    const { handler, log } = redirectFollowingHandler({
      raw: true,
      tamper: (callback) => {
        callback.searchParams.set('state', 'forged-state');
        return callback;
      },
    });
    const toolset = oauthToolset(mcp.url, { tokenStore: new MemoryTokenStore(), authorizationHandler: handler });
    try {
      await assert.rejects(toolset.warmUp(), (error: unknown) => codeOf(error) === 'STATE_MISMATCH');
    } finally {
      await toolset.close();
      as.mode = 'auto-approve';
    }
    assert.equal(log.callbacks[0]?.searchParams.get('error'), 'access_denied');
    assert.deepEqual(as.stats.grants, {});
  });
});
