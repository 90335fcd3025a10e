import type { Clock } from '../core/clock.ts';
import { InvalidOptionError } from '../core/errors.ts';
import {
  type CompactValuesOf,
  customKind,
  defaulted,
  flagKind,
  type Kind,
  nestedKind,
  nonNegativeIntegerKind,
  type OptionsOf,
  oneOfKind,
  optional,
  optionsClass,
  optionsFromDict,
  parseOptions,
  positiveNumberKind,
  required,
  secretKind,
  stringKind,
  valuesToDict,
  valuesToOptions,
} from '../core/options.ts';
import { asDict, deserialize, registerSerializable, type SerializedObject } from '../core/serialization.ts';
import { isLoopbackHost } from '../core/url.ts';
import type { TokenStore } from './store/types.ts';

const TYPE = 'mcptool.OAuthConfig';

/** Which OAuth grant the client uses. `auto` decides once, at construction (see {@link OAuthConfig.resolvedFlow}). */
export type OAuthFlow = 'auto' | 'authorization_code' | 'client_credentials';

/** Client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2 for `private_key_jwt`). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** How the authorization response reaches the client in the authorization-code flow. */
export type CallbackMode = 'auto' | 'loopback' | 'manual' | 'device';

/** A string that also satisfies `rule` (returns why it is refused, or nothing). */
function stringWhere(rule: (value: string) => string | undefined): Kind<string, string> {
  return {
    parse(value, field) {
      const s = stringKind.parse(value, field);
      const reason = rule(s);
      if (reason !== undefined) throw new InvalidOptionError(field, reason);
      return s;
    },
  };
}

const portKind: Kind<number, number> = {
  parse(value, field) {
    const port = nonNegativeIntegerKind.parse(value, field);
    if (port > 65535) throw new InvalidOptionError(field, 'must be at most 65535');
    return port;
  },
};

/** The loopback redirect (RFC 8252 §7.3): where the callback listener binds. */
const REDIRECT_OPTIONS = {
  /** A loopback host. Default `127.0.0.1`. */
  host: defaulted(
    'host',
    stringWhere((h) => (isLoopbackHost(h) ? undefined : 'must be a loopback host (127.0.0.1, ::1, localhost)')),
    '127.0.0.1',
  ),
  /** The port; 0 (default) binds any free port. */
  port: defaulted('port', portKind, 0),
  /** The callback path. Default `/callback`. */
  path: defaulted(
    'path',
    stringWhere((p) => (p.startsWith('/') ? undefined : 'must start with "/"')),
    '/callback',
  ),
};

/** Where the loopback callback listens (RFC 8252 §7.3). Port 0 (default) binds any free port. */
export type RedirectOptions = OptionsOf<typeof REDIRECT_OPTIONS>;

/**
 * Enterprise-managed authorization (SEP-990, "cross-app access"): the client exchanges an ID token from the
 * enterprise IdP for an ID-JAG (RFC 8693 token exchange) and presents it to the MCP authorization server with the
 * JWT-bearer grant (RFC 7523 §2.1).
 */
const ENTERPRISE_OPTIONS = {
  /** The user's ID token at the IdP. */
  idToken: required('id_token', secretKind),
  /** The enterprise IdP's token endpoint (or give its issuer, to discover it). */
  idpTokenEndpoint: optional('idp_token_endpoint', stringKind),
  /** The enterprise IdP's issuer. */
  idpIssuer: optional('idp_issuer', stringKind),
  /** The client's id at the IdP. */
  idpClientId: optional('idp_client_id', stringKind),
  /** The client's secret at the IdP. */
  idpClientSecret: optional('idp_client_secret', secretKind),
};

/** Options of enterprise-managed authorization (SEP-990, cross-app access); see {@link OAuthConfigOptions.enterprise}. */
export type EnterpriseOptions = OptionsOf<typeof ENTERPRISE_OPTIONS>;

/**
 * Receives the authorization URL and returns the redirect (callback) URL. The default (browser + loopback
 * listener, paste-back, device code) lives in `auth/interactive`; tests and embedders pass their own.
 */
export interface AuthorizationHandler {
  /** Prepare to receive the redirect: bind a listener, etc. Returns the `redirect_uri` to send. */
  open(options: { signal: AbortSignal; preferredRedirectUri?: string }): Promise<AuthorizationSession>;
}

/**
 * One prepared authorization attempt, as returned by {@link AuthorizationHandler.open}: it knows where the redirect
 * will arrive and waits for it.
 */
