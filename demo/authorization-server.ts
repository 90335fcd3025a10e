/**
 * A real OAuth 2.1 authorization server for tests and the demo: `oidc-provider` 9 on 127.0.0.1, configured the
 * way an MCP authorization server is expected to behave (MCP Authorization 2025-11-25 §2-4): RFC 8414 / OpenID
 * discovery, open Dynamic Client Registration (RFC 7591), authorization code with PKCE S256 required
 * (RFC 7636, OAuth 2.1 §4.1), RFC 9207 `iss` in authorization responses, resource indicators (RFC 8707) with
 * JWT access tokens (RFC 9068) whose `aud` is the MCP server, client credentials with client_secret_basic /
 * client_secret_post / private_key_jwt (RFC 6749 §2.3.1, RFC 7523), rotating refresh tokens with reuse
 * detection, revocation (RFC 7009) and the device authorization grant (RFC 8628).
 *
 * `oidc-provider` is a devDependency, typed by `@types/oidc-provider`; the demo runs from a clone only.
 */
import { generateKeyPair } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import Provider, {
  type AccessToken,
  type Client,
  type ClientCredentials,
  type Configuration,
  type Interaction,
  type KoaContextWithOIDC,
  errors as oidcErrors,
} from 'oidc-provider';
import { type Clock, systemClock } from '../src/core/clock.ts';
import type { Logger } from '../src/core/logger.ts';
import { silentLogger } from '../src/core/logger.ts';
import { consentPage, deviceConfirmPage, deviceInputPage, messagePage } from './html-pages.ts';
import {
  DemoServerError,
  type LoopbackServer,
  listenLoopback,
  readBody,
  redirect,
  sendHtml,
  sendJson,
} from './http-server.ts';
import { createMemoryStorage } from './oidc-memory-adapter.ts';

/**
 * How the login/consent interaction is completed:
 * - `'auto-approve'`: at once, as the fixed test user, granting every requested scope and resource; a client
 *   that follows the redirects of the authorization URL with plain HTTP requests (no cookie jar needed) lands
 *   on its `redirect_uri` with `code`, `state` and `iss`. Visiting the device flow's
 *   `verification_uri_complete` approves that device code.
 * - `'consent'`: a one-page HTML consent screen with an Approve and a Deny button (for people and browsers).
 * - `'deny'`: at once, as if the user clicked Deny: the client receives `error=access_denied`.
 */
export type InteractionMode = 'auto-approve' | 'consent' | 'deny';

/** Which RFC 8414 / OpenID Connect discovery documents are served (to test a client's fallbacks). */
export type DiscoveryDocument =
  /** `/.well-known/oauth-authorization-server{path}` (RFC 8414 §3.1). */
  | 'oauth'
  /** `/.well-known/openid-configuration{path}` (path inserted, the MCP specification's second choice). */
  | 'openid-inserted'
  /** `{path}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4). */
  | 'openid-appended';

/** Client metadata in `oidc-provider`'s (that is, RFC 7591's) format, e.g. `{ client_id, client_secret, ... }`. */
export type ClientMetadata = Record<string, unknown> & { client_id: string };

