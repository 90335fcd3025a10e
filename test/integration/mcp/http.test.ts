import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret } from '../../../src/core/secret.ts';
import { defaultConnectionPool } from '../../../src/mcp/connection-pool.ts';
import { MCPConnectionError, MCPInvocationError, MCPToolNotFoundError } from '../../../src/mcp/errors.ts';
import { resultToText } from '../../../src/mcp/result.ts';
import { SSEServerInfo, StreamableHttpServerInfo } from '../../../src/mcp/server-info.ts';
import { MCPTool } from '../../../src/mcp/tool.ts';
import { MCPToolset } from '../../../src/mcp/toolset.ts';
import { type McpServerHandle, startMcpServer, TINY_PNG_BASE64 } from '../../fixtures/mcp-server.ts';

type Transport = 'streamable-http' | 'sse';

function infoFor(transport: Transport, url: string, extra: { token?: Secret } = {}) {
  const options = { url, baseDelayMs: 20, maxDelayMs: 100, maxRetries: 5, oauth: false as const, ...extra };
  return transport === 'sse' ? new SSEServerInfo(options) : new StreamableHttpServerInfo(options);
}

for (const transport of ['streamable-http', 'sse'] as const) {
  describe(`MCP over ${transport}`, () => {
    let server: McpServerHandle;
    let toolset: MCPToolset;
    const logs: unknown[] = [];

    before(async () => {
      server = await startMcpServer({ transport, extraTools: 3, pageSize: 4 });
      toolset = await MCPToolset.connect({
        serverInfo: infoFor(transport, server.url),
        onLog: (entry) => logs.push(entry),
        elicitationHandler: async (request) => {
          assert.equal(request.mode ?? 'form', 'form');
          return { action: 'accept', content: { name: 'Grace' } };
        },
      });
    });

    after(async () => {
      await toolset.close();
      await server.close();
    });

    it('lists every tool across pages of tools/list', () => {
      const names = toolset.tools.map((t) => t.name);
      assert.equal(names.length, 11);
      assert.deepEqual(names.slice(0, 3), ['echo', 'add', 'content_types']);
      assert.ok(names.includes('filler_03'));
      const add = toolset.getTool('add');
      assert.equal(add.description, 'Add two numbers');
      assert.deepEqual(add.inputSchema['required'], ['a', 'b']);
      assert.ok(add.outputSchema);
    });

    it('calls a tool and keeps structured content', async () => {
      const result = await toolset.getTool('add').invoke({ a: 2, b: 3 });
      assert.deepEqual(result.structuredContent, { sum: 5 });
      assert.equal(resultToText(result), '5');
    });

    it('keeps every content type', async () => {
      const result = await toolset.getTool('content_types').invoke({});
      assert.deepEqual(
        result.content.map((c) => c.type),
        ['text', 'image', 'audio', 'resource', 'resource', 'resource_link'],
      );
      const image = result.content[1];
      assert.ok(image?.type === 'image' && image.data === TINY_PNG_BASE64);
      assert.match(resultToText(result), /\[resource link "doc": https:\/\/example.com\/doc \(text\/html\)\]/);
    });

    it('a result with isError rejects with TOOL_ERROR and carries the result', async () => {
      await assert.rejects(
        toolset.getTool('fail').invoke({ message: 'broken on purpose' }),
        (e: unknown) =>
          e instanceof MCPInvocationError &&
          e.code === 'TOOL_ERROR' &&
          /broken on purpose/.test(e.message) &&
          (e.result as { isError?: boolean }).isError === true,
      );
    });

    it('times out with INVOCATION_TIMEOUT', async () => {
      await assert.rejects(
        toolset.getTool('slow').invoke({ ms: 5_000 }, { timeoutMs: 150 }),
        (e: unknown) => e instanceof MCPInvocationError && e.code === 'INVOCATION_TIMEOUT',
      );
    });

    it('aborts with ABORTED', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      await assert.rejects(
        toolset.getTool('slow').invoke({ ms: 5_000 }, { signal: controller.signal }),
        (e: unknown) => e instanceof MCPInvocationError && e.code === 'ABORTED',
      );
      assert.ok(Date.now() - started < 2_000);
      const again = await toolset.getTool('echo').invoke({ message: 'still fine' });
      assert.equal(resultToText(again), 'still fine');
    });

    it('answers elicitation with the handler, filling schema defaults', async () => {
      const result = await toolset.getTool('elicit').invoke({});
      assert.deepEqual(JSON.parse(resultToText(result)), {
        action: 'accept',
        content: { name: 'Grace', age: 36, subscribe: true, color: 'blue' },
      });
    });

    it('delivers progress and server logs to the listeners', async () => {
      const progress: number[] = [];
      await toolset.getTool('progress').invoke({ steps: 3 }, { onProgress: (p) => progress.push(p.progress) });
      assert.deepEqual(progress, [1, 2, 3]);
      await toolset.getTool('log').invoke({ level: 'warning', message: 'careful' });
      assert.ok(logs.some((l) => (l as { data?: unknown }).data === 'careful'));
    });

    it('rejects an unknown tool name with TOOL_NOT_FOUND listing the available tools', async () => {
      const tool = new MCPTool({ name: 'nope', serverInfo: infoFor(transport, server.url) });
      await assert.rejects(
        tool.invoke({}),
        (e: unknown) => e instanceof MCPToolNotFoundError && e.toolName === 'nope' && e.availableTools.includes('echo'),
      );
      await tool.close();
      await assert.rejects(
        MCPToolset.connect({ serverInfo: infoFor(transport, server.url), toolNames: ['echo', 'missing'] }),
        (e: unknown) => e instanceof MCPToolNotFoundError && e.toolName === 'missing',
      );
    });
  });

  describe(`connection lifecycle over ${transport}`, () => {
    it('shares one connection between tools and toolsets; the last close closes it', async () => {
      const server = await startMcpServer({ transport });
      try {
        const before = defaultConnectionPool.size;
        const a = await MCPToolset.connect({ serverInfo: infoFor(transport, server.url) });
        const b = await MCPToolset.connect({ serverInfo: infoFor(transport, server.url), toolNames: ['echo'] });
        const tool = await MCPTool.connect({ name: 'add', serverInfo: infoFor(transport, server.url) });
        assert.equal(server.stats.sessions, 1);
        assert.equal(defaultConnectionPool.size, before + 1);
        await a.close();
        assert.equal(resultToText(await b.getTool('echo').invoke({ message: 'b' })), 'b');
        await b.close();
        assert.equal(resultToText(await tool.invoke({ a: 1, b: 1 })), '2');
        await tool.close();
        assert.equal(defaultConnectionPool.size, before);
        assert.equal(server.stats.sessions, 1);
      } finally {
        await server.close();
      }
    });

    it('is lazy until warmUp and rejects connect() with the cause when unreachable', async () => {
      const server = await startMcpServer({ transport });
      const url = server.url;
      const lazy = new MCPToolset({ serverInfo: infoFor(transport, url) });
      assert.deepEqual(lazy.tools, []);
      assert.equal(server.stats.sessions, 0);
      await lazy.warmUp();
      assert.equal(server.stats.sessions, 1);
      await lazy.close();
      await server.close();
      await assert.rejects(
        MCPToolset.connect({ serverInfo: infoFor(transport, url) }),
        (e: unknown) =>
          e instanceof MCPConnectionError &&
          e.code === 'CONNECTION_FAILED' &&
          e.operation === 'connect' &&
          e.cause !== undefined,
      );
    });

    it('sends a static token; without it a 401 is AUTH_REQUIRED', async () => {
      const server = await startMcpServer({ transport, requireToken: 's3cret-token' });
      try {
        await assert.rejects(
          MCPToolset.connect({ serverInfo: infoFor(transport, server.url) }),
          (e: unknown) =>
            e instanceof MCPConnectionError && e.code === 'AUTH_REQUIRED' && !e.message.includes('s3cret-token'),
        );
        const toolset = await MCPToolset.connect({
          serverInfo: infoFor(transport, server.url, { token: Secret.fromToken('s3cret-token') }),
        });
        assert.equal(resultToText(await toolset.getTool('echo').invoke({ message: 'authorized' })), 'authorized');
        await toolset.close();
      } finally {
        await server.close();
      }
    });
  });
}
