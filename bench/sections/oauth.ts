/**
 * OAuth figures of issue 4 ("`npm run bench` adds"), against a real authorization server (oidc-provider) and a
 * real protected MCP server (JWT access tokens) on 127.0.0.1:
 * - requests to the authorization server (and the resource's metadata) on the first connect, against the spec
 *   minimum for Dynamic Client Registration + authorization code (PRM, AS metadata, registration, authorization,
 *   token = 5); on a second toolset in the same process and after a restart with a `FileTokenStore` (target 0,
 *   compared with a first connect);
 * - refresh requests for N concurrent calls across an access-token expiry (target 1, against N: one per call);
 * - the median latency of a tool call with OAuth against the same call with a static bearer token on the same
 *   server (target <= 1.05; interleaved, after a warm-up).
 * Environment: `BENCH_OAUTH_CONCURRENT` (default 1000), `BENCH_OAUTH_CALLS` (default 1000) and `BENCH_WARMUP`
 * (default 100) calls per side, `BENCH_OAUTH_BUDGET_MS` (default 20000) the most time the latency part measures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startProtectedMcpServer } from '../../demo/protected-server.ts';
import {
  FileTokenStore,
  MCPTool,
  MCPToolset,
  MemoryTokenStore,
  OAuthConfig,
  Secret,
  StreamableHttpServerInfo,
} from '../../src/index.ts';
import { TestClock } from '../../test/fixtures/test-clock.ts';
import {
  approvingHandler,
  freshConnectionFetch,
  renewalPointMs,
  type Stack,
  startStack,
} from '../../test/integration/lifecycle/helpers.ts';
import { startWorker } from '../../test/integration/lifecycle/workers.ts';
import { type Figure, median, percentile, type Section, timeInterleaved } from '../report.ts';

const CONCURRENT = Number(process.env['BENCH_OAUTH_CONCURRENT'] ?? 1000);
const CALLS = Number(process.env['BENCH_OAUTH_CALLS'] ?? 1000);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 100);
const BUDGET_MS = Number(process.env['BENCH_OAUTH_BUDGET_MS'] ?? 20_000);

/** DCR + authorization code, per MCP Authorization 2025-11-25: PRM, AS metadata, registration, authorization, token. */
const SPEC_MINIMUM = 5;
/** Authorization-server endpoints a user agent visits inside one authorization (not client requests). */
const USER_AGENT_STEPS = new Set(['interaction', 'resume']);

/**
 * Requests the MCP server makes to the authorization server itself (metadata discovery and JWKS, to verify
 * tokens), counted so that they can be told apart from the client's.
 */
function resourceServerFetch(): { fetch: typeof fetch; seen: Map<string, number> } {
  const seen = new Map<string, number>();
  return {
    seen,
    fetch: (input, init) => {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      const endpoint = path.includes('/.well-known/') ? 'discovery' : 'jwks';
      seen.set(endpoint, (seen.get(endpoint) ?? 0) + 1);
      return fetch(input, init);
    },
  };
}

/**
 * What the client made the servers see since the last reset: protected resource metadata documents at the MCP
 * server and requests at the authorization server, without the user agent's hops inside the authorization
 * (interaction pages) and without the MCP server's own discovery and JWKS requests.
 */
function requestsSeen(stack: Stack, resourceServer: Map<string, number>): { total: number; detail: string } {
  const byEndpoint = new Map<string, number>();
  const prm = stack.mcp.stats.metadataRequests;
  if (prm > 0) byEndpoint.set('protected-resource-metadata', prm);
  const own = new Map(resourceServer);
  for (const r of stack.as.stats.requests) {
    if (USER_AGENT_STEPS.has(r.endpoint)) continue;
    const mine = own.get(r.endpoint) ?? 0;
    if (mine > 0) {
      own.set(r.endpoint, mine - 1);
      continue;
    }
    const name = r.endpoint === 'token' ? `token(${r.grantType})` : r.endpoint;
    byEndpoint.set(name, (byEndpoint.get(name) ?? 0) + 1);
  }
  const total = [...byEndpoint.values()].reduce((a, b) => a + b, 0);
  return { total, detail: [...byEndpoint].map(([k, v]) => `${k} ${v}`).join(', ') || 'none' };
}

