import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { InsecureEndpointError, OAuthError } from '../../../src/auth/errors.ts';
import type { FetchLike } from '../../../src/auth/hardened-fetch.ts';
import {
  assertSecureEndpoint,
  hardenFetch,
  isLoopbackHttp,
  oauth4webapiOptions,
  RedirectRefusedError,
} from '../../../src/auth/hardened-fetch.ts';
import { fakeFetch, json } from './discovery/fake-fetch.ts';

const code = (expected: string) => (e: unknown) => {
  assert.ok(e instanceof OAuthError, `expected an OAuthError, got ${String(e)}`);
  assert.equal(e.code, expected, e.message);
  return true;
};

describe('hardenFetch: the https rule', () => {
  for (const url of [
    'http://example.com/.well-known/oauth-protected-resource',
    'http://10.0.0.1/token',
    'http://127.0.0.1.nip.io/token',
    // item 6: a name under .localhost may be resolved through DNS, so it is not loopback
    'http://app.localhost/x',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'ftp://example.com/x',
  ]) {
    it(`refuses ${url} before sending anything`, async () => {
      const fake = fakeFetch({ [url]: json({}) });
      const fetch = hardenFetch({ fetch: fake.fetch });
      await assert.rejects(fetch(url), (e: unknown) => {
        assert.ok(e instanceof InsecureEndpointError);
        assert.equal(e.code, 'INSECURE_ENDPOINT');
        return true;
      });
      assert.deepEqual(fake.urls(), []);
    });
  }

  for (const url of [
    'https://example.com/x',
    'http://127.0.0.1:8080/x',
    'http://localhost:3000/x',
    'http://[::1]:3000/x',
  ]) {
    it(`allows ${url}`, async () => {
      const fake = fakeFetch({ [url]: json({ ok: true }) });
      const response = await hardenFetch({ fetch: fake.fetch })(url);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { ok: true });
      assert.equal(fake.urls().length, 1);
    });
  }

  it('names a string that is not a URL', () => {
    assert.throws(() => assertSecureEndpoint('not a url', 'token_endpoint'), { code: 'INVALID_OPTION' });
  });

  it('isLoopbackHttp is true only for http on a loopback host', () => {
    assert.equal(isLoopbackHttp('http://127.0.0.1/x'), true);
    assert.equal(isLoopbackHttp('http://localhost/x'), true);
    assert.equal(isLoopbackHttp('https://localhost/x'), false);
    assert.equal(isLoopbackHttp('http://example.com/x'), false);
    assert.equal(isLoopbackHttp('garbage'), false);
  });
});

describe('hardenFetch: redirects', () => {
  it('sends redirect: manual and refuses a redirect to another origin', async () => {
    const url = 'https://mcp.example.com/.well-known/oauth-protected-resource';
    const fake = fakeFetch({
      [url]: new Response(null, { status: 302, headers: { location: 'https://evil.example/metadata' } }),
    });
    await assert.rejects(hardenFetch({ fetch: fake.fetch })(url), (e: unknown) => {
      assert.ok(e instanceof RedirectRefusedError);
      assert.equal(e.code, 'INVALID_RESPONSE');
      assert.equal(e.crossOrigin, true);
      assert.equal(e.location, 'https://evil.example/metadata');
      assert.match(e.message, /another origin/);
      return true;
    });
    assert.equal(fake.requests[0]?.init?.redirect, 'manual');
    assert.deepEqual(fake.urls(), [url]);
  });

  it('refuses a same-origin redirect too, saying so', async () => {
    const url = 'https://mcp.example.com/a';
    const fake = fakeFetch({ [url]: new Response(null, { status: 307, headers: { location: '/b' } }) });
    await assert.rejects(hardenFetch({ fetch: fake.fetch })(url), (e: unknown) => {
      assert.ok(e instanceof RedirectRefusedError);
      assert.equal(e.crossOrigin, false);
      assert.equal(e.location, 'https://mcp.example.com/b');
      assert.match(e.message, /same origin/);
      return true;
    });
  });

  it('refuses a 3xx without a Location header', async () => {
    const url = 'https://mcp.example.com/a';
    const fake = fakeFetch({ [url]: new Response(null, { status: 308 }) });
    await assert.rejects(hardenFetch({ fetch: fake.fetch })(url), RedirectRefusedError);
  });
});

