import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coversScopes, selectScopes, splitScope, unionScopes } from '../../../../src/auth/engine/scopes.ts';
import { effectiveSkew, needsRenewal, toStoredTokens } from '../../../../src/auth/engine/tokens.ts';

describe('scope selection (MCP 2025-11-25 Scope Selection Strategy)', () => {
  it('configured, then the challenge, then scopes_supported, else omitted', () => {
    assert.deepEqual(selectScopes({ configured: ['a'], challenge: ['b'], resourceScopes: ['c'] }), ['a']);
    assert.deepEqual(selectScopes({ challenge: ['b'], resourceScopes: ['c'] }), ['b']);
    assert.deepEqual(selectScopes({ resourceScopes: ['c', 'd'] }), ['c', 'd']);
    assert.equal(selectScopes({}), undefined);
  });

  it('adds offline_access only when the authorization server lists it', () => {
    const base = { resourceScopes: ['mcp'], wantsRefreshToken: true };
    assert.deepEqual(selectScopes({ ...base, authorizationServerScopes: ['mcp', 'offline_access'] }), [
      'mcp',
      'offline_access',
    ]);
    assert.deepEqual(selectScopes({ ...base, authorizationServerScopes: ['mcp'] }), ['mcp']);
    assert.equal(selectScopes({ wantsRefreshToken: true, authorizationServerScopes: ['offline_access'] }), undefined);
  });

  it('unions and covers', () => {
    assert.deepEqual(unionScopes(['a', 'b'], undefined, ['b', 'c']), ['a', 'b', 'c']);
    assert.equal(coversScopes(['a', 'b'], ['b']), true);
    assert.equal(coversScopes(['a'], ['b']), false);
    assert.deepEqual(splitScope(' a  b '), ['a', 'b']);
  });
});

describe('token lifetime', () => {
  it('stores an absolute expires_at and keeps the previous refresh token when none is returned', () => {
    const t = toStoredTokens({ access_token: 'x', token_type: 'Bearer', expires_in: 30 } as never, 1000, {
      access_token: 'old',
      token_type: 'bearer',
      issued_at: 0,
      refresh_token: 'r1',
    });
    assert.equal(t.expires_at, 1030);
    assert.equal(t.refresh_token, 'r1');
    assert.equal(t.token_type, 'bearer');
  });

  it('scales the skew for short-lived tokens, so a 20 s token is not "already expiring"', () => {
    const short = { access_token: 'x', token_type: 'bearer', issued_at: 1000, expires_at: 1020 };
    assert.equal(effectiveSkew(short, 60), 4);
    assert.equal(needsRenewal(short, 1001, 60), false);
    assert.equal(needsRenewal(short, 1016, 60), true);
    const long = { access_token: 'x', token_type: 'bearer', issued_at: 0, expires_at: 3600 };
    assert.equal(effectiveSkew(long, 60), 60);
    assert.equal(needsRenewal({ access_token: 'x', token_type: 'bearer', issued_at: 0 }, 1e9, 60), false);
  });
});
