import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  authorizationServerMetadataUrls,
  canonicalResourceUri,
  legacyAuthorizationServerMetadataUrl,
  protectedResourceMetadataUrls,
  resourceIdentifiesServer,
} from '../../../../src/auth/discovery/well-known.ts';

const PRM = '/.well-known/oauth-protected-resource';
const urlArb = fc.webUrl({ withQueryParameters: true, withFragments: true, validSchemes: ['https', 'http'] });

describe('protectedResourceMetadataUrls (RFC 9728 §3.1, MCP 2025-11-25)', () => {
  it('tries the path-inserted URL, then the root URL', () => {
    assert.deepEqual(protectedResourceMetadataUrls('https://mcp.example.com/public/mcp'), [
      'https://mcp.example.com/.well-known/oauth-protected-resource/public/mcp',
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    ]);
  });

  it('gives one URL for a server without a path', () => {
    for (const url of ['https://mcp.example.com', 'https://mcp.example.com/', 'https://MCP.example.com:443/?x=1#f']) {
      assert.deepEqual(protectedResourceMetadataUrls(url), [
        'https://mcp.example.com/.well-known/oauth-protected-resource',
      ]);
    }
  });

  it('keeps the port and a terminating slash of the path; drops query and fragment', () => {
    assert.deepEqual(protectedResourceMetadataUrls('http://127.0.0.1:8080/mcp/?session=1#x'), [
      'http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp/',
      'http://127.0.0.1:8080/.well-known/oauth-protected-resource',
    ]);
  });

  it('property: the root URL comes last, the path-inserted one (if any) first, all on the same origin', () => {
    fc.assert(
      fc.property(urlArb, (raw) => {
        const url = new URL(raw);
        const urls = protectedResourceMetadataUrls(raw);
        assert.equal(urls.at(-1), `${url.origin}${PRM}`);
        assert.equal(new Set(urls).size, urls.length);
        for (const u of urls) assert.equal(new URL(u).origin, url.origin);
        if (url.pathname === '/') assert.equal(urls.length, 1);
        else assert.deepEqual(urls, [`${url.origin}${PRM}${url.pathname}`, `${url.origin}${PRM}`]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('authorizationServerMetadataUrls (RFC 8414 §3.1, OIDC Discovery §4, MCP order)', () => {
  it('issuer with a path: RFC 8414 inserted, OIDC inserted, OIDC appended', () => {
    const expected = [
      'https://auth.example.com/.well-known/oauth-authorization-server/tenant1',
      'https://auth.example.com/.well-known/openid-configuration/tenant1',
      'https://auth.example.com/tenant1/.well-known/openid-configuration',
    ];
    assert.deepEqual(authorizationServerMetadataUrls('https://auth.example.com/tenant1'), expected);
    assert.deepEqual(authorizationServerMetadataUrls('https://auth.example.com/tenant1/'), expected);
    assert.deepEqual(authorizationServerMetadataUrls(new URL('https://auth.example.com/tenant1')), expected);
  });

  it('issuer without a path: RFC 8414, then OIDC', () => {
    const expected = [
      'https://auth.example.com/.well-known/oauth-authorization-server',
      'https://auth.example.com/.well-known/openid-configuration',
    ];
    assert.deepEqual(authorizationServerMetadataUrls('https://auth.example.com'), expected);
    assert.deepEqual(authorizationServerMetadataUrls('https://auth.example.com/'), expected);
  });

  it('handles deeper paths and loopback ports', () => {
    assert.deepEqual(authorizationServerMetadataUrls('http://localhost:4000/realms/a/b'), [
      'http://localhost:4000/.well-known/oauth-authorization-server/realms/a/b',
      'http://localhost:4000/.well-known/openid-configuration/realms/a/b',
      'http://localhost:4000/realms/a/b/.well-known/openid-configuration',
    ]);
  });

  it('the legacy (2025-03-26) URL is at the MCP server origin, path discarded', () => {
    assert.equal(
      legacyAuthorizationServerMetadataUrl('https://mcp.example.com/v1/mcp'),
      'https://mcp.example.com/.well-known/oauth-authorization-server',
    );
  });

  it('property: spec order, same origin, trailing slashes make no difference', () => {
    fc.assert(
      fc.property(urlArb, (raw) => {
        const url = new URL(raw);
        const urls = authorizationServerMetadataUrls(raw);
        const path = url.pathname.replace(/\/+$/, '');
        assert.deepEqual(authorizationServerMetadataUrls(`${url.origin}${path}/`), urls);
        for (const u of urls) assert.equal(new URL(u).origin, url.origin);
        if (path === '') {
          assert.deepEqual(urls, [
            `${url.origin}/.well-known/oauth-authorization-server`,
            `${url.origin}/.well-known/openid-configuration`,
          ]);
        } else {
          assert.deepEqual(urls, [
            `${url.origin}/.well-known/oauth-authorization-server${path}`,
            `${url.origin}/.well-known/openid-configuration${path}`,
            `${url.origin}${path}/.well-known/openid-configuration`,
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonicalResourceUri (RFC 8707 §2, MCP "Canonical Server URI")', () => {
  const cases: [string, string][] = [
    ['https://mcp.example.com/mcp', 'https://mcp.example.com/mcp'],
    ['HTTPS://MCP.Example.COM/mcp', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com:443/mcp', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com:8443', 'https://mcp.example.com:8443'],
    ['https://mcp.example.com/', 'https://mcp.example.com'],
    ['https://mcp.example.com', 'https://mcp.example.com'],
    ['https://mcp.example.com/mcp#frag', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com/mcp/', 'https://mcp.example.com/mcp/'],
    ['https://user:secret@mcp.example.com/mcp', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com/mcp?tenant=a', 'https://mcp.example.com/mcp?tenant=a'],
    ['http://127.0.0.1:3000/mcp', 'http://127.0.0.1:3000/mcp'],
  ];
  for (const [input, output] of cases) {
    it(`${input} -> ${output}`, () => assert.equal(canonicalResourceUri(input), output));
  }

  it('property: idempotent, no fragment, same origin, identifies the server', () => {
    fc.assert(
      fc.property(urlArb, (raw) => {
        const canonical = canonicalResourceUri(raw);
        assert.equal(canonicalResourceUri(canonical), canonical);
        assert.equal(canonical.includes('#'), false);
        assert.equal(new URL(canonical).origin, new URL(raw).origin);
        assert.equal(resourceIdentifiesServer(canonical, raw), true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('resourceIdentifiesServer (RFC 9728 §3.3)', () => {
  const server = 'https://mcp.example.com/mcp';
  for (const resource of [
    'https://mcp.example.com/mcp',
    'https://mcp.example.com/mcp/',
    'https://MCP.example.com:443/mcp',
    'https://mcp.example.com',
    'https://mcp.example.com/',
  ]) {
    it(`accepts ${resource}`, () => assert.equal(resourceIdentifiesServer(resource, server), true));
  }
  for (const resource of [
    'https://evil.example.com/mcp',
    'http://mcp.example.com/mcp',
    'https://mcp.example.com:8443/mcp',
    'https://mcp.example.com/mcpx',
    'https://mcp.example.com/mcp/sub',
    'https://mcp.example.com/other',
    'https://mcp.example.com/mcp#x',
    'https://mcp.example.com/mcp?x=1',
    'https://user@mcp.example.com/mcp',
    'not a url',
    '',
  ]) {
    it(`refuses ${JSON.stringify(resource)}`, () => assert.equal(resourceIdentifiesServer(resource, server), false));
  }

  it('a parent path matches only on a segment boundary', () => {
    assert.equal(resourceIdentifiesServer('https://a.example/api', 'https://a.example/api/v1/mcp'), true);
    assert.equal(resourceIdentifiesServer('https://a.example/ap', 'https://a.example/api/v1/mcp'), false);
  });

  it('property: a resource on another origin never identifies the server', () => {
    fc.assert(
      fc.property(urlArb, urlArb, (a, b) => {
        fc.pre(new URL(a).origin !== new URL(b).origin);
        assert.equal(resourceIdentifiesServer(a, b), false);
      }),
      { numRuns: 300 },
    );
  });
});
