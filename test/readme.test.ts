/**
 * Runs every example of README.md:
 * - each ```ts block, with `from 'mcptool'` / `'mcptool/<subpath>'` pointed at the sources, as its own script
 *   through tsx; it must exit 0 by itself (which also proves it closed its connections); a block importing a
 *   framework whose `engines` require Node 22 (Mastra, the OpenAI Agents SDK) runs under the Node 22 of the
 *   adapter tests;
 * - each `npx mcptool ...` line of the ```sh blocks, through the CLI from the sources (`src/cli/run.ts`), split
 *   without a shell, after `$MCP_URL` / `$MCP_SSE_URL` are replaced by local fixture servers; it must exit 0;
 * - a ```sh block that uses `$MCP_OAUTH_URL` (sign-in) as one test whose lines run in order, against the demo's
 *   OAuth-protected MCP server and authorization server (auto-approve), with the scripted browser as `$BROWSER` and
 *   a temporary `$MCPTOOL_HOME`;
 * - `npm run demo` as `demo/main.ts` (what the script runs); `npm ci` and `npm test` are not run here (this test is part of the latter);
 * - a ```json block preceded by `<!-- file: NAME -->` is written to NAME first.
 * Everything runs in a temporary directory whose `node_modules` links to the repository's, as in a checkout.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type DemoServers, startDemoServers } from '../demo/servers.ts';
import { splitCommandLine } from '../src/cli/split.ts';
import { type McpServerHandle, startMcpServer } from './fixtures/mcp-server.ts';
import { node22 } from './integration/adapters/support/run-scenario.ts';
import { runTsx } from './integration/support/run-tsx.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SCRIPTED_BROWSER = fileURLToPath(new URL('./fixtures/scripted-browser.mjs', import.meta.url));
const readme = await readFile(join(ROOT, 'README.md'), 'utf8');

interface Block {
  lang: string;
  code: string;
  file: string | undefined;
}

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const re = /(?:<!--\s*file:\s*(\S+)\s*-->\s*\n)?```(\w*)\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(re)) out.push({ file: m[1], lang: m[2] ?? '', code: m[3] ?? '' });
  return out;
}

const SOURCES: Record<string, string> = {
  mcptool: 'src/index.ts',
  'mcptool/ai-sdk': 'src/adapters/ai-sdk.ts',
  'mcptool/openai': 'src/adapters/openai.ts',
  'mcptool/langchain': 'src/adapters/langchain.ts',
  'mcptool/mastra': 'src/adapters/mastra.ts',
  'mcptool/openai-agents': 'src/adapters/openai-agents.ts',
  'mcptool/redis': 'src/redis.ts',
};

function pointAtSources(code: string): string {
  return code.replace(/from '(mcptool(?:\/[\w-]+)?)'/g, (whole, spec: string) => {
    const path = SOURCES[spec];
    return path ? `from '${pathToFileURL(join(ROOT, path)).href}'` : whole;
  });
}

/** Run `node --import tsx ...args` in `cwd` (120 s at most: frameworks are slow to load on a loaded machine). */
const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv, node?: string) =>
  runTsx(args, { cwd, env, timeoutMs: 120_000, ...(node && { node }) });

/** Frameworks whose `engines` require Node 22. */
const NEEDS_NODE_22 = /from '(@mastra\/core|@openai\/agents)[/']/;

const all = blocks(readme);
const tsBlocks = all.filter((b) => b.lang === 'ts');
const isOAuthBlock = (b: Block) => b.lang === 'sh' && b.code.includes('MCP_OAUTH_URL');
const commandLines = (b: Block) =>
  b.code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
const shellLines = all.filter((b) => b.lang === 'sh' && !isOAuthBlock(b)).flatMap(commandLines);
const oauthBlocks = all.filter(isOAuthBlock).map(commandLines);

