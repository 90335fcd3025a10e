/**
 * The desktop client configs of README.md's "Desktop clients: `mcptool proxy`" section work as written: each
 * server entry is started the way a desktop client starts it (its `args` after `npx -y mcptool` given to the CLI
 * from the sources, its `env` added), with the example URL pointed at a local fixture server, and answers
 * `tools/list` through a real SDK v2 client.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { type McpServerHandle, startMcpServer } from '../../fixtures/mcp-server.ts';
import { cleanEnv, ROOT, tempDir } from './helpers.ts';

interface Entry {
  type?: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('## Desktop clients: `mcptool proxy`');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const configs = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => {
  const doc = JSON.parse(m[1] ?? '') as { mcpServers?: Record<string, Entry>; servers?: Record<string, Entry> };
  return Object.values(doc.mcpServers ?? doc.servers ?? {});
});

describe('README desktop client configs', () => {
  let server: McpServerHandle;
  const store = tempDir('mcptool-proxy-readme-');
  before(async () => {
    server = await startMcpServer({ transport: 'streamable-http' });
  });
  after(async () => {
    await server.close();
    store.cleanup();
  });

  it('the section has a config for Claude Desktop / Cursor and one for VS Code', () => {
    assert.equal(start > 0, true);
    assert.equal(configs.length, 2);
  });

  configs.flat().forEach((entry, i) => {
    it(`config ${i + 1} starts a working proxy: ${entry.args.join(' ')}`, async () => {
      assert.equal(entry.command, 'npx');
      assert.deepEqual(entry.args.slice(0, 3), ['-y', 'mcptool', 'proxy']);
      const args = entry.args.slice(3).map((a) => (a === 'https://server.example/mcp' ? server.url : a));
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', 'src/cli/run.ts', 'proxy', ...args, '--token-store', store.dir],
        cwd: ROOT,
        env: cleanEnv(entry.env ?? {}) as Record<string, string>,
        stderr: 'pipe',
      });
      const client = new Client({ name: 'readme-desktop-client', version: '1.0.0' });
      try {
        await client.connect(transport);
        const { tools } = await client.listTools();
        assert.ok(tools.some((t) => t.name === 'echo'));
      } finally {
        await client.close();
      }
    });
  });
});
