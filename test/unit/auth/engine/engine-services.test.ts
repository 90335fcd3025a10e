// The engine's renewal logic driven through its `AuthServices` seam: discovery is a fixed result, the token endpoint
// a fake fetch answering real `Response` objects, the store in memory and the clock a frozen test clock. No server,
// no socket: what is under test is the engine's own decisions (when to renew, single flight, what a refusal drops).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as oauth from 'oauth4webapi';
import { OAuthConfig } from '../../../../src/auth/config.ts';
import { OAuthEngine } from '../../../../src/auth/engine/engine.ts';
import { EngineRegistry } from '../../../../src/auth/engine/registry.ts';
import type { AuthServices, ServerDiscovery } from '../../../../src/auth/engine/services.ts';
import { oauth4webapiOptions } from '../../../../src/auth/hardened-fetch.ts';
import { MemoryTokenStore } from '../../../../src/auth/store/memory.ts';
import type { TokenRecord } from '../../../../src/auth/store/types.ts';
import { TestClock } from '../../../fixtures/test-clock.ts';
import { fakeFetch, json, type Route } from '../discovery/fake-fetch.ts';

const SERVER = new URL('https://mcp.example/mcp');
const RESOURCE = 'https://mcp.example/mcp';
const ISSUER = 'https://as.example';
const TOKEN_ENDPOINT = 'https://as.example/token';

const authorizationServer: oauth.AuthorizationServer = {
  issuer: ISSUER,
  token_endpoint: TOKEN_ENDPOINT,
  authorization_endpoint: 'https://as.example/authorize',
  code_challenge_methods_supported: ['S256'],
};

/** A fixed discovery result, as the default services would build it from a server's metadata. */
function discovery(): ServerDiscovery {
  return {
    resource: RESOURCE,
    recordResource: RESOURCE,
    resourceMetadataUrl: 'https://mcp.example/.well-known/oauth-protected-resource/mcp',
    authorizationServer,
    resourceScopes: undefined,
    challengeScopes: undefined,
    legacy: false,
    toStored: (nowSeconds) => ({
      authorization_server_metadata: { ...authorizationServer },
      resource_metadata_url: 'https://mcp.example/.well-known/oauth-protected-resource/mcp',
      fetched_at: nowSeconds,
    }),
  };
}

/** Fake services: discovery counted and fixed, every token request answered by `tokenEndpoint`. */
function fakeServices(tokenEndpoint: Route): {
  services: AuthServices;
  discoveries: () => number;
  tokenRequests: () => URLSearchParams[];
} {
  const network = fakeFetch({ [TOKEN_ENDPOINT]: tokenEndpoint });
  let discoveries = 0;
  const services: AuthServices = {
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    fetch: (url, init) => network.fetch(String(url), init),
    requestOptions: (url, signal) => oauth4webapiOptions(url, { fetch: network.fetch, ...(signal && { signal }) }),
    parseChallenge: () => undefined,
    canonicalResource: () => RESOURCE,
    discover: async () => {
      discoveries++;
      return discovery();
    },
    fromCache: () => discovery(),
    exchangeForIdJag: () => Promise.reject(new Error('not used')),
  };
  const tokenRequests = () =>
    network.requests.filter((r) => r.url === TOKEN_ENDPOINT).map((r) => new URLSearchParams(String(r.init?.body)));
  return { services, discoveries: () => discoveries, tokenRequests };
}

/** A stored record whose access token expires `expiresIn` seconds from `clock`'s now. */
function storedRecord(clock: TestClock, expiresIn: number): TokenRecord {
  const now = Math.floor(clock.now() / 1000);
  return {
    resource: RESOURCE,
    issuer: ISSUER,
    version: 1,
    servers: [SERVER.href],
    client: { client_id: 'client-1', registration: 'pre_registered', registered_at: now - 100 },
    tokens: {
      access_token: 'access-old',
      token_type: 'Bearer',
      issued_at: now - 3600,
      expires_at: now + expiresIn,
      refresh_token: 'refresh-old',
    },
    discovery: discovery().toStored(now - 100),
    updated_at: now - 100,
  };
}

