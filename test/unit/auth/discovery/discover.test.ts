import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DiscoveryError,
  discover,
  discoverAuthorizationServer,
  discoverProtectedResource,
} from '../../../../src/auth/discovery/discover.ts';
import type { DiscoveryCache } from '../../../../src/auth/discovery/types.ts';
import { bearerChallengeFrom } from '../../../../src/auth/discovery/www-authenticate.ts';
import {
  InsecureEndpointError,
  IssuerMismatchError,
  OAuthError,
  ResourceMismatchError,
} from '../../../../src/auth/errors.ts';
import type { FetchLike } from '../../../../src/auth/hardened-fetch.ts';
import { RedirectRefusedError } from '../../../../src/auth/hardened-fetch.ts';
import { fakeFetch, json } from './fake-fetch.ts';

const SERVER = 'https://mcp.example.com/mcp';
const ORIGIN = 'https://mcp.example.com';
const PRM_PATH = `${ORIGIN}/.well-known/oauth-protected-resource/mcp`;
const PRM_ROOT = `${ORIGIN}/.well-known/oauth-protected-resource`;
const ISSUER = 'https://auth.example.com/tenant1';
const AS_URLS = [
  'https://auth.example.com/.well-known/oauth-authorization-server/tenant1',
  'https://auth.example.com/.well-known/openid-configuration/tenant1',
  'https://auth.example.com/tenant1/.well-known/openid-configuration',
];

function asMetadata(issuer = ISSUER, extra: Record<string, unknown> = {}) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    ...extra,
  };
}

function prm(resource = SERVER, servers: unknown = [ISSUER], extra: Record<string, unknown> = {}) {
  return { resource, authorization_servers: servers, ...extra };
}

