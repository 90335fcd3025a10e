import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthConfig } from '../../../src/auth/config.ts';
import { McptoolError } from '../../../src/core/errors.ts';
import { Secret } from '../../../src/core/secret.ts';
import { deserialize } from '../../../src/core/serialization.ts';

describe('OAuthConfig', () => {
  it('defaults to the authorization-code flow with a loopback redirect on any port', () => {
    const c = new OAuthConfig();
    assert.equal(c.flow, 'auto');
    assert.equal(c.resolvedFlow, 'authorization_code');
    assert.deepEqual({ ...c.redirect }, { host: '127.0.0.1', port: 0, path: '/callback' });
  });

  it('auto resolves to client credentials with a secret and no redirect wanted', () => {
    const c = new OAuthConfig({ clientId: 'svc', clientSecret: Secret.fromEnv('S') });
    assert.equal(c.resolvedFlow, 'client_credentials');
    const withPort = new OAuthConfig({ clientId: 'svc', clientSecret: Secret.fromEnv('S'), redirect: { port: 8765 } });
    assert.equal(withPort.resolvedFlow, 'authorization_code');
  });

  it('validates at construction and names the bad field', () => {
    const cases: [unknown, RegExp][] = [
      [{ flow: 'implicit' }, /oauth\.flow/],
      [{ flow: 'client_credentials' }, /oauth\.clientId/],
      [{ flow: 'client_credentials', clientId: 'x' }, /oauth\.clientSecret/],
      [{ clientSecret: 'plain-string' }, /oauth\.clientSecret.*Secret/],
      [{ redirect: { host: 'example.com' } }, /oauth\.redirect\.host/],
      [{ redirect: { port: 70000 } }, /oauth\.redirect\.port/],
      [{ clientMetadataUrl: 'http://example.com/meta.json' }, /oauth\.clientMetadataUrl/],
      [{ scopes: ['a b'] }, /oauth\.scopes/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => new OAuthConfig(options as never),
        (e: any) => {
          assert.equal(e.code, 'INVALID_OPTION');
          assert.ok(e instanceof McptoolError);
          assert.match(e.message, message);
          return true;
        },
      );
    }
  });

  it('round-trips through toDict/fromDict with secrets as environment references only', () => {
    process.env['MCPTOOL_TEST_SECRET'] = 'the-secret-value';
    const c = new OAuthConfig({
      flow: 'client_credentials',
      clientId: 'svc',
      clientSecret: Secret.fromEnv('MCPTOOL_TEST_SECRET'),
      scopes: ['mcp:tools'],
      dangerouslyOmitResourceParameter: true,
    });
    const dict = c.toDict();
    assert.doesNotMatch(JSON.stringify(dict), /the-secret-value/);
    const back = deserialize<OAuthConfig>(JSON.parse(JSON.stringify(dict)));
    assert.deepEqual(back.toDict(), dict);
    assert.equal(back.clientSecret?.resolve(), 'the-secret-value');
  });

  it('refuses to serialize a token secret', () => {
    const c = new OAuthConfig({ clientId: 'x', clientSecret: Secret.fromToken('inline-secret') });
    assert.throws(
      () => c.toDict(),
      (e: any) => e.code === 'NOT_SERIALIZABLE' && !e.message.includes('inline-secret'),
    );
  });

  it('with() keeps every other option and validates the result', () => {
    const base = new OAuthConfig({
      clientId: 'app',
      scopes: ['mcp:tools'],
      redirect: { port: 8765 },
      dangerouslyAllowUnadvertisedPkce: true,
    });
    const changed = base.with({ callback: 'manual' });
    assert.equal(changed.callback, 'manual');
    assert.deepEqual({ ...changed.toDict(), callback: 'auto' }, base.toDict());
    assert.throws(() => base.with({ flow: 'client_credentials' }), /oauth\.clientSecret/);
  });
});
