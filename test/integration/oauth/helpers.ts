/**
 * Shared setup of the end-to-end OAuth tests: a real authorization server (oidc-provider) and a real protected MCP
 * server on 127.0.0.1, authorization handlers that play the user, a counting reverse proxy, temp dirs and small
 * assertions. The library under test is used through its public API (`src/index.ts`), and the default
 * authorization handler, which the test drives with a scripted browser, through its module.
 */
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AuthorizationServerOptions } from '../../../demo/authorization-server.ts';
import type { ProtectedMcpServerOptions } from '../../../demo/protected-server.ts';
import { createDefaultAuthorizationHandler } from '../../../src/auth/interactive/handler.ts';
import {
  type AuthorizationHandler,
  functionAuthorizationHandler,
  type Logger,
  type MCPToolset,
} from '../../../src/index.ts';
import { FAKE_REDIRECT_URI, followToRedirectUri, type Stack, startOAuthStack } from '../support/oauth-stack.ts';

export {
  decodeJwt,
  FAKE_REDIRECT_URI,
  followToRedirectUri,
  forbiddenHandler,
  oauthToolset,
  onlyRecord,
  type Stack,
  sleep,
  tempDir,
  text,
} from '../support/oauth-stack.ts';

export const SCRIPTED_BROWSER = fileURLToPath(new URL('../../fixtures/scripted-browser.mjs', import.meta.url));

/**
 * An authorization server and a protected MCP server that trusts it. Unless `mcp.isTokenRevoked` is given, the
 * MCP server asks the authorization server whether a token is still active (revocation, grant revoked by refresh
 * token reuse), as a resource server using introspection would.
 */
export function startStack(
  options: { as?: AuthorizationServerOptions; mcp?: Partial<ProtectedMcpServerOptions> } = {},
): Promise<Stack> {
  return startOAuthStack({ ...options, checkRevocation: true });
}

/** What a function handler saw: every authorization URL it was given, and the callback URL it returned. */
export interface HandlerLog {
  authorizationUrls: URL[];
  callbacks: URL[];
}

/**
 * An authorization handler that plays a user who approves (or denies, depending on the server's mode) at once:
 * `functionAuthorizationHandler` following the redirects. `tamper` may rewrite the callback URL (forged `iss`,
 * wrong `state`) before the library sees it. With `raw`, the handler implements `AuthorizationHandler` directly
 * instead of through `functionAuthorizationHandler` (which checks `state` itself), so the engine's own checks are
 * the only ones left.
 */
export function redirectFollowingHandler(
  options: { redirectUri?: string; tamper?: (callback: URL) => URL; raw?: boolean } = {},
): { handler: AuthorizationHandler; log: HandlerLog } {
  const redirectUri = options.redirectUri ?? FAKE_REDIRECT_URI;
  const log: HandlerLog = { authorizationUrls: [], callbacks: [] };
  const follow = async (url: URL): Promise<URL> => {
    log.authorizationUrls.push(new URL(url));
    let callback = await followToRedirectUri(url, redirectUri);
    if (options.tamper) callback = options.tamper(new URL(callback));
    log.callbacks.push(callback);
    return callback;
  };
  const handler: AuthorizationHandler = options.raw
    ? {
        async open() {
          return { redirectUri, waitForCallback: (url) => follow(url), close: async () => {} };
        },
      }
    : functionAuthorizationHandler(follow, { redirectUri });
  return { handler, log };
}

/**
 * The library's real default handler (loopback listener + `$BROWSER`), with the scripted browser of
 * test/fixtures as `$BROWSER`; what it shows goes to `messages`, not to stderr.
 */
export function scriptedBrowserHandler(extraEnv: Record<string, string> = {}): {
  handler: AuthorizationHandler;
  messages: string[];
} {
  const messages: string[] = [];
  const handler = createDefaultAuthorizationHandler({
    callback: 'loopback',
    env: { PATH: process.env['PATH'] ?? '', BROWSER: SCRIPTED_BROWSER, ...extraEnv },
    platform: 'linux',
    stdinIsTTY: false,
    timeoutMs: 20_000,
    ui: { show: (m) => messages.push(m), progress: (m) => messages.push(`[progress] ${m}`) },
  });
  return { handler, messages };
}

/** A logger that keeps every line (message and fields, as JSON) at every level. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** Call a tool of a warmed-up toolset by name. */
export async function call(toolset: MCPToolset, name: string, args: Record<string, unknown> = {}) {
  return toolset.getTool(name).invoke(args);
}

/**
 * Warm `toolset` up, call its `whoami` tool and close it (also when a step fails); resolves with what the MCP
 * server saw of the access token (client_id, aud, scopes…).
 */
export async function whoamiOnce(toolset: MCPToolset): Promise<Record<string, unknown>> {
  try {
    await toolset.warmUp();
    return (await call(toolset, 'whoami')).structuredContent as Record<string, unknown>;
  } finally {
    await toolset.close();
  }
}

/** One request seen by {@link recordingFetch}. */
export interface RecordedRequest {
  method: string;
  /** Origin and path (no query string). */
  url: string;
  /** The query of the URL. */
  query: URLSearchParams;
  /** The body when it was form-encoded (token, revocation requests). */
  form: URLSearchParams | undefined;
  /** The body when it was a string (JSON registration requests, form posts). */
  body: string | undefined;
  headers: Headers;
}

/**
 * A fetch (to inject as the toolset's `fetch`, which the transports and the OAuth engine both use) that records
 * every request: method, URL, query, form body and headers.
 */
export function recordingFetch(): {
  fetch: typeof fetch;
  requests: RecordedRequest[];
  to(url: string): RecordedRequest[];
} {
  const requests: RecordedRequest[] = [];
  const recording: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    let form: URLSearchParams | undefined;
    const body =
      typeof init?.body === 'string'
        ? init.body
        : init?.body instanceof URLSearchParams
          ? String(init.body)
          : undefined;
    if (init?.body instanceof URLSearchParams) form = new URLSearchParams(init.body);
    else if (body !== undefined && /x-www-form-urlencoded/.test(headers.get('content-type') ?? '')) {
      form = new URLSearchParams(body);
    }
    requests.push({ method, url: `${url.origin}${url.pathname}`, query: url.searchParams, form, body, headers });
    return fetch(input, init);
  };
  return { fetch: recording, requests, to: (url) => requests.filter((r) => r.url === url) };
}

/**
 * A counting reverse proxy on 127.0.0.1 in front of `target` (an origin): every request path that reaches it is
 * recorded, then forwarded unchanged (streaming both ways), so a test can assert what a server saw.
 */
export async function startCountingProxy(target: string): Promise<{
  origin: string;
  paths: string[];
  close(): Promise<void>;
}> {
  const upstream = new URL(target);
  const paths: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    paths.push(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`);
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    paths,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const CHILD = fileURLToPath(new URL('./child-toolset.ts', import.meta.url));

/**
 * Run child-toolset.ts in a new Node process (a "restart") with `MCPTOOL_HOME` = `home`; resolves with what it
 * printed: the `whoami` result and every request it made.
 */
export function runChildToolset(
  spec: { url: string; clientId?: string },
  home: string,
): Promise<{ whoami: Record<string, unknown>; fetches: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CHILD, JSON.stringify(spec)],
      { env: { ...process.env, MCPTOOL_HOME: home }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`child failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
        } catch {
          reject(new Error(`child printed no JSON: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}