const isCode = (code: string) => (e: unknown) => {
  assert.ok(e instanceof OAuthError, `expected an OAuthError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  return true;
};

describe('discoverProtectedResource', () => {
  it('uses the resource_metadata URL of the challenge first', async () => {
    const custom = `${ORIGIN}/custom/metadata/location.json`;
    const fake = fakeFetch({ [custom]: json(prm()) });
    const metadata = await discoverProtectedResource({
      serverUrl: SERVER,
      resourceMetadataUrl: custom,
      fetch: fake.fetch,
    });
    assert.equal(metadata?.resource, SERVER);
    assert.deepEqual(fake.urls(), [custom]);
    assert.equal(fake.requests[0]?.init?.redirect, 'manual');
  });

  const html = () => new Response('<!doctype html><title>app</title>', { headers: { 'content-type': 'text/html' } });

  it('item 3: the challenge URL is tried first even when it is the root well-known URL', async () => {
    const fake = fakeFetch({ [PRM_PATH]: html(), [PRM_ROOT]: json(prm(ORIGIN)) });
    const metadata = await discoverProtectedResource({
      serverUrl: SERVER,
      resourceMetadataUrl: PRM_ROOT,
      fetch: fake.fetch,
    });
    assert.equal(metadata?.resource, ORIGIN);
    assert.deepEqual(fake.urls(), [PRM_ROOT]);
  });

  it('item 3: a well-known URL answering 200 HTML is skipped while others remain', async () => {
    const fake = fakeFetch({ [PRM_PATH]: html(), [PRM_ROOT]: json(prm(ORIGIN)) });
    const metadata = await discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch });
    assert.equal(metadata?.resource, ORIGIN);
    assert.deepEqual(fake.urls(), [PRM_PATH, PRM_ROOT]);
  });

  it('item 3: when no candidate answers a document, DISCOVERY_FAILED lists what each answered', async () => {
    const stale = `${ORIGIN}/prm.json`;
    const fake = fakeFetch({ [PRM_PATH]: html(), [PRM_ROOT]: html() });
    await assert.rejects(
      discoverProtectedResource({ serverUrl: SERVER, resourceMetadataUrl: stale, fetch: fake.fetch }),
      (e: unknown) => {
        isCode('DISCOVERY_FAILED')(e);
        assert.ok(e instanceof DiscoveryError);
        assert.deepEqual(
          e.attempts.map((a) => [a.url, a.status]),
          [
            [stale, 404],
            [PRM_PATH, 200],
            [PRM_ROOT, 200],
          ],
        );
        assert.match(e.message, /prm\.json" \(HTTP 404\)/);
        assert.match(e.message, /resource\/mcp" \(HTTP 200, not JSON: content-type "text\/html"\)/);
        return true;
      },
    );
  });

  it('falls back to the well-known URLs when the resource_metadata URL answers 404', async () => {
    const custom = `${ORIGIN}/stale.json`;
    const fake = fakeFetch({ [PRM_PATH]: json(prm()) });
    const metadata = await discoverProtectedResource({
      serverUrl: SERVER,
      resourceMetadataUrl: custom,
      fetch: fake.fetch,
    });
    assert.equal(metadata?.resource, SERVER);
    assert.deepEqual(fake.urls(), [custom, PRM_PATH]);
  });

  it('tries the path-inserted URL, then the root URL (which may name the origin as resource)', async () => {
    const fake = fakeFetch({ [PRM_ROOT]: json(prm(ORIGIN)) });
    const metadata = await discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch });
    assert.equal(metadata?.resource, ORIGIN);
    assert.deepEqual(fake.urls(), [PRM_PATH, PRM_ROOT]);
  });

  it('stops at the path-inserted URL when it answers', async () => {
    const fake = fakeFetch({ [PRM_PATH]: json(prm()), [PRM_ROOT]: json(prm('https://trap.example')) });
    await discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch });
    assert.deepEqual(fake.urls(), [PRM_PATH]);
  });

  it('returns undefined when no metadata exists (any 4xx but 429 means "not here")', async () => {
    const fake = fakeFetch({ [PRM_PATH]: json({ error: 'unauthorized' }, 401) });
    assert.equal(await discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }), undefined);
    assert.deepEqual(fake.urls(), [PRM_PATH, PRM_ROOT]);
  });

  it('NEGATIVE: refuses metadata whose resource is another server, and requests nothing more', async () => {
    const fake = fakeFetch({ [PRM_PATH]: json(prm('https://evil.example.com/mcp')) });
    await assert.rejects(discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }), (e: unknown) => {
      assert.ok(e instanceof ResourceMismatchError);
      assert.equal(e.code, 'RESOURCE_MISMATCH');
      assert.equal(e.expected, SERVER);
      assert.equal(e.received, 'https://evil.example.com/mcp');
      return true;
    });
    assert.deepEqual(fake.urls(), [PRM_PATH]);
  });

  it('NEGATIVE: refuses a sibling path as resource', async () => {
    const fake = fakeFetch({ [PRM_PATH]: json(prm(`${ORIGIN}/mcp-admin`)) });
    await assert.rejects(discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }), ResourceMismatchError);
  });

  it('NEGATIVE: refuses an http authorization server on a non-loopback host', async () => {
    const fake = fakeFetch({ [PRM_PATH]: json(prm(SERVER, ['http://auth.example.com'])) });
    await assert.rejects(discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }), (e: unknown) => {
      assert.ok(e instanceof InsecureEndpointError);
      assert.equal(e.code, 'INSECURE_ENDPOINT');
      assert.equal(e.url, 'http://auth.example.com');
      return true;
    });
  });

  it('accepts a loopback http server with a loopback http authorization server', async () => {
    const server = 'http://127.0.0.1:4000/mcp';
    const fake = fakeFetch({
      'http://127.0.0.1:4000/.well-known/oauth-protected-resource/mcp': json(prm(server, ['http://localhost:4001'])),
    });
    const metadata = await discoverProtectedResource({ serverUrl: server, fetch: fake.fetch });
    assert.deepEqual(metadata?.authorization_servers, ['http://localhost:4001']);
  });

  it('NEGATIVE: refuses a resource_metadata URL on plain http before sending anything', async () => {
    const fake = fakeFetch({});
    await assert.rejects(
      discoverProtectedResource({
        serverUrl: SERVER,
        resourceMetadataUrl: 'http://mcp.example.com/prm',
        fetch: fake.fetch,
      }),
      isCode('INSECURE_ENDPOINT'),
    );
    assert.deepEqual(fake.urls(), []);
  });

  it('ignores a resource_metadata that is not a URL, and resolves a relative one against the server', async () => {
    const garbage = fakeFetch({ [PRM_PATH]: json(prm()) });
    await discoverProtectedResource({ serverUrl: SERVER, resourceMetadataUrl: 'http://[bad', fetch: garbage.fetch });
    assert.deepEqual(garbage.urls(), [PRM_PATH]);
    const relative = fakeFetch({ [`${ORIGIN}/meta/prm.json`]: json(prm()) });
    await discoverProtectedResource({
      serverUrl: SERVER,
      resourceMetadataUrl: '/meta/prm.json',
      fetch: relative.fetch,
    });
    assert.deepEqual(relative.urls(), [`${ORIGIN}/meta/prm.json`]);
  });

  it('NEGATIVE: a redirect to another origin fails clearly and the other origin is never contacted', async () => {
    const fake = fakeFetch({
      [PRM_PATH]: new Response(null, { status: 302, headers: { location: 'https://evil.example/prm' } }),
      'https://evil.example/prm': json(prm()),
    });
    await assert.rejects(discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }), (e: unknown) => {
      assert.ok(e instanceof RedirectRefusedError);
      assert.equal(e.crossOrigin, true);
      assert.match(e.message, /another origin/);
      assert.match(e.message, /evil\.example/);
      return true;
    });
    assert.deepEqual(fake.urls(), [PRM_PATH]);
  });

  it('NEGATIVE: malformed JSON is skipped; with nothing else found it is DISCOVERY_FAILED naming it', async () => {
    const fake = fakeFetch({
      [PRM_PATH]: new Response('{"resource": "https://mcp.example.com/mcp",', {
        headers: { 'content-type': 'application/json' },
      }),
    });
    await assert.rejects(discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }), (e: unknown) => {
      isCode('DISCOVERY_FAILED')(e);
      assert.match((e as Error).message, /oauth-protected-resource\/mcp" \(HTTP 200, malformed JSON\)/);
      return true;
    });
  });

  it('NEGATIVE: an oversized body is INVALID_RESPONSE', async () => {
    const big = JSON.stringify(prm(SERVER, [ISSUER], { padding: 'x'.repeat(1024 * 1024) }));
    const fake = fakeFetch({ [PRM_PATH]: new Response(big, { headers: { 'content-type': 'application/json' } }) });
    await assert.rejects(discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }), (e: unknown) => {
      assert.equal((e as OAuthError).code, 'INVALID_RESPONSE');
      assert.match((e as Error).message, /larger than/);
      return true;
    });
  });

  it('NEGATIVE: a document that is not an object is skipped (DISCOVERY_FAILED), one without resource INVALID_RESPONSE', async () => {
    for (const body of [[1, 2], 'text']) {
      const fake = fakeFetch({ [PRM_PATH]: json(body) });
      await assert.rejects(
        discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }),
        isCode('DISCOVERY_FAILED'),
      );
    }
    {
      const fake = fakeFetch({ [PRM_PATH]: json({ authorization_servers: [ISSUER] }) });
      await assert.rejects(
        discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }),
        isCode('INVALID_RESPONSE'),
      );
    }
    const fake = fakeFetch({ [PRM_PATH]: json(prm(SERVER, 'https://auth.example.com')) });
    await assert.rejects(
      discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }),
      isCode('INVALID_RESPONSE'),
    );
  });

  it('a 5xx is DISCOVERY_FAILED naming the URL, the status and the quoted server text', async () => {
    const fake = fakeFetch({ [PRM_PATH]: new Response('upstream "down"', { status: 503 }) });
    await assert.rejects(discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }), (e: unknown) => {
      assert.ok(e instanceof DiscoveryError);
      assert.equal(e.code, 'DISCOVERY_FAILED');
      assert.match(e.message, /HTTP 503/);
      assert.ok(e.message.includes(JSON.stringify('upstream "down"')));
      assert.ok(e.message.includes(JSON.stringify(PRM_PATH)));
      assert.deepEqual(e.attempts, [{ url: PRM_PATH, status: 503 }]);
      return true;
    });
  });

  it('429 Too Many Requests is an error, not "no metadata"', async () => {
    const fake = fakeFetch({ [PRM_PATH]: new Response('slow down', { status: 429 }) });
    await assert.rejects(
      discoverProtectedResource({ serverUrl: SERVER, fetch: fake.fetch }),
      isCode('DISCOVERY_FAILED'),
    );
    assert.deepEqual(fake.urls(), [PRM_PATH]);
  });

  it('a network failure is DISCOVERY_FAILED with the cause', async () => {
    const failing: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    await assert.rejects(discoverProtectedResource({ serverUrl: SERVER, fetch: failing }), (e: unknown) => {
      assert.ok(e instanceof DiscoveryError);
      assert.equal((e.cause as OAuthError).code, 'REQUEST_FAILED');
      return true;
    });
  });
});

describe('discoverAuthorizationServer', () => {
  it('issuer with a path: tries the three URLs in the MCP order', async () => {
    const fake = fakeFetch({ [AS_URLS[2]!]: json(asMetadata()) });
    const as = await discoverAuthorizationServer({ issuer: ISSUER, fetch: fake.fetch });
    assert.equal(as.issuer, ISSUER);
    assert.deepEqual(fake.urls(), AS_URLS);
  });

  it('issuer with a path: stops at the first document found', async () => {
    const fake = fakeFetch({
      [AS_URLS[0]!]: json(asMetadata()),
      [AS_URLS[1]!]: json(asMetadata('https://trap.example')),
    });
    await discoverAuthorizationServer({ issuer: ISSUER, fetch: fake.fetch });
    assert.deepEqual(fake.urls(), [AS_URLS[0]]);
  });

  it('issuer without a path: RFC 8414, then OpenID Connect', async () => {
    const issuer = 'https://auth.example.com';
    const oidc = 'https://auth.example.com/.well-known/openid-configuration';
    const fake = fakeFetch({ [oidc]: json(asMetadata(issuer)) });
    const as = await discoverAuthorizationServer({ issuer, fetch: fake.fetch });
    assert.equal(as.issuer, issuer);
    assert.deepEqual(fake.urls(), ['https://auth.example.com/.well-known/oauth-authorization-server', oidc]);
  });

  it('finding nothing is DISCOVERY_FAILED naming every URL tried', async () => {
    const fake = fakeFetch({});
    await assert.rejects(discoverAuthorizationServer({ issuer: ISSUER, fetch: fake.fetch }), (e: unknown) => {
      assert.ok(e instanceof DiscoveryError);
      assert.deepEqual(
        e.attempts.map((a) => a.url),
        AS_URLS,
      );
      for (const url of AS_URLS) assert.ok(e.message.includes(JSON.stringify(url)), e.message);
      assert.match(e.message, /HTTP 404/);
      return true;
    });
  });

  it('NEGATIVE: refuses a document whose issuer differs (ISSUER_MISMATCH with expected and received)', async () => {
    const fake = fakeFetch({ [AS_URLS[0]!]: json(asMetadata('https://evil.example.com/tenant1')) });
    await assert.rejects(discoverAuthorizationServer({ issuer: ISSUER, fetch: fake.fetch }), (e: unknown) => {
      assert.ok(e instanceof IssuerMismatchError);
      assert.equal(e.code, 'ISSUER_MISMATCH');
      assert.equal(e.expected, ISSUER);
      assert.equal(e.received, 'https://evil.example.com/tenant1');
      return true;
    });
    assert.deepEqual(fake.urls(), [AS_URLS[0]]);
  });

  it('NEGATIVE: refuses an http endpoint on a non-loopback host', async () => {
    const fake = fakeFetch({
      [AS_URLS[0]!]: json(asMetadata(ISSUER, { token_endpoint: 'http://auth.example.com/token' })),
    });
    await assert.rejects(discoverAuthorizationServer({ issuer: ISSUER, fetch: fake.fetch }), (e: unknown) => {
      assert.ok(e instanceof InsecureEndpointError);
      assert.equal(e.code, 'INSECURE_ENDPOINT');
      assert.equal(e.url, 'http://auth.example.com/token');
      assert.match(e.message, /token_endpoint/);
      return true;
    });
  });

  it('NEGATIVE: refuses a javascript: authorization endpoint (and other schemes)', async () => {
    for (const endpoint of ['javascript:alert(document.cookie)', 'data:text/html,<b>x</b>', 'file:///etc/passwd']) {
      const fake = fakeFetch({
        [AS_URLS[0]!]: json(asMetadata(ISSUER, { authorization_endpoint: endpoint })),
      });
      await assert.rejects(discoverAuthorizationServer({ issuer: ISSUER, fetch: fake.fetch }), (e: unknown) => {
        assert.ok(e instanceof InsecureEndpointError);
        assert.match(e.message, /authorization_endpoint/);
        return true;
      });
    }
  });

  it('NEGATIVE: checks mtls_endpoint_aliases and jwks_uri too; refuses a non-URL endpoint', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ mtls_endpoint_aliases: { token_endpoint: 'http://mtls.example.com/token' } }, 'INSECURE_ENDPOINT'],
      [{ jwks_uri: 'http://auth.example.com/jwks' }, 'INSECURE_ENDPOINT'],
      [{ revocation_endpoint: 42 }, 'INVALID_RESPONSE'],
      [{ token_endpoint: 'not a url' }, 'INVALID_RESPONSE'],
    ];
    for (const [extra, code] of cases) {
      const fake = fakeFetch({ [AS_URLS[0]!]: json(asMetadata(ISSUER, extra)) });
      await assert.rejects(discoverAuthorizationServer({ issuer: ISSUER, fetch: fake.fetch }), isCode(code));
    }
  });

  it('NEGATIVE: refuses an http issuer on a non-loopback host before sending anything', async () => {
    const fake = fakeFetch({});
    await assert.rejects(
      discoverAuthorizationServer({ issuer: 'http://auth.example.com', fetch: fake.fetch }),
      isCode('INSECURE_ENDPOINT'),
    );
    assert.deepEqual(fake.urls(), []);
  });

  it('NEGATIVE: a redirect to another origin fails clearly', async () => {
    const fake = fakeFetch({
      [AS_URLS[0]!]: new Response(null, { status: 301, headers: { location: 'https://evil.example/meta' } }),
    });
    await assert.rejects(discoverAuthorizationServer({ issuer: ISSUER, fetch: fake.fetch }), RedirectRefusedError);
    assert.deepEqual(fake.urls(), [AS_URLS[0]]);
  });

  it('NEGATIVE: malformed JSON and oversized bodies are INVALID_RESPONSE', async () => {
    const bad = fakeFetch({
      [AS_URLS[0]!]: new Response('{"issuer":', { headers: { 'content-type': 'application/json' } }),
    });
    await assert.rejects(discoverAuthorizationServer({ issuer: ISSUER, fetch: bad.fetch }), isCode('INVALID_RESPONSE'));
    const big = fakeFetch({
      [AS_URLS[0]!]: json(asMetadata(ISSUER, { padding: 'x'.repeat(2 * 1024 * 1024) })),
    });
    await assert.rejects(discoverAuthorizationServer({ issuer: ISSUER, fetch: big.fetch }), isCode('INVALID_RESPONSE'));
  });

  it('legacy: metadata at the MCP server origin, issuer not checked', async () => {
    const fake = fakeFetch({
      [`${ORIGIN}/.well-known/oauth-authorization-server`]: json(asMetadata(`${ORIGIN}/oauth`)),
    });
    const as = await discoverAuthorizationServer({ issuer: SERVER, legacy: true, fetch: fake.fetch });
    assert.equal(as.issuer, `${ORIGIN}/oauth`);
    assert.deepEqual(fake.urls(), [`${ORIGIN}/.well-known/oauth-authorization-server`]);
  });

  it('legacy: the endpoint checks still apply', async () => {
    const fake = fakeFetch({
      [`${ORIGIN}/.well-known/oauth-authorization-server`]: json(
        asMetadata(`${ORIGIN}/oauth`, { authorization_endpoint: 'javascript:alert(1)' }),
      ),
    });
    await assert.rejects(
      discoverAuthorizationServer({ issuer: SERVER, legacy: true, fetch: fake.fetch }),
      isCode('INSECURE_ENDPOINT'),
    );
  });

  for (const [field, extra] of [
    ['issuer', { issuer: 'https://honest.example.com' }],
    ['authorization_endpoint', { authorization_endpoint: 'https://honest.example.com/authorize' }],
    ['token_endpoint', { token_endpoint: 'https://mcp.example.com.evil.example/token' }],
    ['registration_endpoint', { registration_endpoint: 'https://evil.example/register' }],
    ['revocation_endpoint', { revocation_endpoint: 'https://other.example/revoke' }],
    ['device_authorization_endpoint', { device_authorization_endpoint: 'https://mcp.example.com:8443/device' }],
  ] as const) {
    it(`item 1: legacy: ${field} off the MCP server's origin is ORIGIN_MISMATCH, naming it`, async () => {
      const fake = fakeFetch({
        [`${ORIGIN}/.well-known/oauth-authorization-server`]: json({ ...asMetadata(ORIGIN), ...extra }),
      });
      await assert.rejects(discoverAuthorizationServer({ issuer: SERVER, legacy: true, fetch: fake.fetch }), (e) => {
        isCode('ORIGIN_MISMATCH')(e);
        assert.ok((e as Error).message.includes(field), (e as Error).message);
        return true;
      });
    });
  }

  it('legacy: no metadata gives the default endpoints at the origin', async () => {
    const fake = fakeFetch({});
    const as = await discoverAuthorizationServer({ issuer: SERVER, legacy: true, fetch: fake.fetch });
    assert.deepEqual(as, {
      issuer: ORIGIN,
      authorization_endpoint: `${ORIGIN}/authorize`,
      token_endpoint: `${ORIGIN}/token`,
      registration_endpoint: `${ORIGIN}/register`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
    });
    assert.deepEqual(fake.urls(), [`${ORIGIN}/.well-known/oauth-authorization-server`]);
  });
});