function reset(stack: Stack, resourceServer?: Map<string, number>): void {
  stack.as.stats.reset();
  stack.mcp.stats.reset();
  resourceServer?.clear();
}

async function useOnce(toolset: MCPToolset): Promise<void> {
  try {
    await toolset.warmUp();
    await toolset.getTool('echo').invoke({ text: 'bench' });
  } finally {
    await toolset.close();
  }
}

/** First connect, a second toolset in the same process, and a restarted process, with a FileTokenStore. */
async function connectFigures(): Promise<Figure[]> {
  const rs = resourceServerFetch();
  const stack = await startStack({ ttl: 3600, mcp: { fetch: rs.fetch } });
  const dir = mkdtempSync(join(tmpdir(), 'mcptool-bench-'));
  try {
    const serverInfo = (oauth: OAuthConfig) => new StreamableHttpServerInfo({ url: stack.mcp.url, oauth });
    const user = approvingHandler();
    reset(stack, rs.seen);
    await useOnce(
      new MCPToolset({
        serverInfo: serverInfo(
          new OAuthConfig({
            flow: 'authorization_code',
            tokenStore: new FileTokenStore({ dir }),
            authorizationHandler: user.handler,
          }),
        ),
      }),
    );
    const first = requestsSeen(stack, rs.seen);

    // A second toolset in the same process: its own configuration object, the same store directory.
    reset(stack, rs.seen);
    const refusing = {
      async open(): Promise<never> {
        throw new Error('the second toolset must not sign in');
      },
    };
    await useOnce(
      new MCPToolset({
        serverInfo: serverInfo(
          new OAuthConfig({
            flow: 'authorization_code',
            tokenStore: new FileTokenStore({ dir }),
            authorizationHandler: refusing,
          }),
        ),
      }),
    );
    const second = requestsSeen(stack, rs.seen);

    // A restart: a new Node process with the same store directory connects, lists the tools and calls one.
    reset(stack, rs.seen);
    const child = startWorker({ mode: 'calls', store: { kind: 'file', dir }, url: stack.mcp.url, concurrency: 1 });
    try {
      await child.printed('READY');
      child.send(JSON.stringify({ rounds: 3, last: true }));
      const line = await child.printed('RESULT ');
      const result = JSON.parse(line.slice('RESULT '.length)) as { ok: number; failed: number };
      if (result.failed > 0 || result.ok === 0) throw new Error(`the restarted process failed: ${line}`);
    } finally {
      await child.kill();
    }
    const restart = requestsSeen(stack, rs.seen);

    const baselineName = `first connect (${first.total})`;
    return [
      {
        name: 'authorization-server requests on first connect (DCR + authorization code)',
        value: first.total,
        baseline: SPEC_MINIMUM,
        unit: 'requests',
        baselineName: 'spec minimum: PRM, AS metadata, registration, authorization, token',
        target: 1,
        notes: `seen: ${first.detail}`,
      },
      {
        name: 'authorization-server requests for a second toolset in the same process',
        value: second.total,
        baseline: first.total,
        unit: 'requests',
        baselineName,
        target: 0,
        notes: `seen: ${second.detail}`,
      },
      {
        name: 'authorization-server requests after a restart (FileTokenStore)',
        value: restart.total,
        baseline: first.total,
        unit: 'requests',
        baselineName,
        target: 0,
        notes: `seen: ${restart.detail}`,
      },
    ];
  } finally {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * N concurrent calls started together once the held token is due: how many refresh requests. Time is a test clock
 * shared by the client and both servers (600 s tokens): it is moved past the renewal point once, so a burst slowed
 * down by a loaded machine still spans exactly one expiry.
 */
async function refreshFigure(): Promise<Figure> {
  const clock = new TestClock({ frozen: true });
  const stack = await startStack({ ttl: 600, clock });
  const store = new MemoryTokenStore();
  const user = approvingHandler();
  // A new connection per request: see freshConnectionFetch (the fixtures' 1 s keep-alive race).
  const toolset = new MCPToolset({
    serverInfo: new StreamableHttpServerInfo({
      url: stack.mcp.url,
      oauth: new OAuthConfig({
        flow: 'authorization_code',
        tokenStore: store,
        authorizationHandler: user.handler,
        clock,
      }),
      timeout: 60_000,
    }),
    fetch: freshConnectionFetch,
  });
  try {
    await toolset.warmUp();
    const due = await renewalPointMs(store);
    clock.advance(Math.max(0, due + 50 - clock.now()));
    reset(stack);
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: CONCURRENT }, (_, i) => toolset.getTool('echo').invoke({ text: `c${i}` })),
    );
    const elapsed = performance.now() - started;
    const failed = results.filter((r) => r.status === 'rejected').length;
    const refreshes = stack.as.stats.grants['refresh_token'] ?? 0;
    return {
      name: `refresh requests for ${CONCURRENT} concurrent calls across an access-token expiry`,
      value: refreshes,
      baseline: CONCURRENT,
      unit: 'requests',
      baselineName: 'one refresh per call (no single-flight)',
      target: 1 / CONCURRENT,
      notes:
        `${CONCURRENT - failed} of ${CONCURRENT} calls succeeded in ${elapsed.toFixed(0)} ms; ` +
        `other token requests: ${JSON.stringify({ ...stack.as.stats.grants, refresh_token: undefined })}`,
    };
  } finally {
    await toolset.close();
    await stack.close();
  }
}

