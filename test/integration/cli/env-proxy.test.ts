// Issue 12, item 5: HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured for every request of the real `mcptool` process
// (Node 20's fetch ignores them). A forwarding proxy on 127.0.0.1 stands in for a corporate proxy; the MCP server is
// named by a host that only the proxy knows, so a request that skips the proxy cannot reach it.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type McpServerHandle, startMcpServer } from '../../fixtures/mcp-server.ts';
import { runCli } from './run-cli.ts';

/** The host name the proxy maps to the fixture; it resolves nowhere else (`.invalid`, RFC 6761 §6.4). */
const HIDDEN_HOST = 'mcp.proxied.invalid';

/**
 * A forward proxy that sends `HIDDEN_HOST` to `port` on loopback: tunnels (`CONNECT`, as undici's proxy agent uses for
 * every request) and absolute-form requests alike. Every request line it sees is kept in `seen`.
 */
async function startForwardProxy(port: number): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '/');
    if (target.hostname !== HIDDEN_HOST) {
      res.writeHead(502).end(`this proxy knows only ${HIDDEN_HOST}`);
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: target.pathname + target.search, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(`${req.method} ${req.url}`);
    if (!req.url?.startsWith(`${HIDDEN_HOST}:`)) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('item 5: HTTPS_PROXY / NO_PROXY honoured for every request (the real process)', () => {
  let mcp: McpServerHandle;
  let proxy: Awaited<ReturnType<typeof startForwardProxy>>;
  let hiddenUrl: string;

  before(async () => {
    mcp = await startMcpServer({ transport: 'streamable-http' });
    proxy = await startForwardProxy(mcp.port);
    hiddenUrl = `http://${HIDDEN_HOST}:${mcp.port}/mcp`;
  });
  after(async () => {
    await proxy?.close();
    await mcp?.close();
  });

  const bare = { HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '', NO_PROXY: '', no_proxy: '' };

  it('item 5: HTTP_PROXY carries the requests to a server only the proxy can reach', async () => {
    proxy.seen.length = 0;
    const run = await runCli(['tools', hiddenUrl, '--json'], {
      env: { ...bare, HTTP_PROXY: proxy.url },
      timeoutMs: 180_000,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(JSON.parse(run.stdout).some((tool: { name: string }) => tool.name === 'echo'));
    assert.ok(
      proxy.seen.length > 0 && proxy.seen.every((line) => line.includes(`${HIDDEN_HOST}:`)),
      proxy.seen.join('\n'),
    );
  });

  it('item 5: NO_PROXY sends that host directly (so the hidden name does not resolve: exit 4)', async () => {
    proxy.seen.length = 0;
    const run = await runCli(['tools', hiddenUrl, '--json'], {
      env: { ...bare, HTTP_PROXY: proxy.url, NO_PROXY: `.proxied.invalid` },
      timeoutMs: 180_000,
    });
    assert.equal(run.code, 4, run.stderr);
    assert.deepEqual(proxy.seen, []);
  });

  it('item 5: a loopback server is reached directly even with a proxy named', async () => {
    proxy.seen.length = 0;
    const run = await runCli(['tools', mcp.url, '--json'], {
      env: { ...bare, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url },
      timeoutMs: 180_000,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(proxy.seen, []);
  });
});
