import { redactErrorChain, redactText } from './redact.ts';

/**
 * Codes of errors about the caller's own input and values: options, secrets, serialization. Also `USAGE`, the
 * command line's.
 */
const INPUT_CODES = {
  /** An option was missing or of the wrong shape ({@link InvalidOptionError}, with the `field` at fault). */
  INVALID_OPTION: 'INVALID_OPTION',
  /** A `Secret`'s environment variables are all unset or empty ({@link SecretError}). */
  SECRET_NOT_SET: 'SECRET_NOT_SET',
  /** A value that must never be written out (a token `Secret`, a function) was serialized. */
  NOT_SERIALIZABLE: 'NOT_SERIALIZABLE',
  /** A serialized dict names a type this library does not know ({@link SerializationError}). */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** A serialized dict is not of the shape its type expects ({@link SerializationError}). */
  INVALID_DICT: 'INVALID_DICT',
  /** The `mcptool` command line was wrong (exit code 2). */
  USAGE: 'USAGE',
} as const;

/** Codes raised both by the OAuth client and by the MCP client. */
const SHARED_CODES = {
  /** The server answered 401 and the credentials could not be obtained or were refused. */
  AUTH_REQUIRED: 'AUTH_REQUIRED',
  /** The caller's `AbortSignal` fired. */
  ABORTED: 'ABORTED',
} as const;

/** Codes of the OAuth client only (`OAuthError` and its subclasses). */
const OAUTH_CODES = {
  /** No usable protected resource or authorization server metadata (RFC 9728, RFC 8414). */
  DISCOVERY_FAILED: 'DISCOVERY_FAILED',
  /** A metadata `issuer` (RFC 8414 §3.3) is not the one expected. */
  ISSUER_MISMATCH: 'ISSUER_MISMATCH',
  /** Protected resource metadata names another resource (RFC 9728 §3.3). */
  RESOURCE_MISMATCH: 'RESOURCE_MISMATCH',
  /** An endpoint is `http:` on a non-loopback host. */
  INSECURE_ENDPOINT: 'INSECURE_ENDPOINT',
  /** On the 2025-03-26 back-compat path, metadata names an endpoint off the MCP server's origin. */
  ORIGIN_MISMATCH: 'ORIGIN_MISMATCH',
  /** A discovery URL names a link-local address, or loopback from a non-loopback server. */
  FORBIDDEN_ADDRESS: 'FORBIDDEN_ADDRESS',
  /** A URL to open in the browser is not `https:` (or `http:` on loopback). */
  UNSAFE_URL: 'UNSAFE_URL',
  /** The authorization server does not offer PKCE with S256 (OAuth 2.1 §7.5.2). */
  PKCE_UNSUPPORTED: 'PKCE_UNSUPPORTED',
  /** Client registration (Dynamic Client Registration, RFC 7591) failed. */
  REGISTRATION_FAILED: 'REGISTRATION_FAILED',
  /** No way to obtain a client id: no pre-registered id, no metadata document URL, no registration endpoint. */
  CLIENT_ID_REQUIRED: 'CLIENT_ID_REQUIRED',
  /** The callback's `state` is not the one sent. */
  STATE_MISMATCH: 'STATE_MISMATCH',
  /** The callback's `iss` (RFC 9207) is not the authorization server's issuer. */
  ISS_MISMATCH: 'ISS_MISMATCH',
  /** The user (or the server) denied the authorization request (`access_denied`). */
  ACCESS_DENIED: 'ACCESS_DENIED',
  /** The authorization request failed with another error. */
  AUTHORIZATION_FAILED: 'AUTHORIZATION_FAILED',
  /** The token endpoint refused a request. */
  TOKEN_REQUEST_FAILED: 'TOKEN_REQUEST_FAILED',
  /** The authorization server could not serve a token request even after retries; credentials were kept. */
  AUTHORIZATION_SERVER_UNAVAILABLE: 'AUTHORIZATION_SERVER_UNAVAILABLE',
  /** The refresh token or the code was refused (`invalid_grant`): sign in again. */
  INVALID_GRANT: 'INVALID_GRANT',
  /** The server requires scopes that could not be obtained (RFC 6750 §3.1). */
  INSUFFICIENT_SCOPE: 'INSUFFICIENT_SCOPE',
  /** A sign-in is needed and the configuration does not allow starting one here. */
  SIGN_IN_REQUIRED: 'SIGN_IN_REQUIRED',
  /** A sign-in needs a person (a browser or a pasted code) and none is available. */
  INTERACTION_REQUIRED: 'INTERACTION_REQUIRED',
  /** No callback arrived within the authorization timeout. */
  CALLBACK_TIMEOUT: 'CALLBACK_TIMEOUT',
  /** The loopback callback port could not be bound (RFC 8252 §7.3). */
  CALLBACK_PORT_IN_USE: 'CALLBACK_PORT_IN_USE',
  /** The browser could not be started (the URL was safe; the command failed). */
  BROWSER_FAILED: 'BROWSER_FAILED',
  /** The token store's lock could not be taken in time. */
  LOCK_TIMEOUT: 'LOCK_TIMEOUT',
  /** A stored record could not be read. */
  STORE_CORRUPT: 'STORE_CORRUPT',
  /** The token store could not be read or written. */
  STORE_FAILED: 'STORE_FAILED',
  /** A server's answer was not what the protocol requires (not JSON, a redirect, too large). */
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  /** A request could not be sent or got no answer. */
  REQUEST_FAILED: 'REQUEST_FAILED',
} as const;

