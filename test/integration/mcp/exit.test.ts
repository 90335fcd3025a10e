import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'mcptool-exit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Run a script with tsx and return its exit code, or 'hung' if it has not exited on its own within `ms`. */
async function runScript(source: string, ms = 20_000): Promise<{ code: number | 'hung'; output: string }> {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, source);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => {
    output += String(d);
  });
  child.stderr.on('data', (d) => {
    output += String(d);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  return { code: signal === 'SIGKILL' ? 'hung' : (code ?? -1), output };
}

const src = (path: string) => JSON.stringify(join(ROOT, path));

describe('a script that closes its toolset exits by itself', () => {
  it('stdio (the child process is gone)', async () => {
    const { code, output } = await runScript(`
      import { MCPToolset, StdioServerInfo } from ${src('src/index.ts')};
      const toolset = await MCPToolset.connect({ serverInfo: new StdioServerInfo({
        command: process.execPath, args: [${src('node_modules/@modelcontextprotocol/server-everything/dist/index.js')}, 'stdio'] }) });
      const result = await toolset.getTool('echo').invoke({ message: 'bye' });
      console.log(JSON.stringify(result.content));
      await toolset.close();
    `);
    assert.equal(code, 0, output);
    assert.match(output, /Echo: bye/);
  });

  for (const transport of ['streamable-http', 'sse'] as const) {
    it(`${transport} (sockets and timers are released)`, async () => {
      const { code, output } = await runScript(`
        import { MCPToolset, MCPTool, StreamableHttpServerInfo, SSEServerInfo } from ${src('src/index.ts')};
        import { startMcpServer } from ${src('test/fixtures/mcp-server.ts')};
        const server = await startMcpServer({ transport: '${transport}' });
        const Info = '${transport}' === 'sse' ? SSEServerInfo : StreamableHttpServerInfo;
        const toolset = await MCPToolset.connect({ serverInfo: new Info({ url: server.url, oauth: false }) });
        const tool = await MCPTool.connect({ name: 'echo', serverInfo: new Info({ url: server.url, oauth: false }) });
        await toolset.getTool('slow').invoke({ ms: 5000 }, { timeoutMs: 100 }).catch(() => {});
        console.log((await tool.invoke({ message: 'ok' })).content[0].text);
        await toolset.close();
        await tool.close();
        await server.close();
      `);
      assert.equal(code, 0, output);
      assert.match(output, /ok/);
    });
  }
});
