import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MCPConnectionError, MCPToolNotFoundError } from '../../../src/mcp/errors.ts';
import { resultToText } from '../../../src/mcp/result.ts';
import { SSEServerInfo, StdioServerInfo, StreamableHttpServerInfo } from '../../../src/mcp/server-info.ts';
import { MCPTool } from '../../../src/mcp/tool.ts';
import { MCPToolset } from '../../../src/mcp/toolset.ts';
import { type EverythingServer, startEverything } from '../../fixtures/everything-server.ts';

/** `@modelcontextprotocol/server-everything`, a real third-party server: `index.js stdio|sse|streamableHttp`. */
const EVERYTHING = 'node_modules/@modelcontextprotocol/server-everything/dist/index.js';

describe('server-everything over stdio', () => {
  const serverInfo = new StdioServerInfo({ command: process.execPath, args: [EVERYTHING, 'stdio'] });
  let toolset: MCPToolset;

  before(async () => {
    toolset = await MCPToolset.connect({ serverInfo });
  });
  after(async () => {
    await toolset.close();
  });

  it('lists its tools and calls echo', async () => {
    const names = toolset.tools.map((t) => t.name);
    assert.ok(names.includes('echo'), names.join(', '));
    assert.ok(names.includes('get-sum'));
    assert.equal(resultToText(await toolset.getTool('echo').invoke({ message: 'hi' })), 'Echo: hi');
  });

  it('returns an image block from get-tiny-image', async () => {
    const result = await toolset.getTool('get-tiny-image').invoke({});
    assert.ok(result.content.some((c) => c.type === 'image'));
  });

  it('an MCPTool of the same server shares the child process', async () => {
    const tool = await MCPTool.connect({ name: 'get-sum', serverInfo });
    const result = await tool.invoke({ a: 2, b: 40 });
    assert.match(resultToText(result), /42/);
    await tool.close();
    assert.match(resultToText(await toolset.getTool('echo').invoke({ message: 'x' })), /x/);
  });

  it('an unknown tool name is TOOL_NOT_FOUND', async () => {
    await assert.rejects(
      MCPTool.connect({ name: 'no-such-tool', serverInfo }),
      (e: unknown) => e instanceof MCPToolNotFoundError && e.availableTools.includes('echo'),
    );
  });
});

describe('stdio failures', () => {
  it('a command that does not exist is a clear MCPConnectionError', async () => {
    const serverInfo = new StdioServerInfo({ command: 'mcptool-no-such-command-xyz' });
    await assert.rejects(
      MCPToolset.connect({ serverInfo }),
      (e: unknown) =>
        e instanceof MCPConnectionError &&
        e.code === 'CONNECTION_FAILED' &&
        /command not found/.test(e.message) &&
        /mcptool-no-such-command-xyz/.test(e.message),
    );
  });

  it('a server that exits at once is a connection error showing its stderr', async () => {
    const serverInfo = new StdioServerInfo({
      command: process.execPath,
      args: ['-e', 'console.error("config file missing"); process.exit(3)'],
    });
    await assert.rejects(
      MCPToolset.connect({ serverInfo, connectionTimeoutMs: 5_000 }),
      (e: unknown) =>
        e instanceof MCPConnectionError && e.code === 'CONNECTION_FAILED' && /config file missing/.test(e.message),
    );
  });
});

for (const mode of ['streamableHttp', 'sse'] as const) {
  describe(`server-everything over ${mode}`, () => {
    let server: EverythingServer | undefined;
    before(async () => {
      server = await startEverything(mode);
    });
    after(async () => {
      await server?.close();
    });

    it('lists tools and calls echo', async () => {
      const serverInfo =
        mode === 'sse'
          ? new SSEServerInfo({ url: server!.url, oauth: false })
          : new StreamableHttpServerInfo({ url: server!.url, oauth: false });
      const toolset = await MCPToolset.connect({ serverInfo, toolNames: ['echo', 'get-sum'] });
      try {
        assert.deepEqual(
          toolset.tools.map((t) => t.name),
          ['echo', 'get-sum'],
        );
        assert.equal(resultToText(await toolset.getTool('echo').invoke({ message: mode })), `Echo: ${mode}`);
      } finally {
        await toolset.close();
      }
    });
  });
}