export interface AuthorizationSession {
  /** The `redirect_uri` to send in the authorization request (RFC 6749 §3.1.2). */
  readonly redirectUri: string;
  /**
   * Bring `authorizationUrl` to the user and wait for the redirect whose `state` equals `expectedState`
   * (others are ignored). Resolves with the whole callback URL (including `code`, `state`, `iss`, or `error`).
   */
  waitForCallback(authorizationUrl: URL, expectedState: string, options: { signal: AbortSignal }): Promise<URL>;
  /**
   * Release what the session holds (for example, the loopback listener).
   * @returns A promise that resolves once the session is closed.
   */
  close(): Promise<void>;
}

const FLOWS: readonly OAuthFlow[] = ['auto', 'authorization_code', 'client_credentials'];
const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
];
const CALLBACKS: readonly CallbackMode[] = ['auto', 'loopback', 'manual', 'device'];

/** Scope tokens (RFC 6749 §3.3: no spaces). */
const scopesKind: Kind<string[], readonly string[]> = {
  parse(value, field) {
    if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && s.length > 0 && !/\s/.test(s))) {
      throw new InvalidOptionError(field, 'must be an array of scope tokens without spaces');
    }
    return Object.freeze([...(value as string[])]);
  },
  toWire: (scopes) => [...scopes],
};

const tokenStoreKind = customKind<TokenStore>(
  (v) => {
    const s = v as Partial<TokenStore> | null;
    return typeof s?.get !== 'function' || typeof s.set !== 'function' || typeof s.lock !== 'function'
      ? 'must be a TokenStore (get, set, delete, list, lock, toDict)'
      : undefined;
  },
  { toWire: (store) => store.toDict(), fromWire: (dict) => deserialize<TokenStore>(dict) },
);

/**
 * The options of {@link OAuthConfig}, each declared once: its validation, its default and its dict key (the
 * snake_case wire name, which appears only in serialized dicts). Options with key `false` are not serialized.
 */
const OAUTH_OPTIONS = {
  /** Default `auto`: client credentials when a secret or private key is configured and no redirect or handler is; else authorization code. */
  flow: defaulted('flow', oneOfKind(FLOWS), 'auto'),
  /** A pre-registered client id. Without one: Client ID Metadata Document, else Dynamic Client Registration. */
  clientId: optional('client_id', stringKind),
  /** The client secret of a confidential client, as a `Secret`. */
  clientSecret: optional('client_secret', secretKind),
  /** PEM (PKCS#8) or JWK private key for `private_key_jwt` (RFC 7523). */
  privateKey: optional('private_key', secretKind),
  /** JWS algorithm for `private_key_jwt`. Default: from the key (RS256 for RSA, ES256 for P-256, EdDSA for Ed25519). */
  privateKeyAlg: optional('private_key_alg', stringKind),
  /** Default: chosen from what the server supports and what credentials are configured. */
  tokenEndpointAuthMethod: optional('token_endpoint_auth_method', oneOfKind(AUTH_METHODS)),
  /** An https URL at which this client's metadata document is published (CIMD). */
  clientMetadataUrl: optional(
    'client_metadata_url',
    stringWhere((value) => {
      const url = URL.canParse(value) ? new URL(value) : undefined;
      return url?.protocol !== 'https:' || url.pathname === '/'
        ? 'must be an https URL with a path (a Client ID Metadata Document URL)'
        : undefined;
    }),
  ),
  /** `client_name` for registration. Default `mcptool`. */
  clientName: defaulted('client_name', stringKind, 'mcptool'),
  /** Scopes to request. Default: those of the 401 challenge, else all of `scopes_supported`, else none. */
  scopes: optional('scopes', scopesKind),
  /** Override of the RFC 8707 `resource` (default: the canonical server URL). */
  resource: optional('resource', stringKind),
  /** Weakens security: do not send RFC 8707 `resource`, for servers that reject it. Tokens may then be replayable at other servers. */
  dangerouslyOmitResourceParameter: defaulted('dangerously_omit_resource_parameter', flagKind, false),
  /** Weakens security: accept a server that does not advertise `code_challenge_methods_supported` (PKCE S256 is still sent). */
  dangerouslyAllowUnadvertisedPkce: defaulted('dangerously_allow_unadvertised_pkce', flagKind, false),
  /** The loopback redirect. Default host 127.0.0.1, port 0, path /callback. */
  redirect: defaulted('redirect', nestedKind(REDIRECT_OPTIONS), parseRedirect({})),
  /** Default `auto`: a browser and loopback listener where possible, else paste-back. */
  callback: defaulted('callback', oneOfKind(CALLBACKS), 'auto'),
  /** Where tokens are kept (serialized by reference). Default: a `FileTokenStore` in `$MCPTOOL_HOME` or the user data dir. */
  tokenStore: optional('token_store', tokenStoreKind),
  /** How the user is sent to the authorization URL. Not serialized. */
  authorizationHandler: optional(
    false,
    customKind<AuthorizationHandler>((v) =>
      typeof (v as Partial<AuthorizationHandler> | null)?.open === 'function'
        ? undefined
        : 'must have an open() method',
    ),
  ),
  /**
   * The time token expiry is judged by, and retry backoff waits on. Default: the system clock. Not serialized;
   * for tests and simulations that move time instead of waiting.
   */
  clock: optional(
    false,
    customKind<Clock>(() => undefined),
  ),
  /** How long to wait for the user to finish signing in, in ms. Default 300000. */
  authorizationTimeoutMs: defaulted('authorization_timeout_ms', positiveNumberKind, 300_000),
  /** Timeout of each request to an authorization server, in ms. Default 30000. */
  requestTimeoutMs: defaulted('request_timeout_ms', positiveNumberKind, 30_000),
  /** Refresh this many seconds before expiry at most; scaled down for short-lived tokens. Default 60. */
  refreshSkewSeconds: defaulted('refresh_skew_seconds', nonNegativeIntegerKind, 60),
  /** Step-up attempts per server and operation before `INSUFFICIENT_SCOPE`. Default 2. */
  maxStepUpAttempts: defaulted('max_step_up_attempts', nonNegativeIntegerKind, 2),
  /** Enterprise-managed authorization (cross-app access). */
  enterprise: optional(
    'enterprise',
    nestedKind(ENTERPRISE_OPTIONS, (e, field) => {
      if (!e.idpTokenEndpoint && !e.idpIssuer)
        throw new InvalidOptionError(field, 'needs idpTokenEndpoint or idpIssuer');
    }),
  ),
};