/** Options of {@link startAuthorizationServer}. Every field is optional. */
export interface AuthorizationServerOptions {
  /** Port to listen on, on 127.0.0.1. Default 0 (a free port). */
  port?: number;
  /** Path of the issuer identifier, e.g. `'/tenant-a'` gives `http://127.0.0.1:PORT/tenant-a`. Default `''`. */
  issuerPath?: string;
  /** How interactions complete (see {@link InteractionMode}). Default `'auto-approve'`; changeable later. */
  mode?: InteractionMode;
  /** Scopes the MCP resources accept; published in `scopes_supported`. Default `['mcp:tools', 'mcp:admin']`. */
  scopes?: string[];
  /** Lifetime of access tokens (authorization code, refresh, device and client credentials), in seconds. Default 3600. */
  accessTokenTTL?: number;
  /**
   * The time JWT access tokens are issued at (`iat`, `exp`) and judged by (`isAccessTokenActive`). Tests share one
   * adjustable clock between the client and the servers to expire tokens without waiting. Default: the system clock.
   */
  clock?: Clock;
  /** Lifetime of refresh tokens, in seconds. Default 14 days. */
  refreshTokenTTL?: number;
  /** Issue a new refresh token on every refresh and consume the old one. Default true. */
  rotateRefreshTokens?: boolean;
  /**
   * Pre-registered clients (RFC 7591 metadata as `oidc-provider` takes it). A `scope` in a pre-registered
   * client's metadata limits the resource scopes it can be granted.
   */
  clients?: ClientMetadata[];
  /** Open Dynamic Client Registration (no initial access token). Default true. */
  registration?: boolean;
  /**
   * Whether the `scope` a client sends at dynamic registration limits what it can ask for later (RFC 7591 §2).
   * Default false: the registered `scope` is dropped, so a client that registered with the scope of the first
   * challenge can still step up. (Pre-registered clients are always limited by their `scope`.)
   */
  enforceRegisteredScope?: boolean;
  /** The device authorization grant (RFC 8628). Default true. */
  deviceFlow?: boolean;
  /**
   * Which `resource` values (RFC 8707) are accepted. Default: any absolute http(s) URL without a fragment
   * (the MCP server is usually started after this server, on a port not known yet).
   */
  acceptResource?: (resource: string) => boolean;
  /** The resource used when a request names none (a client that opted out of RFC 8707). Default: none. */
  defaultResource?: string | (() => string | undefined);
  /** The `sub` of the test user. Default `'test-user'`. */
  accountId?: string;
  /** Discovery documents served. Default: all three. */
  discovery?: DiscoveryDocument[];
  /** Where server-side errors of the provider are reported. Default: silent. */
  logger?: Logger;
}

/** One request the authorization server answered (no query string: it may hold codes). */
export interface RequestRecord {
  method: string;
  path: string;
  /** The endpoint (see {@link AuthorizationServerStats.endpoints}). */
  endpoint: string;
  /** For the token endpoint: the `grant_type`. */
  grantType?: string;
  status: number;
}

/** Request counters of the authorization server, for assertions like "exactly one refresh request". */
export interface AuthorizationServerStats {
  /**
   * Requests per endpoint: `discovery` (any metadata document), `jwks`, `authorization`, `interaction`,
   * `resume`, `token`, `registration`, `revocation`, `introspection`, `device_authorization`,
   * `code_verification`, `device_resume`, `userinfo`, `unmatched`.
   */
  readonly endpoints: Record<string, number>;
  /** Token requests per `grant_type` (`authorization_code`, `refresh_token`, `client_credentials`, ...). */
  readonly grants: Record<string, number>;
  /** Token requests per `grant_type` that were answered with an error. */
  readonly grantErrors: Record<string, number>;
  /** Every request, in order. */
  readonly requests: RequestRecord[];
  /** Total requests counted. */
  readonly total: number;
  /** Set every counter back to zero. */
  reset(): void;
}

/** A running authorization server (see {@link startAuthorizationServer}). */
export interface AuthorizationServer {
  /** The issuer identifier, `http://127.0.0.1:PORT` plus the optional path. */
  readonly issuer: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Endpoint URLs, as published in the metadata. */
  readonly endpoints: {
    readonly authorization: string;
    readonly token: string;
    readonly registration: string;
    readonly revocation: string;
    readonly jwks: string;
    readonly deviceAuthorization: string;
    readonly introspection: string;
    /** The RFC 8414 metadata URL (`/.well-known/oauth-authorization-server{path}`). */
    readonly metadata: string;
  };
  /** The interaction mode; may be changed between flows. */
  mode: InteractionMode;
  /** Request counters. */
  readonly stats: AuthorizationServerStats;
  /** The `sub` of the test user. */
  readonly accountId: string;
  /** The `oidc-provider` instance, for tests that need more . */
  readonly provider: Provider;
  /** Approve a pending device authorization (RFC 8628 §3.3) by its user code, as the test user. */
  approveDevice(userCode: string): Promise<void>;
  /** Deny a pending device authorization by its user code (the client then gets `access_denied`). */
  denyDevice(userCode: string): Promise<void>;
  /**
   * Revoke one token server-side: a refresh token revokes its whole grant (every token issued from it); an
   * access token (JWT or opaque, from any grant) is removed. Resolves with whether anything was found.
   */
  revokeToken(token: string): Promise<boolean>;
  /** Revoke every grant of every user and every client-credentials token. Resolves with how many entries went. */
  revokeAll(): Promise<number>;
  /**
   * Whether an access token is still active (issued here, not expired, not revoked): what an RFC 7662
   * introspection would say. Give the token or its decoded claims (`jti` is used). A protected resource
   * that verifies JWTs locally can call this to notice a revocation mid-session.
   */
  isAccessTokenActive(tokenOrClaims: string | { jti?: unknown }): boolean;
  /** Stop the server and close its connections. */
  close(): Promise<void>;
  /**
   * Stop listening and drop every connection for `downMs`, then listen again on the same port with the same state
   * and keys: a restart of a server whose state lives in a database (fault-injection tests and the soak).
   */
  restart(downMs: number): Promise<void>;
}