async function engineWith(tokenEndpoint: Route, expiresIn: number) {
  const clock = new TestClock({ frozen: true });
  const store = new MemoryTokenStore();
  await store.set(storedRecord(clock, expiresIn));
  const fake = fakeServices(tokenEndpoint);
  const config = new OAuthConfig({ clientId: 'client-1', tokenStore: store });
  const engine = new OAuthEngine({
    serverUrl: SERVER,
    config,
    services: fake.services,
    store,
    handler: () => {
      throw new Error('no interactive sign-in in these tests');
    },
    clock,
  });
  return { engine, store, clock, ...fake };
}

describe('OAuthEngine through its AuthServices seam', () => {
  it('a token that is not due is sent as stored: no discovery, no token request', async () => {
    const t = await engineWith(() => json({ error: 'unexpected' }, 500), 3600);
    assert.equal(await t.engine.accessToken(), 'access-old');
    assert.equal(t.discoveries(), 0);
    assert.equal(t.tokenRequests().length, 0);
  });

  it('an expired token is refreshed once for concurrent callers, and the rotated refresh token is stored', async () => {
    const t = await engineWith(
      () => json({ access_token: 'access-new', token_type: 'Bearer', expires_in: 3600, refresh_token: 'refresh-new' }),
      -10,
    );
    const tokens = await Promise.all([t.engine.accessToken(), t.engine.accessToken(), t.engine.accessToken()]);
    assert.deepEqual(tokens, ['access-new', 'access-new', 'access-new']);
    const requests = t.tokenRequests();
    assert.equal(requests.length, 1, 'one renewal shared by every caller');
    assert.equal(requests[0]?.get('grant_type'), 'refresh_token');
    assert.equal(requests[0]?.get('refresh_token'), 'refresh-old');
    assert.equal(requests[0]?.get('resource'), RESOURCE, 'RFC 8707 resource on the refresh request');
    const stored = await t.store.get({ resource: RESOURCE, issuer: ISSUER });
    assert.equal(stored?.tokens?.refresh_token, 'refresh-new');
    assert.equal(stored?.tokens?.access_token, 'access-new');
  });

  it('invalid_grant on an expired token drops the tokens and leaves a sign-in required', async () => {
    const t = await engineWith(() => json({ error: 'invalid_grant' }, 400), -10);
    assert.equal(await t.engine.accessToken(), undefined, 'no dead token is sent');
    assert.equal(t.engine.signInRequired, true);
    const stored = await t.store.get({ resource: RESOURCE, issuer: ISSUER });
    assert.equal(stored?.tokens, undefined);
    assert.equal(stored?.client?.client_id, 'client-1', 'the client registration stays');
  });

  it('a refusal other than invalid_grant leaves the stored record exactly as it was', async () => {
    const t = await engineWith(() => json({ error: 'invalid_request' }, 400), -10);
    const before = await t.store.get({ resource: RESOURCE, issuer: ISSUER });
    await t.engine.accessToken();
    assert.deepEqual(await t.store.get({ resource: RESOURCE, issuer: ISSUER }), before);
  });
});

describe('EngineRegistry', () => {
  it('shares one engine per server and configuration, and a fresh registry shares none', () => {
    const config = new OAuthConfig({ tokenStore: new MemoryTokenStore() });
    const registry = new EngineRegistry();
    const first = registry.engineFor({ serverUrl: SERVER, oauth: config });
    assert.ok(first);
    assert.equal(registry.engineFor({ serverUrl: new URL(SERVER.href), oauth: config }), first);
    assert.notEqual(registry.engineFor({ serverUrl: new URL('https://other.example/mcp'), oauth: config }), first);
    assert.notEqual(new EngineRegistry().engineFor({ serverUrl: SERVER, oauth: config }), first);
    assert.equal(registry.engineFor({ serverUrl: SERVER, oauth: false }), undefined);
  });

  it('without a configuration, one engine per server URL', () => {
    const registry = new EngineRegistry();
    const first = registry.engineFor({ serverUrl: SERVER, oauth: undefined });
    assert.equal(registry.engineFor({ serverUrl: SERVER, oauth: undefined }), first);
  });
});
