import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EVERYTHING_STDIO, ROOT, runCli } from './run-cli.ts';

// The real `mcptool` process (from the sources through tsx), with piped stdout/stderr: exit codes, stdout
// that is only the machine-readable result, and the acceptance checks of issue 2 against server-everything.
describe('mcptool as a process', { concurrency: 3 }, () => {
  it('tools --json over stdio lists the tools of server-everything', async () => {
    const run = await runCli(['tools', '--stdio', EVERYTHING_STDIO, '--json'], { timeoutMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    const names = (JSON.parse(run.stdout) as { name: string }[]).map((t) => t.name);
    assert.ok(names.includes('echo') && names.length > 5, names.join(', '));
  });

  it('call echo over stdio prints hi', async () => {
    const run = await runCli(['call', '--stdio', EVERYTHING_STDIO, 'echo', '--args', '{"message":"hi"}'], {
      timeoutMs: 60_000,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\bhi\b/);
  });

  it('exits 4 when the stdio command does not exist, 2 on bad --args JSON', async () => {
    const [missing, badJson] = await Promise.all([
      runCli(['tools', '--stdio', 'mcptool-no-such-command'], { timeoutMs: 60_000 }),
      runCli(['call', '--stdio', EVERYTHING_STDIO, 'echo', '--args', '{"message":'], { timeoutMs: 60_000 }),
    ]);
    assert.equal(missing.code, 4, missing.stderr);
    assert.match(missing.stderr, /^mcptool: [^\n]*mcptool-no-such-command[^\n]*\n$/);
    assert.equal(badJson.code, 2, badJson.stderr);
    assert.match(badJson.stderr, /^mcptool: --args is not valid JSON: unexpected end of input at position 11/);
  });

  it('bin/mcptool.js runs the built CLI (after npm run build)', {
    skip: existsSync(join(ROOT, 'dist/cli/main.js')) ? false : 'dist/ is not built (npm run build)',
  }, async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, ['bin/mcptool.js', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Usage: mcptool <command>/);
  });
});
