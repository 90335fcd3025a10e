import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { runDeviceAuthorization } from '../../../../src/auth/interactive/device.ts';

const as: oauth.AuthorizationServer = {
  issuer: 'https://as.example',
  device_authorization_endpoint: 'https://as.example/device',
  token_endpoint: 'https://as.example/token',
};
const client: oauth.Client = { client_id: 'cli' };

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A fake server: the device authorization response, then the token responses in order. Records requests. */
function fakeServer(device: Record<string, unknown>, tokens: Response[]) {
  const requests: { url: string; body: URLSearchParams }[] = [];
  const fetch = async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    requests.push({ url, body: new URLSearchParams(String(init?.body ?? '')) });
    if (url === as.device_authorization_endpoint) return json(200, device);
    const next = tokens.shift();
    if (!next) throw new Error('unexpected extra poll');
    return next;
  };
  return { fetch, requests };
}

/** A fake clock moved only by the fake sleep; records each sleep. */
function fakeTime() {
  let now = 1_700_000_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: { now: () => now },
    sleep: async (ms: number, signal: AbortSignal) => {
      if (signal.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}

const DEVICE = {
  device_code: 'dev-code',
  user_code: 'WDJB-MJHT',
  verification_uri: 'https://as.example/device',
  verification_uri_complete: 'https://as.example/device?user_code=WDJB-MJHT',
  expires_in: 600,
  interval: 2,
};
const pending = () => json(400, { error: 'authorization_pending' });
const slowDown = () => json(400, { error: 'slow_down' });
const success = () => json(200, { access_token: 'at', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt' });

describe('runDeviceAuthorization (RFC 8628)', () => {
  it('polls every interval, adds 5 s on slow_down, and returns the token response', async () => {
    const server = fakeServer(DEVICE, [pending(), slowDown(), pending(), success()]);
    const time = fakeTime();
    const shown: string[] = [];
    const result = await runDeviceAuthorization(as, client, oauth.None(), {
      scope: 'read write',
      resource: 'https://mcp.example/mcp',
      ui: { show: (m) => shown.push(m) },
      fetch: server.fetch,
      clock: time.clock,
      sleep: time.sleep,
    });
    assert.equal(result.access_token, 'at');
    assert.deepEqual(time.sleeps, [2000, 2000, 7000, 7000]);
    assert.equal(server.requests.length, 5);
    const [deviceReq, ...polls] = server.requests;
    assert.equal(deviceReq?.body.get('scope'), 'read write');
    assert.equal(deviceReq?.body.get('resource'), 'https://mcp.example/mcp');
    assert.equal(deviceReq?.body.get('client_id'), 'cli');
    for (const p of polls) {
      assert.equal(p.body.get('grant_type'), 'urn:ietf:params:oauth:grant-type:device_code');
      assert.equal(p.body.get('device_code'), 'dev-code');
      assert.equal(p.body.get('resource'), 'https://mcp.example/mcp');
    }
    assert.match(shown.join('\n'), /WDJB-MJHT/);
    assert.match(shown.join('\n'), /https:\/\/as\.example\/device\?user_code=WDJB-MJHT/);
  });

  it('defaults the interval to 5 s and shows the plain verification URI when no complete one is given', async () => {
    const { verification_uri_complete: _, interval: __, ...device } = DEVICE;
    const server = fakeServer(device, [pending(), success()]);
    const time = fakeTime();
    const shown: string[] = [];
    await runDeviceAuthorization(as, client, oauth.None(), {
      ui: { show: (m) => shown.push(m) },
      fetch: server.fetch,
      clock: time.clock,
      sleep: time.sleep,
    });
    assert.deepEqual(time.sleeps, [5000, 5000]);
    assert.match(shown.join('\n'), /open https:\/\/as\.example\/device and enter the code/);
  });

  it('stops with ACCESS_DENIED when the user denies', async () => {
    const server = fakeServer(DEVICE, [pending(), json(400, { error: 'access_denied', error_description: 'nope' })]);
    const time = fakeTime();
    await assert.rejects(
      runDeviceAuthorization(as, client, oauth.None(), { ui: { show() {} }, fetch: server.fetch, ...time }),
      (e: any) => e.code === 'ACCESS_DENIED' && e.error === 'access_denied' && /"nope"/.test(e.message),
    );
  });

  it('stops with CALLBACK_TIMEOUT when expires_in runs out, without polling past it', async () => {
    const server = fakeServer({ ...DEVICE, expires_in: 10, interval: 5 }, [pending(), pending(), pending()]);
    const time = fakeTime();
    await assert.rejects(
      runDeviceAuthorization(as, client, oauth.None(), { ui: { show() {} }, fetch: server.fetch, ...time }),
      (e: any) => e.code === 'CALLBACK_TIMEOUT',
    );
    assert.deepEqual(time.sleeps, [5000, 5000]);
    assert.equal(server.requests.length, 3);
  });

  it('stops with CALLBACK_TIMEOUT on expired_token', async () => {
    const server = fakeServer(DEVICE, [json(400, { error: 'expired_token' })]);
    await assert.rejects(
      runDeviceAuthorization(as, client, oauth.None(), { ui: { show() {} }, fetch: server.fetch, ...fakeTime() }),
      (e: any) => e.code === 'CALLBACK_TIMEOUT',
    );
  });

  it('stops with ABORTED when aborted while waiting', async () => {
    const server = fakeServer(DEVICE, [pending(), pending()]);
    const controller = new AbortController();
    const time = fakeTime();
    await assert.rejects(
      runDeviceAuthorization(as, client, oauth.None(), {
        ui: { show() {} },
        fetch: server.fetch,
        clock: time.clock,
        sleep: async (ms, signal) => {
          if (time.sleeps.length === 1) controller.abort();
          await time.sleep(ms, signal);
        },
        signal: controller.signal,
      }),
      (e: any) => e.code === 'ABORTED',
    );
  });

  it('refuses an http verification URI on a non-loopback host and strips control characters', async () => {
    const server = fakeServer(
      { ...DEVICE, verification_uri_complete: undefined, verification_uri: 'http://evil.example/d' },
      [],
    );
    await assert.rejects(
      runDeviceAuthorization(as, client, oauth.None(), { ui: { show() {} }, fetch: server.fetch, ...fakeTime() }),
      (e: any) => e.code === 'UNSAFE_URL',
    );
    const shown: string[] = [];
    const server2 = fakeServer({ ...DEVICE, user_code: 'AB\u001b[31mCD' }, [success()]);
    await runDeviceAuthorization(as, client, oauth.None(), {
      ui: { show: (m) => shown.push(m) },
      fetch: server2.fetch,
      ...fakeTime(),
    });
    assert.ok(shown.join('').includes('AB[31mCD'));
    assert.ok(!shown.join('').includes('\u001b'));
  });

  it('refuses an http endpoint on a non-loopback host before sending anything', async () => {
    const server = fakeServer(DEVICE, []);
    await assert.rejects(
      runDeviceAuthorization(
        { ...as, device_authorization_endpoint: 'http://as.example/device' },
        client,
        oauth.None(),
        { ui: { show() {} }, fetch: server.fetch, ...fakeTime() },
      ),
      (e: any) => e.code === 'INSECURE_ENDPOINT',
    );
    assert.equal(server.requests.length, 0);
  });
});
