/**
 * Discovery against hostile servers on 127.0.0.1: metadata that lies about who the authorization server is
 * (a mix-up on the MCP 2025-03-26 back-compat path), and documents that point the client at addresses it must
 * never fetch (link-local cloud metadata services; loopback, named by a server that is not on loopback).
 * Each test checks what the client did, from the servers' side: no credential reached the wrong place.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { canonicalResourceUri } from '../../../src/auth/discovery/well-known.ts';
import { MemoryTokenStore, Secret, type TokenRecord } from '../../../src/index.ts';
import { codesOf, type HostileServer, sendJson, startHostileServer } from '../support/hostile-server.ts';
import { oauthToolset } from '../support/oauth-stack.ts';

const SECRET_ENV = 'MCPTOOL_TEST_HOSTILE_SECRET';
const SECRET = 'client-secret-that-must-stay-home';

/** A 401 for every MCP request, with the given Bearer challenge parameters. */
function unauthorized(challenge = 'Bearer') {
  return (_: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' });
    res.end('{}');
  };
}

/** A token endpoint that hands out a token (what a hostile one does to look honest). */
function tokenEndpoint(_: unknown, res: import('node:http').ServerResponse) {
  sendJson(res, 200, { access_token: 'issued-here', token_type: 'Bearer', expires_in: 3600 });
}

const clientCredentials = (tokenStore = new MemoryTokenStore()) => ({
  flow: 'client_credentials' as const,
  clientId: 'svc',
  clientSecret: Secret.fromEnv(SECRET_ENV),
  tokenStore,
});

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a failure');
}

/** Every message of an error and its causes, joined. */
function messages(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let i = 0; i < 10 && e instanceof Error; i++, e = e.cause) parts.push(e.message);
  return parts.join(' | ');
}