describe('discover', () => {
  function fullServer(extraRoutes: Parameters<typeof fakeFetch>[0] = {}) {
    return fakeFetch({ [PRM_PATH]: json(prm()), [AS_URLS[0]!]: json(asMetadata()), ...extraRoutes });
  }

  it('finds protected resource and authorization server metadata, and takes the challenge scopes', async () => {
    const custom = `${ORIGIN}/custom/prm.json`;
    const fake = fakeFetch({ [custom]: json(prm()), [AS_URLS[2]!]: json(asMetadata()) });
    const challenge = bearerChallengeFrom(
      new Response(null, {
        status: 401,
        headers: { 'www-authenticate': `Bearer resource_metadata="${custom}", scope="files:read files:write"` },
      }),
    );
    const result = await discover({ serverUrl: SERVER, challenge, fetch: fake.fetch });
    assert.equal(result.resource, SERVER);
    assert.equal(result.protectedResource?.resource, SERVER);
    assert.equal(result.authorizationServer.issuer, ISSUER);
    assert.equal(result.legacy, false);
    assert.equal(result.synthesized, false);
    assert.deepEqual(result.challengeScopes, ['files:read', 'files:write']);
    assert.deepEqual(fake.urls(), [custom, ...AS_URLS]);
  });

  it('uses the first authorization server listed', async () => {
    const fake = fullServer({ [PRM_PATH]: json(prm(SERVER, [ISSUER, 'https://other.example.com'])) });
    const result = await discover({ serverUrl: SERVER, fetch: fake.fetch });
    assert.equal(result.authorizationServer.issuer, ISSUER);
    assert.equal(
      fake.urls().some((u) => u.includes('other.example.com')),
      false,
    );
  });

  it('the resource is the canonical server URI', async () => {
    const fake = fullServer();
    const result = await discover({ serverUrl: 'HTTPS://MCP.EXAMPLE.COM:443/mcp#x', fetch: fake.fetch });
    assert.equal(result.resource, SERVER);
    assert.equal(result.challengeScopes, undefined);
  });

  it('NEGATIVE: a PRM resource mismatch stops before any authorization server request', async () => {
    const fake = fullServer({ [PRM_PATH]: json(prm('https://evil.example.com/mcp')) });
    await assert.rejects(discover({ serverUrl: SERVER, fetch: fake.fetch }), ResourceMismatchError);
    assert.deepEqual(fake.urls(), [PRM_PATH]);
  });

  it('NEGATIVE: an issuer mismatch is refused (never skipped outside the legacy path)', async () => {
    const fake = fullServer({ [AS_URLS[0]!]: json(asMetadata(`${ORIGIN}/oauth`)) });
    await assert.rejects(discover({ serverUrl: SERVER, fetch: fake.fetch }), isCode('ISSUER_MISMATCH'));
  });

  it('NEGATIVE: an http MCP server on a non-loopback host is refused before any request', async () => {
    const fake = fakeFetch({});
    await assert.rejects(
      discover({ serverUrl: 'http://mcp.example.com/mcp', fetch: fake.fetch }),
      isCode('INSECURE_ENDPOINT'),
    );
    assert.deepEqual(fake.urls(), []);
  });

  it('protected resource metadata without authorization servers is DISCOVERY_FAILED', async () => {
    const fake = fullServer({ [PRM_PATH]: json({ resource: SERVER }) });
    await assert.rejects(discover({ serverUrl: SERVER, fetch: fake.fetch }), isCode('DISCOVERY_FAILED'));
  });

  it('legacy (2025-03-26): no PRM, metadata at the origin with a different issuer', async () => {
    const legacyUrl = `${ORIGIN}/.well-known/oauth-authorization-server`;
    const fake = fakeFetch({ [legacyUrl]: json(asMetadata(`${ORIGIN}/oauth`)) });
    const result = await discover({ serverUrl: SERVER, fetch: fake.fetch });
    assert.equal(result.legacy, true);
    assert.equal(result.synthesized, false);
    assert.equal(result.protectedResource, undefined);
    assert.equal(result.authorizationServer.issuer, `${ORIGIN}/oauth`);
    assert.equal(result.authorizationServer.token_endpoint, `${ORIGIN}/oauth/token`);
    assert.deepEqual(fake.urls(), [PRM_PATH, PRM_ROOT, legacyUrl]);
  });

  it('legacy (2025-03-26): no metadata at all, default endpoints', async () => {
    const fake = fakeFetch({});
    const result = await discover({ serverUrl: SERVER, fetch: fake.fetch });
    assert.equal(result.legacy, true);
    assert.equal(result.synthesized, true);
    assert.equal(result.authorizationServer.authorization_endpoint, `${ORIGIN}/authorize`);
    assert.equal(result.authorizationServer.token_endpoint, `${ORIGIN}/token`);
    assert.equal(result.authorizationServer.registration_endpoint, `${ORIGIN}/register`);
    assert.deepEqual(fake.urls(), [PRM_PATH, PRM_ROOT, `${ORIGIN}/.well-known/oauth-authorization-server`]);
  });

  it('caches per server: repeated discovery makes no request and takes the new challenge scopes', async () => {
    const fake = fullServer();
    const cache: DiscoveryCache = new Map();
    const first = await discover({ serverUrl: SERVER, fetch: fake.fetch, cache });
    const count = fake.requests.length;
    assert.ok(count > 0);
    const second = await discover({
      serverUrl: `${SERVER}#again`,
      fetch: fake.fetch,
      cache,
      challenge: { scope: ['admin'] },
    });
    assert.equal(fake.requests.length, count);
    assert.equal(second.authorizationServer, first.authorizationServer);
    assert.deepEqual(second.challengeScopes, ['admin']);
    const third = await discover({ serverUrl: SERVER, fetch: fake.fetch, cache });
    assert.equal(third.challengeScopes, undefined);
    assert.equal(fake.requests.length, count);
  });

  it('does not cache failures', async () => {
    let fail = true;
    const fake = fakeFetch({
      [PRM_PATH]: () => (fail ? new Response('oops', { status: 500 }) : json(prm())),
      [AS_URLS[0]!]: json(asMetadata()),
    });
    const cache: DiscoveryCache = new Map();
    await assert.rejects(discover({ serverUrl: SERVER, fetch: fake.fetch, cache }), isCode('DISCOVERY_FAILED'));
    assert.equal(cache.size, 0);
    fail = false;
    const result = await discover({ serverUrl: SERVER, fetch: fake.fetch, cache });
    assert.equal(result.authorizationServer.issuer, ISSUER);
    assert.equal(cache.size, 1);
  });

  it("honours the caller's signal", async () => {
    const fake = fullServer();
    await assert.rejects(
      discover({ serverUrl: SERVER, fetch: fake.fetch, signal: AbortSignal.abort() }),
      isCode('ABORTED'),
    );
    assert.deepEqual(fake.urls(), []);
  });
});
