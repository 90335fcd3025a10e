import type { Clock } from '../core/clock.ts';
import { InvalidOptionError } from '../core/errors.ts';
import {
  optionalBoolean,
  optionalNonNegativeInteger,
  optionalPositiveNumber,
  optionalString,
  requireObject,
} from '../core/options.ts';
import { Secret } from '../core/secret.ts';
import {
  asDict,
  deserialize,
  type JsonValue,
  registerSerializable,
  type SerializedObject,
} from '../core/serialization.ts';
import { isLoopbackHost } from '../core/url.ts';
import type { TokenStore } from './store/types.ts';

const TYPE = 'mcptool.OAuthConfig';

/** Which OAuth grant the client uses. `auto` decides once, at construction (see {@link OAuthConfig.resolvedFlow}). */
export type OAuthFlow = 'auto' | 'authorization_code' | 'client_credentials';

/** Client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2 for `private_key_jwt`). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** How the authorization response reaches the client in the authorization-code flow. */
export type CallbackMode = 'auto' | 'loopback' | 'manual' | 'device';

/** Where the loopback callback listens (RFC 8252 §7.3). Port 0 (default) binds any free port. */
export interface RedirectOptions {
  host?: string;
  port?: number;
  path?: string;
}

/**
 * Enterprise-managed authorization (SEP-990, "cross-app access"): the client exchanges an ID token from the
 * enterprise IdP for an ID-JAG (RFC 8693 token exchange) and presents it to the MCP authorization server with the
 * JWT-bearer grant (RFC 7523 §2.1).
 */
export interface EnterpriseOptions {
  /** The enterprise IdP's token endpoint, or its issuer to discover it. */
  idpTokenEndpoint?: string;
  idpIssuer?: string;
  /** The user's ID token at the IdP. */
  idToken: Secret;
  /** The client's id and secret at the IdP. */
  idpClientId?: string;
  idpClientSecret?: Secret;
}

/**
 * Receives the authorization URL and returns the redirect (callback) URL. The default (browser + loopback
 * listener, paste-back, device code) lives in `auth/interactive`; tests and embedders pass their own.
 */
export interface AuthorizationHandler {
  /** Prepare to receive the redirect: bind a listener, etc. Returns the `redirect_uri` to send. */
  open(options: { signal: AbortSignal; preferredRedirectUri?: string }): Promise<AuthorizationSession>;
}

export interface AuthorizationSession {
  readonly redirectUri: string;
  /**
   * Bring `authorizationUrl` to the user and wait for the redirect whose `state` equals `expectedState`
   * (others are ignored). Resolves with the whole callback URL (including `code`, `state`, `iss`, or `error`).
   */
  waitForCallback(authorizationUrl: URL, expectedState: string, options: { signal: AbortSignal }): Promise<URL>;
  close(): Promise<void>;
}

