import { createHash } from 'node:crypto';
import { OAuthConfig } from '../auth/config.ts';
import { InvalidOptionError, quote, SerializationError } from '../core/errors.ts';
import { optionalNonNegativeInteger, optionalPositiveNumber, requiredString, requireObject } from '../core/options.ts';
import { Secret } from '../core/secret.ts';
import {
  asDict,
  deserialize,
  type JsonValue,
  registerSerializable,
  type SerializedObject,
} from '../core/serialization.ts';
import { parseHttpUrl } from '../core/url.ts';
import { objectId } from './identity.ts';

/** A plain string, or a `Secret` resolved when the connection is opened. */
export type SecretValue = string | Secret;

/** Defaults of the HTTP server infos, in milliseconds where they are durations. */
export const HTTP_DEFAULTS = Object.freeze({
  /** Per-request timeout of protocol requests (initialize, tools/list), and the default connection timeout. */
  timeout: 30_000,
  /** Reconnection attempts after a dropped connection, beyond the first. */
  maxRetries: 3,
  /** First backoff delay; doubled on each attempt. */
  baseDelay: 1_000,
  /** Upper bound of a backoff delay. */
  maxDelay: 30_000,
});

/** Options shared by {@link StreamableHttpServerInfo} and {@link SSEServerInfo}. */
export interface HttpServerInfoOptions {
  /** The server's endpoint: the MCP endpoint (Streamable HTTP) or the SSE stream URL (HTTP+SSE). */
  url: string | URL;
  /** Extra request headers. Values may be `Secret`s. */
  headers?: Record<string, SecretValue>;
  /** A static bearer token (RFC 6750 §2.1), used when no OAuth engine takes over. */
  token?: SecretValue;
  /** Per-request timeout in ms (default 30000); also the default connection timeout. */
  timeout?: number;
  /** Reconnection attempts after the connection drops (default 3). */
  maxRetries?: number;
  /** First reconnection delay in ms (default 1000), doubled on each attempt. */
  baseDelay?: number;
  /** Largest reconnection delay in ms (default 30000). */
  maxDelay?: number;
  /**
   * OAuth 2.1 (MCP Authorization). `undefined` (default): automatic OAuth with defaults when the server asks
   * for it with a 401; an `OAuthConfig`: OAuth with that configuration; `false`: OAuth off (a 401 is
   * `AUTH_REQUIRED`).
   */
  oauth?: OAuthConfig | false;
}

/** Options of {@link StdioServerInfo}. */
export interface StdioServerInfoOptions {
  /** The executable (no shell is involved). */
  command: string;
  args?: string[];
  /** Extra environment variables, merged over the SDK's safe default environment. Values may be `Secret`s. */
  env?: Record<string, SecretValue>;
  /** Working directory of the server process. */
  cwd?: string;
  /** OAuth applies to HTTP transports only: setting it here is a type error and a runtime `InvalidOptionError`. */
  oauth?: never;
}

/** Header or variable names whose plain-string values are refused by `toDict()`: they look like credentials. */
const SENSITIVE_NAME = /authorization|cookie|token|secret|password|passwd|api[-_]?key|credential/i;

function secretValueToDict(value: SecretValue, field: string): JsonValue {
  if (typeof value !== 'string') return value.toDict();
  const name = field.split('.').pop() ?? field;
  if (SENSITIVE_NAME.test(name)) {
    throw new SerializationError(
      'NOT_SERIALIZABLE',
      `${field} is a plain string that looks like a credential; use Secret.fromEnv() for configurations you save`,
    );
  }
  return value;
}

function secretValueFromDict(value: unknown, field: string): SecretValue {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return Secret.fromDict(value);
  throw new SerializationError('INVALID_DICT', `${field} must be a string or a Secret dict`);
}

function validateSecretValue(value: unknown, field: string): SecretValue {
  if (typeof value === 'string' || Secret.isSecret(value)) return value;
  throw new InvalidOptionError(field, 'must be a string or a Secret');
}

