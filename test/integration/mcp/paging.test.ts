import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from '../../../src/core/logger.ts';
import { MAX_LIST_PAGES } from '../../../src/mcp/client.ts';
import { resultToText } from '../../../src/mcp/result.ts';
import { SSEServerInfo, StreamableHttpServerInfo } from '../../../src/mcp/server-info.ts';
import { MCPTool } from '../../../src/mcp/tool.ts';
import { MCPToolset } from '../../../src/mcp/toolset.ts';
import { startMcpServer } from '../../fixtures/mcp-server.ts';

/** The fixture's tools before the fillers. */
const BASE_TOOLS = 8;

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug() {},
    info() {},
    warn(message) {
      warnings.push(message);
    },
    error() {},
  };
}

/** A fetch that counts the `tools/list` requests it sends (the SDK posts each JSON-RPC message as a string). */
function countingFetch(): { fetch: typeof fetch; listRequests: () => number } {
  let count = 0;
  return {
    fetch: (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('"tools/list"')) count++;
      return fetch(input, init);
    },
    listRequests: () => count,
  };
}

describe('issue 10.2: tools/list is read page by page up to MAX_LIST_PAGES', () => {
  for (const transport of ['streamable-http', 'sse'] as const) {
    it(`${transport}: a server with 88 pages (past the SDK's 64) lists every tool, without a warning`, async () => {
      const server = await startMcpServer({ transport, pageSize: 1, extraTools: 80 });
      const logger = recordingLogger();
      const counter = countingFetch();
      const options = { url: server.url, oauth: false as const };
      const serverInfo = transport === 'sse' ? new SSEServerInfo(options) : new StreamableHttpServerInfo(options);
      try {
        const toolset = await MCPToolset.connect({ serverInfo, logger, fetch: counter.fetch });
        try {
          assert.equal(toolset.tools.length, BASE_TOOLS + 80);
          assert.equal(new Set(toolset.tools.map((t) => t.name)).size, BASE_TOOLS + 80);
          assert.equal(toolset.tools.at(-1)?.name, 'filler_80');
          assert.equal(counter.listRequests(), BASE_TOOLS + 80, 'one request per page');
          assert.deepEqual(logger.warnings, []);
          assert.equal(resultToText(await toolset.getTool('filler_80').invoke({})), 'filler_80');
          // The tool's output schema still validates results (the listed definition is passed to the SDK).
          assert.deepEqual((await toolset.getTool('add').invoke({ a: 1, b: 2 })).structuredContent, { sum: 3 });
        } finally {
          await toolset.close();
        }
        // MCPTool reads its definition through the same walk: a tool on the last page is found.
        const tool = await MCPTool.connect({ name: 'filler_80', serverInfo });
        assert.equal(tool.description, 'Filler tool 80');
        await tool.close();
      } finally {
        await server.close();
      }
    });
  }

  it('a server with more than MAX_LIST_PAGES pages: the tools of the first 1000 pages and a warning', async () => {
    assert.equal(MAX_LIST_PAGES, 1000);
    const server = await startMcpServer({ transport: 'streamable-http', pageSize: 1, extraTools: 1000 });
    const logger = recordingLogger();
    const counter = countingFetch();
    try {
      const toolset = await MCPToolset.connect({
        serverInfo: new StreamableHttpServerInfo({ url: server.url, oauth: false }),
        logger,
        fetch: counter.fetch,
      });
      try {
        assert.equal(toolset.tools.length, MAX_LIST_PAGES);
        assert.equal(counter.listRequests(), MAX_LIST_PAGES, 'no request past the limit');
        assert.deepEqual(logger.warnings, [
          'tools/list pagination did not end within 1000 pages; using the items read so far',
        ]);
      } finally {
        await toolset.close();
      }
    } finally {
      await server.close();
    }
  });
});
