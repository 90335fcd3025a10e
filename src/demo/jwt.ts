/**
 * Verification of JWT access tokens (RFC 9068) by a resource server, with `node:crypto` only: the issuer's
 * JWKS is found through its RFC 8414 metadata and fetched over loopback, the signature is checked with
 * `crypto.verify`, then `iss`, `aud`, `exp` and `nbf` (RFC 7519 §4.1).
 */
import { createPublicKey, constants as cryptoConstants, type JsonWebKey, type KeyObject, verify } from 'node:crypto';

/** The claims of an access token this module accepted. */
export interface AccessTokenClaims {
  iss: string;
  sub?: string;
  aud: string | string[];
  exp: number;
  iat?: number;
  nbf?: number;
  jti?: string;
  scope?: string;
  client_id?: string;
  [claim: string]: unknown;
}

/** Why a token was refused; `reason` is one of a few stable words (see {@link TokenVerifier}). */
export class InvalidAccessTokenError extends Error {
  readonly code = 'INVALID_TOKEN';
  /** `malformed`, `algorithm`, `key`, `signature`, `issuer`, `audience`, `expired`, `not_yet_valid`, `type`, `revoked`. */
  readonly reason: string;
  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidAccessTokenError';
    this.reason = reason;
  }
}

/** Options of {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  /** The authorization server's issuer identifier; `iss` must equal it. */
  issuer: string;
  /** The value `aud` must contain (the resource server's own URL, RFC 8707). */
  audience: string;
  /** Where to fetch the JWKS. Default: `jwks_uri` from the issuer's RFC 8414 / OIDC discovery document. */
  jwksUri?: string;
  /** Seconds of clock skew tolerated for `exp` and `nbf`. Default 0. */
  clockToleranceSeconds?: number;
  /** Fetch used for discovery and the JWKS. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Current time in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Verifies a bearer token and resolves with its claims, or rejects with {@link InvalidAccessTokenError}. */
export type TokenVerifier = (token: string) => Promise<AccessTokenClaims>;

const ALGORITHMS: Record<string, { hash: string | null; options?: object }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', options: { padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  ES256: { hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { hash: 'sha384', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { hash: null },
  Ed25519: { hash: null },
};

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (cause) {
    throw new InvalidAccessTokenError('malformed', `the token ${what} is not JSON`, { cause });
  }
  throw new InvalidAccessTokenError('malformed', `the token ${what} is not a JSON object`);
}

/** The discovery URLs for `issuer` in the MCP specification's order (RFC 8414 §3.1, then OpenID Connect). */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const origin = url.origin;
  if (!path) return [`${origin}/.well-known/oauth-authorization-server`, `${origin}/.well-known/openid-configuration`];
  return [
    `${origin}/.well-known/oauth-authorization-server${path}`,
    `${origin}/.well-known/openid-configuration${path}`,
    `${origin}${path}/.well-known/openid-configuration`,
  ];
}

/**
 * Create a verifier for JWT access tokens issued by `issuer` for `audience`. Keys are fetched on first use
 * and again (at most once per 5 s) when a token names an unknown `kid`.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const fetchFn = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const tolerance = options.clockToleranceSeconds ?? 0;
  let jwksUri = options.jwksUri;
  let keys = new Map<string, { key: KeyObject; alg?: string }>();
  let lastFetch = 0;
  let inflight: Promise<void> | undefined;

  async function findJwksUri(): Promise<string> {
    if (jwksUri) return jwksUri;
    for (const url of discoveryUrls(options.issuer)) {
      const response = await fetchFn(url, { headers: { accept: 'application/json' }, redirect: 'manual' });
      if (!response.ok) {
        await response.body?.cancel();
        continue;
      }
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (metadata.issuer === options.issuer && typeof metadata.jwks_uri === 'string') {
        jwksUri = metadata.jwks_uri;
        return jwksUri;
      }
    }
    throw new InvalidAccessTokenError('key', 'the issuer publishes no usable jwks_uri');
  }

  async function refresh(): Promise<void> {
    inflight ??= (async () => {
      try {
        const response = await fetchFn(await findJwksUri(), { headers: { accept: 'application/json' } });
        if (!response.ok) throw new InvalidAccessTokenError('key', `the JWKS answered HTTP ${response.status}`);
        const body = (await response.json()) as { keys?: unknown };
        const next = new Map<string, { key: KeyObject; alg?: string }>();
        for (const jwk of Array.isArray(body.keys) ? (body.keys as JsonWebKey[]) : []) {
          if (jwk.use !== undefined && jwk.use !== 'sig') continue;
          try {
            const entry: { key: KeyObject; alg?: string } = { key: createPublicKey({ key: jwk, format: 'jwk' }) };
            if (typeof jwk.alg === 'string') entry.alg = jwk.alg;
            next.set(typeof jwk.kid === 'string' ? jwk.kid : '', entry);
          } catch {
            // a key type node:crypto does not know is skipped
          }
        }
        keys = next;
        lastFetch = now();
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  async function keyFor(kid: string, alg: string): Promise<KeyObject> {
    if (keys.size === 0 || (!keys.has(kid) && now() - lastFetch > 5000)) await refresh();
    const entry = keys.get(kid) ?? (kid === '' && keys.size === 1 ? [...keys.values()][0] : undefined);
    if (!entry) throw new InvalidAccessTokenError('key', 'the token names a key the issuer does not publish');
    if (entry.alg !== undefined && entry.alg !== alg) {
      throw new InvalidAccessTokenError('algorithm', 'the token algorithm does not match its key');
    }
    return entry.key;
  }

  return async (token: string) => {
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
      throw new InvalidAccessTokenError('malformed', 'the token is not a compact JWS');
    }
    const [h, p, s] = parts as [string, string, string];
    const header = decodeJson(h, 'header');
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const algorithm = ALGORITHMS[alg];
    if (!algorithm) throw new InvalidAccessTokenError('algorithm', 'the token algorithm is not accepted');
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
    if (typ !== 'at+jwt' && typ !== 'application/at+jwt') {
      throw new InvalidAccessTokenError('type', 'the token is not an RFC 9068 access token (typ at+jwt)');
    }
    const key = await keyFor(typeof header.kid === 'string' ? header.kid : '', alg);
    const signed = Buffer.from(`${h}.${p}`, 'ascii');
    const signature = Buffer.from(s, 'base64url');
    let valid = false;
    try {
      valid = verify(algorithm.hash, signed, algorithm.options ? { key, ...algorithm.options } : key, signature);
    } catch (cause) {
      throw new InvalidAccessTokenError('signature', 'the token signature could not be checked', { cause });
    }
    if (!valid) throw new InvalidAccessTokenError('signature', 'the token signature is invalid');

    const claims = decodeJson(p, 'payload');
    const seconds = now() / 1000;
    if (claims.iss !== options.issuer) throw new InvalidAccessTokenError('issuer', 'the token issuer is not trusted');
    const aud = claims.aud;
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!audiences.includes(options.audience)) {
      throw new InvalidAccessTokenError('audience', 'the token audience is not this resource');
    }
    if (typeof claims.exp !== 'number') throw new InvalidAccessTokenError('malformed', 'the token has no exp');
    if (claims.exp + tolerance <= seconds) throw new InvalidAccessTokenError('expired', 'the token has expired');
    if (typeof claims.nbf === 'number' && claims.nbf - tolerance > seconds) {
      throw new InvalidAccessTokenError('not_yet_valid', 'the token is not valid yet');
    }
    return claims as AccessTokenClaims;
  };
}
