import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createDefaultAuthorizationHandler,
  functionAuthorizationHandler,
} from '../../../../src/auth/interactive/handler.ts';

const signal = () => new AbortController().signal;
const quietUI = { show() {} };

describe('createDefaultAuthorizationHandler', () => {
  it('fails at once with INTERACTION_REQUIRED when there is no TTY, no browser and no paste input', async () => {
    const noBrowserEnvs: NodeJS.ProcessEnv[] = [{ CI: 'true' }, {}, { SSH_CONNECTION: '1 2 3 4', DISPLAY: ':0' }];
    for (const env of noBrowserEnvs) {
      for (const callback of ['auto', 'loopback', 'manual'] as const) {
        const handler = createDefaultAuthorizationHandler({
          callback,
          env,
          platform: 'linux',
          stdinIsTTY: false,
          ui: quietUI,
        });
        const started = Date.now();
        await assert.rejects(handler.open({ signal: signal() }), (e: any) => {
          assert.equal(e.code, 'INTERACTION_REQUIRED');
          assert.match(e.message, /client_credentials/);
          assert.match(e.message, /mcptool login/);
          assert.match(e.message, /--no-browser/);
          return true;
        });
        assert.ok(Date.now() - started < 1000);
      }
    }
  });

  it('manual mode even with a browser and a TTY never opens the browser and never binds a port', async () => {
    let opened = 0;
    const handler = createDefaultAuthorizationHandler({
      callback: 'manual',
      env: { DISPLAY: ':0' },
      platform: 'linux',
      ui: quietUI,
      openBrowser: async () => {
        opened++;
      },
      input: { readLine: async () => 'the-code' },
    });
    const session = await handler.open({ signal: signal() });
    assert.equal(session.redirectUri, 'http://127.0.0.1/callback');
    const url = await session.waitForCallback(new URL('https://as.example/authorize'), 'st', { signal: signal() });
    assert.equal(url.href, 'http://127.0.0.1/callback?code=the-code&state=st');
    assert.equal(opened, 0);
    await session.close();
  });

  it('auto without a browser uses paste-back when there is input, keeping a preferred redirect URI', async () => {
    const handler = createDefaultAuthorizationHandler({
      env: { CI: 'true' },
      platform: 'linux',
      ui: quietUI,
      input: { readLine: async () => 'http://127.0.0.1:4444/callback?code=c&state=st' },
    });
    const session = await handler.open({ signal: signal(), preferredRedirectUri: 'http://127.0.0.1:4444/callback' });
    assert.equal(session.redirectUri, 'http://127.0.0.1:4444/callback');
    await session.close();
  });

  it('refuses an unsafe authorization URL before showing or opening anything', async () => {
    const shown: string[] = [];
    let opened = 0;
    const handler = createDefaultAuthorizationHandler({
      env: { BROWSER: 'x' },
      ui: { show: (m) => shown.push(m) },
      openBrowser: async () => {
        opened++;
      },
    });
    const session = await handler.open({ signal: signal() });
    await assert.rejects(
      session.waitForCallback(new URL('javascript:alert(1)'), 'st', { signal: signal() }),
      (e: any) => e.code === 'UNSAFE_URL',
    );
    assert.equal(opened, 0);
    assert.equal(shown.length, 0);
    await session.close();
  });

  it('rejects the device mode and bad options with InvalidOptionError', () => {
    assert.throws(
      () => createDefaultAuthorizationHandler({ callback: 'device' as any }),
      (e: any) => e.code === 'INVALID_OPTION',
    );
    assert.throws(
      () => createDefaultAuthorizationHandler({ timeoutMs: 0 }),
      (e: any) => e.field === 'timeoutMs',
    );
  });
});

describe('functionAuthorizationHandler', () => {
  const redirectUri = 'http://127.0.0.1:8765/callback';

  it('returns what fn returns when the state matches', async () => {
    const handler = functionAuthorizationHandler(
      async (url) => `${redirectUri}?code=c&state=${url.searchParams.get('state')}`,
      {
        redirectUri,
      },
    );
    const session = await handler.open({ signal: signal() });
    assert.equal(session.redirectUri, redirectUri);
    const result = await session.waitForCallback(new URL('https://as.example/a?state=s1'), 's1', { signal: signal() });
    assert.equal(result.searchParams.get('code'), 'c');
  });

  it('refuses a result with a wrong or missing state (STATE_MISMATCH)', async () => {
    for (const returned of [`${redirectUri}?code=c&state=other`, new URL(`${redirectUri}?code=c`)]) {
      const session = await functionAuthorizationHandler(async () => returned, { redirectUri }).open({
        signal: signal(),
      });
      await assert.rejects(
        session.waitForCallback(new URL('https://as.example/a'), 's1', { signal: signal() }),
        (e: any) => e.code === 'STATE_MISMATCH',
      );
    }
  });

  it('aborts (ABORTED) even when fn never settles', async () => {
    const session = await functionAuthorizationHandler(() => new Promise<string>(() => {}), { redirectUri }).open({
      signal: signal(),
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(
      session.waitForCallback(new URL('https://as.example/a'), 's1', { signal: controller.signal }),
      (e: any) => e.code === 'ABORTED',
    );
  });
});
