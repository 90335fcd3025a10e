// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the --header syntax under test
/**
 * The proxy's options against the SDK v2 fixture server: `--header` with `${VAR}` from the environment (a static
 * API key that stays off the command line), shared with `tools`; usage errors; SIGTERM.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type McpServerHandle, startMcpServer } from '../../fixtures/mcp-server.ts';
import { runMain, startMain } from '../signin/helpers.ts';
import { cleanEnv, connectProxy, tempDir, waitFor } from './helpers.ts';

describe('proxy options', () => {
  let server: McpServerHandle;
  const store = tempDir('mcptool-proxy-options-');
  before(async () => {
    server = await startMcpServer({ transport: 'streamable-http', requireToken: 'static-key-123' });
  });
  after(async () => {
    await server.close();
    store.cleanup();
  });

  it("--header 'Authorization: Bearer ${VAR}' reads the key from the environment; the argv never holds it", async () => {
    const proxied = await connectProxy(
      [server.url, '--header', 'Authorization: Bearer ${FIXTURE_KEY}', '--token-store', store.dir],
      { env: cleanEnv({ FIXTURE_KEY: 'static-key-123' }) },
    );
    try {
      const { tools } = await proxied.client.listTools();
      assert.ok(tools.some((t) => t.name === 'echo'));
      assert.doesNotMatch(proxied.stderr(), /static-key-123/);
    } finally {
      await proxied.client.close();
    }
  });

  it('tools takes the same --header option', async () => {
    const run = await runMain(
      ['tools', server.url, '--json', '--header', 'Authorization: Bearer ${FIXTURE_KEY}', '--token-store', store.dir],
      cleanEnv({ FIXTURE_KEY: 'static-key-123' }),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok((JSON.parse(run.stdout) as { name: string }[]).some((t) => t.name === 'echo'));
  });

  it('a server of an mcpServers file (--config), its headers expanded from the environment; stdin closed ends it with 0', async () => {
    const config = join(store.dir, 'mcp.json');
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: { remote: { url: server.url, headers: { Authorization: 'Bearer ${FIXTURE_KEY}' } } },
      }),
    );
    const run = startMain(
      ['proxy', 'remote', '--config', config, '--token-store', store.dir],
      cleanEnv({ FIXTURE_KEY: 'static-key-123' }),
    );
    const initialize = {
      jsonrpc: '2.0',
      id: 'init-1',
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    run.stdin.write(`${JSON.stringify(initialize)}\n`);
    await waitFor(() => run.stdout().includes('"id":"init-1"'), 'the initialize result');
    run.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    run.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' })}\n`);
    await waitFor(() => run.stdout().includes('"id":7'), 'the tools/list result');
    run.stdin.end();
    assert.equal(await run.done, 0, run.stderr());
    const lines = run.stdout().trim().split('\n');
    assert.equal(lines.length, 2, 'stdout holds exactly the two answers, one per line');
    const list = JSON.parse(lines[1]!) as { id: number; result: { tools: { name: string }[] } };
    assert.ok(list.result.tools.some((t) => t.name === 'echo'));
  });

  it('usage errors exit 2 with a hint: no target, a stdio target, a bad --transport, an unset ${VAR}', async () => {
    const cases: [string[], RegExp][] = [
      [['proxy'], /proxy needs a <target>/],
      [['proxy', '--stdio', 'node server.js'], /starts a stdio server itself/],
      [
        ['proxy', server.url, '--transport', 'websocket'],
        /--transport must be one of http-first, sse-first, http, sse/,
      ],
      [['proxy', server.url, '--header', 'X-Key: ${NOT_SET_ANYWHERE}'], /NOT_SET_ANYWHERE is not set/],
      [['tools', server.url, '--transport', 'http-first'], /with 'mcptool proxy' only/],
    ];
    for (const [argv, pattern] of cases) {
      const run = await runMain(argv, cleanEnv());
      assert.equal(run.code, 2, `${argv.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, pattern);
      assert.equal(run.stdout, '', 'stdout stays free of anything but MCP messages');
    }
  });

  it('SIGTERM: the proxy closes the session and exits 0', async () => {
    const proxied = await connectProxy(
      [server.url, '--header', 'Authorization: Bearer ${FIXTURE_KEY}', '--token-store', store.dir],
      { env: cleanEnv({ FIXTURE_KEY: 'static-key-123' }) },
    );
    const child = (proxied.transport as unknown as { _process?: import('node:child_process').ChildProcess })._process;
    assert.ok(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, proxied.stderr());
    await proxied.client.close();
  });
});