function validateStringMap(value: unknown, field: string): Record<string, SecretValue> | undefined {
  if (value === undefined) return undefined;
  const obj = requireObject(value, field);
  const out: Record<string, SecretValue> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (key === '') throw new InvalidOptionError(field, 'names must be non-empty');
    out[key] = validateSecretValue(v, `${field}.${key}`);
  }
  return out;
}

function resolveMap(map: Readonly<Record<string, SecretValue>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) {
    const resolved = typeof value === 'string' ? value : value.resolve();
    if (resolved !== undefined) out[key] = resolved;
  }
  return out;
}

function mapToDict(map: Readonly<Record<string, SecretValue>>, field: string): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(map)) out[key] = secretValueToDict(value, `${field}.${key}`);
  return out;
}

function mapFromDict(value: unknown, field: string): Record<string, SecretValue> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SerializationError('INVALID_DICT', `${field} must be an object`);
  }
  const out: Record<string, SecretValue> = {};
  for (const [key, v] of Object.entries(value)) out[key] = secretValueFromDict(v, `${field}.${key}`);
  return out;
}

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

type HttpType = 'mcptool.StreamableHttpServerInfo' | 'mcptool.SSEServerInfo';

/** What the HTTP server infos have in common. */
abstract class HttpServerInfo {
  /** The transport this server info selects. */
  abstract readonly transport: 'streamable-http' | 'sse';
  readonly url: URL;
  readonly headers: Readonly<Record<string, SecretValue>> | undefined;
  readonly token: SecretValue | undefined;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly baseDelay: number;
  readonly maxDelay: number;
  readonly oauth: OAuthConfig | false | undefined;

  constructor(options: HttpServerInfoOptions) {
    const o = requireObject(options, 'serverInfo') as unknown as HttpServerInfoOptions;
    this.url = parseHttpUrl(o.url, 'url');
    const headers = validateStringMap(o.headers, 'headers');
    this.headers = headers ? Object.freeze(headers) : undefined;
    this.token = o.token === undefined ? undefined : validateSecretValue(o.token, 'token');
    if (typeof this.token === 'string' && this.token === '') throw new InvalidOptionError('token', 'must not be empty');
    this.timeout = optionalPositiveNumber(o.timeout, 'timeout') ?? HTTP_DEFAULTS.timeout;
    this.maxRetries = optionalNonNegativeInteger(o.maxRetries, 'maxRetries') ?? HTTP_DEFAULTS.maxRetries;
    this.baseDelay = optionalPositiveNumber(o.baseDelay, 'baseDelay') ?? HTTP_DEFAULTS.baseDelay;
    this.maxDelay = optionalPositiveNumber(o.maxDelay, 'maxDelay') ?? HTTP_DEFAULTS.maxDelay;
    if (this.maxDelay < this.baseDelay) throw new InvalidOptionError('maxDelay', 'must be at least baseDelay');
    if (o.oauth !== undefined && o.oauth !== false && !(o.oauth instanceof OAuthConfig)) {
      throw new InvalidOptionError('oauth', 'must be an OAuthConfig, or false to turn OAuth off');
    }
    this.oauth = o.oauth;
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
      timeout: this.timeout,
      retries: [this.maxRetries, this.baseDelay, this.maxDelay],
      oauth: oauthIdentity(this.oauth),
    });
  }

  protected abstract get type(): HttpType;

  /** Serialize: secrets as environment references; a `Secret.fromToken` or a plain-string credential refuses. */
  toDict(): SerializedObject {
    const d: SerializedObject = { type: this.type, url: this.url.href };
    if (this.headers) d['headers'] = mapToDict(this.headers, 'headers');
    if (this.token !== undefined) {
      if (typeof this.token === 'string') {
        throw new SerializationError(
          'NOT_SERIALIZABLE',
          'token is a plain string; use Secret.fromEnv() for configurations you save',
        );
      }
      d['token'] = this.token.toDict();
    }
    d['timeout'] = this.timeout;
    d['max_retries'] = this.maxRetries;
    d['base_delay'] = this.baseDelay;
    d['max_delay'] = this.maxDelay;
    if (this.oauth === false) d['oauth'] = false;
    else if (this.oauth) d['oauth'] = this.oauth.toDict();
    return d;
  }

  protected static optionsFromDict(d: SerializedObject): HttpServerInfoOptions {
    const url = d['url'];
    if (typeof url !== 'string') throw new SerializationError('INVALID_DICT', `${d.type}: "url" must be a string`);
    const options: HttpServerInfoOptions = { url };
    const headers = mapFromDict(d['headers'], 'headers');
    if (headers) options.headers = headers;
    if (d['token'] !== undefined) options.token = Secret.fromDict(d['token']);
    const num = (key: string) => {
      const v = d[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'number')
        throw new SerializationError('INVALID_DICT', `${d.type}: ${quote(key)} must be a number`);
      return v;
    };
    const timeout = num('timeout');
    if (timeout !== undefined) options.timeout = timeout;
    const maxRetries = num('max_retries');
    if (maxRetries !== undefined) options.maxRetries = maxRetries;
    const baseDelay = num('base_delay');
    if (baseDelay !== undefined) options.baseDelay = baseDelay;
    const maxDelay = num('max_delay');
    if (maxDelay !== undefined) options.maxDelay = maxDelay;
    if (d['oauth'] === false) options.oauth = false;
    else if (d['oauth'] !== undefined && d['oauth'] !== null) options.oauth = OAuthConfig.fromDict(d['oauth']);
    return options;
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

  static fromDict(dict: unknown): SSEServerInfo {
    const d = asDict(dict, 'SSEServerInfo', 'mcptool.SSEServerInfo');
    return new SSEServerInfo(HttpServerInfo.optionsFromDict(d));
  }
}

