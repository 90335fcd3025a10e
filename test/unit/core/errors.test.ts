import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthorizationServerUnavailableError, OAuthError } from '../../../src/auth/errors.ts';
import { causeChain, findInCauses } from '../../../src/core/cause.ts';
import { ErrorCode, InvalidOptionError, McptoolError } from '../../../src/core/errors.ts';
import { MCPConnectionError } from '../../../src/mcp/errors.ts';

describe('error codes', () => {
  it('are one table: each code is its own name, and codes shared by the OAuth and MCP layers are defined once', () => {
    for (const [name, value] of Object.entries(ErrorCode)) assert.equal(name, value);
    assert.ok(Object.isFrozen(ErrorCode));
    const auth = new OAuthError(ErrorCode.AUTH_REQUIRED, 'sign in');
    const mcp = new MCPConnectionError(ErrorCode.AUTH_REQUIRED, 'https://s.example/mcp', 'connect', 'HTTP 401');
    assert.equal(auth.code, mcp.code);
  });

  it('every error is an McptoolError with a code from the table, InvalidOptionError included', () => {
    const errors = [
      new InvalidOptionError('serverInfo.url', 'must be a URL'),
      new AuthorizationServerUnavailableError('refresh', { reason: 'HTTP 503', attempts: 3 }),
    ];
    for (const error of errors) {
      assert.ok(error instanceof McptoolError);
      assert.ok(Object.values(ErrorCode).includes(error.code));
    }
    assert.equal(errors[0]?.name, 'InvalidOptionError');
    assert.equal(errors[0]?.message, 'serverInfo.url: must be a URL');
  });
});

describe('causeChain', () => {
  it('walks causes outermost first, stops at a loop and at the depth bound', () => {
    const inner = new Error('inner');
    const outer = new Error('outer', { cause: new Error('middle', { cause: inner }) });
    assert.deepEqual(
      causeChain(outer).map((e) => (e as Error).message),
      ['outer', 'middle', 'inner'],
    );
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    assert.equal(causeChain(a).length, 2);
    let deep: unknown = new Error('0');
    for (let i = 1; i < 50; i++) deep = new Error(String(i), { cause: deep });
    assert.equal(causeChain(deep).length, 10);
    assert.deepEqual(causeChain(undefined), []);
  });

  it('finds the first link that has what is looked for, non-Error links included', () => {
    const response = new Response(null, { status: 503 });
    const error = new Error('outer', { cause: { cause: response } });
    assert.equal(
      findInCauses(error, (e) => (e instanceof Response ? e.status : undefined)),
      503,
    );
    assert.equal(
      findInCauses(error, () => undefined),
      undefined,
    );
  });
});
