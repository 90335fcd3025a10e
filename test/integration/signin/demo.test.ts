/**
 * The embedded demo: `runDemo()` in this process (its numbers), `mcptool demo --headless` as a process from the
 * sources, the fallback to headless when nobody can click in a browser, and `npm run demo -- --headless` (the built
 * CLI, as CI runs it).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { whyHeadless } from '../../../src/cli/commands/demo.ts';
import { runDemo } from '../../../src/demo/demo.ts';
import { cleanEnv, ROOT, runCli } from './helpers.ts';

describe('mcptool demo', () => {
  it('signs in once headless, then a second run makes zero authorization server requests', async () => {
    let text = '';
    const report = await runDemo({ mode: 'headless', write: (t) => (text += t), keepTokenStore: false });
    assert.equal(report.first.unauthorized, 1, 'one 401 starts the flow');
    assert.equal(report.first.clientRequestsToAuthorizationServer, 3, 'metadata, registration, token');
    assert.equal(report.first.browserRequestsToAuthorizationServer, 3, 'authorize, interaction, resume');
    assert.equal(report.first.toolCalls, 1);
    assert.equal(report.second.authorizationServerRequests, 0);
    assert.equal(report.second.clientRequestsToAuthorizationServer, 0);
    assert.equal(report.second.unauthorized, 0);
    assert.equal(report.second.toolCalls, 1);
    assert.match(report.first.toolResult, /"sub":"test-user"/);
    assert.deepEqual(
      report.first.steps.map((s) => s.title),
      ['401', 'discovery', 'registration', 'sign-in', 'tokens', 'connect', 'store', 'tool call'],
    );
    assert.deepEqual(
      report.second.steps.map((s) => s.title),
      ['connect', 'tool call'],
    );
    assert.match(text, /WWW-Authenticate: Bearer resource_metadata=/);
    assert.match(text, /POST AS {2}\/reg {2}→ 201/);
    assert.match(text, /grant_type=authorization_code/);
    assert.match(text, /mode 600/);
    assert.match(text, /Second run .* 0 requests at the authorization server/);
    assert.equal(existsSync(report.tokenStoreDir), false, 'the temporary token store is removed');
  });

  it('`mcptool demo --headless` exits 0 by itself and narrates the steps', async () => {
    const run = await runCli(['demo', '--headless'], cleanEnv(), { timeoutMs: 50_000 });
    assert.equal(run.code, 0, run.stderr);
    for (const step of ['401', 'Discover', 'Register', 'Sign in', 'Exchange the code', 'Call a tool', 'Second run']) {
      assert.ok(run.stdout.includes(step), `the narration mentions ${step}`);
    }
    assert.match(run.stdout, /Token store\s+\/\S+mcptool-demo-/);
    assert.match(run.stdout, /Second run\s+\d+ (ms|\.\d+ s)\s+0 requests at the authorization server/);
  });

  it('runs headless, saying why, when the output is not a terminal or no browser can be opened', async () => {
    assert.match(whyHeadless({ DISPLAY: ':0' }, false) ?? '', /not a terminal/);
    assert.match(whyHeadless({ CI: 'true' }, true) ?? '', /no browser can be opened/);
    assert.match(whyHeadless({ SSH_CONNECTION: '1 2 3 4' }, true) ?? '', /no browser/);
    assert.equal(whyHeadless({ BROWSER: 'firefox' }, true), undefined);
    const run = await runCli(['demo'], cleanEnv(), { timeoutMs: 50_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /running headless because the output is not a terminal/);
    assert.match(run.stdout, /headless \(no browser, no input\)/);
  });

  it('`npm run demo -- --headless` (the built CLI, as CI runs it) exits 0', async (t) => {
    const built = join(ROOT, 'dist/demo/demo.js');
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, 'src/demo/demo.ts')).mtimeMs) {
      t.skip('dist/ is missing or older than the sources (npm test builds it first; or run npm run build)');
      return;
    }
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(npm, ['run', 'demo', '--', '--headless'], { cwd: ROOT, env: cleanEnv(), stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end();
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /0 requests at the authorization server/);
  });
});
