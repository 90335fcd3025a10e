/**
 * The demo beside the library: `runDemo()` in this process (its numbers), its command line (the fallback to headless
 * when nobody can click in a browser, wrong arguments), `mcptool demo` refused by the published CLI, and
 * `npm run demo -- --headless` as a process, as the README and CI run it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { demoMain, whyHeadless } from '../../../demo/command-line.ts';
import { runDemo } from '../../../demo/run-demo.ts';
import { startInTerminal } from '../support/terminal.ts';
import { cleanEnv, ROOT, runMain, waitFor } from './helpers.ts';

/** A non-terminal output stream that keeps what was written. */
function captured(): { isTTY: false; text: string; write(chunk: string): boolean } {
  return {
    isTTY: false,
    text: '',
    write(chunk) {
      this.text += chunk;
      return true;
    },
  };
}

describe('the demo (npm run demo)', () => {
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

  it('falls back to headless, saying why, when the output is not a terminal or no browser can be opened', async () => {
    assert.match(whyHeadless({ DISPLAY: ':0' }, false) ?? '', /not a terminal/);
    assert.match(whyHeadless({ CI: 'true' }, true) ?? '', /no browser can be opened/);
    assert.match(whyHeadless({ SSH_CONNECTION: '1 2 3 4' }, true) ?? '', /no browser/);
    assert.equal(whyHeadless({ BROWSER: 'firefox' }, true), undefined);
    const [stdout, stderr] = [captured(), captured()];
    const code = await demoMain([], { stdout, stderr, env: cleanEnv() });
    assert.equal(code, 0, stderr.text);
    assert.match(stderr.text, /running headless because the output is not a terminal/);
    assert.match(stdout.text, /headless \(no browser, no input\)/);
  });

  it('wrong arguments are a usage error (exit 2) that names the help', async () => {
    const stderr = captured();
    assert.equal(await demoMain(['--headles'], { stdout: captured(), stderr, env: cleanEnv() }), 2);
    assert.match(stderr.text, /--headles.*npm run demo -- --help/);
  });

  it('`mcptool demo` (not part of the package) is a usage error that points to `npm run demo` from a clone', async () => {
    const run = await runMain(['demo', '--headless'], cleanEnv());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /npm run demo/);
    assert.match(run.stderr, /clone/);
  });

  it("`npm run demo -- --headless` (the README's first command, as CI runs it) exits 0 and narrates the steps", async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(npm, ['run', '--silent', 'demo', '--', '--headless'], {
        cwd: ROOT,
        env: cleanEnv(),
        stdio: 'pipe',
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end();
    });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /Unsupported runtime/, "oidc-provider's Node 22 notice is not shown");
    for (const step of ['401', 'Discover', 'Register', 'Sign in', 'Exchange the code', 'Call a tool', 'Second run']) {
      assert.ok(result.stdout.includes(step), `the narration mentions ${step}`);
    }
    assert.match(result.stdout, /Token store\s+\/\S+mcptool-demo-/);
    assert.match(result.stdout, /Second run\s+\d+ (ms|\.\d+ s)\s+0 requests at the authorization server/);
  });

  it('item 5: Ctrl-C while the demo waits for consent removes its temporary token store and exits 130', async () => {
    // In a terminal with a browser command that opens nothing: the demo waits for a click that never comes.
    const run = startInTerminal('demo/main.ts', [], cleanEnv({ TERM: 'dumb', BROWSER: 'true' }));
    const dir = await waitFor(
      'the token store line',
      () => /Token store\s+(\/\S+mcptool-demo-\S+)/.exec(run.screen())?.[1],
      120_000,
    );
    assert.ok(existsSync(dir), 'the store exists while the demo runs');
    run.type('\x03');
    assert.equal(await run.exit, 130, run.screen());
    assert.equal(existsSync(dir), false, `the temporary token store ${dir} is removed`);
  });
});
