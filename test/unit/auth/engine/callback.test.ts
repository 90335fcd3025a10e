import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as oauth from 'oauth4webapi';
import { OAuthConfig } from '../../../../src/auth/config.ts';
import { assertPkceSupported, validateCallback } from '../../../../src/auth/engine/grants.ts';

const as: oauth.AuthorizationServer = {
  issuer: 'https://as.example',
  authorization_endpoint: 'https://as.example/authorize',
  token_endpoint: 'https://as.example/token',
  code_challenge_methods_supported: ['S256'],
};
const client = { client_id: 'c' };
const cb = (q: string) => new URL(`http://127.0.0.1:5555/callback?${q}`);

describe('authorization response checks', () => {
  it('accepts the genuine callback', () => {
    const params = validateCallback(as, client, cb('code=abc&state=s1&iss=https%3A%2F%2Fas.example'), 's1');
    assert.equal(params.get('code'), 'abc');
  });

  it('refuses a wrong or missing state (STATE_MISMATCH)', () => {
    assert.throws(() => validateCallback(as, client, cb('code=abc&state=forged'), 's1'), { code: 'STATE_MISMATCH' });
    assert.throws(() => validateCallback(as, client, cb('code=abc'), 's1'), { code: 'STATE_MISMATCH' });
  });

  it('refuses a wrong iss, and a missing iss when the server advertises it (RFC 9207)', () => {
    assert.throws(() => validateCallback(as, client, cb('code=abc&state=s1&iss=https%3A%2F%2Fevil.example'), 's1'), {
      code: 'ISS_MISMATCH',
    });
    const advertising = { ...as, authorization_response_iss_parameter_supported: true };
    assert.throws(() => validateCallback(advertising, client, cb('code=abc&state=s1'), 's1'), {
      code: 'ISS_MISMATCH',
    });
  });

  it('turns access_denied into ACCESS_DENIED with the description quoted', () => {
    assert.throws(
      () => validateCallback(as, client, cb('error=access_denied&error_description=User%20said%20no&state=s1'), 's1'),
      (e: any) => e.code === 'ACCESS_DENIED' && e.message.includes('"User said no"'),
    );
  });
});

describe('PKCE support', () => {
  it('refuses a server without S256, and one that does not advertise methods unless opted out', () => {
    const cfg = new OAuthConfig();
    assert.throws(() => assertPkceSupported({ ...as, code_challenge_methods_supported: ['plain'] }, cfg), {
      code: 'PKCE_UNSUPPORTED',
    });
    const { code_challenge_methods_supported: _, ...silent } = as;
    assert.throws(() => assertPkceSupported(silent, cfg), /dangerouslyAllowUnadvertisedPkce/);
    assert.doesNotThrow(() => assertPkceSupported(silent, new OAuthConfig({ dangerouslyAllowUnadvertisedPkce: true })));
    assert.doesNotThrow(() => assertPkceSupported(as, cfg));
  });
});
