import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthorizationServerUnavailableError, OAuthError } from '../../../src/auth/errors.ts';
import { UsageError } from '../../../src/cli/errors.ts';
import { errorLine, exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { InvalidOptionError, SecretError } from '../../../src/core/errors.ts';
import { MCPConnectionError, MCPInvocationError, MCPToolNotFoundError } from '../../../src/mcp/errors.ts';

describe('exit codes', () => {
  it('maps errors to the contract: 1 tool error, 2 usage, 3 auth, 4 connection', () => {
    const cases: [unknown, number][] = [
      [new MCPInvocationError('TOOL_ERROR', 'fail', {}, 'reported an error'), 1],
      [new MCPInvocationError('INVOCATION_FAILED', 'fail', {}, 'failed'), 1],
      [new Error('unexpected'), 1],
      [new UsageError('bad'), 2],
      [new InvalidOptionError('url', 'bad'), 2],
      [new MCPToolNotFoundError('nope', ['echo'], '"x"'), 2],
      [new SecretError('SECRET_NOT_SET', 'unset'), 2],
      [new MCPConnectionError('AUTH_REQUIRED', '"x"', 'connect', '401'), 3],
      [new OAuthError('TOKEN_REQUEST_FAILED', 'no'), 3],
      [
        new MCPConnectionError('CONNECTION_FAILED', '"x"', 'connect', 'refused', {
          cause: new OAuthError('DISCOVERY_FAILED', 'x'),
        }),
        3,
      ],
      [new MCPConnectionError('CONNECTION_FAILED', '"x"', 'connect', 'refused'), 4],
      [new AuthorizationServerUnavailableError('Refreshing', { status: 503, reason: 'HTTP 503', attempts: 3 }), 4],
      [
        new MCPConnectionError('CONNECTION_FAILED', '"x"', 'connect', 'refused', {
          cause: new AuthorizationServerUnavailableError('Refreshing', { reason: 'reset', attempts: 1 }),
        }),
        4,
      ],
      [new MCPConnectionError('CONNECTION_TIMEOUT', '"x"', 'connect', 'timed out'), 4],
      [new MCPInvocationError('INVOCATION_TIMEOUT', 'slow', {}, 'timed out'), 4],
    ];
    for (const [error, code] of cases) assert.equal(exitCodeFor(error), code, String(error));
  });

  it('prints one line with a hint', () => {
    assert.equal(errorLine(new UsageError('bad\n  thing')), 'mcptool: bad thing\n');
    assert.match(
      errorLine(new MCPConnectionError('CONNECTION_TIMEOUT', '"x"', 'connect', 'timed out')),
      /^mcptool: connect to MCP server "x" failed: timed out \(raise the limit with --timeout SECONDS\)\n$/,
    );
  });
});
