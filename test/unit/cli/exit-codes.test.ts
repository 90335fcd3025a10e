import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthorizationServerUnavailableError, OAuthError, OAuthServerError } from '../../../src/auth/errors.ts';
import { UsageError } from '../../../src/cli/errors.ts';
import { errorLine, exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { CliFailure } from '../../../src/cli/explain.ts';
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

  it('item 2: CREDENTIALS_REFUSED exits 3; a sign-in timeout and invalid_client get a hint naming the fix', () => {
    assert.equal(exitCodeFor(new CliFailure('CREDENTIALS_REFUSED', 'refused')), 3);
    assert.match(
      errorLine(new OAuthError('CALLBACK_TIMEOUT', 'No sign-in callback arrived within 5 min')),
      /within 5 min \(raise the sign-in time limit with 'mcptool login <target> --timeout SECONDS'/,
    );
    const invalidClient = new OAuthServerError('TOKEN_REQUEST_FAILED', 'The client credentials grant failed', {
      error: 'invalid_client',
      status: 401,
    });
    assert.match(errorLine(invalidClient), /error "invalid_client".*check --client-id and the secret/);
  });
});
