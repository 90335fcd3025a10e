/**
 * The demo (`npm run demo`, from a clone): a real OAuth 2.1 authorization server (`oidc-provider`) and a protected MCP
 * server on 127.0.0.1, and the library signing in to it the way any program would (MCP Authorization 2025-11-25):
 * the 401 with its Bearer challenge (RFC 6750, RFC 9728 §5.1), discovery (RFC 9728, RFC 8414), Dynamic Client
 * Registration (RFC 7591), the authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636) through a loopback
 * redirect (RFC 8252 §7.3), the token request with a resource indicator (RFC 8707), the tokens in a
 * `FileTokenStore`, a tool call, then a second run on the same store that needs no authorization server at all.
 *
 * Every request the client makes is recorded (through the `fetch` option of the toolset) and narrated with its
 * status and time; the browser's requests come from the authorization server's own counters. Nothing here
 * prints: the narration goes to the `write` function the caller gives (`command-line.ts` passes stdout).
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openBrowser as libraryOpenBrowser } from '../src/auth/interactive/browser.ts';
import { LoopbackListener } from '../src/auth/interactive/loopback.ts';
import { isLoopbackHost } from '../src/core/url.ts';
import {
  type AuthorizationHandler,
  FileTokenStore,
  listCredentials,
  MCPToolset,
  OAuthConfig,
  resultToText,
  StreamableHttpServerInfo,
} from '../src/index.ts';
import { DemoCodedError } from './http-server.ts';
import { type DemoServers, startDemoServers } from './servers.ts';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /**
   * `headless`: the authorization server approves at once and the demo's handler follows its redirects itself
   * (no browser, no input; for CI). `browser`: the consent page opens in a browser and a person clicks Approve.
   */
  mode: 'headless' | 'browser';
  /** Receives the narration, a line or a few at a time (`command-line.ts` passes stdout). */
  write(text: string): void;
  /** Transient progress ("waiting for you to approve…"); `undefined` clears it. Optional. */
  progress?(message: string | undefined): void;
  /**
   * Browser mode: how the authorization URL is opened. Default: `$BROWSER` (from `env`), else the platform's
   * browser. Resolves once the page is on its way; the demo then waits for the redirect.
   */
  openBrowser?: (url: URL) => Promise<void>;
  /** For `$BROWSER`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the sign-in, in ms. Default 300000 (browser) or 30000 (headless). */
  authorizationTimeoutMs?: number;
  /** Servers to use instead of starting new ones (they are not closed). */
  servers?: DemoServers;
  /** Keep the temporary token store directory (default: removed at the end). */
  keepTokenStore?: boolean;
}

/** What one run of the client did. */
export interface DemoRunReport {
  /** Wall time of the run, in ms. */
  ms: number;
  /** Requests the client sent to the authorization server. */
  clientRequestsToAuthorizationServer: number;
  /** Requests the browser (or the headless sign-in) sent to the authorization server. */
  browserRequestsToAuthorizationServer: number;
  /**
   * Requests the authorization server received from anyone during the run: the client, the browser, and the MCP
   * server fetching the metadata and keys it verifies tokens with.
   */
  authorizationServerRequests: number;
  /** 401 answers of the MCP server during the run. */
  unauthorized: number;
  /** Tool calls the MCP server served during the run. */
  toolCalls: number;
  /** The text of the tool result. */
  toolResult: string;
  /** The steps, with their wall time in ms. */
  steps: { title: string; ms: number }[];
}

/** The outcome of {@link runDemo}. */
export interface DemoReport {
  tokenStoreDir: string;
  issuer: string;
  mcpUrl: string;
  first: DemoRunReport;
  second: DemoRunReport;
}

/** The demo failed (code `DEMO_FAILED`): a step did not do what the narration says. */
export class DemoError extends DemoCodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEMO_FAILED', message, options);
  }
}

type StepId = 'connect' | 'discover' | 'register' | 'sign-in' | 'token' | 'tools' | 'store' | 'call';

