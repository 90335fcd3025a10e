import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import {
  manualRedirectUri,
  parsePastedCallback,
  readPastedCallback,
  streamPasteInput,
} from '../../../../src/auth/interactive/manual.ts';

const REDIRECT = 'http://127.0.0.1/callback';
const AUTH_URL = new URL('https://as.example/authorize?client_id=c&state=st');

function ui() {
  const messages: string[] = [];
  return { messages, show: (m: string) => messages.push(m) };
}

describe('parsePastedCallback', () => {
  it('accepts the whole redirect URL with the expected state, keeping iss', () => {
    const r = parsePastedCallback(
      ' http://127.0.0.1:5555/callback?code=abc&state=st&iss=https%3A%2F%2Fas.example \n',
      REDIRECT,
      'st',
    );
    assert.equal(r.ok, true);
    assert.equal(r.ok === true && r.url.href, `${REDIRECT}?code=abc&state=st&iss=https%3A%2F%2Fas.example`);
  });

  it('accepts just the query string', () => {
    const r = parsePastedCallback('?code=abc&state=st', REDIRECT, 'st');
    assert.equal(r.ok === true && r.url.searchParams.get('code'), 'abc');
  });

  it('accepts a bare code as if it came with the expected state', () => {
    const r = parsePastedCallback('SplxlOBeZQQYbYS6WxSbIA', REDIRECT, 'st');
    assert.equal(r.ok === true && r.url.href, `${REDIRECT}?code=SplxlOBeZQQYbYS6WxSbIA&state=st`);
  });

  it('refuses a URL with a wrong or missing state, or without code or error', () => {
    for (const text of [
      'http://127.0.0.1/callback?code=abc&state=other',
      'http://127.0.0.1/callback?code=abc',
      'http://127.0.0.1/callback?state=st',
      'http://127.0.0.1/callback?code=a&state=st&state=st',
      'code with spaces',
    ]) {
      assert.equal(parsePastedCallback(text, REDIRECT, 'st').ok, false, text);
    }
  });

  it('passes an error response through (the engine turns it into ACCESS_DENIED)', () => {
    const r = parsePastedCallback('http://127.0.0.1/callback?error=access_denied&state=st', REDIRECT, 'st');
    assert.equal(r.ok === true && r.url.searchParams.get('error'), 'access_denied');
  });
});

describe('manualRedirectUri', () => {
  it('is a loopback URL: the preferred one, else host:port/path, else host/path without a port', () => {
    assert.equal(manualRedirectUri({}), 'http://127.0.0.1/callback');
    assert.equal(manualRedirectUri({ port: 8765 }), 'http://127.0.0.1:8765/callback');
    assert.equal(manualRedirectUri({ host: '::1', path: '/cb' }), 'http://[::1]/cb');
    assert.equal(manualRedirectUri({}, 'http://127.0.0.1:41234/callback'), 'http://127.0.0.1:41234/callback');
    assert.equal(manualRedirectUri({}, 'https://evil.example/callback'), 'http://127.0.0.1/callback');
  });
});

describe('readPastedCallback from piped input', () => {
  it('refuses a wrong-state URL, lets the user retry, and accepts the genuine one', async () => {
    const stream = new PassThrough();
    const input = streamPasteInput(stream);
    const u = ui();
    stream.write('\nhttp://127.0.0.1/callback?code=forged&state=nope\n');
    stream.write('http://127.0.0.1/callback?code=real&state=st\n');
    const url = await readPastedCallback(AUTH_URL, { redirectUri: REDIRECT, expectedState: 'st', input, ui: u });
    input.close?.();
    assert.equal(url.searchParams.get('code'), 'real');
    assert.ok(u.messages[0]?.includes(AUTH_URL.href), 'the URL is shown');
    assert.ok(u.messages.some((m) => /not accepted: .*state/.test(m)));
  });

  it('input that ends after a refused paste fails with STATE_MISMATCH', async () => {
    const stream = new PassThrough();
    stream.end('http://127.0.0.1/callback?code=forged&state=nope\n');
    await assert.rejects(
      readPastedCallback(AUTH_URL, {
        redirectUri: REDIRECT,
        expectedState: 'st',
        input: streamPasteInput(stream),
        ui: ui(),
      }),
      (e: any) => e.code === 'STATE_MISMATCH',
    );
  });

  it('input that ends with nothing pasted fails with INTERACTION_REQUIRED', async () => {
    const stream = new PassThrough();
    stream.end();
    await assert.rejects(
      readPastedCallback(AUTH_URL, {
        redirectUri: REDIRECT,
        expectedState: 'st',
        input: streamPasteInput(stream),
        ui: ui(),
      }),
      (e: any) => e.code === 'INTERACTION_REQUIRED',
    );
  });

  it('too many refused pastes fail with STATE_MISMATCH', async () => {
    const stream = new PassThrough();
    stream.write('a=b\n'.repeat(3));
    await assert.rejects(
      readPastedCallback(AUTH_URL, {
        redirectUri: REDIRECT,
        expectedState: 'st',
        input: streamPasteInput(stream),
        ui: ui(),
        maxAttempts: 3,
      }),
      (e: any) => e.code === 'STATE_MISMATCH',
    );
  });

  it('times out (CALLBACK_TIMEOUT) and aborts (ABORTED)', async () => {
    const input1 = streamPasteInput(new PassThrough());
    await assert.rejects(
      readPastedCallback(AUTH_URL, {
        redirectUri: REDIRECT,
        expectedState: 'st',
        input: input1,
        ui: ui(),
        timeoutMs: 50,
      }),
      (e: any) => e.code === 'CALLBACK_TIMEOUT',
    );
    input1.close?.();
    const controller = new AbortController();
    const input2 = streamPasteInput(new PassThrough());
    const p = readPastedCallback(AUTH_URL, {
      redirectUri: REDIRECT,
      expectedState: 'st',
      input: input2,
      ui: ui(),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(p, (e: any) => e.code === 'ABORTED');
    input2.close?.();
  });
});

describe('streamPasteInput', () => {
  it('can be closed between sign-ins and read again', async () => {
    const stream = new PassThrough();
    const input = streamPasteInput(stream);
    const signal = new AbortController().signal;
    stream.write('first\n');
    assert.equal(await input.readLine({ signal }), 'first');
    input.close?.();
    stream.write('second\n');
    assert.equal(await input.readLine({ signal }), 'second');
    stream.end();
    assert.equal(await input.readLine({ signal }), undefined);
    input.close?.();
  });

  it('reports the end at once for a stream another reader already consumed (e.g. `call --args -`)', async () => {
    const stream = new PassThrough();
    stream.end('{"arguments": true}\n');
    for await (const _chunk of stream) {
      // the other reader
    }
    const input = streamPasteInput(stream);
    const signal = AbortSignal.timeout(2_000);
    assert.equal(await input.readLine({ signal }), undefined);
  });
});
