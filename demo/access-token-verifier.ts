/**
 * Verification of JWT access tokens (RFC 9068) by the demo's resource server, with `jose`: the issuer's JWKS is found
 * through its RFC 8414 metadata and fetched over loopback, then the signature, the `typ` header (`at+jwt`,
 * RFC 9068 §4), `iss`, `aud`, `exp` and `nbf` (RFC 7519 §4.1) are checked.
 */
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from 'jose';
import { DemoCodedError } from './http-server.ts';

/** The claims of an access token this module accepted. */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  aud: string | string[];
  exp: number;
  scope?: string;
  client_id?: string;
}

/** Why a token was refused: one of a few stable words, in {@link InvalidAccessTokenError.reason}. */
export type InvalidTokenReason =
  | 'malformed'
  | 'algorithm'
  | 'key'
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not_yet_valid'
  | 'type'
  | 'revoked';

/** Why a token was refused (code `INVALID_TOKEN`); the message goes into the 401's `error_description`. */
export class InvalidAccessTokenError extends DemoCodedError {
  readonly reason: InvalidTokenReason;
  constructor(reason: InvalidTokenReason, message: string, options?: { cause?: unknown }) {
    super('INVALID_TOKEN', message, options);
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

/** The signature algorithms the demo accepts (the authorization server signs with RS256). */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA', 'Ed25519'];

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

/** The reason and message for an error `jose` threw while verifying. */
function refusal(error: unknown): InvalidAccessTokenError {
  const because = (reason: InvalidTokenReason, message: string) =>
    new InvalidAccessTokenError(reason, message, { cause: error });
  if (error instanceof InvalidAccessTokenError) return error;
  if (error instanceof errors.JWTExpired) return because('expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return because('issuer', 'the token issuer is not trusted');
      case 'aud':
        return because('audience', 'the token audience is not this resource');
      case 'nbf':
        return because('not_yet_valid', 'the token is not valid yet');
      case 'typ':
        return because('type', 'the token is not an RFC 9068 access token (typ at+jwt)');
      default:
        return because('malformed', `the token claim ${error.claim} is missing or invalid`);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return because('algorithm', 'the token algorithm is not accepted');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return because('key', 'the token names a key the issuer does not publish');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return because('signature', 'the token signature is invalid');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return because('malformed', 'the token is not a compact JWS with a JSON claims set');
  }
  if (error instanceof errors.JOSEError) return because('key', `the issuer's keys could not be used (${error.code})`);
  return because('key', "the issuer's keys could not be fetched");
}

/**
 * Create a verifier for JWT access tokens issued by `issuer` for `audience`. Keys are fetched on first use and
 * again (at most once per 5 s) when a token names an unknown `kid`.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const fetchFn = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;

  async function findJwksUri(): Promise<string> {
    if (options.jwksUri) return options.jwksUri;
    for (const url of discoveryUrls(options.issuer)) {
      const response = await fetchFn(url, { headers: { accept: 'application/json' }, redirect: 'manual' });
      if (!response.ok) {
        await response.body?.cancel();
        continue;
      }
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (metadata.issuer === options.issuer && typeof metadata.jwks_uri === 'string') return metadata.jwks_uri;
    }
    throw new InvalidAccessTokenError('key', 'the issuer publishes no usable jwks_uri');
  }

  return async (token: string) => {
    try {
      keys ??= createRemoteJWKSet(new URL(await findJwksUri()), {
        cooldownDuration: 5000,
        [customFetch]: (url, init) => fetchFn(url, init),
      });
      const { payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALGORITHMS,
        typ: 'at+jwt',
        requiredClaims: ['exp'],
        clockTolerance: options.clockToleranceSeconds ?? 0,
        currentDate: new Date(now()),
      });
      return payload as AccessTokenClaims;
    } catch (error) {
      throw refusal(error);
    }
  };
}