const STEP_TITLES: Record<StepId, string> = {
  connect: 'Connect without a token: the MCP server answers 401 with a Bearer challenge (RFC 6750, RFC 9728 §5.1)',
  discover: 'Discover the authorization server (RFC 9728 resource metadata, then RFC 8414 server metadata)',
  register: 'Register this client with the authorization server (Dynamic Client Registration, RFC 7591)',
  'sign-in': 'Sign in: authorization code + PKCE (RFC 6749 §4.1, RFC 7636), loopback redirect (RFC 8252 §7.3)',
  token: 'Exchange the code for tokens, for this MCP server only (RFC 8707 resource indicator)',
  tools: 'Connect with the access token and list the tools',
  store: 'Where the tokens are',
  call: 'Call a tool',
};

const SHORT_TITLES: Record<StepId, string> = {
  connect: '401',
  discover: 'discovery',
  register: 'registration',
  'sign-in': 'sign-in',
  token: 'tokens',
  tools: 'connect',
  store: 'store',
  call: 'tool call',
};

/** `12 ms` or `1.25 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Numbered steps with their wall time, and indented detail lines. */
class Narrator {
  readonly #write: (text: string) => void;
  #current: StepId | undefined;
  #started = 0;
  #n = 0;
  readonly steps: { id: StepId; title: string; ms: number }[] = [];

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  get current(): StepId | undefined {
    return this.#current;
  }

  enter(id: StepId): void {
    if (this.#current === id) return;
    this.#close();
    this.#current = id;
    this.#started = performance.now();
    this.#n++;
    this.#write(`\n  ${this.#n}. ${STEP_TITLES[id]}\n`);
  }

  line(text: string): void {
    this.#write(`       ${text}\n`);
  }

  finish(): void {
    this.#close();
    this.#current = undefined;
  }

  #close(): void {
    if (this.#current === undefined) return;
    this.steps.push({ id: this.#current, title: SHORT_TITLES[this.#current], ms: performance.now() - this.#started });
  }
}

interface Exchange {
  method: string;
  url: URL;
  /** The JSON-RPC method of an MCP request, or the grant type of a token request. */
  detail: string | undefined;
}

interface ExchangeResult {
  status: number;
  ms: number;
  wwwAuthenticate: string | null;
}

function requestUrl(input: string | URL | Request): URL {
  return new URL(input instanceof Request ? input.url : String(input));
}

function bodyDetail(body: unknown): string | undefined {
  let text: string | undefined;
  if (typeof body === 'string') text = body;
  else if (body instanceof URLSearchParams) return body.get('grant_type') ?? undefined;
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { method?: unknown } | { method?: unknown }[];
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    return typeof first?.method === 'string' ? first.method : undefined;
  } catch {
    return new URLSearchParams(text).get('grant_type') ?? undefined;
  }
}

/**
 * A fetch that reports every exchange: `onRequest` when it is sent, and the function it returns with the status
 * and time once the response headers arrive (or with status 0 when the request failed).
 */
function recordingFetch(onRequest: (exchange: Exchange) => (result: ExchangeResult) => void): typeof fetch {
  return async (input, init) => {
    const url = requestUrl(input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const done = onRequest({ method, url, detail: bodyDetail(init?.body) });
    const started = performance.now();
    try {
      const response = await fetch(input, init);
      done({
        status: response.status,
        ms: performance.now() - started,
        wwwAuthenticate: response.headers.get('www-authenticate'),
      });
      return response;
    } catch (error) {
      done({ status: 0, ms: performance.now() - started, wwwAuthenticate: null });
      throw error;
    }
  };
}

/**
 * The demo's authorization handler: the library's real loopback listener (RFC 8252 §7.3, state checked, one-shot)
 * plus a way to bring the user to the authorization URL. `visit` is either a browser or, headless, a function
 * that follows the authorization server's redirects itself.
 */
function demoHandler(
  visit: (url: URL, redirectUri: string) => Promise<void>,
  events: { opened(url: URL, redirectUri: string): void; returned(callback: URL): void },
  timeoutMs: number,
): AuthorizationHandler {
  return {
    async open({ signal }) {
      if (signal.aborted) throw signal.reason;
      const listener = await LoopbackListener.start({});
      return {
        redirectUri: listener.redirectUri,
        async waitForCallback(url, state, options) {
          const waiting = listener.waitForCallback(state, { signal: options.signal, timeoutMs });
          events.opened(url, listener.redirectUri);
          const visited = visit(url, listener.redirectUri);
          // A visit that fails (no browser) must not leave the wait unobserved, nor the other way round.
          const [callback] = await Promise.all([waiting, visited]);
          events.returned(callback);
          return callback;
        },
        close: () => listener.close(),
      };
    },
  };
}

/**
 * Headless "browser": GET the authorization URL and follow the redirects (the authorization server approves at
 * once in `auto-approve` mode) until the loopback redirect URI, which is requested too, as a browser would.
 * Only loopback URLs are ever fetched.
 */
async function followRedirects(start: URL, redirectUri: string): Promise<void> {
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    if (!isLoopbackHost(url.hostname)) throw new DemoError(`the headless sign-in refuses the non-loopback URL ${url}`);
    const response = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
    await response.body?.cancel();
    if (url.href.startsWith(redirectUri)) return;
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new DemoError(
        `the headless sign-in stopped at ${url.origin}${url.pathname} (HTTP ${response.status}); is the authorization server in auto-approve mode?`,
      );
    }
    url = new URL(location, url);
  }
  throw new DemoError('the headless sign-in followed 10 redirects without reaching the loopback redirect URI');
}

/** The authorization URL's parameters for display, with `state` and the PKCE challenge elided. */
function describeAuthorizationUrl(url: URL): string[] {
  const shown = ['response_type', 'client_id', 'redirect_uri', 'scope', 'resource', 'code_challenge_method'];
  const lines = [`GET ${url.origin}${url.pathname}`];
  for (const name of shown) {
    const value = url.searchParams.get(name);
    if (value !== null) lines.push(`    ${name}=${value}`);
  }
  lines.push('    state=…  code_challenge=…  (random per sign-in; the PKCE verifier never leaves this process)');
  return lines;
}

/**
 * Run the demo against `options.servers` or new {@link startDemoServers} (consent mode for `browser`,
 * auto-approve for `headless`): a first run that signs in, stores the tokens in a temporary `FileTokenStore` and
 * calls a tool, then a second run (a fresh toolset and configuration on the same store, as a new process would
 * be) that makes no request to the authorization server. Narrates each step with its requests and times through
 * `options.write`, closes everything it started, and resolves with the numbers.
 */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const write = options.write;
  const headless = options.mode === 'headless';
  const timeoutMs = options.authorizationTimeoutMs ?? (headless ? 30_000 : 300_000);
  const env = options.env ?? process.env;
  const openBrowser = options.openBrowser ?? ((url: URL) => libraryOpenBrowser(url, { env }));

