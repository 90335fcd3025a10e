/**
 * The agent frameworks are optional peer dependencies: installing mcptool pulls none in, importing `mcptool` (or
 * `mcptool/openai`, which needs no package) loads none, and each adapter subpath imports only its own framework.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runTsx } from '../support/run-tsx.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FORBID = fileURLToPath(new URL('./support/forbid-frameworks.mjs', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('package.json', pathToFileURL(ROOT)), 'utf8')) as {
  exports: Record<string, { default: string }>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

/** Each adapter subpath, its source and the framework it may import. */
const ADAPTERS = [
  { subpath: './ai-sdk', source: 'src/adapters/ai-sdk.ts', framework: 'ai' },
  { subpath: './langchain', source: 'src/adapters/langchain.ts', framework: '@langchain/core' },
  { subpath: './mastra', source: 'src/adapters/mastra.ts', framework: '@mastra/core' },
  { subpath: './openai-agents', source: 'src/adapters/openai-agents.ts', framework: '@openai/agents' },
];

/**
 * Import `sources` (repository paths, or package specifiers starting with `mcptool`) in a new Node process in which
 * importing any framework throws; its exit code and stderr.
 */
async function importWithoutFrameworks(sources: string[]): Promise<{ code: number | null; stderr: string }> {
  const href = (s: string) => (s.startsWith('mcptool') ? s : pathToFileURL(`${ROOT}${s}`).href);
  const code = sources.map((s) => `await import(${JSON.stringify(href(s))});`).join('\n');
  const result = await runTsx(['--import', FORBID, '--input-type=module', '-e', code], {
    cwd: ROOT,
    timeoutMs: 120_000,
  });
  return { code: result.code, stderr: result.stderr };
}

describe('agent frameworks are optional peers', () => {
  it('each framework is an optional peer dependency, not a dependency, with an export of its adapter', () => {
    for (const { subpath, source, framework } of ADAPTERS) {
      assert.ok(pkg.peerDependencies[framework], `${framework} is a peer dependency`);
      assert.equal(pkg.peerDependenciesMeta[framework]?.optional, true, `${framework} is optional`);
      assert.equal(pkg.dependencies[framework], undefined, `${framework} is not a dependency`);
      const built = source.replace(/^src\//, './dist/').replace(/\.ts$/, '.js');
      assert.equal(pkg.exports[subpath]?.default, built, `exports["${subpath}"]`);
    }
  });

  it('each adapter source imports its own framework only; the shared adapter code imports none', () => {
    const dir = `${ROOT}src/adapters/`;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(`${dir}${file}`, 'utf8');
      // Import and export statements at the start of a line (the @example comments hold imports too).
      const packages = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^'.][^']*)'/gm)].map((m) => m[1]!);
      const own = ADAPTERS.find((a) => a.source === `src/adapters/${file}`)?.framework;
      for (const spec of packages) {
        assert.ok(own && (spec === own || spec.startsWith(`${own}/`)), `src/adapters/${file} imports ${spec}`);
      }
    }
  });

  it('importing mcptool and mcptool/openai loads no framework', async () => {
    const { code, stderr } = await importWithoutFrameworks(['src/index.ts', 'src/adapters/openai.ts']);
    assert.equal(code, 0, stderr);
  });

  // The package as installed: `mcptool` resolves to itself through its exports (the built dist/).
  const built = existsSync(`${ROOT}dist/index.js`);
  it('importing the built package (mcptool, mcptool/openai) loads no framework', {
    skip: !built && 'not built',
  }, async () => {
    const { code, stderr } = await importWithoutFrameworks(['mcptool', 'mcptool/openai']);
    assert.equal(code, 0, stderr);
  });

  for (const { source, framework } of ADAPTERS) {
    it(`${source} imports ${framework} (the check sees framework imports)`, async () => {
      const { code, stderr } = await importWithoutFrameworks([source]);
      assert.notEqual(code, 0);
      assert.match(stderr, new RegExp(`framework imported: ${framework.replace('/', '\\/')}`));
    });
  }
});
