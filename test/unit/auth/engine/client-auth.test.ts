import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type * as oauth from 'oauth4webapi';
import { OAuthConfig } from '../../../../src/auth/config.ts';
import {
  clientAuthFor,
  clientSecretBasic,
  formUrlEncode,
  importPrivateKey,
  selectAuthMethod,
} from '../../../../src/auth/engine/client-auth.ts';
import { Secret } from '../../../../src/core/secret.ts';

const as: oauth.AuthorizationServer = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' };

function basicHeader(id: string, secret: string): string {
  const headers = new Headers();
  void clientSecretBasic(secret)(as, { client_id: id }, new URLSearchParams(), headers);
  return headers.get('authorization') ?? '';
}

describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
  it('form-urlencodes id and secret before base64, keeping "-" and encoding ":" "+" "%"', () => {
    const header = basicHeader('my-client', 'a:b+c%d e-f');
    const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString();
    assert.equal(decoded, 'my-client:a%3Ab%2Bc%25d+e-f');
  });

  it('round-trips any id and secret through form decoding', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (id, secret) => {
        const decoded = Buffer.from(basicHeader(id, secret).replace(/^Basic /, ''), 'base64').toString();
        const colon = decoded.indexOf(':');
        const parse = (s: string) => new URLSearchParams(`x=${s}`).get('x');
        assert.equal(parse(decoded.slice(0, colon)), id);
        assert.equal(parse(decoded.slice(colon + 1)), secret);
      }),
    );
  });

  it('formUrlEncode leaves unreserved characters alone', () => {
    assert.equal(formUrlEncode('Az09-._*'), 'Az09-._*');
  });
});

describe('selectAuthMethod', () => {
  const client = { client_id: 'c', registration: 'pre_registered' as const, registered_at: 0 };
  it('prefers the configured method, then private_key_jwt, then what the server supports', () => {
    const cfg = new OAuthConfig({ tokenEndpointAuthMethod: 'client_secret_post' });
    assert.equal(selectAuthMethod(cfg, as, client, 's'), 'client_secret_post');
    const jwt = new OAuthConfig({ privateKey: Secret.fromToken('k') });
    assert.equal(selectAuthMethod(jwt, as, client, undefined), 'private_key_jwt');
    assert.equal(selectAuthMethod(undefined, as, client, 's'), 'client_secret_basic');
    const postOnly = { ...as, token_endpoint_auth_methods_supported: ['client_secret_post'] };
    assert.equal(selectAuthMethod(undefined, postOnly, client, 's'), 'client_secret_post');
    assert.equal(selectAuthMethod(undefined, as, client, undefined), 'none');
  });
});

describe('private_key_jwt keys (RFC 7523)', () => {
  it('imports PEM and JWK keys of RSA, EC and Ed25519', async () => {
    for (const [type, opts] of [
      ['rsa', { modulusLength: 2048 }],
      ['ec', { namedCurve: 'P-256' }],
      ['ed25519', {}],
    ] as const) {
      const { privateKey } = generateKeyPairSync(type as 'rsa', opts as never) as unknown as { privateKey: KeyObject };
      const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const fromPem = await importPrivateKey(pem);
      assert.equal(fromPem.key.type, 'private');
      const jwk = JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'k1' });
      const fromJwk = await importPrivateKey(jwk);
      assert.equal(fromJwk.kid, 'k1');
    }
  });

  it('rejects garbage with an error naming the option, never echoing the key', async () => {
    await assert.rejects(importPrivateKey('not-a-key-SECRETVALUE'), (e: any) => {
      assert.equal(e.code, 'INVALID_OPTION');
      assert.match(e.message, /oauth\.privateKey/);
      assert.doesNotMatch(e.message, /SECRETVALUE/);
      return true;
    });
  });

  /** The JWS `alg` header of the client assertion `private_key_jwt` signs with this key material and alg. */
  async function assertionAlg(material: string, alg?: string): Promise<string> {
    const auth = await clientAuthFor('private_key_jwt', undefined, { material, alg });
    const body = new URLSearchParams();
    await auth(
      { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' },
      { client_id: 'c' },
      body,
      new Headers(),
    );
    const header = body.get('client_assertion')?.split('.')[0] ?? '';
    return JSON.parse(Buffer.from(header, 'base64url').toString()).alg;
  }

  function pemOf(type: 'rsa' | 'ec' | 'ed25519', opts: object): string {
    const { privateKey } = generateKeyPairSync(type as 'rsa', opts as never) as unknown as { privateKey: KeyObject };
    return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  it('item 6: privateKeyAlg is honoured: EC keys sign with the ES alg of their curve, RSA keys with RS or PS', async () => {
    for (const [curve, alg] of [
      ['P-256', 'ES256'],
      ['P-384', 'ES384'],
      ['P-521', 'ES512'],
    ] as const) {
      const pem = pemOf('ec', { namedCurve: curve });
      assert.equal(await assertionAlg(pem), alg, `default for ${curve}`);
      assert.equal(await assertionAlg(pem, alg), alg, `configured for ${curve}`);
    }
    const rsa = pemOf('rsa', { modulusLength: 2048 });
    assert.equal(await assertionAlg(rsa), 'RS256');
    assert.equal(await assertionAlg(rsa, 'PS384'), 'PS384');
    assert.equal(await assertionAlg(rsa, 'RS512'), 'RS512');
  });

  it('item 6: a privateKeyAlg that does not fit the key is INVALID_OPTION naming oauth.privateKeyAlg', async () => {
    const p384 = pemOf('ec', { namedCurve: 'P-384' });
    for (const [material, alg, fitting] of [
      [p384, 'ES256', /ES384/],
      [p384, 'RS256', /ES384/],
      [pemOf('rsa', { modulusLength: 2048 }), 'ES256', /RS256/],
      [pemOf('ed25519', {}), 'ES256', /EdDSA/],
    ] as const) {
      await assert.rejects(importPrivateKey(material, alg), (e: any) => {
        assert.equal(e.code, 'INVALID_OPTION');
        assert.equal(e.field, 'oauth.privateKeyAlg');
        assert.match(e.message, fitting);
        return true;
      });
    }
  });

  it('clientAuthFor refuses a secret method without a secret', async () => {
    await assert.rejects(clientAuthFor('client_secret_basic', undefined, undefined), /clientSecret/);
  });
});