  const t0 = performance.now();
  const servers = options.servers ?? (await startDemoServers({ mode: headless ? 'auto-approve' : 'consent' }));
  const { as, mcp } = servers;
  const dir = await mkdtemp(join(tmpdir(), 'mcptool-demo-'));
  // A process that exits mid-run (Ctrl-C, a closed pipe: see main.ts) still leaves no token store behind.
  const removeStore = () => rmSync(dir, { recursive: true, force: true });
  if (!options.keepTokenStore) process.once('exit', removeStore);
  try {
    write(
      `mcptool demo: sign in to an OAuth-protected MCP server, ${headless ? 'headless (no browser, no input)' : 'with your browser'}\n\n` +
        `  Authorization server  ${as.issuer}  (oidc-provider, ${headless ? 'approves at once' : 'shows a consent page'})\n` +
        `  MCP server            ${mcp.url}  (tools: echo, add, whoami, sleep, admin_action)\n` +
        `  Token store           ${dir}  (a FileTokenStore in a temporary directory)\n` +
        `  Started in ${formatMs(performance.now() - t0)}.\n`,
    );

    const first = await oneRun({ title: 'First run: no stored credentials', first: true });
    const second = await oneRun({
      title: 'Second run: a fresh toolset and OAuthConfig on the same token store, as a new process would be',
      first: false,
    });
    if (second.clientRequestsToAuthorizationServer !== 0 || second.authorizationServerRequests !== 0) {
      throw new DemoError(
        `the second run made ${second.authorizationServerRequests} request(s) to the authorization server; expected none`,
      );
    }
    write(
      `\nSummary\n` +
        `  First run   ${formatMs(first.ms).padStart(8)}  ${first.authorizationServerRequests} requests at the authorization server: ` +
        `${first.clientRequestsToAuthorizationServer} by mcptool, ${first.browserRequestsToAuthorizationServer} by the ${headless ? 'headless sign-in' : 'browser'}, ` +
        `${first.authorizationServerRequests - first.clientRequestsToAuthorizationServer - first.browserRequestsToAuthorizationServer} by the MCP server (keys to verify tokens)\n` +
        `  Second run  ${formatMs(second.ms).padStart(8)}  0 requests at the authorization server: the stored access token was used as is\n\n` +
        `The same from the command line, against your own server:\n` +
        `  npx mcptool login https://server.example/mcp\n` +
        `  npx mcptool status\n` +
        `  npx mcptool call https://server.example/mcp <tool> --args '{...}'\n` +
        `  npx mcptool logout https://server.example/mcp\n`,
    );
    return { tokenStoreDir: dir, issuer: as.issuer, mcpUrl: mcp.url, first, second };
  } finally {
    if (!options.servers) await servers.close();
    process.off('exit', removeStore);
    if (!options.keepTokenStore) await rm(dir, { recursive: true, force: true });
  }

