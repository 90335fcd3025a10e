import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LoopbackListener } from '../../../src/auth/interactive/loopback.ts';
import { isListening } from './helpers.ts';

function get(url: string, init: { method?: string; host?: string } = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: init.method ?? 'GET',
        headers: init.host ? { host: init.host } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const signal = () => new AbortController().signal;

describe('LoopbackListener', () => {
  it('binds port 0 and builds the redirect_uri from the port actually bound', async () => {
    const listener = await LoopbackListener.start();
    assert.ok(listener.port > 0);
    assert.equal(listener.redirectUri, `http://127.0.0.1:${listener.port}/callback`);
    assert.equal(await isListening(listener.port), true);
    await listener.close();
    assert.equal(await isListening(listener.port), false);
  });

  it('refuses everything but the genuine request, keeps waiting, then accepts it and closes', async () => {
    const listener = await LoopbackListener.start({ path: '/cb' });
    const rejected: string[] = [];
    const waiting = listener.waitForCallback('s-123', { signal: signal(), onRejected: (r) => rejected.push(r) });
    const base = `http://127.0.0.1:${listener.port}`;
    assert.equal((await get(`${base}/other?code=c&state=s-123`)).status, 404);
    assert.equal((await get(`${base}/favicon.ico`)).status, 404);
    assert.equal((await get(`${base}/cb?code=c`)).status, 400);
    assert.equal((await get(`${base}/cb?code=c&state=wrong`)).status, 400);
    assert.equal((await get(`${base}/cb?code=c&state=s-123&state=s-123`)).status, 400);
    assert.equal((await get(`${base}/cb?state=s-123`)).status, 400);
    assert.equal((await get(`${base}/cb?code=c&state=s-123`, { method: 'POST' })).status, 405);
    assert.equal((await get(`${base}/cb?code=c&state=s-123`, { method: 'HEAD' })).status, 405);
    assert.equal((await get(`${base}/cb?code=c&state=s-123`, { host: 'evil.example' })).status, 400);
    assert.equal(rejected.length, 5);
    const genuine = await get(`${base}/cb?code=the-code&state=s-123&iss=https%3A%2F%2Fas.example`);
    assert.equal(genuine.status, 200);
    assert.match(genuine.body, /Signed in/);
    assert.doesNotMatch(genuine.body, /<script|https?:\/\/(?!127)/, 'no script and no remote assets');
    assert.match(String(genuine.headers['content-security-policy']), /default-src 'none'/);
    const url = await waiting;
    assert.equal(url.href, `${base}/cb?code=the-code&state=s-123&iss=https%3A%2F%2Fas.example`);
    await listener.close();
    assert.equal(await isListening(listener.port), false);
  });

  it('a genuine error callback resolves, with the server description HTML-escaped on the page', async () => {
    const listener = await LoopbackListener.start();
    const waiting = listener.waitForCallback('s', { signal: signal() });
    const desc = encodeURIComponent('<script>alert(1)</script> & "quotes"');
    const page = await get(`${listener.redirectUri}?error=access_denied&error_description=${desc}&state=s`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Sign-in failed/);
    assert.match(page.body, /access_denied/);
    assert.match(page.body, /&#60;script&#62;alert\(1\)&#60;\/script&#62; &#38; &#34;quotes&#34;/);
    assert.doesNotMatch(page.body, /<script>/);
    const url = await waiting;
    assert.equal(url.searchParams.get('error'), 'access_denied');
  });

  it('refuses a callback that arrives before anyone waits (400)', async () => {
    const listener = await LoopbackListener.start();
    assert.equal((await get(`${listener.redirectUri}?code=c&state=s`)).status, 400);
    await listener.close();
  });

  it('only binds loopback hosts', async () => {
    await assert.rejects(LoopbackListener.start({ host: '0.0.0.0' }), (e: any) => e.code === 'INVALID_OPTION');
    await assert.rejects(LoopbackListener.start({ host: 'example.com' }), (e: any) => e.code === 'INVALID_OPTION');
    const l = await LoopbackListener.start({ host: 'localhost' });
    assert.match(l.redirectUri, /^http:\/\/localhost:\d+\/callback$/);
    await l.close();
  });

  it('preferredRedirectUri: reuses its port when free, falls back to a free port when busy', async () => {
    const first = await LoopbackListener.start();
    const preferred = first.redirectUri;
    await first.close();
    const again = await LoopbackListener.start({ preferredRedirectUri: preferred });
    assert.equal(again.redirectUri, preferred);
    // Now it is busy (held by `again`): fall back to port 0.
    const other = await LoopbackListener.start({ preferredRedirectUri: preferred });
    assert.notEqual(other.redirectUri, preferred);
    await Promise.all([again.close(), other.close()]);
    // A fixed port that is busy is an error naming the port, not a silent fallback.
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    await assert.rejects(
      LoopbackListener.start({ port }),
      (e: any) => e.code === 'CALLBACK_PORT_IN_USE' && e.port === port,
    );
    await new Promise((r) => blocker.close(r));
  });

  it('a caller timeout signal (AbortSignal.timeout) ends the wait as CALLBACK_TIMEOUT, not ABORTED', async () => {
    const listener = await LoopbackListener.start();
    await assert.rejects(
      listener.waitForCallback('s', { signal: AbortSignal.timeout(50) }),
      (e: any) => e.code === 'CALLBACK_TIMEOUT',
    );
    assert.equal(await isListening(listener.port), false);
  });

  it('close() ends a pending wait with ABORTED', async () => {
    const listener = await LoopbackListener.start();
    const waiting = listener.waitForCallback('s', { signal: signal() });
    await listener.close();
    await assert.rejects(waiting, (e: any) => e.code === 'ABORTED');
    await assert.rejects(
      listener.waitForCallback('s', { signal: signal() }),
      (e: any) => e.code === 'AUTHORIZATION_FAILED',
    );
  });

  it('never keeps the process alive: a script that opens a listener and forgets it exits by itself', async () => {
    const module = fileURLToPath(new URL('../../../src/auth/interactive/loopback.ts', import.meta.url));
    const script = `
      const { LoopbackListener } = await import(${JSON.stringify(module)});
      const l = await LoopbackListener.start();
      // An idle connection from a "browser" (another process in real life) that stays open.
      const net = await import('node:net');
      net.connect(l.port, '127.0.0.1').unref();
      console.log('bound', l.port);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const code = await new Promise((r) => child.on('exit', (c, s) => r(c ?? s)));
    clearTimeout(killer);
    assert.match(out, /bound \d+/);
    assert.equal(code, 0);
  });
});