/** Options of {@link OAuthConfig}. Wire names (`client_id`) appear only in serialized dicts. */
export interface OAuthConfigOptions {
  /** Default `auto`: client credentials when a secret or private key is configured and no redirect or handler is; else authorization code. */
  flow?: OAuthFlow;
  /** A pre-registered client id. Without one: Client ID Metadata Document, else Dynamic Client Registration. */
  clientId?: string;
  clientSecret?: Secret;
  /** PEM (PKCS#8) or JWK private key for `private_key_jwt` (RFC 7523). */
  privateKey?: Secret;
  /** JWS algorithm for `private_key_jwt`. Default: from the key (RS256 for RSA, ES256 for P-256, EdDSA for Ed25519). */
  privateKeyAlg?: string;
  /** Default: chosen from what the server supports and what credentials are configured. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** An https URL at which this client's metadata document is published (CIMD). */
  clientMetadataUrl?: string;
  /** `client_name` for registration. Default `mcptool`. */
  clientName?: string;
  /** Scopes to request. Default: those of the 401 challenge, else all of `scopes_supported`, else none. */
  scopes?: string[];
  /** Override of the RFC 8707 `resource` (default: the canonical server URL). */
  resource?: string;
  /** Weakens security: do not send RFC 8707 `resource`, for servers that reject it. Tokens may then be replayable at other servers. */
  dangerouslyOmitResourceParameter?: boolean;
  /** Weakens security: accept a server that does not advertise `code_challenge_methods_supported` (PKCE S256 is still sent). */
  dangerouslyAllowUnadvertisedPkce?: boolean;
  /** The loopback redirect. Default host 127.0.0.1, port 0, path /callback. */
  redirect?: RedirectOptions;
  /** Default `auto`: a browser and loopback listener where possible, else paste-back. */
  callback?: CallbackMode;
  /** Where tokens are kept. Default: a `FileTokenStore` in `$MCPTOOL_HOME` or the user data dir. */
  tokenStore?: TokenStore;
  /** How the user is sent to the authorization URL. Not serialized. */
  authorizationHandler?: AuthorizationHandler;
  /** How long to wait for the user to finish signing in, in ms. Default 300000. */
  authorizationTimeoutMs?: number;
  /**
   * The time token expiry is judged by, and retry backoff waits on. Default: the system clock. Not serialized;
   * for tests and simulations that move time instead of waiting.
   */
  clock?: Clock;
  /** Timeout of each request to an authorization server, in ms. Default 30000. */
  requestTimeoutMs?: number;
  /** Refresh this many seconds before expiry at most; scaled down for short-lived tokens. Default 60. */
  refreshSkewSeconds?: number;
  /** Step-up attempts per server and operation before `INSUFFICIENT_SCOPE`. Default 2. */
  maxStepUpAttempts?: number;
  /** Enterprise-managed authorization (cross-app access). */
  enterprise?: EnterpriseOptions;
}

