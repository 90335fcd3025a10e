import type { AuthProvider } from '@modelcontextprotocol/client';

/**
 * The seam between the MCP client layer and the OAuth engine. It is the SDK transports' `AuthProvider`
 * (`token()` before every request, `onUnauthorized()` on a 401, after which the transport retries once)
 * plus two hooks the client layer calls *outside* any request timeout:
 *
 * - `prepare()` before connecting: loads stored credentials (no network when none are needed) and, when the
 *   caller allows interaction, runs a sign-in that a request timeout must not cut short.
 * - `recover(error)` after a request failed: when the failure is one auth can fix (sign-in required, step-up
 *   for `insufficient_scope`, a token revoked mid-session), it fixes it and returns `true`, and the client
 *   layer retries the operation exactly once. It returns `false` for errors it does not own.
 */
export interface ConnectionAuth extends AuthProvider {
  prepare(options?: { signal?: AbortSignal }): Promise<void>;
  recover(error: unknown, options?: { signal?: AbortSignal; operation?: string }): Promise<boolean>;
  /**
   * Wrap the transport's fetch so that a 401 can be attributed to the token that request actually carried: a 401
   * that answers a token already replaced by a concurrent renewal then reuses the new token instead of renewing
   * again (no refresh storms, no second use of a rotated refresh token).
   */
  wrapFetch?(inner: (input: string | URL, init?: RequestInit) => Promise<Response>): typeof globalThis.fetch;
  /**
   * After a final 401: whether the credentials held are current (not expired, not replaced), so the server refused
   * the current token rather than finding none it accepts.
   */
  refusedCurrentToken?(): boolean;
  /** An operation succeeded: its step-up attempts start counting again from zero. */
  succeeded?(operation: string): void;
  /** Release timers or listeners held for this connection. */
  close?(): Promise<void>;
}
