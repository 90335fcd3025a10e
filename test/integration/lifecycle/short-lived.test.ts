/**
 * Issue 4, short-lived tokens: the refresh margin is scaled to the token's lifetime, so a 3 s (or 20 s) access
 * token is not treated as already expiring. Sequential calls within its lifetime make no refresh (with the default
 * 60 s skew applied as is, every call would refresh); the first call after the expiry refreshes exactly once.
 * Time is a test clock shared by the client and both servers, moved by the test: no real waits.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MemoryTokenStore } from '../../../src/index.ts';
import { TestClock } from '../../fixtures/test-clock.ts';
import { approvingHandler, grants, jwtClaims, onlyRecord, type Stack, startStack, text, toolset } from './helpers.ts';

describe('short-lived access tokens', () => {
  const stacks: Stack[] = [];
  after(async () => {
    for (const stack of stacks) await stack.close();
  });

  for (const ttl of [3, 20]) {
    it(`${ttl} s tokens with the default 60 s skew: no refresh within the lifetime, one after it`, async () => {
      const clock = new TestClock({ frozen: true });
      const stack = await startStack({ ttl, clock });
      stacks.push(stack);
      const { as, mcp } = stack;
      const store = new MemoryTokenStore();
      const user = approvingHandler();
      const ts = toolset(mcp.url, {
        flow: 'authorization_code',
        tokenStore: store,
        authorizationHandler: user.handler,
        clock,
      });
      try {
        await ts.warmUp();
        const token = (await onlyRecord(store)).tokens?.access_token ?? '';
        const expiryMs = Number(jwtClaims(token)['exp']) * 1000;
        as.stats.reset();
        mcp.stats.reset();

        // Sequential calls spread over the lifetime up to shortly before the scaled margin (a fifth of it).
        const until = expiryMs - (ttl * 1000) / 5 - 100;
        const calls = 10;
        for (let i = 0; i < calls; i++) {
          clock.advance(Math.max(0, Math.floor((until - clock.now()) / (calls - i))));
          assert.equal(text(await ts.getTool('echo').invoke({ text: `c${i}` })), `c${i}`);
        }
        assert.deepEqual(grants(as), {}, `no token request during ${calls} calls within the lifetime`);
        assert.equal(mcp.stats.unauthorized, 0);
        assert.equal((await onlyRecord(store)).tokens?.access_token, token, 'the same token throughout');

        // Past the expiry: exactly one refresh, then the new token serves the following calls.
        clock.advance(expiryMs + 100 - clock.now());
        for (let i = 0; i < 5; i++) assert.equal(text(await ts.getTool('echo').invoke({ text: 'x' })), 'x');
        assert.deepEqual(grants(as), { refresh_token: 1 });
        assert.equal(user.opened(), 1);
      } finally {
        await ts.close();
      }
    });
  }
});