const FLOWS: readonly OAuthFlow[] = ['auto', 'authorization_code', 'client_credentials'];
const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
];
const CALLBACKS: readonly CallbackMode[] = ['auto', 'loopback', 'manual', 'device'];

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new InvalidOptionError(field, `must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function optionalSecret(value: unknown, field: string): Secret | undefined {
  if (value === undefined) return undefined;
  if (!Secret.isSecret(value)) {
    throw new InvalidOptionError(field, "must be a Secret (e.g. Secret.fromEnv('NAME')); plain strings are refused");
  }
  return value;
}

/**
 * OAuth 2.1 client configuration for one HTTP MCP server (MCP Authorization, 2025-11-25).
 * Validated once at construction; serializable with secrets as environment references.
 *
 * @example
 * new OAuthConfig({ flow: 'client_credentials', clientId: 'svc', clientSecret: Secret.fromEnv('MCP_CLIENT_SECRET') })
 */
export class OAuthConfig {
  readonly flow: OAuthFlow;
  readonly clientId: string | undefined;
  readonly clientSecret: Secret | undefined;
  readonly privateKey: Secret | undefined;
  readonly privateKeyAlg: string | undefined;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod | undefined;
  readonly clientMetadataUrl: string | undefined;
  readonly clientName: string;
  readonly scopes: readonly string[] | undefined;
  readonly resource: string | undefined;
  readonly dangerouslyOmitResourceParameter: boolean;
  readonly dangerouslyAllowUnadvertisedPkce: boolean;
  readonly redirect: Readonly<Required<RedirectOptions>>;
  readonly callback: CallbackMode;
  readonly tokenStore: TokenStore | undefined;
  readonly authorizationHandler: AuthorizationHandler | undefined;
  readonly clock: Clock | undefined;
  readonly authorizationTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly refreshSkewSeconds: number;
  readonly maxStepUpAttempts: number;
  readonly enterprise: Readonly<EnterpriseOptions> | undefined;

  constructor(options: OAuthConfigOptions = {}) {
    const o = requireObject(options, 'oauth') as OAuthConfigOptions;
    const flow = oneOf(o.flow, FLOWS, 'oauth.flow') ?? 'auto';
    this.clientId = optionalString(o.clientId, 'oauth.clientId');
    this.clientSecret = optionalSecret(o.clientSecret, 'oauth.clientSecret');
    this.privateKey = optionalSecret(o.privateKey, 'oauth.privateKey');
    this.privateKeyAlg = optionalString(o.privateKeyAlg, 'oauth.privateKeyAlg');
    this.tokenEndpointAuthMethod = oneOf(o.tokenEndpointAuthMethod, AUTH_METHODS, 'oauth.tokenEndpointAuthMethod');
    this.clientMetadataUrl = optionalString(o.clientMetadataUrl, 'oauth.clientMetadataUrl');
    if (this.clientMetadataUrl !== undefined) {
      const url = URL.canParse(this.clientMetadataUrl) ? new URL(this.clientMetadataUrl) : undefined;
      if (url?.protocol !== 'https:' || url.pathname === '/') {
        throw new InvalidOptionError(
          'oauth.clientMetadataUrl',
          'must be an https URL with a path (a Client ID Metadata Document URL)',
        );
      }
    }
    this.clientName = optionalString(o.clientName, 'oauth.clientName') ?? 'mcptool';
    if (o.scopes !== undefined) {
      if (!Array.isArray(o.scopes) || !o.scopes.every((s) => typeof s === 'string' && s.length > 0 && !/\s/.test(s))) {
        throw new InvalidOptionError('oauth.scopes', 'must be an array of scope tokens without spaces');
      }
    }
    this.scopes = o.scopes ? Object.freeze([...o.scopes]) : undefined;
    this.resource = optionalString(o.resource, 'oauth.resource');
    this.dangerouslyOmitResourceParameter =
      optionalBoolean(o.dangerouslyOmitResourceParameter, 'oauth.dangerouslyOmitResourceParameter') ?? false;
    this.dangerouslyAllowUnadvertisedPkce =
      optionalBoolean(o.dangerouslyAllowUnadvertisedPkce, 'oauth.dangerouslyAllowUnadvertisedPkce') ?? false;
    const redirect = o.redirect === undefined ? {} : requireObject(o.redirect, 'oauth.redirect');
    const host = optionalString(redirect['host'], 'oauth.redirect.host') ?? '127.0.0.1';
    if (!isLoopbackHost(host)) {
      throw new InvalidOptionError('oauth.redirect.host', `must be a loopback host (127.0.0.1, ::1, localhost)`);
    }
    const port = optionalNonNegativeInteger(redirect['port'], 'oauth.redirect.port') ?? 0;
    if (port > 65535) throw new InvalidOptionError('oauth.redirect.port', 'must be at most 65535');
    const path = optionalString(redirect['path'], 'oauth.redirect.path') ?? '/callback';
    if (!path.startsWith('/')) throw new InvalidOptionError('oauth.redirect.path', 'must start with "/"');
    this.redirect = Object.freeze({ host, port, path });
    this.callback = oneOf(o.callback, CALLBACKS, 'oauth.callback') ?? 'auto';
    if (o.tokenStore !== undefined) {
      const s = o.tokenStore as Partial<TokenStore>;
      if (typeof s?.get !== 'function' || typeof s.set !== 'function' || typeof s.lock !== 'function') {
        throw new InvalidOptionError('oauth.tokenStore', 'must be a TokenStore (get, set, delete, list, lock, toDict)');
      }
    }
    this.tokenStore = o.tokenStore;
    if (o.authorizationHandler !== undefined && typeof o.authorizationHandler?.open !== 'function') {
      throw new InvalidOptionError('oauth.authorizationHandler', 'must have an open() method');
    }
    this.authorizationHandler = o.authorizationHandler;
    this.clock = o.clock;
    this.authorizationTimeoutMs =
      optionalPositiveNumber(o.authorizationTimeoutMs, 'oauth.authorizationTimeoutMs') ?? 300_000;
    this.requestTimeoutMs = optionalPositiveNumber(o.requestTimeoutMs, 'oauth.requestTimeoutMs') ?? 30_000;
    this.refreshSkewSeconds = optionalNonNegativeInteger(o.refreshSkewSeconds, 'oauth.refreshSkewSeconds') ?? 60;
    this.maxStepUpAttempts = optionalNonNegativeInteger(o.maxStepUpAttempts, 'oauth.maxStepUpAttempts') ?? 2;
    if (o.enterprise !== undefined) {
      const e = requireObject(o.enterprise, 'oauth.enterprise');
      const idToken = optionalSecret(e['idToken'], 'oauth.enterprise.idToken');
      if (!idToken) throw new InvalidOptionError('oauth.enterprise.idToken', 'is required (a Secret)');
      const idpTokenEndpoint = optionalString(e['idpTokenEndpoint'], 'oauth.enterprise.idpTokenEndpoint');
      const idpIssuer = optionalString(e['idpIssuer'], 'oauth.enterprise.idpIssuer');
      if (!idpTokenEndpoint && !idpIssuer) {
        throw new InvalidOptionError('oauth.enterprise', 'needs idpTokenEndpoint or idpIssuer');
      }
      const idpClientId = optionalString(e['idpClientId'], 'oauth.enterprise.idpClientId');
      const idpClientSecret = optionalSecret(e['idpClientSecret'], 'oauth.enterprise.idpClientSecret');
      this.enterprise = Object.freeze({
        idToken,
        ...(idpTokenEndpoint !== undefined && { idpTokenEndpoint }),
        ...(idpIssuer !== undefined && { idpIssuer }),
        ...(idpClientId !== undefined && { idpClientId }),
        ...(idpClientSecret !== undefined && { idpClientSecret }),
      });
    } else {
      this.enterprise = undefined;
    }

    const hasCredential = this.clientSecret !== undefined || this.privateKey !== undefined;
    if (flow === 'client_credentials') {
      if (!this.clientId) {
        throw new InvalidOptionError('oauth.clientId', 'is required for the client_credentials flow');
      }
      if (!hasCredential) {
        throw new InvalidOptionError(
          'oauth.clientSecret',
          'the client_credentials flow needs clientSecret or privateKey (as a Secret)',
        );
      }
    }
    this.flow = flow;
  }

  /**
   * The flow actually used. `auto` resolves to client credentials when a client secret or private key is
   * configured and neither a redirect nor an authorization handler is; otherwise to authorization code.
   */
  get resolvedFlow(): 'authorization_code' | 'client_credentials' {
    if (this.flow !== 'auto') return this.flow;
    const hasCredential = this.clientSecret !== undefined || this.privateKey !== undefined;
    const wantsRedirect = this.authorizationHandler !== undefined || this.redirect.port !== 0;
    return hasCredential && this.clientId !== undefined && !wantsRedirect ? 'client_credentials' : 'authorization_code';
  }

  /** The options this configuration was built from (every default made explicit). */
  toOptions(): OAuthConfigOptions {
    const o: OAuthConfigOptions = {
      flow: this.flow,
      clientName: this.clientName,
      redirect: { ...this.redirect },
      callback: this.callback,
      authorizationTimeoutMs: this.authorizationTimeoutMs,
      requestTimeoutMs: this.requestTimeoutMs,
      refreshSkewSeconds: this.refreshSkewSeconds,
      maxStepUpAttempts: this.maxStepUpAttempts,
      dangerouslyOmitResourceParameter: this.dangerouslyOmitResourceParameter,
      dangerouslyAllowUnadvertisedPkce: this.dangerouslyAllowUnadvertisedPkce,
    };
    const optional: { [K in keyof OAuthConfigOptions]: OAuthConfigOptions[K] | undefined } = {
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      privateKey: this.privateKey,
      privateKeyAlg: this.privateKeyAlg,
      tokenEndpointAuthMethod: this.tokenEndpointAuthMethod,
      clientMetadataUrl: this.clientMetadataUrl,
      scopes: this.scopes ? [...this.scopes] : undefined,
      resource: this.resource,
      tokenStore: this.tokenStore,
      authorizationHandler: this.authorizationHandler,
      clock: this.clock,
      enterprise: this.enterprise ? { ...this.enterprise } : undefined,
    };
    for (const [key, value] of Object.entries(optional)) {
      if (value !== undefined) (o as Record<string, unknown>)[key] = value;
    }
    return o;
  }

  /** A copy with some options replaced (validated like a new configuration). */
  with(overrides: OAuthConfigOptions): OAuthConfig {
    return new OAuthConfig({ ...this.toOptions(), ...overrides });
  }

  /** Serialize: secrets as environment references, the token store by reference; the handler is omitted. */
  toDict(): SerializedObject {
    const d: SerializedObject = { type: TYPE, flow: this.flow };
    const put = (key: string, value: JsonValue | undefined) => {
      if (value !== undefined) d[key] = value;
    };
    put('client_id', this.clientId);
    put('client_secret', this.clientSecret?.toDict());
    put('private_key', this.privateKey?.toDict());
    put('private_key_alg', this.privateKeyAlg);
    put('token_endpoint_auth_method', this.tokenEndpointAuthMethod);
    put('client_metadata_url', this.clientMetadataUrl);
    put('client_name', this.clientName);
    put('scopes', this.scopes ? [...this.scopes] : undefined);
    put('resource', this.resource);
    if (this.dangerouslyOmitResourceParameter) d['dangerously_omit_resource_parameter'] = true;
    if (this.dangerouslyAllowUnadvertisedPkce) d['dangerously_allow_unadvertised_pkce'] = true;
    d['redirect'] = { ...this.redirect };
    d['callback'] = this.callback;
    put('token_store', this.tokenStore?.toDict());
    d['authorization_timeout_ms'] = this.authorizationTimeoutMs;
    d['request_timeout_ms'] = this.requestTimeoutMs;
    d['refresh_skew_seconds'] = this.refreshSkewSeconds;
    d['max_step_up_attempts'] = this.maxStepUpAttempts;
    if (this.enterprise) {
      const e = this.enterprise;
      const ed: { [k: string]: JsonValue } = { id_token: e.idToken.toDict() };
      if (e.idpTokenEndpoint) ed['idp_token_endpoint'] = e.idpTokenEndpoint;
      if (e.idpIssuer) ed['idp_issuer'] = e.idpIssuer;
      if (e.idpClientId) ed['idp_client_id'] = e.idpClientId;
      if (e.idpClientSecret) ed['idp_client_secret'] = e.idpClientSecret.toDict();
      d['enterprise'] = ed;
    }
    return d;
  }

  static fromDict(dict: unknown): OAuthConfig {
    const d = asDict(dict, 'OAuthConfig', TYPE);
    const secret = (v: unknown) => (v === undefined ? undefined : Secret.fromDict(v));
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const options: OAuthConfigOptions = {};
    const set = <K extends keyof OAuthConfigOptions>(key: K, value: OAuthConfigOptions[K] | undefined) => {
      if (value !== undefined) options[key] = value;
    };
    set('flow', str(d['flow']) as OAuthFlow | undefined);
    set('clientId', str(d['client_id']));
    set('clientSecret', secret(d['client_secret']));
    set('privateKey', secret(d['private_key']));
    set('privateKeyAlg', str(d['private_key_alg']));
    set('tokenEndpointAuthMethod', str(d['token_endpoint_auth_method']) as TokenEndpointAuthMethod | undefined);
    set('clientMetadataUrl', str(d['client_metadata_url']));
    set('clientName', str(d['client_name']));
    set('scopes', Array.isArray(d['scopes']) ? (d['scopes'] as string[]) : undefined);
    set('resource', str(d['resource']));
    if (d['dangerously_omit_resource_parameter'] === true) options.dangerouslyOmitResourceParameter = true;
    if (d['dangerously_allow_unadvertised_pkce'] === true) options.dangerouslyAllowUnadvertisedPkce = true;
    set('redirect', d['redirect'] as RedirectOptions | undefined);
    set('callback', str(d['callback']) as CallbackMode | undefined);
    if (d['token_store'] !== undefined) options.tokenStore = deserialize<TokenStore>(d['token_store']);
    set('authorizationTimeoutMs', num(d['authorization_timeout_ms']));
    set('requestTimeoutMs', num(d['request_timeout_ms']));
    set('refreshSkewSeconds', num(d['refresh_skew_seconds']));
    set('maxStepUpAttempts', num(d['max_step_up_attempts']));
    const e = d['enterprise'] as Record<string, unknown> | undefined;
    if (e) {
      const enterprise: EnterpriseOptions = { idToken: Secret.fromDict(e['id_token']) };
      if (typeof e['idp_token_endpoint'] === 'string') enterprise.idpTokenEndpoint = e['idp_token_endpoint'];
      if (typeof e['idp_issuer'] === 'string') enterprise.idpIssuer = e['idp_issuer'];
      if (typeof e['idp_client_id'] === 'string') enterprise.idpClientId = e['idp_client_id'];
      if (e['idp_client_secret'] !== undefined) enterprise.idpClientSecret = Secret.fromDict(e['idp_client_secret']);
      options.enterprise = enterprise;
    }
    return new OAuthConfig(options);
  }
}

registerSerializable(TYPE, (d) => OAuthConfig.fromDict(d));
