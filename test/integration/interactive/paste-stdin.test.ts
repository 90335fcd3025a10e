import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const HANDLER = fileURLToPath(new URL('../../../src/auth/interactive/handler.ts', import.meta.url));
const MANUAL = fileURLToPath(new URL('../../../src/auth/interactive/manual.ts', import.meta.url));

/** Run a sign-in in a child process whose stdin is a pipe; returns its exit code, stdout and stderr. */
function runChild(script: string, stdinText: string | undefined, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  if (stdinText !== undefined) child.stdin.end(stdinText);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('paste-back from piped stdin (a real child process)', () => {
  it('reads the pasted redirect URL, refusing a wrong state first', async () => {
    const script = `
      const { createDefaultAuthorizationHandler } = await import(${JSON.stringify(HANDLER)});
      const { streamPasteInput } = await import(${JSON.stringify(MANUAL)});
      const handler = createDefaultAuthorizationHandler({ callback: 'manual', input: streamPasteInput(process.stdin) });
      const signal = new AbortController().signal;
      const session = await handler.open({ signal });
      const url = await session.waitForCallback(new URL('https://as.example/authorize?state=st-pipe'), 'st-pipe', { signal });
      await session.close();
      console.log(url.href);
    `;
    const pasted =
      'http://127.0.0.1/callback?code=forged&state=wrong\nhttp://127.0.0.1/callback?code=good&state=st-pipe\n';
    const { code, stdout, stderr } = await runChild(script, pasted);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), 'http://127.0.0.1/callback?code=good&state=st-pipe');
    assert.match(stderr, /https:\/\/as\.example\/authorize\?state=st-pipe/, 'the URL is shown on stderr');
    assert.match(stderr, /not accepted/);
  });

  it('with no TTY, no browser and no paste input, fails at once with INTERACTION_REQUIRED', async () => {
    const script = `
      const { createDefaultAuthorizationHandler } = await import(${JSON.stringify(HANDLER)});
      const handler = createDefaultAuthorizationHandler();
      try {
        await handler.open({ signal: new AbortController().signal });
        console.log('opened');
      } catch (e) {
        console.log(e.code);
      }
    `;
    const started = Date.now();
    const { code, stdout } = await runChild(script, undefined, { CI: 'true' });
    assert.equal(code, 0);
    assert.equal(stdout.trim(), 'INTERACTION_REQUIRED');
    assert.ok(Date.now() - started < 15_000);
  });
});
