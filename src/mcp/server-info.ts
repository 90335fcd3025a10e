import { createHash } from 'node:crypto';
import { OAuthConfig } from '../auth/config.ts';
import { InvalidOptionError, quote, SerializationError } from '../core/errors.ts';
import {
  defaulted,
  jsonOfType,
  type Kind,
  nonNegativeIntegerKind,
  type OptionsOf,
  optional,
  optionsClass,
  optionsFromDict,
  parseOptions,
  positiveNumberKind,
  required,
  requireObject,
  stringKind,
  valuesToDict,
} from '../core/options.ts';
import {
  asDict,
  deserialize,
  type JsonValue,
  registerSerializable,
  type SerializedObject,
} from '../core/serialization.ts';
import { parseHttpUrl } from '../core/url.ts';
import { objectId } from './identity.ts';
import { resolveMap, secretMapKind, tokenKind } from './secret-kinds.ts';

export type { SecretValue } from './secret-kinds.ts';

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url');
}

/** The part of an identity that describes an `OAuthConfig`: its dict, plus the identity of what is not serialized. */
function oauthIdentity(oauth: OAuthConfig | false | undefined): JsonValue {
  if (oauth === undefined || oauth === false) return oauth ?? null;
  try {
    const handler = oauth.authorizationHandler ? objectId(oauth.authorizationHandler) : 0;
    const store = oauth.tokenStore ? objectId(oauth.tokenStore) : 0;
    return { dict: oauth.toDict(), handler, store };
  } catch {
    return { object: objectId(oauth) };
  }
}

const urlKind: Kind<string | URL, URL> = {
  parse: parseHttpUrl,
  toWire: (url) => url.href,
  fromWire: jsonOfType('string'),
};

const oauthKind: Kind<OAuthConfig | false, OAuthConfig | false> = {
  parse(value, field) {
    if (value !== false && !(value instanceof OAuthConfig)) {
      throw new InvalidOptionError(field, 'must be an OAuthConfig, or false to turn OAuth off');
    }
    return value;
  },
  toWire: (oauth) => (oauth === false ? false : oauth.toDict()),
  fromWire: (value) => (value === false ? false : OAuthConfig.fromDict(value)),
};

/**
 * The options of {@link StreamableHttpServerInfo} and {@link SSEServerInfo}, each declared once: validation,
 * default, dict key (snake_case), and for the renamed durations their former names, still accepted.
 */
const HTTP_OPTIONS = {
  /** The server's endpoint: the MCP endpoint (Streamable HTTP) or the SSE stream URL (HTTP+SSE). */
  url: required('url', urlKind),
  /** Extra request headers. Values may be `Secret`s. */
  headers: optional('headers', secretMapKind),
  /** A static bearer token (RFC 6750 §2.1), used when no OAuth engine takes over. */
  token: optional('token', tokenKind),
  /** Per-request timeout in ms (default 30000); also the default connection timeout. */
  timeoutMs: defaulted('timeout_ms', positiveNumberKind, 30_000, { alias: 'timeout', wireAlias: 'timeout' }),
  /** Reconnection attempts after the connection drops (default 3). */
  maxRetries: defaulted('max_retries', nonNegativeIntegerKind, 3),
  /** First reconnection delay in ms (default 1000), doubled on each attempt. */
  baseDelayMs: defaulted('base_delay_ms', positiveNumberKind, 1_000, { alias: 'baseDelay', wireAlias: 'base_delay' }),
  /** Largest reconnection delay in ms (default 30000). */
  maxDelayMs: defaulted('max_delay_ms', positiveNumberKind, 30_000, { alias: 'maxDelay', wireAlias: 'max_delay' }),
  /**
   * OAuth 2.1 (MCP Authorization). `undefined` (default): automatic OAuth with defaults when the server asks
   * for it with a 401; an `OAuthConfig`: OAuth with that configuration; `false`: OAuth off (a 401 is
   * `AUTH_REQUIRED`).
   */
  oauth: optional('oauth', oauthKind),
};

/** The former names of the HTTP server info durations (in ms), still accepted. */
interface DeprecatedHttpDurationOptions {
  /** @deprecated Use `timeoutMs` (the same value, in ms). */
  timeout?: number;
  /** @deprecated Use `baseDelayMs` (the same value, in ms). */
  baseDelay?: number;
  /** @deprecated Use `maxDelayMs` (the same value, in ms). */
  maxDelay?: number;
}

/** Options shared by {@link StreamableHttpServerInfo} and {@link SSEServerInfo}. */
export interface HttpServerInfoOptions extends OptionsOf<typeof HTTP_OPTIONS>, DeprecatedHttpDurationOptions {}

