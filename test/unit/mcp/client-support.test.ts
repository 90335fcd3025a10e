import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSingleRequestFailure, wasNeverDelivered } from '../../../src/mcp/client-support.ts';

function fetchFailure(code: string): TypeError {
  const socket = Object.assign(new Error('other side closed'), { code });
  return new TypeError('fetch failed', { cause: socket });
}

describe('request failure classification', () => {
  it('treats a reset or closed socket as a failure of that one request', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']) {
      assert.equal(isSingleRequestFailure(fetchFailure(code)), true, code);
    }
  });

  it('does not treat a refused connection or a server error that way', () => {
    assert.equal(isSingleRequestFailure(fetchFailure('ECONNREFUSED')), false);
    assert.equal(isSingleRequestFailure(new Error('boom')), false);
    assert.equal(wasNeverDelivered(fetchFailure('ECONNREFUSED')), true);
    assert.equal(wasNeverDelivered(fetchFailure('ECONNRESET')), false);
  });
});
