// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file syntax under test
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type McpServerHandle, startMcpServer } from '../../fixtures/mcp-server.ts';
import { EVERYTHING_STDIO, runMain as runCli } from './run-cli.ts';

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('mcptool CLI (main, in-process) against real servers', { concurrency: 4 }, () => {
  let http: McpServerHandle;
  let sse: McpServerHandle;
  let guarded: McpServerHandle;
  let dir: string;
  let configPath: string;

  before(async () => {
    [http, sse, guarded] = await Promise.all([
      startMcpServer({ transport: 'streamable-http' }),
      startMcpServer({ transport: 'sse' }),
      startMcpServer({ transport: 'streamable-http', requireToken: 'letmein' }),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'mcptool-cli-'));
    configPath = join(dir, 'mcp.json');
    await writeFile(
      configPath,
      JSON.stringify({
        mcpServers: {
          everything: { command: 'node', args: EVERYTHING_STDIO.split(' ').slice(1) },
          fixture: { url: http.url },
          legacy: { type: 'sse', url: sse.url },
          guarded: { url: guarded.url, headers: { Authorization: 'Bearer ${FIXTURE_TOKEN}' } },
        },
      }),
    );
  });

  after(async () => {
    await Promise.all([http.close(), sse.close(), guarded.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  describe('Streamable HTTP and SSE', { concurrency: 4 }, () => {
    it('tools --json lists every tool (all pages) as {name, description, inputSchema}', async () => {
      const run = await runCli(['tools', http.url, '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '', 'no progress or noise on a non-TTY stderr');
      const tools = JSON.parse(run.stdout) as { name: string; description: string; inputSchema: unknown }[];
      assert.deepEqual(
        tools.map((t) => t.name),
        ['echo', 'add', 'content_types', 'fail', 'slow', 'progress', 'log', 'elicit'],
      );
      assert.deepEqual(Object.keys(tools[0]!), ['name', 'description', 'inputSchema']);
      assert.deepEqual(tools[0]!.inputSchema, {
        type: 'object',
        properties: { message: { type: 'string' } },
        required: ['message'],
      });
    });

    it('tools prints a table of names and descriptions', async () => {
      const run = await runCli(['tools', sse.url, '--sse']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^NAME +DESCRIPTION\n/);
      assert.match(run.stdout, /\necho +Echo the message back\n/);
    });

    it('call prints the text of the result, over Streamable HTTP and SSE', async () => {
      const [viaHttp, viaSse] = await Promise.all([
        runCli(['call', http.url, 'echo', '--args', '{"message":"hi there"}']),
        runCli(['call', '--sse', sse.url, 'echo', '--args', '{"message":"hi over sse"}']),
      ]);
      assert.deepEqual([viaHttp.code, viaHttp.stdout], [0, 'hi there\n'], viaHttp.stderr);
      assert.deepEqual([viaSse.code, viaSse.stdout], [0, 'hi over sse\n'], viaSse.stderr);
    });

    it('call --json prints the whole CallToolResult', async () => {
      const run = await runCli(['call', http.url, 'add', '--args', '{"a":2,"b":3}', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout);
      assert.deepEqual(result.content, [{ type: 'text', text: '5' }]);
      assert.deepEqual(result.structuredContent, { sum: 5 });
    });

    it('call summarizes images, audio and resources', async () => {
      const run = await runCli(['call', http.url, 'content_types']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(
        run.stdout,
        [
          'plain text',
          '[image: image/png, 68 bytes]',
          '[audio: audio/wav, 44 bytes]',
          '[resource: file:///notes.txt (text/plain), 13 characters]',
          '[resource: file:///data.bin (application/octet-stream), 3 bytes]',
          '[resource link: https://example.com/doc "doc" (text/html)]',
          '',
        ].join('\n'),
      );
    });

    it('a tool that reports an error exits 1: one line on stderr, or the result with --json', async () => {
      const [human, json] = await Promise.all([
        runCli(['call', http.url, 'fail', '--args', '{"message":"disk full"}']),
        runCli(['call', http.url, 'fail', '--args', '{"message":"disk full"}', '--json']),
      ]);
      assert.equal(human.code, 1);
      assert.equal(human.stdout, '');
      assert.equal(human.stderr, 'mcptool: tool "fail" reported an error: disk full\n');
      assert.equal(json.code, 1);
      assert.deepEqual(JSON.parse(json.stdout), { content: [{ type: 'text', text: 'disk full' }], isError: true });
    });

    it('an unknown tool exits 2 (usage) and names the tools there are', async () => {
      const run = await runCli(['call', http.url, 'nope']);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^mcptool: .*no tool "nope"; available tools: "echo", "add",.*\n$/);
      assert.equal(run.stderr.split('\n').length, 2, 'one line');
    });

    it('bad --args JSON exits 2 naming the parse error position, before connecting', async () => {
      const run = await runCli([
        'call',
        `http://127.0.0.1:${await closedPort()}/mcp`,
        'echo',
        '--args',
        '{message:"hi"}',
      ]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^mcptool: --args is not valid JSON: .* at position 1 \(line 1, column 2\)/);
    });

    it('--args - reads the arguments from stdin', async () => {
      const run = await runCli(['call', http.url, 'echo', '--args', '-'], { stdin: '{"message":"from stdin"}' });
      assert.deepEqual([run.code, run.stdout], [0, 'from stdin\n'], run.stderr);
    });

    it('a server that cannot be reached exits 4', async () => {
      const run = await runCli(['tools', `http://127.0.0.1:${await closedPort()}/mcp`]);
      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /^mcptool: .*127\.0\.0\.1.*\n$/);
    });

    it('an invocation slower than --timeout exits 4 with a hint', async () => {
      const run = await runCli(['call', http.url, 'slow', '--args', '{"ms":5000}', '--timeout', '0.5']);
      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /--timeout SECONDS/);
    });

    it('a server that requires authorization exits 3 without credentials', async () => {
      const run = await runCli(['tools', guarded.url]);
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /^mcptool: /);
    });
  });

  describe('stdio: @modelcontextprotocol/server-everything', { concurrency: 4 }, () => {
    it('tools --json lists its tools', async () => {
      const run = await runCli(['tools', '--stdio', EVERYTHING_STDIO, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const names = (JSON.parse(run.stdout) as { name: string }[]).map((t) => t.name);
      assert.ok(names.includes('echo') && names.length > 5, names.join(', '));
    });

    it('call echo prints the message', async () => {
      const run = await runCli(['call', '--stdio', EVERYTHING_STDIO, 'echo', '--args', '{"message":"hi"}']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /hi/);
    });

    it('a command that does not exist exits 4', async () => {
      const run = await runCli(['tools', '--stdio', 'mcptool-no-such-command --flag']);
      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /^mcptool: .*mcptool-no-such-command/);
    });
  });

  describe('--config FILE (mcpServers)', { concurrency: 4 }, () => {
    it('reaches a stdio server by name', async () => {
      const run = await runCli(['call', 'everything', 'echo', '--config', configPath, '--args', '{"message":"hi"}']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /hi/);
    });

    it('reaches Streamable HTTP and SSE servers by name', async () => {
      const [a, b] = await Promise.all([
        runCli(['call', 'fixture', 'echo', '--config', configPath, '--args', '{"message":"a"}']),
        runCli(['call', 'legacy', 'echo', '--config', configPath, '--args', '{"message":"b"}']),
      ]);
      assert.deepEqual([a.code, a.stdout, b.code, b.stdout], [0, 'a\n', 0, 'b\n'], a.stderr + b.stderr);
    });

    it('sends configured headers, with ${VAR} taken from the environment', async () => {
      const ok = await runCli(['tools', 'guarded', '--config', configPath, '--json'], {
        env: { FIXTURE_TOKEN: 'letmein' },
      });
      assert.equal(ok.code, 0, ok.stderr);
      const unset = await runCli(['tools', 'guarded', '--config', configPath], { env: { FIXTURE_TOKEN: '' } });
      assert.equal(unset.code, 2);
      assert.match(unset.stderr, /FIXTURE_TOKEN is not set/);
    });

    it('an unknown server name exits 2 and lists the servers', async () => {
      const run = await runCli(['tools', 'nope', '--config', configPath]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /no server named "nope" in .*; servers there: everything, fixture, legacy, guarded/);
    });
  });

  describe('demo', () => {
    it('is not a command of the package: exits 2 pointing to `npm run demo` from a clone (test/integration/signin/demo.test.ts)', async () => {
      const run = await runCli(['demo', '--help']);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /from a clone of the repository, run 'npm ci && npm run demo'/);
      const help = await runCli(['--help']);
      assert.doesNotMatch(help.stdout, /\bdemo\b/);
    });
  });

  describe('usage', { concurrency: 4 }, () => {
    it('exits 2 for a missing target, an unknown command or option, with one line', async () => {
      const runs = await Promise.all([
        runCli(['tools']),
        runCli(['frobnicate']),
        runCli(['tools', 'http://127.0.0.1:1/mcp', '--bogus']),
        runCli(['call', '--stdio', 'node x.js']),
        runCli(['tools', '--stdio', 'node x.js', '--client-id', 'x']),
        runCli([]),
      ]);
      for (const run of runs.slice(0, 5)) {
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /^mcptool: [^\n]+\n$/);
        assert.equal(run.stdout, '');
      }
      assert.match(runs[0]!.stderr, /missing <target>/);
      assert.match(runs[1]!.stderr, /unknown command "frobnicate"/);
      assert.match(runs[2]!.stderr, /unknown option --bogus;/);
      assert.match(runs[3]!.stderr, /needs a <tool> name/);
      assert.match(runs[4]!.stderr, /OAuth options apply to HTTP targets only/);
      assert.equal(runs[5]!.code, 2);
      assert.match(runs[5]!.stderr, /Usage: mcptool <command>/);
    });

    it('--help prints usage on stdout and exits 0; login without a target is a usage error', async () => {
      const [help, toolsHelp, login] = await Promise.all([
        runCli(['--help']),
        runCli(['help', 'call']),
        runCli(['login']),
      ]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /tools +list the tools/);
      assert.equal(toolsHelp.code, 0);
      assert.match(toolsHelp.stdout, /Usage: mcptool call <target> <tool>/);
      assert.equal(login.code, 2);
      assert.match(login.stderr, /login needs a <target>/);
    });
  });
});