const STDIO_TYPE = 'mcptool.StdioServerInfo';

/**
 * An MCP server started as a child process and spoken to over stdio (MCP Transports, §"stdio").
 * No shell is involved: `command` is the executable and `args` its arguments.
 *
 * @example
 * new StdioServerInfo({ command: 'node', args: ['server.js'], env: { API_KEY: Secret.fromEnv('API_KEY') } })
 */
export class StdioServerInfo {
  readonly transport = 'stdio' as const;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, SecretValue>> | undefined;
  readonly cwd: string | undefined;

  constructor(options: StdioServerInfoOptions) {
    const o = requireObject(options, 'serverInfo');
    if ('oauth' in o && o['oauth'] !== undefined) {
      throw new InvalidOptionError(
        'oauth',
        'OAuth applies to HTTP transports only (StreamableHttpServerInfo, SSEServerInfo), not to stdio servers',
      );
    }
    this.command = requiredString(o['command'], 'command');
    const args = o['args'];
    if (args !== undefined && (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))) {
      throw new InvalidOptionError('args', 'must be an array of strings');
    }
    this.args = Object.freeze([...((args as string[] | undefined) ?? [])]);
    const env = validateStringMap(o['env'], 'env');
    this.env = env ? Object.freeze(env) : undefined;
    this.cwd = o['cwd'] === undefined ? undefined : requiredString(o['cwd'], 'cwd');
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
    const d: SerializedObject = { type: STDIO_TYPE, command: this.command, args: [...this.args] };
    if (this.env) d['env'] = mapToDict(this.env, 'env');
    if (this.cwd !== undefined) d['cwd'] = this.cwd;
    return d;
  }

  static fromDict(dict: unknown): StdioServerInfo {
    const d = asDict(dict, 'StdioServerInfo', STDIO_TYPE);
    if (typeof d['command'] !== 'string') {
      throw new SerializationError('INVALID_DICT', 'StdioServerInfo: "command" must be a string');
    }
    const options: StdioServerInfoOptions = { command: d['command'] };
    if (d['args'] !== undefined) {
      if (!Array.isArray(d['args']) || !d['args'].every((a) => typeof a === 'string')) {
        throw new SerializationError('INVALID_DICT', 'StdioServerInfo: "args" must be an array of strings');
      }
      options.args = d['args'] as string[];
    }
    const env = mapFromDict(d['env'], 'env');
    if (env) options.env = env;
    if (typeof d['cwd'] === 'string') options.cwd = d['cwd'];
    return new StdioServerInfo(options);
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