type HttpType = 'mcptool.StreamableHttpServerInfo' | 'mcptool.SSEServerInfo';

/** What the HTTP server infos have in common: each option is a read-only field of the same name. */
abstract class HttpServerInfo extends optionsClass(HTTP_OPTIONS) {
  /** The transport this server info selects. */
  abstract readonly transport: 'streamable-http' | 'sse';

  constructor(options: HttpServerInfoOptions) {
    const values = parseOptions(HTTP_OPTIONS, options, '', 'serverInfo');
    if (values.maxDelayMs < values.baseDelayMs) {
      throw new InvalidOptionError('maxDelayMs', 'must be at least baseDelayMs');
    }
    super(values);
  }

  /** @deprecated Use `timeoutMs`. */
  get timeout(): number {
    return this.timeoutMs;
  }

  /** @deprecated Use `baseDelayMs`. */
  get baseDelay(): number {
    return this.baseDelayMs;
  }

  /** @deprecated Use `maxDelayMs`. */
  get maxDelay(): number {
    return this.maxDelayMs;
  }

  /** A description for messages and logs: the URL without query, fragment or user info. */
  describe(): string {
    return quote(`${this.url.origin}${this.url.pathname}`);
  }

  /** The headers with their `Secret`s resolved. Throws `SECRET_NOT_SET` when a strict secret is unset. */
  resolveHeaders(): Record<string, string> {
    return resolveMap(this.headers);
  }

  /** The static token, resolved. */
  resolveToken(): string | undefined {
    return this.token === undefined ? undefined : typeof this.token === 'string' ? this.token : this.token.resolve();
  }

  /**
   * The identity under which connections are shared within a process: the serialized configuration, the
   * resolved secrets (hashed, never kept in clear) and the identity of unserialized OAuth collaborators.
   */
  connectionKey(): string {
    return digest({
      type: this.type,
      url: this.url.href,
      headers: this.resolveHeaders(),
      token: this.resolveToken() ?? null,
      timeout: this.timeoutMs,
      retries: [this.maxRetries, this.baseDelayMs, this.maxDelayMs],
      oauth: oauthIdentity(this.oauth),
    });
  }

  /** The serialized type name, e.g. `mcptool.StreamableHttpServerInfo`, written by `toDict()`. */
  protected abstract get type(): HttpType;

  /** Serialize: secrets as environment references; a `Secret.fromToken` or a plain-string credential refuses. */
  toDict(): SerializedObject {
    return { type: this.type, ...valuesToDict(HTTP_OPTIONS, this, '') };
  }

  /**
   * The HTTP options held in a serialized server info (also the former duration keys).
   * @param d A dict written by `toDict()`.
   * @returns The options to construct the server info with.
   * @throws SerializationError (`INVALID_DICT`) when a value in `d` has the wrong type.
   */
  protected static optionsFromDict(d: SerializedObject): HttpServerInfoOptions {
    return optionsFromDict(HTTP_OPTIONS, d, '');
  }
}

/**
 * An MCP server reached over Streamable HTTP (MCP Transports, 2025-11-25 §"Streamable HTTP").
 *
 * @example
 * new StreamableHttpServerInfo({ url: 'https://server.example/mcp', token: Secret.fromEnv('MCP_TOKEN') })
 */
export class StreamableHttpServerInfo extends HttpServerInfo {
  readonly transport = 'streamable-http' as const;

  protected get type(): HttpType {
    return 'mcptool.StreamableHttpServerInfo';
  }

  /** Rebuild from a dict of `toDict()` (also one written with the former duration keys). */
  static fromDict(dict: unknown): StreamableHttpServerInfo {
    const d = asDict(dict, 'StreamableHttpServerInfo', 'mcptool.StreamableHttpServerInfo');
    return new StreamableHttpServerInfo(HttpServerInfo.optionsFromDict(d));
  }
}

/**
 * An MCP server reached over the deprecated HTTP+SSE transport (MCP Transports, 2024-11-05 §"HTTP with SSE").
 * `url` is the SSE stream endpoint (often `/sse`).
 */
export class SSEServerInfo extends HttpServerInfo {
  readonly transport = 'sse' as const;

  protected get type(): HttpType {
    return 'mcptool.SSEServerInfo';
  }

  /** Rebuild from a dict of `toDict()` (also one written with the former duration keys). */
  static fromDict(dict: unknown): SSEServerInfo {
    const d = asDict(dict, 'SSEServerInfo', 'mcptool.SSEServerInfo');
    return new SSEServerInfo(HttpServerInfo.optionsFromDict(d));
  }
}