/** Median tool-call latency through the OAuth engine against a static bearer token, same kind of server. */
async function latencyFigure(): Promise<Figure> {
  const stack = await startStack({
    ttl: 3600,
    as: {
      clients: [
        {
          client_id: 'bench',
          client_secret: 'bench-secret',
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
        },
      ],
    },
  });
  // A second protected server of the same kind, for the static token (its own connection and counters).
  const staticServer = await startProtectedMcpServer({ issuer: stack.as.issuer });
  process.env['MCPTOOL_BENCH_SECRET'] = 'bench-secret';
  const oauthTool = new MCPTool({
    name: 'echo',
    serverInfo: new StreamableHttpServerInfo({
      url: stack.mcp.url,
      oauth: new OAuthConfig({
        flow: 'client_credentials',
        clientId: 'bench',
        clientSecret: Secret.fromEnv('MCPTOOL_BENCH_SECRET'),
        tokenStore: new MemoryTokenStore(),
      }),
    }),
  });
  let staticTool: MCPTool | undefined;
  try {
    // The static token: a client-credentials token for the second server, obtained once, outside mcptool.
    const response = await fetch(stack.as.endpoints.token, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('bench:bench-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'mcp:tools', resource: staticServer.url }),
    });
    const token = ((await response.json()) as { access_token: string }).access_token;
    staticTool = new MCPTool({
      name: 'echo',
      serverInfo: new StreamableHttpServerInfo({ url: staticServer.url, oauth: false, token: Secret.fromToken(token) }),
    });
    await oauthTool.warmUp();
    await staticTool.warmUp();
    const args = { text: 'benchmark' };
    const viaOAuth = () => oauthTool.invoke(args);
    const viaStatic = () => (staticTool as MCPTool).invoke(args);
    const { measured: oauthTimes, baseline: staticTimes } = await timeInterleaved(viaOAuth, viaStatic, {
      calls: CALLS,
      warmup: WARMUP,
      budgetMs: BUDGET_MS,
    });
    return {
      name: 'median latency of an echo tool call with OAuth (client credentials, JWT checked by the server)',
      value: median(oauthTimes),
      baseline: median(staticTimes),
      baselineName: 'the same call with a static bearer token, same kind of server',
      target: 1.05,
      notes:
        `${oauthTimes.length} calls each after ${WARMUP} warm-up calls, interleaved; p90 OAuth ` +
        `${percentile(oauthTimes, 90).toFixed(3)} ms, static ${percentile(staticTimes, 90).toFixed(3)} ms`,
    };
  } finally {
    await oauthTool.close();
    await staticTool?.close();
    await staticServer.close();
    await stack.close();
    delete process.env['MCPTOOL_BENCH_SECRET'];
  }
}

/** The OAuth section of `npm run bench`. */
export const oauthSection: Section = {
  title:
    'OAuth: authorization-server requests, refresh single-flight, tool-call overhead (oidc-provider, protected MCP server)',
  async run(): Promise<Figure[]> {
    return [...(await connectFigures()), await refreshFigure(), await latencyFigure()];
  },
};
