import type * as oauth from 'oauth4webapi';
import type { StoredTokens } from '../store/types.ts';

/**
 * Turn a token endpoint response into stored tokens with an absolute `expires_at` (seconds since the epoch).
 * A response without `refresh_token` keeps the previous one (RFC 6749 §6: the server may keep it valid).
 */
export function toStoredTokens(
  response: oauth.TokenEndpointResponse,
  nowSeconds: number,
  previous?: StoredTokens,
  requestedScope?: string,
): StoredTokens {
  const tokens: StoredTokens = {
    access_token: response.access_token,
    token_type: (response.token_type ?? 'bearer').toLowerCase(),
    issued_at: nowSeconds,
  };
  if (typeof response.expires_in === 'number') tokens.expires_at = nowSeconds + response.expires_in;
  const refresh = response.refresh_token ?? previous?.refresh_token;
  if (refresh !== undefined) tokens.refresh_token = refresh;
  const scope = response.scope ?? requestedScope ?? previous?.scope;
  if (scope !== undefined) tokens.scope = scope;
  return tokens;
}

/**
 * The refresh margin for a token: `skewSeconds`, scaled down to a fifth of the token's lifetime so that a 20-30 s
 * token is not treated as already expiring (which a fixed 60 s margin would turn into a refresh loop).
 */
export function effectiveSkew(tokens: StoredTokens, skewSeconds: number): number {
  if (tokens.expires_at === undefined) return 0;
  const lifetime = Math.max(0, tokens.expires_at - tokens.issued_at);
  return Math.min(skewSeconds, lifetime / 5);
}

/** Whether the access token should be renewed now (expired, or inside the effective skew). */
export function needsRenewal(tokens: StoredTokens, nowSeconds: number, skewSeconds: number): boolean {
  if (tokens.expires_at === undefined) return false;
  return nowSeconds >= tokens.expires_at - effectiveSkew(tokens, skewSeconds);
}