const STDIO_TYPE = 'mcptool.StdioServerInfo';

const argsKind: Kind<string[], readonly string[]> = {
  parse(value, field) {
    if (!Array.isArray(value) || !value.every((a) => typeof a === 'string')) {
      throw new InvalidOptionError(field, 'must be an array of strings');
    }
    return Object.freeze([...value]);
  },
  toWire: (args) => [...args],
  fromWire(value, field) {
    if (!Array.isArray(value) || !value.every((a) => typeof a === 'string')) {
      throw new SerializationError('INVALID_DICT', `${field} must be an array of strings`);
    }
    return value;
  },
};

/** The options of {@link StdioServerInfo}, each declared once. */
const STDIO_OPTIONS = {
  /** The executable (no shell is involved). */
  command: required('command', stringKind),
  /** Its arguments. */
  args: defaulted('args', argsKind, Object.freeze([])),
  /** Extra environment variables, merged over the SDK's safe default environment. Values may be `Secret`s. */
  env: optional('env', secretMapKind),
  /** Working directory of the server process. */
  cwd: optional('cwd', stringKind),
};

/** Options of {@link StdioServerInfo}. */
export interface StdioServerInfoOptions extends OptionsOf<typeof STDIO_OPTIONS> {
  /** OAuth applies to HTTP transports only: setting it here is a type error and a runtime `InvalidOptionError`. */
  oauth?: never;
}

/**
 * An MCP server started as a child process and spoken to over stdio (MCP Transports, §"stdio").
 * No shell is involved: `command` is the executable and `args` its arguments. Each option is a read-only field.
 *
 * @example
 * new StdioServerInfo({ command: 'node', args: ['server.js'], env: { API_KEY: Secret.fromEnv('API_KEY') } })
 */
export class StdioServerInfo extends optionsClass(STDIO_OPTIONS) {
  /** The transport's name: always `stdio`. */
  readonly transport = 'stdio' as const;

  constructor(options: StdioServerInfoOptions) {
    const o = requireObject(options, 'serverInfo');
    if (o['oauth'] !== undefined) {
      throw new InvalidOptionError(
        'oauth',
        'OAuth applies to HTTP transports only (StreamableHttpServerInfo, SSEServerInfo), not to stdio servers',
      );
    }
    super(parseOptions(STDIO_OPTIONS, o, '', 'serverInfo'));
  }

  /** A description for messages and logs: the command line (environment values are never shown). */
  describe(): string {
    return quote([this.command, ...this.args].join(' '));
  }

  /** The extra environment with its `Secret`s resolved. */
  resolveEnv(): Record<string, string> {
    return resolveMap(this.env);
  }

  /** The identity under which connections (child processes) are shared within a process. */
  connectionKey(): string {
    return digest({
      type: STDIO_TYPE,
      command: this.command,
      args: this.args,
      env: this.resolveEnv(),
      cwd: this.cwd ?? null,
    });
  }

  /** Serialize: environment `Secret`s as references; plain-string credentials refuse. */
  toDict(): SerializedObject {
    return { type: STDIO_TYPE, ...valuesToDict(STDIO_OPTIONS, this, '') };
  }

  /** Rebuild from a dict of `toDict()`. */
  static fromDict(dict: unknown): StdioServerInfo {
    return new StdioServerInfo(optionsFromDict(STDIO_OPTIONS, asDict(dict, 'StdioServerInfo', STDIO_TYPE), ''));
  }
}

/** Any server info. */
export type ServerInfo = StreamableHttpServerInfo | SSEServerInfo | StdioServerInfo;

/** Whether a value is one of the server infos. */
export function isServerInfo(value: unknown): value is ServerInfo {
  return (
    value instanceof StreamableHttpServerInfo || value instanceof SSEServerInfo || value instanceof StdioServerInfo
  );
}

/** Rebuild a server info from its dict; any other registered or unknown `type` is rejected. */
export function serverInfoFromDict(dict: unknown): ServerInfo {
  const value = deserialize(dict);
  if (!isServerInfo(value)) {
    throw new SerializationError('INVALID_DICT', `${quote(asDict(dict, 'serverInfo').type)} is not a server info`);
  }
  return value;
}

registerSerializable('mcptool.StreamableHttpServerInfo', (d) => StreamableHttpServerInfo.fromDict(d));
registerSerializable('mcptool.SSEServerInfo', (d) => SSEServerInfo.fromDict(d));
registerSerializable(STDIO_TYPE, (d) => StdioServerInfo.fromDict(d));
