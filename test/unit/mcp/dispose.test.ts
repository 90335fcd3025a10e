import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MCPTool, MCPToolset, StdioServerInfo } from '../../../src/index.ts';

const serverInfo = new StdioServerInfo({ command: 'node', args: ['server.js'] });

describe('item 5: await using (Symbol.asyncDispose) closes tools and toolsets', () => {
  it('item 5: an MCPToolset and an MCPTool are closed at the end of their block', async () => {
    const closed: string[] = [];
    class CountingToolset extends MCPToolset {
      override async close() {
        closed.push('toolset');
        await super.close();
      }
    }
    class CountingTool extends MCPTool {
      override async close() {
        closed.push('tool');
        await super.close();
      }
    }
    {
      await using toolset = new CountingToolset({ serverInfo });
      await using tool = new CountingTool({ name: 'echo', serverInfo });
      assert.equal(typeof toolset[Symbol.asyncDispose], 'function');
      assert.equal(typeof tool[Symbol.asyncDispose], 'function');
      assert.deepEqual(closed, []);
    }
    assert.deepEqual(closed, ['tool', 'toolset']);
  });
});
