#!/usr/bin/env node
// Runs every *.test.ts under the given folders (default: test/) with Node's test runner through tsx.
// Node 20's `--test` takes paths, not globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(path);
  }
}
for (const root of roots.length ? roots : ['test']) {
  if (statSync(root).isFile()) files.push(root);
  else walk(root);
}
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
// The adapter tests of frameworks that require Node 22 run under the Node 22 binary conformance/package.json
// installs (as the conformance runner does): installed once here, before test files run side by side.
const conformanceDir = join(import.meta.dirname, '..', 'conformance');
if (files.some((f) => f.includes('adapters')) && !existsSync(join(conformanceDir, 'node_modules', '.bin', 'node'))) {
  console.error('run-tests: installing Node 22 for the adapter tests (npm ci in conformance/)');
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: conformanceDir, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...extra, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
