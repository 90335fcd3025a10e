import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from '../../../src/core/logger.ts';
import { defaultConnectionPool } from '../../../src/mcp/connection-pool.ts';
import { resultToText } from '../../../src/mcp/result.ts';
import { StreamableHttpServerInfo } from '../../../src/mcp/server-info.ts';
import { MCPTool } from '../../../src/mcp/tool.ts';
import { MCPToolset } from '../../../src/mcp/toolset.ts';
import { startMcpServer } from '../../fixtures/mcp-server.ts';

function namedLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string) => lines.push(message);
  return { lines, debug: record, info: record, warn: record, error: record };
}

/** A fetch that counts the requests it sends. */
function countingFetch(): typeof fetch & { count: number } {
  const wrapped = Object.assign(
    (input: string | URL | Request, init?: RequestInit) => {
      wrapped.count++;
      return fetch(input, init);
    },
    { count: 0 },
  );
  return wrapped;
}

describe('issue 10.3: tools and toolsets share a connection only with equal connection options', () => {
  it('a second toolset with its own logger or fetch gets its own connection, which uses them', async () => {
    const server = await startMcpServer({ transport: 'streamable-http' });
    const info = () => new StreamableHttpServerInfo({ url: server.url, oauth: false });
    const loggerA = namedLogger();
    const loggerB = namedLogger();
    const fetchC = countingFetch();
    const before = defaultConnectionPool.size;
    const held: { close(): Promise<void> }[] = [];
    try {
      const a = await MCPToolset.connect({ serverInfo: info(), logger: loggerA });
      held.push(a);
      const b = await MCPToolset.connect({ serverInfo: info(), logger: loggerB });
      held.push(b);
      assert.equal(server.stats.sessions, 2, 'a different logger: a connection of its own');
      assert.ok(loggerA.lines.includes('MCP connection open'));
      assert.ok(loggerB.lines.includes('MCP connection open'), "the second toolset's logger is used");

      const c = await MCPToolset.connect({ serverInfo: info(), logger: loggerA, fetch: fetchC });
      held.push(c);
      assert.equal(server.stats.sessions, 3, 'a different fetch: a connection of its own');
      const sentBefore = fetchC.count;
      assert.equal(resultToText(await c.getTool('echo').invoke({ message: 'via C' })), 'via C');
      assert.ok(fetchC.count > sentBefore, "the third toolset's calls go through its fetch");
      const sentByC = fetchC.count;
      await a.getTool('echo').invoke({ message: 'via A' });
      assert.equal(fetchC.count, sentByC, "another toolset's calls do not");

      // Equal options share: the same logger object, and per-holder options (timeouts of calls, handlers).
      const d = await MCPToolset.connect({
        serverInfo: info(),
        logger: loggerA,
        invocationTimeoutMs: 5_000,
        onProgress: () => {},
        onLog: () => {},
        elicitationHandler: async () => ({ action: 'decline' }),
      });
      held.push(d);
      const tool = await MCPTool.connect({ name: 'echo', serverInfo: info(), logger: loggerB });
      held.push(tool);
      assert.equal(server.stats.sessions, 3, 'equal connection options share the connection');
      assert.equal(defaultConnectionPool.size, before + 3);

      const e = await MCPToolset.connect({ serverInfo: info(), logger: loggerA, connectionTimeoutMs: 20_000 });
      held.push(e);
      assert.equal(server.stats.sessions, 4, 'a different connection timeout: a connection of its own');
    } finally {
      for (const holder of held) await holder.close();
      await server.close();
    }
    assert.equal(defaultConnectionPool.size, before, 'the last release of each connection closes it');
  });
});
