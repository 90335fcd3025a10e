#!/usr/bin/env node
// `npm run conformance`: runs every client scenario of @modelcontextprotocol/conformance (`--suite all`) against
// conformance/client.ts, then fails on any FAILURE or WARNING, and on a scenario that recorded no check at all.
// The runner needs Node 22 (it imports fs.globSync): conformance/package.json installs it beside the runner, so the
// project's own `node` (and the client under test) stays Node 20.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = join(root, 'conformance');
const node22 = join(dir, 'node_modules', '.bin', 'node');
const runner = join(dir, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
if (!existsSync(node22) || !existsSync(runner)) {
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

const args = process.argv.slice(2);
const selection = args.length > 0 ? args : ['--suite', 'all'];
const out = mkdtempSync(join(tmpdir(), 'mcptool-conformance-'));
const run = spawnSync(
  node22,
  [runner, 'client', '--command', 'npx tsx conformance/client.ts', ...selection, '--timeout', '60000', '-o', out],
  { cwd: root, stdio: 'inherit', env: { ...process.env } },
);

// Read every checks.json the runner wrote and judge them ourselves: warnings count as failures here.
const problems = [];
let scenarios = 0;
let successes = 0;
function walk(path) {
  for (const name of readdirSync(path)) {
    const p = join(path, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name === 'checks.json') {
      scenarios++;
      const checks = JSON.parse(readFileSync(p, 'utf8'));
      if (!Array.isArray(checks) || checks.length === 0) problems.push(`${p}: no checks recorded`);
      for (const c of checks) {
        if (c.status === 'SUCCESS') successes++;
        else if (c.status !== 'INFO' && c.status !== 'SKIPPED') {
          problems.push(`${path.slice(out.length + 1)}: ${c.status} ${c.id}: ${c.description ?? ''}`);
        }
      }
    }
  }
}
walk(out);
console.log(`\nconformance: ${scenarios} scenario(s), ${successes} successful check(s), ${problems.length} problem(s)`);
for (const p of problems) console.log(`  ${p}`);
if (run.status !== 0 || problems.length > 0 || scenarios === 0) {
  console.log(`conformance: FAILED (runner exit ${run.status}); results in ${out}`);
  process.exit(1);
}
console.log('conformance: all scenarios passed with no failure and no warning');