describe('hostile discovery', () => {
  let mcp: HostileServer; // the hostile MCP server (and its "authorization server")
  let other: HostileServer; // an honest server elsewhere, whose name the hostile one borrows
  before(async () => {
    process.env[SECRET_ENV] = SECRET;
    [mcp, other] = await Promise.all([startHostileServer(), startHostileServer()]);
  });
  after(async () => {
    delete process.env[SECRET_ENV];
    await Promise.all([mcp.close(), other.close()]);
  });
  beforeEach(() => {
    mcp.seen.length = 0;
    other.seen.length = 0;
    mcp.routes.clear();
    other.routes.clear();
    for (const server of [mcp, other]) server.routes.set('/token', tokenEndpoint);
  });

  /** Serve the 2025-03-26 shape: no protected resource metadata, authorization server metadata at the origin. */
  function legacyMetadata(metadata: Record<string, unknown>) {
    mcp.routes.set('/mcp', unauthorized());
    mcp.routes.set('/.well-known/oauth-authorization-server', (_, res) =>
      sendJson(res, 200, {
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
        ...metadata,
      }),
    );
  }

  it("item 1: legacy metadata naming another server's issuer is refused before any credential is sent", async () => {
    legacyMetadata({
      issuer: other.origin,
      authorization_endpoint: `${other.origin}/authorize`,
      token_endpoint: `${mcp.origin}/token`,
    });
    const toolset = oauthToolset(`${mcp.origin}/mcp`, clientCredentials());
    const error = await failureOf(toolset.warmUp());
    await toolset.close();
    assert.ok(codesOf(error).includes('ORIGIN_MISMATCH'), messages(error));
    assert.match(messages(error), /issuer/);
    assert.ok(messages(error).includes(JSON.stringify(mcp.origin)), messages(error));
    assert.deepEqual(
      mcp.seen.filter((r) => r.path === '/token'),
      [],
      'the client secret was posted to the hostile token endpoint',
    );
    assert.deepEqual(other.seen, []);
  });

  it('item 1: a legacy token_endpoint on another origin is refused, naming the field', async () => {
    legacyMetadata({
      issuer: mcp.origin,
      authorization_endpoint: `${mcp.origin}/authorize`,
      token_endpoint: `${other.origin}/token`,
    });
    const toolset = oauthToolset(`${mcp.origin}/mcp`, clientCredentials());
    const error = await failureOf(toolset.warmUp());
    await toolset.close();
    assert.ok(codesOf(error).includes('ORIGIN_MISMATCH'), messages(error));
    assert.match(messages(error), /token_endpoint/);
    assert.deepEqual(other.seen, [], 'a request reached the other origin');
  });

  it('item 1: stored legacy metadata with an endpoint off the origin is not used', async () => {
    legacyMetadata({
      issuer: mcp.origin,
      authorization_endpoint: `${mcp.origin}/authorize`,
      token_endpoint: `${mcp.origin}/token`,
    });
    const store = new MemoryTokenStore();
    const now = Math.floor(Date.now() / 1000);
    const record: TokenRecord = {
      version: 1,
      resource: canonicalResourceUri(new URL(`${mcp.origin}/mcp`)),
      issuer: mcp.origin,
      client: { client_id: 'svc', registration: 'pre_registered', registered_at: now - 100 },
      tokens: {
        access_token: 'expired',
        token_type: 'Bearer',
        expires_at: now - 10,
        issued_at: now - 100,
        refresh_token: 'stored-refresh-token',
      },
      discovery: {
        authorization_server_metadata: {
          issuer: mcp.origin,
          authorization_endpoint: `${mcp.origin}/authorize`,
          token_endpoint: `${other.origin}/token`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
        },
        fetched_at: now - 100,
      },
      updated_at: now - 100,
    };
    await store.set(record);
    const toolset = oauthToolset(`${mcp.origin}/mcp`, clientCredentials(store));
    await failureOf(toolset.warmUp()); // the hostile MCP server never accepts a token
    await toolset.close();
    assert.deepEqual(other.seen, [], 'the stored metadata sent a token request to another origin');
    assert.ok(
      mcp.seen.some((r) => r.path === '/token'),
      'fresh discovery at the origin was used instead',
    );
  });

  it('item 1: legacy metadata on the origin (issuer with a path) is still accepted', async () => {
    legacyMetadata({
      issuer: `${mcp.origin}/oauth`,
      authorization_endpoint: `${mcp.origin}/oauth/authorize`,
      token_endpoint: `${mcp.origin}/token`,
    });
    const toolset = oauthToolset(`${mcp.origin}/mcp`, clientCredentials());
    const error = await failureOf(toolset.warmUp());
    await toolset.close();
    assert.ok(!codesOf(error).includes('ORIGIN_MISMATCH'), messages(error));
    assert.ok(mcp.seen.some((r) => r.path === '/token' && r.method === 'POST'));
  });

  /** A fetch that only reaches 127.0.0.1 (refusing anything else at once, as an unreachable host would) and
   * shows `https://mcp.example.test` as the hostile server: a server that is not on loopback. */
  function guardedFetch() {
    const refused: string[] = [];
    const fetchFn: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.hostname === 'mcp.example.test') {
        return fetch(`${mcp.origin}${url.pathname}${url.search}`, init);
      }
      if (url.hostname !== '127.0.0.1') {
        refused.push(url.href);
        return Promise.reject(new TypeError(`fetch failed (test: ${url.host} is unreachable)`));
      }
      return fetch(input, init);
    };
    return { fetch: fetchFn, refused };
  }

  for (const [name, target] of [
    ['IPv4 link-local', 'https://169.254.169.254/latest/meta-data/iam'],
    ['IPv6 link-local', 'https://[fe80::1]/metadata'],
    ['IPv4-mapped link-local', 'https://[::ffff:169.254.169.254]/metadata'],
  ] as const) {
    it(`item 7: a resource_metadata at a ${name} address is never fetched`, async () => {
      mcp.routes.set('/mcp', unauthorized(`Bearer resource_metadata="${target}"`));
      const guard = guardedFetch();
      const toolset = oauthToolset(`${mcp.origin}/mcp`, clientCredentials(), { fetch: guard.fetch });
      const error = await failureOf(toolset.warmUp());
      await toolset.close();
      assert.ok(codesOf(error).includes('FORBIDDEN_ADDRESS'), messages(error));
      assert.match(messages(error), /link-local/);
      assert.deepEqual(guard.refused, []);
    });
  }

  it('item 7: an authorization_servers entry at a link-local address is never fetched', async () => {
    mcp.routes.set('/mcp', unauthorized());
    mcp.routes.set('/.well-known/oauth-protected-resource/mcp', (_, res) =>
      sendJson(res, 200, { resource: `${mcp.origin}/mcp`, authorization_servers: ['https://169.254.169.254/'] }),
    );
    const guard = guardedFetch();
    const toolset = oauthToolset(`${mcp.origin}/mcp`, clientCredentials(), { fetch: guard.fetch });
    const error = await failureOf(toolset.warmUp());
    await toolset.close();
    assert.ok(codesOf(error).includes('FORBIDDEN_ADDRESS'), messages(error));
    assert.ok(messages(error).includes('169.254.169.254'), messages(error));
    assert.deepEqual(guard.refused, []);
  });

  it('item 7: a server not on loopback cannot point discovery at a loopback address', async () => {
    mcp.routes.set('/mcp', unauthorized(`Bearer resource_metadata="${other.origin}/prm"`));
    other.routes.set('/prm', (_, res) =>
      sendJson(res, 200, { resource: 'https://mcp.example.test/mcp', authorization_servers: [other.origin] }),
    );
    const guard = guardedFetch();
    const toolset = oauthToolset('https://mcp.example.test/mcp', clientCredentials(), { fetch: guard.fetch });
    const error = await failureOf(toolset.warmUp());
    await toolset.close();
    assert.ok(
      mcp.seen.some((r) => r.path === '/mcp'),
      'the test reached the hostile server',
    );
    assert.ok(codesOf(error).includes('FORBIDDEN_ADDRESS'), messages(error));
    assert.match(messages(error), /loopback/);
    assert.deepEqual(other.seen, [], 'discovery fetched a loopback address for a non-loopback server');
  });
});
