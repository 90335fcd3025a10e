/**
 * A real MCP server protected the way the MCP Authorization specification (2025-11-25) describes a resource
 * server: `@modelcontextprotocol/server` (SDK v2) over Streamable HTTP on 127.0.0.1, RFC 9728 protected
 * resource metadata, RFC 6750 bearer challenges, local verification of RFC 9068 JWT access tokens (issuer,
 * audience = this server, expiry, signature against the issuer's JWKS) and per-tool scopes answered at the
 * HTTP level with 403 `insufficient_scope` so a client can step up.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Clock } from '../src/core/clock.ts';
import type { Logger } from '../src/core/logger.ts';
import { silentLogger } from '../src/core/logger.ts';
import { type AccessTokenClaims, createTokenVerifier, InvalidAccessTokenError } from './access-token-verifier.ts';
import { listenLoopback, readBody, sendJson, sendWebResponse, toWebRequest } from './http-server.ts';

/** Where the RFC 9728 metadata document is served. */
export type ResourceMetadataLocation =
  /** `/.well-known/oauth-protected-resource{path}` (RFC 9728 §3.1, path inserted). */
  | 'path'
  /** `/.well-known/oauth-protected-resource` (the root form). */
  | 'root';

/** Options of {@link startProtectedMcpServer}. */
export interface ProtectedMcpServerOptions {
  /** The authorization server's issuer identifier; tokens must carry it as `iss`. */
  issuer: string;
  /** Port on 127.0.0.1. Default 0 (a free port). */
  port?: number;
  /** Path of the MCP endpoint. Default `'/mcp'`. */
  path?: string;
  /**
   * The resource identifier published in the metadata and required as the tokens' `aud`. Default: the
   * server's own URL (`http://127.0.0.1:PORT/mcp`). Set another value to test a client's RFC 9728 §3.3 check.
   */
  resource?: string;
  /** Scope(s) every MCP request needs. Default `'mcp:tools'`. An empty array requires a valid token only. */
  requiredScope?: string | string[];
  /** Extra scope(s) per tool name, checked on `tools/call`. Default `{ admin_action: 'mcp:admin' }`. */
  toolScopes?: Record<string, string | string[]>;
  /** `scopes_supported` of the metadata. Default: the required scopes and every tool scope. */
  scopesSupported?: string[];
  /** Where the metadata document is served. Default `['path', 'root']`. */
  metadataLocations?: ResourceMetadataLocation[];
  /** Whether challenges carry `resource_metadata` (RFC 9728 §5.1). Default true. */
  advertiseResourceMetadata?: boolean;
  /**
   * Asked after a token verified, to reject tokens revoked at the authorization server, e.g.
   * `(claims) => !as.isAccessTokenActive(claims)`. Default: no check (JWTs are valid until `exp`).
   */
  isTokenRevoked?: (claims: AccessTokenClaims) => boolean | Promise<boolean>;
  /** Fetch the issuer's JWKS from here instead of discovering `jwks_uri`. */
  jwksUri?: string;
  /** Seconds of clock skew tolerated on `exp` / `nbf`. Default 0. */
  clockToleranceSeconds?: number;
  /** The time `exp` / `nbf` are judged by (tests share an adjustable clock with the client). Default: system time. */
  clock?: Clock;
  /** Fetch used for discovery and the JWKS (loopback only). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Where unexpected errors are reported. Default: silent. */
  logger?: Logger;
}

/** Counters of the protected MCP server. */
export interface ProtectedMcpServerStats {
  /** Requests to the MCP endpoint (any method, any outcome). */
  readonly requests: number;
  /** Answers with 401. */
  readonly unauthorized: number;
  /** Answers with 403 `insufficient_scope`. */
  readonly forbidden: number;
  /** `tools/call` requests that passed the token and scope checks. */
  readonly toolCalls: number;
  /** `tools/call` requests that passed, per tool name. */
  readonly toolCallsByName: Readonly<Record<string, number>>;
  /** Requests for the protected resource metadata document. */
  readonly metadataRequests: number;
  /** Set every counter back to zero. */
  reset(): void;
}

/** A running protected MCP server (see {@link startProtectedMcpServer}). */
export interface ProtectedMcpServer {
  /** The MCP endpoint, `http://127.0.0.1:PORT/mcp`. */
  readonly url: string;
  /** The resource identifier tokens must be issued for (the `aud`). */
  readonly resource: string;
  /** The path-inserted RFC 9728 metadata URL (whether or not it is served). */
  readonly resourceMetadataUrl: string;
  /** Counters. */
  readonly stats: ProtectedMcpServerStats;
  /** Stop the server and close its connections. */
  close(): Promise<void>;
}

