import { createPrivateKey, webcrypto } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { InvalidOptionError } from '../../core/errors.ts';
import type { OAuthConfig, TokenEndpointAuthMethod } from '../config.ts';
import type { StoredClient } from '../store/types.ts';

/**
 * `application/x-www-form-urlencoded` encoding of one value, as RFC 6749 §2.3.1 requires for the client id and
 * secret inside HTTP Basic credentials (WHATWG URL spec serializer: `-._*` and alphanumerics stay, space is `+`).
 * oauth4webapi's own `ClientSecretBasic` percent-encodes `-` too, which some servers do not decode.
 */
export function formUrlEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** `client_secret_basic` (RFC 6749 §2.3.1), with both parts form-urlencoded before base64. */
export function clientSecretBasic(clientSecret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    const credentials = `${formUrlEncode(client.client_id)}:${formUrlEncode(clientSecret)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
  };
}

/** The JWS algorithms (RFC 7518 §3.1, RFC 9864 §2.2) of each EC curve, by Node's curve name. */
const EC_CURVES: Record<string, { alg: string; namedCurve: string }> = {
  prime256v1: { alg: 'ES256', namedCurve: 'P-256' },
  secp384r1: { alg: 'ES384', namedCurve: 'P-384' },
  secp521r1: { alg: 'ES512', namedCurve: 'P-521' },
};

const RSA_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** `oauth.privateKeyAlg` does not fit the key: the message names the key and the algorithms that fit it. */
function algMismatch(alg: string, key: string, fitting: string[]): InvalidOptionError {
  return new InvalidOptionError(
    'oauth.privateKeyAlg',
    `is ${JSON.stringify(alg)}, which does not fit the ${key} private key; use ${fitting.map((a) => JSON.stringify(a)).join(' or ')}, or leave it unset`,
  );
}

/**
 * The WebCrypto import parameters that make the key sign with `alg` (oauth4webapi derives the JWS `alg` header from
 * them): RSA keys sign with RS256/384/512 or PS256/384/512 (default RS256); an EC key's algorithm is fixed by its
 * curve (ES256 for P-256, ES384 for P-384, ES512 for P-521); Ed25519 keys sign with EdDSA (sent as the fully
 * specified `Ed25519`, RFC 9864). An `alg` the key cannot sign with is an `INVALID_OPTION` naming
 * `oauth.privateKeyAlg`.
 */
function signingParams(
  type: string | undefined,
  curve: string | undefined,
  alg: string | undefined,
): RsaHashedImportParams | EcKeyImportParams | Algorithm {
  if (type === 'rsa') {
    const algorithm = alg ?? 'RS256';
    if (!RSA_ALGS.includes(algorithm)) throw algMismatch(algorithm, 'RSA', RSA_ALGS);
    const hash = `SHA-${algorithm.slice(2)}`;
    return algorithm.startsWith('PS') ? { name: 'RSA-PSS', hash } : { name: 'RSASSA-PKCS1-v1_5', hash };
  }
  if (type === 'ec') {
    const found = EC_CURVES[curve ?? ''];
    if (!found) throw new InvalidOptionError('oauth.privateKey', `unsupported EC curve ${JSON.stringify(curve)}`);
    if (alg !== undefined && alg !== found.alg) throw algMismatch(alg, `EC ${found.namedCurve}`, [found.alg]);
    return { name: 'ECDSA', namedCurve: found.namedCurve };
  }
  if (type === 'ed25519') {
    if (alg !== undefined && alg !== 'EdDSA' && alg !== 'Ed25519') {
      throw algMismatch(alg, 'Ed25519', ['EdDSA', 'Ed25519']);
    }
    return { name: 'Ed25519' };
  }
  throw new InvalidOptionError('oauth.privateKey', `unsupported key type ${JSON.stringify(type)}`);
}

/**
 * A private key for `private_key_jwt` (RFC 7523 §2.2), imported from PEM (PKCS#8) or a JWK, to sign with `alg`
 * (`oauth.privateKeyAlg`; default: from the key, see {@link signingParams}).
 */
export async function importPrivateKey(material: string, alg?: string): Promise<oauth.PrivateKey> {
  const text = material.trim();
  let keyObject: ReturnType<typeof createPrivateKey>;
  let kid: string | undefined;
  try {
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as JsonWebKey & { kid?: string };
      kid = jwk.kid;
      keyObject = createPrivateKey({ key: jwk as never, format: 'jwk' });
    } else {
      keyObject = createPrivateKey(text);
    }
  } catch (cause) {
    throw new InvalidOptionError('oauth.privateKey', 'is not a PEM (PKCS#8) or JWK private key', { cause });
  }
  const params = signingParams(keyObject.asymmetricKeyType, keyObject.asymmetricKeyDetails?.namedCurve, alg);
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  const key = await webcrypto.subtle.importKey('pkcs8', der, params, false, ['sign']);
  return kid === undefined ? { key } : { key, kid };
}

/**
 * Choose the token endpoint authentication method: the configured one; else `private_key_jwt` with a private key;
 * else, with a secret, what the registration said, else `client_secret_basic` when the server supports it (RFC 8414
 * §2: the default when `token_endpoint_auth_methods_supported` is absent), else `client_secret_post`; else `none`.
 */
export function selectAuthMethod(
  config: OAuthConfig | undefined,
  as: oauth.AuthorizationServer,
  client: StoredClient,
  secret: string | undefined,
): TokenEndpointAuthMethod {
  if (config?.tokenEndpointAuthMethod) return config.tokenEndpointAuthMethod;
  if (config?.privateKey) return 'private_key_jwt';
  if (secret === undefined) return 'none';
  const registered = client.token_endpoint_auth_method;
  if (registered === 'client_secret_basic' || registered === 'client_secret_post') return registered;
  const supported = as.token_endpoint_auth_methods_supported;
  if (!supported || supported.includes('client_secret_basic')) return 'client_secret_basic';
  if (supported.includes('client_secret_post')) return 'client_secret_post';
  return 'client_secret_basic';
}

/** Build the oauth4webapi `ClientAuth` for a method. */
export async function clientAuthFor(
  method: TokenEndpointAuthMethod,
  secret: string | undefined,
  privateKey: { material: string; alg?: string | undefined } | undefined,
): Promise<oauth.ClientAuth> {
  switch (method) {
    case 'none':
      return oauth.None();
    case 'client_secret_basic':
    case 'client_secret_post':
      if (secret === undefined) {
        throw new InvalidOptionError('oauth.clientSecret', `is required for ${method}`);
      }
      return method === 'client_secret_basic' ? clientSecretBasic(secret) : oauth.ClientSecretPost(secret);
    case 'private_key_jwt': {
      if (!privateKey) throw new InvalidOptionError('oauth.privateKey', 'is required for private_key_jwt');
      const key = await importPrivateKey(privateKey.material, privateKey.alg);
      return oauth.PrivateKeyJwt(key);
    }
  }
}