function parseRedirect(options: RedirectOptions): CompactValuesOf<typeof REDIRECT_OPTIONS> {
  return nestedKind(REDIRECT_OPTIONS).parse(options, 'oauth.redirect');
}

/** Options of {@link OAuthConfig}. Wire names (`client_id`) appear only in serialized dicts. */
export interface OAuthConfigOptions extends OptionsOf<typeof OAUTH_OPTIONS> {}

/**
 * OAuth 2.1 client configuration for one HTTP MCP server (MCP Authorization, 2025-11-25).
 * Validated once at construction; serializable with secrets as environment references. Each option is a read-only
 * field of the same name, its default applied.
 *
 * @example
 * new OAuthConfig({ flow: 'client_credentials', clientId: 'svc', clientSecret: Secret.fromEnv('MCP_CLIENT_SECRET') })
 */
export class OAuthConfig extends optionsClass(OAUTH_OPTIONS) {
  constructor(options: OAuthConfigOptions = {}) {
    const values = parseOptions(OAUTH_OPTIONS, options, 'oauth');
    if (values.flow === 'client_credentials') {
      if (!values.clientId) {
        throw new InvalidOptionError('oauth.clientId', 'is required for the client_credentials flow');
      }
      if (values.clientSecret === undefined && values.privateKey === undefined) {
        throw new InvalidOptionError(
          'oauth.clientSecret',
          'the client_credentials flow needs clientSecret or privateKey (as a Secret)',
        );
      }
    }
    super(values);
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
    return valuesToOptions(OAUTH_OPTIONS, this);
  }

  /** A copy with some options replaced (validated like a new configuration). */
  with(overrides: OAuthConfigOptions): OAuthConfig {
    return new OAuthConfig({ ...this.toOptions(), ...overrides });
  }

  /** Serialize: secrets as environment references, the token store by reference; the handler and clock are omitted. */
  toDict(): SerializedObject {
    return { type: TYPE, ...valuesToDict(OAUTH_OPTIONS, this, 'oauth') };
  }

  /** Rebuild a configuration from a dict of {@link OAuthConfig.toDict} (validated like a new configuration). */
  static fromDict(dict: unknown): OAuthConfig {
    return new OAuthConfig(optionsFromDict(OAUTH_OPTIONS, asDict(dict, 'OAuthConfig', TYPE), 'oauth'));
  }
}

registerSerializable(TYPE, (d) => OAuthConfig.fromDict(d));