describe('README examples', { concurrency: 3 }, () => {
  let dir: string;
  let http: McpServerHandle;
  let sse: McpServerHandle;
  let env: NodeJS.ProcessEnv;
  let oauth: DemoServers;
  let oauthEnv: NodeJS.ProcessEnv;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcptool-readme-'));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    for (const b of all) if (b.file) await writeFile(join(dir, b.file), b.code);
    [http, sse] = await Promise.all([
      startMcpServer({ transport: 'streamable-http' }),
      startMcpServer({ transport: 'sse' }),
    ]);
    env = { MCP_URL: http.url, MCP_SSE_URL: sse.url };
    oauth = await startDemoServers({ mode: 'auto-approve' });
    oauthEnv = { MCP_OAUTH_URL: oauth.mcp.url, MCPTOOL_HOME: join(dir, 'mcptool-home'), BROWSER: SCRIPTED_BROWSER };
  });

  after(async () => {
    await Promise.all([http?.close(), sse?.close(), oauth?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has examples of every kind', () => {
    assert.ok(tsBlocks.length >= 5, `${tsBlocks.length} ts blocks`);
    assert.ok(shellLines.filter((l) => l.startsWith('npx mcptool ')).length >= 6);
    assert.ok(oauthBlocks.flat().some((l) => l.startsWith('npx mcptool login ')));
    assert.ok(shellLines.includes('npm ci && npm run demo') && shellLines.includes('npm test'));
  });

  tsBlocks.forEach((block, i) => {
    const title = block.code.split('\n').find((l) => l.includes("from 'mcptool")) ?? `block ${i + 1}`;
    it(`ts example ${i + 1} runs and exits by itself (${title.trim()})`, async () => {
      const file = join(dir, `example-${i + 1}.mts`);
      await writeFile(file, pointAtSources(block.code));
      // OAuth examples sign in to the demo's server (auto-approve) through the scripted browser, into their own home.
      const oauthExample = { ...oauthEnv, MCPTOOL_HOME: join(dir, `mcptool-home-ts-${i + 1}`) };
      const node = NEEDS_NODE_22.test(block.code) ? node22() : undefined;
      const result = await run([file], dir, { ...env, ...oauthExample }, node);
      assert.equal(result.code, 0, `exit ${result.code}\n${result.stderr}`);
    });
  });

  for (const line of shellLines) {
    if (!line.startsWith('npx mcptool ') && line !== 'npm ci && npm run demo') continue;
    it(`shell example runs: ${line}`, async () => {
      // `npm run demo` runs demo/main.ts through tsx (package.json); `npx mcptool` the CLI from the sources.
      const args =
        line === 'npm ci && npm run demo'
          ? [join(ROOT, 'demo/main.ts')]
          : [
              join(ROOT, 'src/cli/run.ts'),
              ...splitCommandLine(line.replace(/\$(MCP_URL|MCP_SSE_URL)\b/g, (_m, name: string) => env[name]!)).slice(
                2,
              ),
            ];
      const result = await run(args, dir, env);
      assert.equal(result.code, 0, `exit ${result.code}\n${result.stderr}`);
      assert.notEqual(result.stdout.trim(), '');
    });
  }

  oauthBlocks.forEach((lines, i) => {
    it(`sign-in shell example ${i + 1} runs in order: ${lines.map((l) => l.split(' ')[2]).join(', ')}`, async () => {
      oauth.as.stats.reset(); // the ts examples signed in too, in homes of their own
      for (const line of lines) {
        assert.ok(line.startsWith('npx mcptool '), `only npx mcptool lines in sign-in blocks: ${line}`);
        const expanded = line.replace(/\$(MCP_OAUTH_URL)\b/g, () => oauthEnv['MCP_OAUTH_URL']!);
        const args = splitCommandLine(expanded).slice(2);
        const result = await run([join(ROOT, 'src/cli/run.ts'), ...args], dir, { ...env, ...oauthEnv });
        assert.equal(result.code, 0, `${line}: exit ${result.code}\n${result.stderr}`);
        assert.notEqual(result.stdout.trim(), '', line);
      }
      assert.equal(oauth.as.stats.grants['authorization_code'], 1, 'one sign-in for the whole block');
    });
  });
});
