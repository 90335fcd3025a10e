import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Logger } from '../../../src/core/logger.ts';
import { MCPConnectionError, MCPConnectionLostError } from '../../../src/mcp/errors.ts';
import { resultToText } from '../../../src/mcp/result.ts';
import { SSEServerInfo, StdioServerInfo, StreamableHttpServerInfo } from '../../../src/mcp/server-info.ts';
import { MCPToolset } from '../../../src/mcp/toolset.ts';
import { type McpServerHandle, startMcpServer } from '../../fixtures/mcp-server.ts';
import { startTcpFront } from '../../fixtures/ports.ts';
import { ROOT, runMain } from '../cli/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcptool-lost-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Wait until `condition()` holds; the bound is only reached by a real hang. */
async function waitFor(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function isLost(toolName: string) {
  return (e: unknown) =>
    e instanceof MCPConnectionLostError &&
    e instanceof MCPConnectionError &&
    e.code === 'CONNECTION_LOST' &&
    e.toolName === toolName &&
    /connection was lost during the call of tool "[a-z]+"/.test(e.message) &&
    /not sent again/.test(e.message);
}

/**
 * A hostile proxy in front of a real MCP server: it forwards everything, except that the first `tools/call` it sees
 * is forwarded and then the client's socket is destroyed instead of answering (a reset after delivery).
 */
async function startResettingProxy(upstream: McpServerHandle): Promise<{ url: string; close(): Promise<void> }> {
  let resetDone = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const reset = !resetDone && body.includes('"tools/call"');
      if (reset) resetDone = true;
      const forward = httpRequest(
        { host: '127.0.0.1', port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (upstreamRes: IncomingMessage) => {
          if (reset) {
            upstreamRes.resume();
            req.socket.destroy();
            return;
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
          res.on('close', () => upstreamRes.destroy());
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('issue 10.4: a call whose connection dropped fails with CONNECTION_LOST and is not retried', () => {
  it('Streamable HTTP: the socket is reset after the call reached the server; the next call works', async () => {
    const upstream = await startMcpServer({ transport: 'streamable-http' });
    const proxy = await startResettingProxy(upstream);
    const toolset = await MCPToolset.connect({
      serverInfo: new StreamableHttpServerInfo({ url: proxy.url, oauth: false }),
    });
    try {
      await assert.rejects(toolset.getTool('echo').invoke({ message: 'once' }), isLost('echo'));
      assert.equal(upstream.stats.toolCalls, 1, 'the call reached the server once and was not sent again');
      const result = await toolset.getTool('echo').invoke({ message: 'again' });
      assert.equal(resultToText(result), 'again');
      assert.equal(upstream.stats.toolCalls, 2);
    } finally {
      await toolset.close();
      await proxy.close();
      await upstream.close();
    }
  });

  for (const transport of ['streamable-http', 'sse'] as const) {
    it(`${transport}: the server is killed mid-call and restarted; the next call reconnects`, async () => {
      const first = await startMcpServer({ transport });
      // The restarted server is reached at the same URL through a port the test holds throughout (nothing else
      // can take it while the server is down).
      const front = await startTcpFront(first.port);
      const url = first.url.replace(`:${first.port}/`, `:${front.port}/`);
      const options = { url, oauth: false as const, baseDelayMs: 20, maxDelayMs: 100, maxRetries: 5 };
      const serverInfo = transport === 'sse' ? new SSEServerInfo(options) : new StreamableHttpServerInfo(options);
      const toolset = await MCPToolset.connect({ serverInfo });
      let second: McpServerHandle | undefined;
      try {
        const call = toolset.getTool('slow').invoke({ ms: 60_000 });
        await waitFor(() => first.stats.toolCalls === 1, 'the call to reach the server');
        front.pointAt(undefined);
        await first.kill();
        await assert.rejects(call, isLost('slow'));
        second = await startMcpServer({ transport });
        front.pointAt(second.port);
        const result = await toolset.getTool('echo').invoke({ message: 'back' });
        assert.equal(resultToText(result), 'back');
        assert.equal(second.stats.sessions, 1, 'a new session was opened');
        assert.equal(second.stats.toolCalls, 1, 'only the new call, the lost one was not repeated');
      } finally {
        await toolset.close();
        await first.close();
        await second?.close();
        await front.close();
      }
    });
  }

  it('stdio: the server process is killed mid-call; the next call starts it again', async () => {
    const callsFile = join(dir, 'stdio-calls.txt');
    const stderrLines: string[] = [];
    const logger: Logger = {
      debug(message, fields) {
        if (message === 'MCP server stderr') stderrLines.push(String(fields?.['line']));
      },
      info() {},
      warn() {},
      error() {},
    };
    const toolset = await MCPToolset.connect({
      serverInfo: new StdioServerInfo({
        command: process.execPath,
        args: ['--import', 'tsx', join(ROOT, 'test/fixtures/stdio-server.ts')],
        cwd: ROOT,
        env: { MCPTOOL_FIXTURE_CALLS: callsFile },
      }),
      logger,
    });
    try {
      const pid = Number(resultToText(await toolset.getTool('pid').invoke({})));
      const call = toolset.getTool('slow').invoke({ ms: 60_000 });
      await waitFor(() => stderrLines.includes('slow call started'), 'the call to reach the server');
      process.kill(pid, 'SIGKILL');
      await assert.rejects(call, isLost('slow'));
      const newPid = Number(resultToText(await toolset.getTool('pid').invoke({})));
      assert.notEqual(newPid, pid, 'a new server process answered');
      const calls = readFileSync(callsFile, 'utf8').trim().split('\n');
      assert.deepEqual(calls, ['pid', 'slow', 'pid'], 'the lost call was not repeated');
    } finally {
      await toolset.close();
    }
  });

  it('the CLI exits 4 and names the lost connection', async () => {
    const upstream = await startMcpServer({ transport: 'streamable-http' });
    const proxy = await startResettingProxy(upstream);
    try {
      const run = await runMain(['call', proxy.url, 'echo', '--args', '{"message":"hi"}'], {
        env: { MCPTOOL_HOME: join(dir, 'home') },
      });
      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /connection was lost during the call of tool "echo"/);
      assert.equal(upstream.stats.toolCalls, 1);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });
});
