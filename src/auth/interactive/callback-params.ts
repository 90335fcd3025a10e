import { timingSafeEqual } from 'node:crypto';
import { OAuthError } from '../errors.ts';

/** Compare two `state` values in constant time (for equal lengths). */
export function statesEqual(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why an authorization response was not accepted as the genuine one. */
export type CallbackVerdict = 'ok' | 'missing-state' | 'wrong-state' | 'duplicate-parameter' | 'no-code-or-error';

/**
 * Check the parameters of an authorization response (RFC 6749 §4.1.2 / §4.1.2.1) against the `state` this client
 * sent (RFC 6749 §10.12). Parameters must not be repeated (RFC 6749 §3.1), and a response carries either `code`
 * or `error`. The `iss` check (RFC 9207) is left to the engine, which knows the issuer.
 */
export function checkCallbackParams(params: URLSearchParams, expectedState: string): CallbackVerdict {
  for (const name of ['state', 'code', 'error', 'iss']) {
    if (params.getAll(name).length > 1) return 'duplicate-parameter';
  }
  const state = params.get('state');
  if (state === null) return 'missing-state';
  if (!statesEqual(state, expectedState)) return 'wrong-state';
  if (!params.has('code') && !params.has('error')) return 'no-code-or-error';
  return 'ok';
}

/** A short human explanation of a {@link CallbackVerdict}. */
export function describeVerdict(verdict: Exclude<CallbackVerdict, 'ok'>): string {
  switch (verdict) {
    case 'missing-state':
      return 'it carries no state parameter';
    case 'wrong-state':
      return 'its state parameter does not match this sign-in (it may be forged or from an older attempt)';
    case 'duplicate-parameter':
      return 'a parameter appears more than once';
    case 'no-code-or-error':
      return 'it carries neither a code nor an error';
  }
}

/**
 * The error for a sign-in ended by `signal`: `CALLBACK_TIMEOUT` when the signal is a timeout
 * (`AbortSignal.timeout`, reason `TimeoutError`), else `ABORTED`. The reason is kept as `cause`.
 */
export function abortedError(signal: AbortSignal | undefined): OAuthError {
  const reason: unknown = signal?.reason;
  if (reason instanceof OAuthError) return reason;
  if ((reason as { name?: unknown } | undefined)?.name === 'TimeoutError') {
    return new OAuthError('CALLBACK_TIMEOUT', 'The sign-in was not completed in time', { cause: reason });
  }
  return new OAuthError('ABORTED', 'Sign-in was aborted', { cause: reason });
}
