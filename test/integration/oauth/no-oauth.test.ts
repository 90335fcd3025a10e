/**
 * OAuth is non-invasive: `oauth: false` on a protected server fails with AUTH_REQUIRED and starts no discovery; a
 * server that never answers 401 sees no discovery request at all, whether OAuth is left on by default or
 * configured (counted by a reverse proxy in front of the plain fixture server, and by the client's fetch).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MCPConnectionError,
  MCPToolset,
  MemoryTokenStore,
  OAuthConfig,
  SSEServerInfo,
  StreamableHttpServerInfo,
} from '../../../src/index.ts';
import { startMcpServer } from '../../fixtures/mcp-server.ts';
import {
  call,
  forbiddenHandler,
  oauthToolset,
  recordingFetch,
  type Stack,
  startCountingProxy,
  startStack,
  tempDir,
  text,
} from './helpers.ts';

describe('oauth: false on a protected server', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('fails with MCPConnectionError AUTH_REQUIRED; no metadata or authorization-server request', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    mcp.stats.reset();
    const recorded = recordingFetch();
    const toolset = oauthToolset(mcp.url, false, recorded);
    try {
      await assert.rejects(toolset.warmUp(), (error: unknown) => {
        assert.ok(error instanceof MCPConnectionError, `an MCPConnectionError, got ${String(error)}`);
        assert.equal(error.code, 'AUTH_REQUIRED');
        return true;
      });
    } finally {
      await toolset.close();
    }
    assert.ok(mcp.stats.unauthorized >= 1);
    assert.equal(mcp.stats.metadataRequests, 0, 'no protected resource metadata request');
    assert.equal(as.stats.total, 0, 'no authorization-server request');
    assert.deepEqual(
      recorded.requests.filter((r) => r.url.includes('/.well-known/')),
      [],
    );
  });
});

describe('a server that never answers 401', () => {
  const home = tempDir();
  const saved = process.env['MCPTOOL_HOME'];
  before(() => {
    // OAuth left on by default uses the default file store: keep it out of the user's data dir.
    process.env['MCPTOOL_HOME'] = home.dir;
  });
  after(() => {
    if (saved === undefined) delete process.env['MCPTOOL_HOME'];
    else process.env['MCPTOOL_HOME'] = saved;
    home.cleanup();
  });

  const variants: { name: string; oauth: () => OAuthConfig | undefined }[] = [
    { name: 'OAuth on by default (no oauth option)', oauth: () => undefined },
    {
      name: 'an OAuthConfig (authorization code, handler that must not be used)',
      oauth: () =>
        new OAuthConfig({ tokenStore: new MemoryTokenStore(), authorizationHandler: forbiddenHandler().handler }),
    },
  ];

  for (const transport of ['streamable-http', 'sse'] as const) {
    for (const variant of variants) {
      it(`${transport}, ${variant.name}: no discovery request reaches the server`, async () => {
        const server = await startMcpServer({ transport });
        const proxy = await startCountingProxy(new URL(server.url).origin);
        const url = `${proxy.origin}${new URL(server.url).pathname}`;
        const recorded = recordingFetch();
        const oauth = variant.oauth();
        const options = { url, timeoutMs: 10_000, baseDelayMs: 10, maxDelayMs: 50, ...(oauth && { oauth }) };
        const toolset = new MCPToolset({
          serverInfo: transport === 'sse' ? new SSEServerInfo(options) : new StreamableHttpServerInfo(options),
          fetch: recorded.fetch,
        });
        try {
          await toolset.warmUp();
          assert.equal(text(await call(toolset, 'echo', { message: 'plain' })), 'plain');
        } finally {
          await toolset.close();
          await proxy.close();
          await server.close();
        }
        assert.ok(proxy.paths.length > 0, 'the proxy saw the MCP traffic');
        assert.deepEqual(
          proxy.paths.filter((p) => p.includes('/.well-known')),
          [],
        );
        assert.deepEqual(
          recorded.requests.filter((r) => r.url.includes('/.well-known') || r.headers.has('authorization')),
          [],
          'no discovery request and no Authorization header',
        );
      });
    }
  }
});