function list(value: string | string[] | undefined, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  return (Array.isArray(value) ? value : [value]).flatMap((s) => s.split(' ')).filter(Boolean);
}

/** Quote a value for an RFC 7235 auth-param (quoted-string). */
function q(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

interface Challenge {
  status: 401 | 403;
  error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
  description?: string;
  scope: string[];
}

/**
 * Start a protected MCP server on 127.0.0.1 with the tools `echo`, `add`, `whoami`, `sleep` and
 * `admin_action` (which needs the `mcp:admin` scope by default).
 *
 * Behaviour a client can rely on:
 * - `GET /.well-known/oauth-protected-resource/mcp` (and the root form) returns `{ resource,
 *   authorization_servers: [issuer], scopes_supported, bearer_methods_supported: ['header'] }`.
 * - A request without a token: 401 `WWW-Authenticate: Bearer resource_metadata="...", scope="mcp:tools"`.
 * - A bad token (signature, issuer, audience, expiry, type, revoked): 401 with `error="invalid_token"`.
 * - A token without the required scope, or a `tools/call` of a tool whose scope the token lacks: 403
 *   `WWW-Authenticate: Bearer error="insufficient_scope", scope="<every scope the operation needs>"`.
 * - Otherwise the request is served by the MCP SDK (`createMcpHandler`: 2026-07-28 and, stateless, 2025 era).
 */
export async function startProtectedMcpServer(options: ProtectedMcpServerOptions): Promise<ProtectedMcpServer> {
  const logger = options.logger ?? silentLogger;
  const mcpPath = options.path ?? '/mcp';
  const required = list(options.requiredScope, ['mcp:tools']);
  const toolScopes = new Map(
    Object.entries(options.toolScopes ?? { admin_action: 'mcp:admin' }).map(([tool, s]) => [tool, list(s, [])]),
  );
  const scopesSupported = options.scopesSupported ?? [...new Set([...required, ...[...toolScopes.values()].flat()])];
  const locations = new Set(options.metadataLocations ?? ['path', 'root']);
  const advertise = options.advertiseResourceMetadata ?? true;

  const counters = { requests: 0, unauthorized: 0, forbidden: 0, toolCalls: 0, metadataRequests: 0 };
  const byName: Record<string, number> = {};
  const stats: ProtectedMcpServerStats = {
    get requests() {
      return counters.requests;
    },
    get unauthorized() {
      return counters.unauthorized;
    },
    get forbidden() {
      return counters.forbidden;
    },
    get toolCalls() {
      return counters.toolCalls;
    },
    get metadataRequests() {
      return counters.metadataRequests;
    },
    toolCallsByName: byName,
    reset() {
      for (const k of Object.keys(counters) as (keyof typeof counters)[]) counters[k] = 0;
      for (const k of Object.keys(byName)) delete byName[k];
    },
  };

  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
  const mcp = createMcpHandler(
    (ctx) => {
      const server = new McpServer({ name: 'mcptool-demo-protected', version: '1.0.0' });
      server.registerTool(
        'echo',
        { description: 'Echo the given text back.', inputSchema: z.object({ text: z.string() }) },
        async ({ text: value }) => text(value),
      );
      server.registerTool(
        'add',
        {
          description: 'Add two numbers.',
          inputSchema: z.object({ a: z.number(), b: z.number() }),
          outputSchema: z.object({ sum: z.number() }),
        },
        async ({ a, b }) => ({ ...text(String(a + b)), structuredContent: { sum: a + b } }),
      );
      server.registerTool(
        'whoami',
        { description: 'Describe the access token this call was made with (subject, client, scopes, expiry).' },
        async () => {
          const info = ctx.authInfo;
          const who = {
            sub: info?.extra?.sub,
            client_id: info?.clientId,
            scopes: info?.scopes ?? [],
            aud: info?.resource?.href,
            exp: info?.expiresAt,
          };
          return { ...text(JSON.stringify(who)), structuredContent: who };
        },
      );
      server.registerTool(
        'sleep',
        {
          description: 'Wait for the given number of milliseconds (at most 10000), then answer.',
          inputSchema: z.object({ ms: z.number().int().min(0).max(10_000) }),
        },
        async ({ ms }) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return text(`slept ${ms} ms`);
        },
      );
      server.registerTool(
        'admin_action',
        {
          description: `An administrative action; needs the scope ${[...(toolScopes.get('admin_action') ?? [])].join(' ') || '(none)'}.`,
          inputSchema: z.object({ action: z.string().optional() }),
        },
        async ({ action }) => text(`admin action ${JSON.stringify(action ?? 'noop')} done`),
      );
      return server;
    },
    { onerror: (error) => logger.debug('mcp handler error', { error: error.message }) },
  );

  let origin = '';
  let resource = '';
  let verify: ReturnType<typeof createTokenVerifier> | undefined;
  const prmPath = `/.well-known/oauth-protected-resource${mcpPath === '/' ? '' : mcpPath}`;

  const challenge = (res: ServerResponse, c: Challenge) => {
    const params: string[] = [];
    if (c.error) params.push(`error=${q(c.error)}`);
    if (c.description) params.push(`error_description=${q(c.description)}`);
    if (advertise) params.push(`resource_metadata=${q(`${origin}${prmPath}`)}`);
    if (c.scope.length) params.push(`scope=${q(c.scope.join(' '))}`);
    if (c.status === 401) counters.unauthorized += 1;
    else counters.forbidden += 1;
    sendJson(
      res,
      c.status,
      { error: c.error ?? 'unauthorized', error_description: c.description ?? 'a bearer token is required' },
      { 'www-authenticate': params.length ? `Bearer ${params.join(', ')}` : 'Bearer' },
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (
      req.method === 'GET' &&
      (url.pathname === prmPath
        ? locations.has('path')
        : url.pathname === '/.well-known/oauth-protected-resource' && locations.has('root'))
    ) {
      counters.metadataRequests += 1;
      sendJson(res, 200, {
        resource,
        authorization_servers: [options.issuer],
        scopes_supported: scopesSupported,
        bearer_methods_supported: ['header'],
        resource_name: 'mcptool demo MCP server',
      });
      return;
    }
    if (url.pathname !== mcpPath) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    counters.requests += 1;

    const authorization = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization);
    if (!authorization) return challenge(res, { status: 401, scope: required });
    if (!match?.[1]) {
      return challenge(res, {
        status: 401,
        error: 'invalid_request',
        description: 'malformed Authorization header',
        scope: required,
      });
    }
    const token = match[1];
    let claims: AccessTokenClaims;
    try {
      verify ??= createTokenVerifier({
        issuer: options.issuer,
        audience: resource,
        ...(options.jwksUri ? { jwksUri: options.jwksUri } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        clockToleranceSeconds: options.clockToleranceSeconds ?? 0,
        ...(options.clock && { now: () => (options.clock as Clock).now() }),
      });
      claims = await verify(token);
      if (options.isTokenRevoked && (await options.isTokenRevoked(claims))) {
        throw new InvalidAccessTokenError('revoked', 'the token has been revoked');
      }
    } catch (error) {
      const description = error instanceof InvalidAccessTokenError ? error.message : 'the token could not be verified';
      if (!(error instanceof InvalidAccessTokenError))
        logger.warn('token verification failed', { error: String(error) });
      return challenge(res, { status: 401, error: 'invalid_token', description, scope: required });
    }
    const granted = new Set(typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : []);
    if (required.some((s) => !granted.has(s))) {
      return challenge(res, {
        status: 403,
        error: 'insufficient_scope',
        description: 'the token lacks a required scope',
        scope: required,
      });
    }

    const body = req.method === 'POST' ? await readBody(req, 4 * 1024 * 1024) : undefined;
    let parsed: unknown;
    const calls: string[] = [];
    if (body !== undefined && body.length > 0) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
        const m = message as { method?: unknown; params?: { name?: unknown } } | null;
        if (m && m.method === 'tools/call' && typeof m.params?.name === 'string') calls.push(m.params.name);
      }
    }
    for (const name of calls) {
      const needed = toolScopes.get(name) ?? [];
      if (needed.some((s) => !granted.has(s))) {
        return challenge(res, {
          status: 403,
          error: 'insufficient_scope',
          description: `the tool ${JSON.stringify(name)} needs more scope`,
          scope: [...new Set([...required, ...needed])],
        });
      }
    }
    for (const name of calls) {
      counters.toolCalls += 1;
      byName[name] = (byName[name] ?? 0) + 1;
    }

    const authInfo = {
      token,
      clientId: typeof claims.client_id === 'string' ? claims.client_id : '',
      scopes: [...granted],
      expiresAt: claims.exp,
      resource: new URL(resource),
      extra: { sub: claims.sub },
    };
    const request = toWebRequest(req, origin, body);
    const response = await mcp.fetch(request, parsed === undefined ? { authInfo } : { authInfo, parsedBody: parsed });
    await sendWebResponse(res, response);
  };

  const server = await listenLoopback(handle, options.port ?? 0);
  origin = server.origin;
  const url = `${origin}${mcpPath}`;
  resource = options.resource ?? url;

  return {
    url,
    resource,
    resourceMetadataUrl: `${origin}${prmPath}`,
    stats,
    async close() {
      await mcp.close().catch(() => {});
      await server.close();
    },
  };
}