const OIDC_SCOPES = ['openid', 'offline_access'];
const TOKEN_MODELS = ['AccessToken', 'ClientCredentials', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'Grant'];

function defaultAcceptResource(resource: string): boolean {
  const url = URL.parse(resource);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && !resource.includes('#');
}

function splitScope(scope: unknown): string[] {
  return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function jtiOf(tokenOrClaims: string | { jti?: unknown }): string | undefined {
  if (typeof tokenOrClaims !== 'string') return typeof tokenOrClaims.jti === 'string' ? tokenOrClaims.jti : undefined;
  const parts = tokenOrClaims.split('.');
  if (parts.length !== 3) return tokenOrClaims;
  try {
    const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as { jti?: unknown };
    return typeof payload.jti === 'string' ? payload.jti : undefined;
  } catch {
    return undefined;
  }
}

/** Copy of `value` for the stats counters object (plain objects compare well with `deepEqual`). */
function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

function createStats(): AuthorizationServerStats & { record(entry: RequestRecord, error: boolean): void } {
  const endpoints: Record<string, number> = {};
  const grants: Record<string, number> = {};
  const grantErrors: Record<string, number> = {};
  const requests: RequestRecord[] = [];
  return {
    endpoints,
    grants,
    grantErrors,
    requests,
    get total() {
      return requests.length;
    },
    reset() {
      for (const r of [endpoints, grants, grantErrors]) for (const k of Object.keys(r)) delete r[k];
      requests.length = 0;
    },
    record(entry, error) {
      requests.push(entry);
      bump(endpoints, entry.endpoint);
      if (entry.grantType !== undefined) {
        bump(grants, entry.grantType);
        if (error) bump(grantErrors, entry.grantType);
      }
    },
  };
}

/**
 * Start an `oidc-provider` 9 authorization server on 127.0.0.1 (port 0 by default) over http.
 *
 * What it offers, and what a client can rely on:
 * - Metadata at the RFC 8414 and OpenID Connect locations (see {@link DiscoveryDocument}), with
 *   `code_challenge_methods_supported: ['S256']`, `authorization_response_iss_parameter_supported: true`,
 *   `scopes_supported` (`openid`, `offline_access` and the configured scopes), registration, revocation,
 *   introspection and device authorization endpoints.
 * - Open DCR. Native clients (`application_type: 'native'`) may register `http://127.0.0.1:PORT/...` (or
 *   `localhost`, `[::1]`) redirect URIs, and `oidc-provider` accepts such a redirect URI with any other port at
 *   authorization time (RFC 8252 §7.3) without configuration; web clients must match exactly.
 * - PKCE S256 is required for every authorization request.
 * - `resource` (RFC 8707) on authorization, token, refresh, device and client-credentials requests; the
 *   access token is then a JWT (`typ: at+jwt`, RS256) with `aud` = the resource and `scope` = the granted
 *   resource scopes. When the token request omits `resource`, the granted one is used.
 * - Every authorization-code or device grant of a client allowed the `refresh_token` grant type gets a
 *   refresh token (no `offline_access` or `prompt=consent` needed). With rotation (the default) each refresh
 *   consumes the old refresh token; presenting a consumed one is answered `invalid_grant` and revokes the
 *   whole grant (the current refresh token included).
 *
 * @example
 * ```ts
 * const as = await startAuthorizationServer({ accessTokenTTL: 3 });
 * const mcp = await startProtectedMcpServer({ issuer: as.issuer });
 * // ... run a client against mcp.url ...
 * assert.equal(as.stats.grants.refresh_token, 1);
 * await Promise.all([mcp.close(), as.close()]);
 * ```
 */
export async function startAuthorizationServer(options: AuthorizationServerOptions = {}): Promise<AuthorizationServer> {
  const logger = options.logger ?? silentLogger;
  const issuerPath = (options.issuerPath ?? '').replace(/\/+$/, '');
  if (issuerPath !== '' && !/^\/[\w\-./~]*$/.test(issuerPath)) {
    throw new DemoServerError('issuerPath must start with "/" and hold only URL path characters');
  }
  const scopes = options.scopes ?? ['mcp:tools', 'mcp:admin'];
  const accessTokenTTL = options.accessTokenTTL ?? 3600;
  const clock = options.clock ?? systemClock;
  const nowSeconds = () => Math.floor(clock.now() / 1000);
  const refreshTokenTTL = options.refreshTokenTTL ?? 14 * 24 * 3600;
  const accountId = options.accountId ?? 'test-user';
  const acceptResource = options.acceptResource ?? defaultAcceptResource;
  const documents = new Set<DiscoveryDocument>(options.discovery ?? ['oauth', 'openid-inserted', 'openid-appended']);
  const staticClients = new Map((options.clients ?? []).map((c) => [c.client_id, c]));
  const defaultResource = () =>
    typeof options.defaultResource === 'function' ? options.defaultResource() : options.defaultResource;

  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'demo-rs256', alg: 'RS256', use: 'sig' };
  const storage = createMemoryStorage();
  const stats = createStats();
  let mode: InteractionMode = options.mode ?? 'auto-approve';

  // The listener exists before the provider because the issuer needs the bound port.
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    res.writeHead(503);
    res.end();
  };
  const server: LoopbackServer = await listenLoopback((req, res) => handler(req, res), options.port ?? 0);
  const issuer = `${server.origin}${issuerPath}`;

  const resourceScopesFor = (clientId: string | undefined): string[] => {
    const allowed = clientId ? staticClients.get(clientId)?.scope : undefined;
    if (typeof allowed !== 'string') return scopes;
    const set = new Set(splitScope(allowed));
    return scopes.filter((s) => set.has(s));
  };

  const configuration: Configuration = {
    adapter: storage.factory,
    jwks: { keys: [signingKey] },
    clients: options.clients ?? [],
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, name: 'Test User' }),
    }),
    scopes: [...OIDC_SCOPES, ...scopes],
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: options.rotateRefreshTokens ?? true,
    expiresWithSession: async () => false,
    allowOmittingSingleRegisteredRedirectUri: false,
    conformIdTokenClaims: false,
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTTL,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTTL,
      AuthorizationCode: 60,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
      IdToken: 3600,
      RefreshToken: refreshTokenTTL,
      Interaction: 600,
      Session: 24 * 3600,
      Grant: refreshTokenTTL,
    },
    interactions: {
      url: async (_ctx, interaction) => `${issuerPath}/interaction/${interaction.uid}`,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = messagePage('Sign-in failed', `${out.error ?? 'error'}: ${out.error_description ?? ''}`);
    },
    formats: {
      customizers: {
        // oidc-provider stamps JWTs by the system time: move `iat`/`exp` (and `nbf`) onto the configured clock.
        jwt: async (_ctx: unknown, _token: unknown, jwt: { payload: Record<string, unknown> }) => {
          const shift = nowSeconds() - Math.floor(Date.now() / 1000);
          if (shift === 0) return;
          for (const claim of ['iat', 'exp', 'nbf']) {
            const value = jwt.payload[claim];
            if (typeof value === 'number') jwt.payload[claim] = value + shift;
          }
        },
      },
    },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      clientCredentials: { enabled: true },
      registration: { enabled: options.registration ?? true, initialAccessToken: false },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      deviceFlow: {
        enabled: options.deviceFlow ?? true,
        userCodeInputSource: async (ctx, form, _out, err) => {
          ctx.body = deviceInputPage(form, err ? 'That code is not valid. Try again.' : undefined);
        },
        userCodeConfirmSource: async (ctx, form, client, _info, userCode) => {
          ctx.body = deviceConfirmPage(form, client.clientName ?? client.clientId, userCode);
        },
        successSource: async (ctx) => {
          ctx.body = messagePage('Device connected', 'You can close this page and return to your device.');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? defaultResource(),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource, client) => {
          if (!acceptResource(resource)) throw new oidcErrors.InvalidTarget();
          return {
            scope: resourceScopesFor(client?.clientId).join(' '),
            audience: resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  };

  let provider: Provider;
  try {
    provider = new Provider(issuer, configuration);
  } catch (cause) {
    await server.close();
    throw new DemoServerError('oidc-provider rejected the configuration', { cause });
  }
  provider.on('server_error', (_ctx: unknown, error: Error) => {
    logger.error('authorization server error', { error: error.message });
  });
  if (!options.enforceRegisteredScope) {
    const dropScope = (_ctx: KoaContextWithOIDC, client: Client) => {
      const stored = storage.get('Client', client.clientId);
      if (stored) delete stored.scope;
    };
    provider.on('registration_create.success', dropScope);
    provider.on('registration_update.success', dropScope);
  }
  // The path a request came in on, before the handler below rewrote it for oidc-provider (for the stats).
  const externalPaths = new WeakMap<IncomingMessage, string>();
  // JWT access tokens are not stored by oidc-provider; remember them so they can be revoked and checked.
  const issuedJwts = new Map<string, { grantId: string | undefined; clientId: string | undefined; exp: number }>();
  const revokedJwts = new Set<string>();
  const remember = (token: AccessToken | ClientCredentials) => {
    if (typeof token?.jti !== 'string') return;
    const now = nowSeconds();
    for (const [jti, t] of issuedJwts) if (t.exp < now) issuedJwts.delete(jti);
    const grantId = 'grantId' in token ? token.grantId : undefined;
    issuedJwts.set(token.jti, { grantId, clientId: token.clientId, exp: now + token.expiration });
  };
  provider.on('access_token.issued', remember);
  provider.on('client_credentials.issued', remember);

  // Counting and metadata patching run around oidc-provider's own routing.
  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      const endpoint: string = ctx.oidc?.route ?? 'unmatched';
      if (endpoint === 'revocation' && ctx.status === 200) {
        // RFC 7009 for JWT access tokens, which oidc-provider cannot look up: revoke the client's own token.
        const jti = jtiOf(String(ctx.oidc?.body?.token ?? ''));
        const known = jti ? issuedJwts.get(jti) : undefined;
        if (jti && known && known.clientId === ctx.oidc?.client?.clientId) revokedJwts.add(jti);
      }
      const entry: RequestRecord = {
        method: ctx.method,
        path: externalPaths.get(ctx.req) ?? ctx.path,
        endpoint: endpoint.startsWith('cors.') ? 'cors' : endpoint,
        status: ctx.status,
      };
      if (endpoint === 'token') {
        const grantType = ctx.oidc?.body?.grant_type;
        entry.grantType = typeof grantType === 'string' ? grantType : 'unknown';
      }
      stats.record(entry, ctx.status >= 400);
    }
  });
  const callback = provider.callback();

  const grantFor = async (clientId: string, params: Record<string, unknown>, grantId?: string) => {
    let grant = grantId ? await provider.Grant.find(grantId) : undefined;
    grant ??= new provider.Grant({ accountId, clientId });
    const requested = splitScope(params.scope);
    // Every requested scope the server knows counts as granted for the OIDC part too (consent's
    // op_scopes_missing check); only resource scopes end up in JWT access tokens.
    const oidc = requested.filter((s) => OIDC_SCOPES.includes(s) || scopes.includes(s));
    if (oidc.length) grant.addOIDCScope(oidc.join(' '));
    let resources = asList(params.resource);
    if (resources.length === 0) {
      const fallback = defaultResource();
      if (fallback) resources = [fallback];
    }
    const allowed = new Set(resourceScopesFor(clientId));
    const granted = requested.filter((s) => allowed.has(s));
    for (const resource of resources) {
      if (granted.length) grant.addResourceScope(resource, granted.join(' '));
    }
    return {
      grantId: (await grant.save()) as string,
      scope: [...new Set([...oidc, ...granted])],
      resources,
    };
  };

  const finishInteraction = async (res: ServerResponse, interaction: Interaction, approve: boolean) => {
    const params = interaction.params ?? {};
    if (approve) {
      const { grantId } = await grantFor(String(params.client_id), params, interaction.grantId);
      interaction.result = { login: { accountId }, consent: { grantId } };
    } else {
      interaction.result = { error: 'access_denied', error_description: 'the user denied the request' };
    }
    await interaction.save(Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)));
    redirect(res, interaction.returnTo);
  };

  const handleInteraction = async (req: IncomingMessage, res: ServerResponse, uid: string) => {
    const interaction = await provider.Interaction.find(uid);
    if (!interaction) {
      sendHtml(res, 400, messagePage('Sign-in expired', 'This sign-in request has expired. Start again.'));
      return;
    }
    if (req.method === 'POST') {
      const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
      await finishInteraction(res, interaction, form.get('decision') === 'approve');
      return;
    }
    if (mode === 'auto-approve' || mode === 'deny') {
      await finishInteraction(res, interaction, mode === 'auto-approve');
      return;
    }
    const params = interaction.params ?? {};
    const client = await provider.Client.find(String(params.client_id));
    sendHtml(
      res,
      200,
      consentPage({
        action: `${issuerPath}/interaction/${uid}`,
        clientName: client?.clientName ?? String(params.client_id),
        user: accountId,
        scopes: splitScope(params.scope),
        resources: asList(params.resource),
      }),
    );
  };

  const decideDevice = async (userCode: string, approve: boolean) => {
    const normalized = userCode.toUpperCase().replace(/\W/g, '');
    const code = await provider.DeviceCode.findByUserCode(normalized);
    if (!code?.clientId || code.accountId || code.error) {
      throw new DemoServerError('no pending device authorization has that user code');
    }
    if (approve) {
      const params = code.params ?? {};
      const { grantId, scope, resources } = await grantFor(code.clientId, params);
      code.accountId = accountId;
      code.grantId = grantId;
      code.authTime = Math.floor(Date.now() / 1000);
      code.scope = scope.join(' ');
      if (resources.length === 1) code.resource = resources[0];
      else if (resources.length > 1) code.resource = resources;
    } else {
      code.error = 'access_denied';
      code.errorDescription = 'the user denied the request';
    }
    await code.save();
  };

  const deviceRoute = provider.pathFor('code_verification').slice(issuerPath.length);
  const wellKnown = (doc: string) => `/.well-known/${doc}`;

  handler = async (req, res) => {
    const url = new URL(req.url ?? '/', server.origin);
    let path = url.pathname;
    // Discovery documents at the locations chosen in `discovery`.
    const oauthPath = `${wellKnown('oauth-authorization-server')}${issuerPath}`;
    const inserted = `${wellKnown('openid-configuration')}${issuerPath}`;
    const appended = `${issuerPath}${wellKnown('openid-configuration')}`;
    let internal: string | undefined;
    if (path === oauthPath) internal = documents.has('oauth') ? wellKnown('oauth-authorization-server') : undefined;
    else if (path === inserted && documents.has('openid-inserted')) internal = wellKnown('openid-configuration');
    else if (path === appended && documents.has('openid-appended')) internal = wellKnown('openid-configuration');
    else if (path.endsWith('/.well-known/oauth-authorization-server') || path.includes('/.well-known/')) {
      internal = undefined;
    } else if (path.startsWith(`${issuerPath}/`)) {
      internal = path.slice(issuerPath.length);
    }
    if (internal === undefined) {
      stats.record({ method: req.method ?? 'GET', path, endpoint: 'unmatched', status: 404 }, false);
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    path = internal;

    const interactionMatch = /^\/interaction\/([\w-]+)$/.exec(path);
    if (interactionMatch?.[1]) {
      try {
        await handleInteraction(req, res, interactionMatch[1]);
      } finally {
        stats.record(
          { method: req.method ?? 'GET', path: url.pathname, endpoint: 'interaction', status: res.statusCode },
          false,
        );
      }
      return;
    }
    // Auto-approve / deny: visiting verification_uri_complete decides the device code at once.
    const userCode = url.searchParams.get('user_code');
    if (req.method === 'GET' && path === deviceRoute && userCode && mode !== 'consent') {
      try {
        await decideDevice(userCode, mode === 'auto-approve');
      } catch {
        stats.record({ method: 'GET', path: url.pathname, endpoint: 'code_verification', status: 400 }, false);
        sendHtml(res, 400, messagePage('Unknown code', 'No pending device sign-in has that code.'));
        return;
      }
      stats.record({ method: 'GET', path: url.pathname, endpoint: 'code_verification', status: 200 }, false);
      sendHtml(
        res,
        200,
        mode === 'auto-approve'
          ? messagePage('Device connected', 'You can close this page and return to your device.')
          : messagePage('Access denied', 'The device sign-in was denied.'),
      );
      return;
    }
    // The resume step normally relies on a cookie set when the interaction started; supply it for clients
    // without a cookie jar (the interaction uid in the path is what the cookie would hold).
    const resume = /^\/(?:auth|device)\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && resume?.[1] && resume[1] !== 'auth') {
      const cookie = req.headers.cookie ?? '';
      if (!/(?:^|;\s*)_interaction_resume=/.test(cookie)) {
        req.headers.cookie = `${cookie ? `${cookie}; ` : ''}_interaction_resume=${resume[1]}`;
      }
    }
    req.url = `${path}${url.search}`;
    // oidc-provider builds its URLs from `baseUrl` when mounted under a path (as Express would set it).
    Object.assign(req, { baseUrl: issuerPath });
    externalPaths.set(req, url.pathname);
    await callback(req, res);
  };

  const metadataUrl = `${server.origin}${wellKnown('oauth-authorization-server')}${issuerPath}`;
  return {
    issuer,
    origin: server.origin,
    endpoints: {
      authorization: provider.urlFor('authorization'),
      token: provider.urlFor('token'),
      registration: provider.urlFor('registration'),
      revocation: provider.urlFor('revocation'),
      jwks: provider.urlFor('jwks'),
      deviceAuthorization: provider.urlFor('device_authorization'),
      introspection: provider.urlFor('introspection'),
      metadata: metadataUrl,
    },
    get mode() {
      return mode;
    },
    set mode(value: InteractionMode) {
      mode = value;
    },
    stats,
    accountId,
    provider,
    approveDevice: (userCode) => decideDevice(userCode, true),
    denyDevice: (userCode) => decideDevice(userCode, false),
    async revokeToken(token) {
      const refresh = await provider.RefreshToken.find(token, { ignoreExpiration: true });
      if (refresh) {
        if (refresh.grantId) storage.revokeGrant(refresh.grantId);
        storage.destroy('RefreshToken', refresh.jti);
        return true;
      }
      const jti = jtiOf(token);
      if (!jti) return false;
      const known = issuedJwts.has(jti) && !revokedJwts.has(jti);
      revokedJwts.add(jti);
      const a = storage.destroy('AccessToken', jti);
      const b = storage.destroy('ClientCredentials', jti);
      return known || a || b;
    },
    async revokeAll() {
      let removed = 0;
      for (const grantId of storage.grantIds()) {
        storage.revokeGrant(grantId);
        removed += 1;
      }
      for (const jti of issuedJwts.keys()) {
        if (!revokedJwts.has(jti)) removed += 1;
        revokedJwts.add(jti);
      }
      return removed + storage.clear(TOKEN_MODELS);
    },
    isAccessTokenActive(tokenOrClaims) {
      const jti = jtiOf(tokenOrClaims);
      if (!jti) return false;
      if (storage.get('AccessToken', jti) !== undefined || storage.get('ClientCredentials', jti) !== undefined)
        return true;
      const jwt = issuedJwts.get(jti);
      if (!jwt || revokedJwts.has(jti) || jwt.exp <= clock.now() / 1000) return false;
      // A token issued from a grant dies with the grant (refresh token reuse, revocation of the refresh token).
      return jwt.grantId === undefined || storage.get('Grant', jwt.grantId) !== undefined;
    },
    close: () => server.close(),
    async restart(downMs: number) {
      const http = server.server;
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(server.port, '127.0.0.1', () => {
          http.off('error', reject);
          resolve();
        });
      });
    },
  };
}
