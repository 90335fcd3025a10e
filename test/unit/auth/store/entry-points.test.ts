import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

// Runs a snippet in a child process whose module resolution reports (or refuses) `redis`, to check that the package
// root never loads node-redis and that a missing node-redis gives a clear error.
const dir = mkdtempSync(join(tmpdir(), 'mcptool-entry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** Run `code`; `resolved` lists what the hook saw resolved (from a file: the hook runs on another thread). */
function run(
  code: string,
  options: { hideRedis: boolean },
): { stdout: string; stderr: string; status: number | null; resolved: string } {
  const log = join(dir, `resolved-${++runs}.log`);
  writeFileSync(log, '');
  const hook = join(dir, `hook-${runs}.mjs`);
  writeFileSync(
    hook,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier === 'redis' || specifier.startsWith('@redis/')) {
    appendFileSync(${JSON.stringify(log)}, 'RESOLVED ' + specifier + '\\n');
    if (${options.hideRedis}) {
      const error = new Error('Cannot find package ' + specifier);
      error.code = 'ERR_MODULE_NOT_FOUND';
      throw error;
    }
  }
  return next(specifier, context);
}
`,
  );
  const register = join(dir, `register-${runs}.mjs`);
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`,
  );
  const result = spawnSync(
    process.execPath,
    ['--import', register, '--import', 'tsx', '--input-type=module', '-e', code],
    {
      encoding: 'utf8',
      cwd: process.cwd(),
      timeout: 60_000,
    },
  );
  return { stdout: result.stdout, stderr: result.stderr, status: result.status, resolved: readFileSync(log, 'utf8') };
}

const src = (path: string) => JSON.stringify(pathToFileURL(join(process.cwd(), 'src', path)).href);

describe('entry points', () => {
  it('the package root and mcptool/redis load without resolving node-redis', () => {
    const r = run(
      `const root = await import(${src('index.ts')});
       const redis = await import(${src('redis.ts')});
       console.log(typeof root.FileTokenStore, typeof root.MemoryTokenStore, typeof redis.RedisTokenStore, 'redis' in root);`,
      { hideRedis: false },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'function function function false');
    assert.equal(r.resolved, '');
  });

  it('without node-redis installed, a RedisTokenStore fails clearly when first used', () => {
    const r = run(
      `const { RedisTokenStore } = await import(${src('redis.ts')});
       try { await new RedisTokenStore({ url: 'redis://127.0.0.1:1' }).get({ resource: 'r', issuer: 'i' }); }
       catch (e) { console.log(e.code + ': ' + e.message); }`,
      { hideRedis: true },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.resolved, /RESOLVED redis/);
    assert.match(
      r.stdout,
      /STORE_FAILED: RedisTokenStore needs the optional peer dependency "redis".*npm install redis/,
    );
  });
});