describe('hardenFetch: body size cap', () => {
  const url = 'https://as.example.com/token';

  it('refuses a body larger than the cap (no Content-Length)', async () => {
    const fake = fakeFetch({
      [url]: () =>
        new Response(
          new ReadableStream({
            start(controller) {
              for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(300));
              controller.close();
            },
          }),
          { status: 200 },
        ),
    });
    await assert.rejects(hardenFetch({ fetch: fake.fetch, maxBodyBytes: 1000 })(url), code('INVALID_RESPONSE'));
  });

  it('refuses a declared Content-Length above the cap without reading', async () => {
    let pulls = 0;
    const fake = fakeFetch({
      [url]: () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              pulls++;
              controller.enqueue(new Uint8Array(64 * 1024));
            },
          }),
          { status: 200, headers: { 'content-length': String(2 * 1024 * 1024) } },
        ),
    });
    await assert.rejects(hardenFetch({ fetch: fake.fetch })(url), (e: unknown) => {
      assert.equal((e as OAuthError).code, 'INVALID_RESPONSE');
      assert.match((e as Error).message, /larger than 1048576 bytes/);
      return true;
    });
    // an endless stream: reading it to the cap would take 17 pulls; the header alone decided
    assert.ok(pulls <= 2, `pulled ${pulls} chunks`);
  });

  it('does not hang when the oversized body is a clone (a tee branch)', async () => {
    const original = new Response(new Uint8Array(5000), { status: 200 });
    const fake = fakeFetch({ [url]: original });
    await assert.rejects(hardenFetch({ fetch: fake.fetch, maxBodyBytes: 1000 })(url), code('INVALID_RESPONSE'));
    const redirect = new Response('moved', { status: 302, headers: { location: 'https://x.example/' } });
    await assert.rejects(hardenFetch({ fetch: fakeFetch({ [url]: redirect }).fetch })(url), RedirectRefusedError);
  });

  it('accepts a body of exactly the cap, and keeps status and headers', async () => {
    const fake = fakeFetch({
      [url]: () => new Response(new Uint8Array(1000), { status: 400, headers: { 'x-test': 'yes' } }),
    });
    const response = await hardenFetch({ fetch: fake.fetch, maxBodyBytes: 1000 })(url);
    assert.ok(response instanceof Response);
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-test'), 'yes');
    assert.equal((await response.arrayBuffer()).byteLength, 1000);
  });

  it('handles a 204 with no body', async () => {
    const fake = fakeFetch({ [url]: () => new Response(null, { status: 204 }) });
    const response = await hardenFetch({ fetch: fake.fetch })(url, { method: 'POST' });
    assert.equal(response.status, 204);
    assert.equal(response.body, null);
  });
});

