/**
 * Authorization code + PKCE end to end, through the public API only: MCPToolset -> 401 -> RFC 9728 / RFC 8414
 * discovery -> Dynamic Client Registration (or a pre-registered client) -> authorization with a real
 * authorization server (oidc-provider, auto-approve) -> token -> tool calls against a real protected MCP server
 * that verifies the JWT (aud = the MCP server). Then reuse: a second toolset and a restarted process make no
 * request to the authorization server at all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FileTokenStore, MemoryTokenStore, OAuthConfig } from '../../../src/index.ts';
import {
  call,
  decodeJwt,
  FAKE_REDIRECT_URI,
  forbiddenHandler,
  oauthToolset,
  onlyRecord,
  recordingFetch,
  redirectFollowingHandler,
  runChildToolset,
  type Stack,
  scriptedBrowserHandler,
  startStack,
  tempDir,
  text,
  whoamiOnce,
} from './helpers.ts';

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('authorization code + PKCE with dynamic client registration (auto-approve)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('signs in on the first 401, sends resource everywhere, stores an absolute expiry; a second toolset makes no AS request', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const store = new MemoryTokenStore();
    const recorded = recordingFetch();
    const { handler, log } = redirectFollowingHandler();
    const config = new OAuthConfig({ tokenStore: store, authorizationHandler: handler });
    const toolset = oauthToolset(mcp.url, config, { fetch: recorded.fetch });
    try {
      await toolset.warmUp();
      assert.deepEqual(
        toolset.tools.map((t) => t.name),
        ['echo', 'add', 'whoami', 'sleep', 'admin_action'],
      );
      assert.equal(text(await call(toolset, 'echo', { text: 'hello' })), 'hello');
      const who = (await call(toolset, 'whoami')).structuredContent as Record<string, unknown>;
      assert.equal(who['aud'], mcp.resource, 'the MCP server accepted a token whose aud is itself');
      assert.equal(who['sub'], as.accountId);
    } finally {
      await toolset.close();
    }

    // The authorization server: one registration, one authorization, one code exchange, nothing else.
    assert.equal(as.stats.endpoints['registration'], 1);
    assert.equal(as.stats.endpoints['authorization'], 1);
    assert.deepEqual(as.stats.grants, { authorization_code: 1 });
    assert.deepEqual(as.stats.grantErrors, {});

    // The authorization request: PKCE S256, state, scope from the challenge, RFC 8707 resource.
    assert.equal(log.authorizationUrls.length, 1);
    const authorization = log.authorizationUrls[0]?.searchParams ?? new URLSearchParams();
    assert.equal(authorization.get('response_type'), 'code');
    assert.equal(authorization.get('code_challenge_method'), 'S256');
    assert.match(authorization.get('code_challenge') ?? '', /^[\w-]{43}$/);
    assert.ok((authorization.get('state') ?? '').length >= 16);
    assert.equal(authorization.get('redirect_uri'), FAKE_REDIRECT_URI);
    assert.equal(authorization.get('resource'), mcp.resource);
    assert.ok((authorization.get('scope') ?? '').split(' ').includes('mcp:tools'));

    // The registration (RFC 7591) and the token request, as the client sent them.
    const registration = recorded.to(as.endpoints.registration);
    assert.equal(registration.length, 1);
    const metadata = JSON.parse(registration[0]?.body ?? '{}') as Record<string, unknown>;
    assert.equal(metadata['application_type'], 'native');
    assert.deepEqual(metadata['redirect_uris'], [FAKE_REDIRECT_URI]);
    assert.ok((metadata['grant_types'] as string[]).includes('refresh_token'));
    const tokenRequests = recorded.to(as.endpoints.token);
    assert.equal(tokenRequests.length, 1);
    const form = tokenRequests[0]?.form;
    assert.equal(form?.get('grant_type'), 'authorization_code');
    assert.equal(form?.get('resource'), mcp.resource);
    assert.match(form?.get('code_verifier') ?? '', /^[\w-]{43,128}$/);
    assert.equal(form?.get('redirect_uri'), FAKE_REDIRECT_URI);

    // The stored record: keyed by (resource, issuer), the dynamic client, an absolute expiry.
    const record = await onlyRecord(store);
    assert.equal(record.resource, mcp.resource);
    assert.equal(record.issuer, as.issuer);
    assert.equal(record.client?.registration, 'dynamic');
    const tokens = record.tokens;
    assert.ok(tokens?.access_token && tokens.refresh_token);
    assert.ok(tokens.expires_at !== undefined);
    const now = nowSeconds();
    assert.ok(
      tokens.expires_at > now + 3500 && tokens.expires_at <= now + 3601,
      `expires_at ${tokens.expires_at} is absolute (now ${now}, TTL 3600)`,
    );
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims['aud'], mcp.resource);
    assert.equal(claims['iss'], as.issuer);
    assert.equal(claims['client_id'], record.client?.client_id);

    // A second toolset in the same process, with a new configuration on the same store: no AS request at all.
    as.stats.reset();
    const second = recordingFetch();
    const forbidden = forbiddenHandler();
    const again = oauthToolset(mcp.url, { tokenStore: store, authorizationHandler: forbidden.handler }, second);
    try {
      await again.warmUp();
      assert.equal(text(await call(again, 'add', { a: 2, b: 3 })), '5');
    } finally {
      await again.close();
    }
    assert.equal(forbidden.opened(), 0);
    assert.deepEqual(
      second.requests.filter((r) => r.url.startsWith(as.origin)),
      [],
      'the second toolset sent nothing to the authorization server',
    );
    assert.equal(as.stats.total, 0, `the authorization server saw ${JSON.stringify(as.stats.requests)}`);
    assert.ok(
      second.requests.every((r) => r.headers.get('authorization')?.startsWith('Bearer ')),
      'the stored token is sent from the first request: no 401 round trip',
    );

    // And a toolset sharing the very same configuration object (one engine) neither.
    const shared = oauthToolset(mcp.url, config);
    try {
      await shared.warmUp();
      assert.equal(text(await call(shared, 'echo', { text: 'shared' })), 'shared');
    } finally {
      await shared.close();
    }
    assert.equal(as.stats.total, 0);
    assert.equal(log.authorizationUrls.length, 1, 'no second authorization');
  });

  it('signs in through the real loopback listener with a scripted $BROWSER', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const store = new MemoryTokenStore();
    const { handler, messages } = scriptedBrowserHandler();
    const toolset = oauthToolset(mcp.url, { tokenStore: store, authorizationHandler: handler });
    try {
      await toolset.warmUp();
      assert.equal(text(await call(toolset, 'echo', { text: 'via loopback' })), 'via loopback');
    } finally {
      await toolset.close();
    }
    const record = await onlyRecord(store);
    const redirectUri = record.client?.redirect_uris?.[0] ?? '';
    assert.match(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/, 'registered with the listener URI');
    assert.ok(
      messages.some((m) => m.includes(`${as.endpoints.authorization}?`)),
      'the authorization URL was shown as well',
    );
    assert.equal(as.stats.endpoints['authorization'], 1);
    assert.deepEqual(as.stats.grants, { authorization_code: 1 });
    assert.equal(decodeJwt(record.tokens?.access_token ?? '')['aud'], mcp.resource);
  });

  it('ignores a forged callback at the loopback listener and exchanges only the genuine code', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const store = new MemoryTokenStore();
    const { handler } = scriptedBrowserHandler({ SCRIPTED_BROWSER_FORGE: '1' });
    const toolset = oauthToolset(mcp.url, { tokenStore: store, authorizationHandler: handler });
    try {
      await toolset.warmUp();
      assert.equal(text(await call(toolset, 'echo', { text: 'genuine' })), 'genuine');
    } finally {
      await toolset.close();
    }
    assert.deepEqual(as.stats.grants, { authorization_code: 1 }, 'the forged code was never sent to the server');
    assert.deepEqual(as.stats.grantErrors, {});
  });

  it('with no authorization handler configured, the default handler opens $BROWSER and listens on loopback', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const store = new MemoryTokenStore();
    const saved = { BROWSER: process.env['BROWSER'], CI: process.env['CI'] };
    const { SCRIPTED_BROWSER } = await import('./helpers.ts');
    process.env['BROWSER'] = SCRIPTED_BROWSER;
    const toolset = oauthToolset(mcp.url, { tokenStore: store, callback: 'loopback', authorizationTimeoutMs: 20_000 });
    try {
      await toolset.warmUp();
      assert.equal(text(await call(toolset, 'echo', { text: 'default handler' })), 'default handler');
    } finally {
      await toolset.close();
      if (saved.BROWSER === undefined) delete process.env['BROWSER'];
      else process.env['BROWSER'] = saved.BROWSER;
    }
    const record = await onlyRecord(store);
    assert.match(record.client?.redirect_uris?.[0] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.deepEqual(as.stats.grants, { authorization_code: 1 });
  });
});

describe('a pre-registered client (authorization code), then a restart', () => {
  const CLIENT_ID = 'mcptool-native';
  let stack: Stack;
  const home = tempDir();
  before(async () => {
    stack = await startStack({
      as: {
        clients: [
          {
            client_id: CLIENT_ID,
            application_type: 'native',
            redirect_uris: [FAKE_REDIRECT_URI],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            token_endpoint_auth_method: 'none',
          },
        ],
      },
    });
  });
  after(async () => {
    await stack.close();
    home.cleanup();
  });

  it('uses the configured client id (no registration request) and stores the login in the FileTokenStore', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const store = new FileTokenStore({ dir: home.dir });
    const { handler, log } = redirectFollowingHandler();
    const toolset = oauthToolset(mcp.url, { clientId: CLIENT_ID, tokenStore: store, authorizationHandler: handler });
    const who = await whoamiOnce(toolset);
    assert.equal(who['client_id'], CLIENT_ID);
    assert.equal(who['aud'], mcp.resource);
    assert.equal(as.stats.endpoints['registration'], undefined, 'a pre-registered client is never registered');
    assert.equal(as.stats.endpoints['authorization'], 1);
    assert.deepEqual(as.stats.grants, { authorization_code: 1 });
    assert.equal(log.authorizationUrls[0]?.searchParams.get('client_id'), CLIENT_ID);
    const record = await onlyRecord(store);
    assert.equal(record.client?.client_id, CLIENT_ID);
    assert.equal(record.client?.registration, 'pre_registered');
  });

  it('a fresh engine on the same directory makes no authorization-server request', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const recorded = recordingFetch();
    const forbidden = forbiddenHandler();
    const toolset = oauthToolset(
      mcp.url,
      {
        clientId: CLIENT_ID,
        tokenStore: new FileTokenStore({ dir: home.dir }),
        authorizationHandler: forbidden.handler,
      },
      recorded,
    );
    try {
      await toolset.warmUp();
      assert.equal(text(await call(toolset, 'echo', { text: 'fresh engine' })), 'fresh engine');
    } finally {
      await toolset.close();
    }
    assert.equal(forbidden.opened(), 0);
    assert.deepEqual(
      recorded.requests.filter((r) => r.url.startsWith(as.origin)).map((r) => r.url),
      [],
    );
    assert.equal(as.stats.total, 0);
  });

  it('a new process with MCPTOOL_HOME on the same directory makes no authorization-server request', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    mcp.stats.reset();
    const out = await runChildToolset({ url: mcp.url, clientId: CLIENT_ID }, home.dir);
    assert.equal(out.whoami['client_id'], CLIENT_ID);
    assert.equal(out.whoami['aud'], mcp.resource);
    assert.deepEqual(
      out.fetches.filter((f) => f.includes(as.origin)),
      [],
    );
    assert.equal(as.stats.total, 0, `the authorization server saw ${JSON.stringify(as.stats.requests)}`);
    assert.equal(mcp.stats.unauthorized, 0, 'the stored token was sent from the first request');
  });
});