  async function oneRun(run: { title: string; first: boolean }): Promise<DemoRunReport> {
    write(`\n${run.title}\n`);
    const narrator = new Narrator(write);
    const asBefore = as.stats.total;
    const mcpBefore = { unauthorized: mcp.stats.unauthorized, toolCalls: mcp.stats.toolCalls };
    let toAs = 0;
    let signInFrom = 0;
    let byBrowser = 0;
    let tokensSeen = !run.first;

    const onRequest = (x: Exchange) => {
      const isAs = x.url.origin === as.origin;
      if (isAs) toAs++;
      let step: StepId;
      let label: string;
      if (isAs && x.url.href === as.endpoints.registration) {
        step = 'register';
        label = 'registration endpoint';
      } else if (isAs && x.url.href === as.endpoints.token) {
        step = 'token';
        tokensSeen = true;
        label = `token endpoint${x.detail ? `, grant_type=${x.detail}` : ''}`;
      } else if (x.url.pathname.includes('/.well-known/')) {
        step = 'discover';
        label = isAs ? 'authorization server metadata' : 'protected resource metadata';
      } else if (isAs) {
        step = narrator.current ?? 'discover';
        label = 'authorization server';
      } else {
        step = narrator.current === 'call' ? 'call' : tokensSeen ? 'tools' : 'connect';
        label = x.method === 'GET' ? 'MCP event stream' : `MCP${x.detail ? ` ${x.detail}` : ''}`;
      }
      narrator.enter(step);
      return (r: ExchangeResult) => {
        const where = isAs ? 'AS ' : 'MCP';
        const status = r.status === 0 ? 'failed' : String(r.status);
        narrator.line(
          `${x.method.padEnd(4)} ${where} ${x.url.pathname}  → ${status}  ${formatMs(r.ms).padStart(6)}  (${label})`,
        );
        if (r.status === 401 && r.wwwAuthenticate) narrator.line(`       WWW-Authenticate: ${r.wwwAuthenticate}`);
      };
    };

    const handler = demoHandler(
      headless
        ? (url, redirectUri) => followRedirects(url, redirectUri)
        : async (url) => {
            try {
              await openBrowser(url);
            } catch (error) {
              narrator.line(`Could not open a browser (${(error as Error).message}); open the URL above by hand.`);
            }
          },
      {
        opened(url, redirectUri) {
          narrator.enter('sign-in');
          signInFrom = as.stats.requests.length;
          narrator.line(`A one-time listener waits on ${redirectUri} (the redirect URI just registered).`);
          narrator.line('Authorization request:');
          for (const l of describeAuthorizationUrl(url)) narrator.line(`  ${l}`);
          if (headless) {
            narrator.line('Headless: the demo follows the redirects itself (the server approves at once).');
          } else {
            narrator.line('Opening your browser on the consent page. If it does not open, visit:');
            narrator.line(`  ${url.href}`);
            options.progress?.('Waiting for you to approve in the browser…');
          }
        },
        returned(callback) {
          const browserRequests = as.stats.requests.slice(signInFrom);
          byBrowser += browserRequests.length;
          narrator.line(`The ${headless ? 'headless sign-in' : 'browser'} at the authorization server:`);
          for (const r of browserRequests) {
            narrator.line(`  ${r.method.padEnd(4)} AS  ${r.path}  → ${r.status}  (${r.endpoint})`);
          }
          const params = [...callback.searchParams.keys()].join(', ');
          narrator.line(`Redirected to ${callback.origin}${callback.pathname} with ${params}; state and iss checked.`);
          options.progress?.('Exchanging the code for tokens…');
        },
      },
      timeoutMs,
    );

    const store = new FileTokenStore({ dir });
    const oauth = new OAuthConfig({
      tokenStore: store,
      authorizationHandler: handler,
      authorizationTimeoutMs: timeoutMs,
    });
    const toolset = new MCPToolset({
      serverInfo: new StreamableHttpServerInfo({ url: mcp.url, oauth }),
      fetch: recordingFetch(onRequest),
    });
    const started = performance.now();
    let toolResult: string;
    try {
      if (!run.first) narrator.enter('tools');
      await toolset.warmUp();
      options.progress?.(undefined);
      narrator.enter('tools');
      narrator.line(`${toolset.tools.length} tools: ${toolset.tools.map((t) => t.name).join(', ')}`);
      if (run.first) {
        narrator.enter('store');
        await describeStore(store, narrator);
      }
      narrator.enter('call');
      const callStarted = performance.now();
      const result = await toolset.getTool('whoami').invoke({});
      toolResult = resultToText(result).trim();
      narrator.line(`whoami → ${toolResult}  (${formatMs(performance.now() - callStarted)})`);
    } finally {
      await toolset.close();
    }
    narrator.finish();
    const ms = performance.now() - started;
    const report: DemoRunReport = {
      ms,
      clientRequestsToAuthorizationServer: toAs,
      browserRequestsToAuthorizationServer: byBrowser,
      authorizationServerRequests: as.stats.total - asBefore,
      unauthorized: mcp.stats.unauthorized - mcpBefore.unauthorized,
      toolCalls: mcp.stats.toolCalls - mcpBefore.toolCalls,
      toolResult,
      steps: narrator.steps.map(({ title, ms: stepMs }) => ({ title, ms: stepMs })),
    };
    write(
      `\n  ${run.first ? 'First' : 'Second'} run: ${formatMs(ms)}; ${report.authorizationServerRequests} requests at the authorization server; ` +
        `${report.unauthorized} × 401 from the MCP server.\n` +
        `  Steps: ${report.steps.map((s) => `${s.title} ${formatMs(s.ms)}`).join(' · ')}\n`,
    );
    return report;
  }
}

async function describeStore(store: FileTokenStore, narrator: Narrator): Promise<void> {
  const dirMode = ((await stat(store.dir)).mode & 0o777).toString(8);
  narrator.line(`${store.dir}  (directory mode ${dirMode})`);
  for (const name of (await readdir(store.dir)).filter((n) => n.endsWith('.json')).sort()) {
    const mode = ((await stat(join(store.dir, name))).mode & 0o777).toString(8);
    narrator.line(`  ${name}  (mode ${mode}; written atomically: temp file + rename)`);
  }
  const now = Math.floor(Date.now() / 1000);
  for (const c of await listCredentials(store)) {
    narrator.line(`issuer ${c.issuer}, client ${c.clientId ?? '(none)'} (${c.registration ?? 'unknown'})`);
    narrator.line(
      `scopes ${c.scopes.join(' ') || '(none)'}; access token valid for ${c.expiresAt === undefined ? 'an unknown time' : `${Math.round((c.expiresAt - now) / 60)} min`}; ` +
        `refresh token ${c.hasRefreshToken ? 'held' : 'not held'}`,
    );
  }
}