describe('hardenFetch: timeouts, aborts, network errors', () => {
  const url = 'https://as.example.com/slow';
  const hanging: FetchLike = (_input, init) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
    });
  // A real fetch keeps the event loop alive with its socket; this fake one does not, and the timeout signal's timer
  // is unref'd, so the test process could end before the timeout fires. Hold the loop open while these tests run.
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  before(() => {
    keepAlive = setInterval(() => {}, 1_000);
  });
  after(() => clearInterval(keepAlive));

  it('times out with REQUEST_FAILED', async () => {
    const started = Date.now();
    await assert.rejects(hardenFetch({ fetch: hanging, timeoutMs: 30 })(url), (e: unknown) => {
      assert.equal((e as OAuthError).code, 'REQUEST_FAILED');
      assert.match((e as Error).message, /timed out after 30 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 5000);
  });

  it("honours the caller's signal (ABORTED)", async () => {
    const controller = new AbortController();
    const pending = hardenFetch({ fetch: hanging, timeoutMs: 60_000 })(url, { signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, code('ABORTED'));
  });

  it('does not send when the signal is already aborted', async () => {
    const fake = fakeFetch({ [url]: json({}) });
    await assert.rejects(hardenFetch({ fetch: fake.fetch })(url, { signal: AbortSignal.abort() }), code('ABORTED'));
    assert.deepEqual(fake.urls(), []);
  });

  it('reports a network error as REQUEST_FAILED with the cause', async () => {
    const failing: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    await assert.rejects(hardenFetch({ fetch: failing })(url), (e: unknown) => {
      assert.equal((e as OAuthError).code, 'REQUEST_FAILED');
      assert.ok((e as Error).cause instanceof TypeError);
      return true;
    });
  });

  it('validates its options', () => {
    assert.throws(() => hardenFetch({ timeoutMs: 0 }), { code: 'INVALID_OPTION' });
    assert.throws(() => hardenFetch({ maxBodyBytes: -1 }), { code: 'INVALID_OPTION' });
  });

  it('is idempotent', () => {
    const once = hardenFetch({ fetch: fakeFetch({}).fetch });
    assert.equal(hardenFetch({ fetch: once }), once);
  });
});

describe('oauth4webapiOptions', () => {
  it('sets allowInsecureRequests only for loopback http', () => {
    assert.equal(oauth4webapiOptions('http://127.0.0.1:9000/token')[oauth.allowInsecureRequests], true);
    assert.equal(oauth4webapiOptions('http://localhost/token')[oauth.allowInsecureRequests], true);
    assert.equal(oauth4webapiOptions('https://as.example.com/token')[oauth.allowInsecureRequests], undefined);
    assert.equal(oauth4webapiOptions('http://as.example.com/token')[oauth.allowInsecureRequests], undefined);
    assert.equal(oauth4webapiOptions(undefined)[oauth.allowInsecureRequests], undefined);
  });

  it('passes the signal and routes oauth4webapi requests through the hardened fetch', async () => {
    const issuer = 'http://127.0.0.1:9000';
    const fake = fakeFetch({
      'http://127.0.0.1:9000/.well-known/oauth-authorization-server': json({ issuer }),
    });
    const signal = new AbortController().signal;
    const options = oauth4webapiOptions<'GET', undefined>(issuer, { fetch: fake.fetch, signal });
    assert.equal(options.signal, signal);
    const response = await oauth.discoveryRequest(new URL(issuer), { ...options, algorithm: 'oauth2' });
    const as = await oauth.processDiscoveryResponse(new URL(issuer), response);
    assert.equal(as.issuer, issuer);
    assert.equal(fake.requests[0]?.init?.redirect, 'manual');
    assert.equal(fake.requests[0]?.init?.signal instanceof AbortSignal, true);
  });

  it('without the loopback exception, oauth4webapi refuses http and nothing is sent', async () => {
    const fake = fakeFetch({});
    const options = oauth4webapiOptions<'GET', undefined>('http://as.example.com', { fetch: fake.fetch });
    await assert.rejects(oauth.discoveryRequest(new URL('http://as.example.com'), options));
    assert.deepEqual(fake.urls(), []);
  });

  it('even with allowInsecureRequests forced, the hardened fetch refuses non-loopback http', async () => {
    const fake = fakeFetch({});
    const options = oauth4webapiOptions<'GET', undefined>('http://127.0.0.1', { fetch: fake.fetch });
    await assert.rejects(oauth.discoveryRequest(new URL('http://as.example.com'), options), code('INSECURE_ENDPOINT'));
    assert.deepEqual(fake.urls(), []);
  });
});