/** Codes of the MCP client only (`MCPError` and its subclasses). */
const MCP_CODES = {
  /** The server could not be reached, or the MCP handshake failed. */
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  /** Connecting took longer than the connection timeout. */
  CONNECTION_TIMEOUT: 'CONNECTION_TIMEOUT',
  /** The connection dropped while a request was in flight; the request was not sent again. */
  CONNECTION_LOST: 'CONNECTION_LOST',
  /** The server offers no tool of that name. */
  TOOL_NOT_FOUND: 'TOOL_NOT_FOUND',
  /** The server answered a tool call with an error (protocol error, invalid arguments). */
  INVOCATION_FAILED: 'INVOCATION_FAILED',
  /** The tool ran and returned a result with `isError: true`. */
  TOOL_ERROR: 'TOOL_ERROR',
  /** No result within the invocation timeout. */
  INVOCATION_TIMEOUT: 'INVOCATION_TIMEOUT',
  /** A static `Authorization` header was refused (the CLI's restatement of `AUTH_REQUIRED`). */
  CREDENTIALS_REFUSED: 'CREDENTIALS_REFUSED',
} as const;

/**
 * Every stable `code` an mcptool error carries, each defined once. Branch on these rather than on messages:
 *
 * ```ts
 * if (error instanceof McptoolError && error.code === ErrorCode.AUTH_REQUIRED) { ... }
 * ```
 */
export const ErrorCode = Object.freeze({ ...INPUT_CODES, ...SHARED_CODES, ...OAUTH_CODES, ...MCP_CODES });

/** One of the values of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The codes an `OAuthError` carries. */
export type OAuthErrorCode = keyof typeof OAUTH_CODES | keyof typeof SHARED_CODES;

/** The codes an `MCPError` carries. */
export type MCPErrorCode = keyof typeof MCP_CODES | keyof typeof SHARED_CODES;

/**
 * The one error base class of mcptool. Every error the library throws carries a stable string `code`
 * ({@link ErrorCode}) that callers branch on; messages are for people and may change. Server-supplied text is quoted
 * with `JSON.stringify` by the subclasses; secrets never appear in a message: the user info and query values of every
 * URL in the message and in the messages of the `cause` chain are redacted ({@link redactText}).
 */
export class McptoolError extends Error {
  /** Stable, machine-readable error code (e.g. `DISCOVERY_FAILED`), one of {@link ErrorCode}. */
  readonly code: ErrorCode;

  /**
   * @param code - the stable code.
   * @param message - what was wrong and how to fix it (URLs in it are redacted).
   * @param options - `cause`: the underlying error (its chain's messages are redacted in place).
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(redactText(message), options?.cause === undefined ? undefined : { cause: redactErrorChain(options.cause) });
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A configuration value was missing or of the wrong shape (`code = 'INVALID_OPTION'`), naming the dotted `field`
 * at fault, e.g. `serverInfo.url`. Thrown at construction, before anything is sent.
 */
export class InvalidOptionError extends McptoolError {
  declare readonly code: 'INVALID_OPTION';
  /** The option at fault, e.g. `serverInfo.url`. */
  readonly field: string;

  /**
   * @param field - the dotted name of the option at fault.
   * @param message - what is wrong with it; the message reads `<field>: <message>`.
   * @param options - `cause`: the underlying error.
   */
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.INVALID_OPTION, `${field}: ${message}`, options);
    this.field = field;
  }
}

/** A value could not be serialized or deserialized (`toDict` / `fromDict`). */
export class SerializationError extends McptoolError {
  declare readonly code: 'UNKNOWN_TYPE' | 'INVALID_DICT' | 'NOT_SERIALIZABLE';

  constructor(code: 'UNKNOWN_TYPE' | 'INVALID_DICT' | 'NOT_SERIALIZABLE', message: string) {
    super(code, message);
  }
}

/** A `Secret` could not be resolved (its environment variable is unset) or was used where it may not be. */
export class SecretError extends McptoolError {
  declare readonly code: 'SECRET_NOT_SET' | 'NOT_SERIALIZABLE';

  constructor(code: 'SECRET_NOT_SET' | 'NOT_SERIALIZABLE', message: string) {
    super(code, message);
  }
}

/** Quote a server- or user-supplied string for an error message. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
