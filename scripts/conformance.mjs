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

// Scenarios run one at a time: run in parallel on a 2-core machine, timing checks (sse-retry measures the
// reconnect delay against the server's `retry` field) and connection timeouts measure the machine, not the client.
const args = process.argv.slice(2);
const out = mkdtempSync(join(tmpdir(), 'mcptool-conformance-'));
const runner22 = (extra, stdio = 'inherit') =>
  spawnSync(node22, [runner, ...extra], { cwd: root, stdio, env: { ...process.env }, encoding: 'utf8' });
let scenarioList;
if (args.length > 0) {
  scenarioList = [args];
} else {
  const listed = runner22(['list'], 'pipe');
  const text = String(listed.stdout);
  const clientPart = text.slice(text.indexOf('Client scenarios'));
  scenarioList = [...clientPart.matchAll(/^\s+- (\S+)/gm)].map((m) => ['--scenario', m[1]]);
  if (scenarioList.length === 0) {
    console.error('conformance: the runner listed no client scenario');
    process.exit(1);
  }
}
let failedRuns = 0;
for (const selection of scenarioList) {
  const run = runner22([
    'client',
    '--command',
    'npx tsx conformance/client.ts',
    ...selection,
    '--timeout',
    '60000',
    '-o',
    out,
  ]);
  if (run.status !== 0) failedRuns++;
}

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
if (failedRuns > 0 || problems.length > 0 || scenarios < scenarioList.length) {
  console.log(`conformance: FAILED (${failedRuns} runner failure(s)); results in ${out}`);
  process.exit(1);
}
console.log('conformance: all scenarios passed with no failure and no warning');
