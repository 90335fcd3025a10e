import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuthorizationHandler } from '../../../src/auth/config.ts';
import { createDefaultAuthorizationHandler } from '../../../src/auth/interactive/handler.ts';
import {
  browserLog,
  isListening,
  recordingUI,
  SCRIPTED_BROWSER,
  startTinyAuthServer,
  type TinyAuthServer,
  tempDir,
} from './helpers.ts';

let as: TinyAuthServer;
const tmp = tempDir();
let logCounter = 0;

before(async () => {
  as = await startTinyAuthServer();
});
after(async () => {
  await as.close();
  tmp.cleanup();
});

function browserHandler(extraEnv: Record<string, string> = {}, options: { timeoutMs?: number; port?: number } = {}) {
  const log = join(tmp.dir, `browser-${++logCounter}.jsonl`);
  const ui = recordingUI();
  const handler = createDefaultAuthorizationHandler({
    callback: 'auto',
    env: { PATH: process.env['PATH'] ?? '', BROWSER: SCRIPTED_BROWSER, SCRIPTED_BROWSER_LOG: log, ...extraEnv },
    platform: 'linux',
    stdinIsTTY: false,
    ui,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.port !== undefined && { redirect: { port: options.port } }),
  });
  return { handler, log, ui };
}

async function signIn(handler: AuthorizationHandler, state: string, signal = new AbortController().signal) {
  const session = await handler.open({ signal });
  const authorizationUrl = new URL('/authorize', as.url);
  authorizationUrl.searchParams.set('response_type', 'code');
  authorizationUrl.searchParams.set('redirect_uri', session.redirectUri);
  authorizationUrl.searchParams.set('state', state);
  try {
    return { session, result: await session.waitForCallback(authorizationUrl, state, { signal }) };
  } finally {
    await session.close();
  }
}

describe('sign-in through the real loopback listener and a scripted $BROWSER', () => {
  it('succeeds: the callback URL carries code, state and iss; the browser sees the success page', async () => {
    as.mode = 'approve';
    const { handler, log, ui } = browserHandler();
    const { session, result } = await signIn(handler, 'state-ok-1');
    assert.match(session.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(result.origin + result.pathname, session.redirectUri);
    assert.equal(result.searchParams.get('code'), 'genuine-code');
    assert.equal(result.searchParams.get('state'), 'state-ok-1');
    assert.equal(result.searchParams.get('iss'), as.url);
    const entries = await browserLog(log);
    assert.deepEqual(
      entries.filter((e) => e.kind).map((e) => [e.kind, e.status]),
      [
        ['follow', 302],
        ['follow', 200],
      ],
    );
    assert.match(entries[1]?.title ?? '', /Signed in/);
    assert.ok(
      ui.messages.some((m) => m.includes('/authorize?')),
      'the URL is shown too',
    );
    assert.equal(await isListening(Number(new URL(session.redirectUri).port)), false, 'listener closed');
  });

  it('ignores a forged callback (wrong state, 400) and a favicon request, then accepts the genuine one', async () => {
    as.mode = 'approve';
    const { handler, log } = browserHandler({ SCRIPTED_BROWSER_FORGE: '1' });
    const { result } = await signIn(handler, 'state-forge-2');
    assert.equal(result.searchParams.get('code'), 'genuine-code');
    const entries = (await browserLog(log)).filter((e) => e.kind);
    assert.deepEqual(
      entries.map((e) => [e.kind, e.status]),
      [
        ['forged', 400],
        ['favicon', 404],
        ['follow', 302],
        ['follow', 200],
      ],
    );
  });

  it('user denies: error=access_denied reaches the caller and the browser sees the failure page', async () => {
    as.mode = 'deny';
    const { handler, log } = browserHandler();
    const { result } = await signIn(handler, 'state-deny-3');
    assert.equal(result.searchParams.get('error'), 'access_denied');
    assert.equal(result.searchParams.get('error_description'), 'The user said <no> & left');
    assert.equal(result.searchParams.has('code'), false);
    const last = (await browserLog(log)).filter((e) => e.kind).at(-1);
    assert.equal(last?.status, 200);
    assert.match(last?.title ?? '', /Sign-in failed/);
  });

  it('times out with CALLBACK_TIMEOUT when the user never finishes, and closes the listener', async () => {
    as.mode = 'hang';
    const { handler } = browserHandler({}, { timeoutMs: 400 });
    const session = await handler.open({ signal: new AbortController().signal });
    const port = Number(new URL(session.redirectUri).port);
    const url = new URL('/authorize', as.url);
    url.searchParams.set('redirect_uri', session.redirectUri);
    const started = Date.now();
    await assert.rejects(
      session.waitForCallback(url, 'state-timeout-4', { signal: new AbortController().signal }),
      (e: any) => e.code === 'CALLBACK_TIMEOUT' && /within 400 ms/.test(e.message),
    );
    assert.ok(Date.now() - started < 5000);
    await session.close();
    assert.equal(await isListening(port), false);
  });

  it('aborts with ABORTED while waiting, and closes the listener', async () => {
    as.mode = 'hang';
    const before = as.hits.length;
    const { handler } = browserHandler();
    const controller = new AbortController();
    const session = await handler.open({ signal: controller.signal });
    const port = Number(new URL(session.redirectUri).port);
    const url = new URL('/authorize', as.url);
    url.searchParams.set('redirect_uri', session.redirectUri);
    const waiting = session.waitForCallback(url, 'state-abort-5', { signal: controller.signal });
    // Abort once the browser reached the authorization server.
    while (as.hits.length === before) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await assert.rejects(waiting, (e: any) => e.code === 'ABORTED');
    await session.close();
    assert.equal(await isListening(port), false);
  });

  it('a busy fixed port fails with CALLBACK_PORT_IN_USE naming the port', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const { handler } = browserHandler({}, { port });
      await assert.rejects(
        handler.open({ signal: new AbortController().signal }),
        (e: any) => e.code === 'CALLBACK_PORT_IN_USE' && e.port === port && e.message.includes(String(port)),
      );
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('a busy fixed port in auto mode falls back to paste-back when input exists', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const ui = recordingUI();
      const handler = createDefaultAuthorizationHandler({
        env: { BROWSER: SCRIPTED_BROWSER },
        platform: 'linux',
        redirect: { port },
        ui,
        input: { readLine: async () => `http://127.0.0.1:${port}/callback?code=pasted&state=s6` },
      });
      const session = await handler.open({ signal: new AbortController().signal });
      assert.equal(session.redirectUri, `http://127.0.0.1:${port}/callback`);
      const result = await session.waitForCallback(new URL('https://as.example/authorize'), 's6', {
        signal: new AbortController().signal,
      });
      assert.equal(result.searchParams.get('code'), 'pasted');
      assert.ok(ui.messages.some((m) => /CALLBACK|port/.test(m) && m.includes(String(port))));
      await session.close();
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
