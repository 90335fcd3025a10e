/**
 * How the library reports what it does. Only the CLI prints; library code logs through an injected
 * `Logger`. Fields must never contain a secret, token, authorization code or PKCE verifier.
 */
export interface Logger {
  /**
   * Report detail useful when diagnosing.
   * @param message A human-readable message; never containing a secret.
   * @param fields Structured details (no secret, token, code or verifier).
   */
  debug(message: string, fields?: Record<string, unknown>): void;
  /**
   * Report a normal event worth noting.
   * @param message A human-readable message; never containing a secret.
   * @param fields Structured details (no secret, token, code or verifier).
   */
  info(message: string, fields?: Record<string, unknown>): void;
  /**
   * Report something unexpected that the library worked around.
   * @param message A human-readable message; never containing a secret.
   * @param fields Structured details (no secret, token, code or verifier).
   */
  warn(message: string, fields?: Record<string, unknown>): void;
  /**
   * Report a failure.
   * @param message A human-readable message; never containing a secret.
   * @param fields Structured details (no secret, token, code or verifier).
   */
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The default logger: says nothing. */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
