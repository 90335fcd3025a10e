/**
 * Client credentials end to end (RFC 6749 §4.4): client_secret_basic with a secret that needs form-encoding
 * (RFC 6749 §2.3.1), client_secret_post, and private_key_jwt (RFC 7523) against oidc-provider, which enforces each
 * client's registered method. Never a browser, never a registration; a new grant when the token expires.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MemoryTokenStore, Secret } from '../../../src/index.ts';
import { TestClock } from '../../fixtures/test-clock.ts';
import {
  call,
  decodeJwt,
  forbiddenHandler,
  oauthToolset,
  onlyRecord,
  recordingFetch,
  type Stack,
  startStack,
  text,
  whoamiOnce,
} from './helpers.ts';

/**
 * Characters RFC 6749 §2.3.1 makes a client care about: `:` `+` `%`, space, `-`, `/`, `=`, `&` (all VSCHAR, as
 * RFC 6749 Appendix A requires of a client secret; oidc-provider refuses anything else).
 */
const TRICKY_SECRET = 'p:a+s%s w-rd/=&~';
const POST_SECRET = 'post+secret:%41';
const TTL = 3;
const clock = new TestClock({ frozen: true });
const ecKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });

const env = {
  MCPTOOL_TEST_BASIC_SECRET: TRICKY_SECRET,
  MCPTOOL_TEST_POST_SECRET: POST_SECRET,
  MCPTOOL_TEST_EC_KEY: ecKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  MCPTOOL_TEST_RSA_JWK: JSON.stringify({ ...rsaKeys.privateKey.export({ format: 'jwk' }), kid: 'rsa-1' }),
};

const service = (client_id: string, method: string, extra: Record<string, unknown> = {}) => ({
  client_id,
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
  token_endpoint_auth_method: method,
  ...extra,
});

/** RFC 6749 §2.3.1: form-urlencode, then join with ':' and base64 (what a compliant server decodes). */
const formEncode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);

describe('client credentials', () => {
  let stack: Stack;
  before(async () => {
    Object.assign(process.env, env);
    stack = await startStack({
      as: {
        accessTokenTTL: TTL,
        clock,
        clients: [
          service('svc-basic', 'client_secret_basic', { client_secret: TRICKY_SECRET }),
          service('svc-post', 'client_secret_post', { client_secret: POST_SECRET }),
          service('svc-jwt-ec', 'private_key_jwt', {
            token_endpoint_auth_signing_alg: 'ES256',
            jwks: { keys: [{ ...ecKeys.publicKey.export({ format: 'jwk' }), use: 'sig', alg: 'ES256' }] },
          }),
          service('svc-jwt-rsa', 'private_key_jwt', {
            token_endpoint_auth_signing_alg: 'RS256',
            jwks: {
              keys: [{ ...rsaKeys.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', use: 'sig', alg: 'RS256' }],
            },
          }),
        ],
      },
      mcp: { clock },
    });
  });
  after(async () => {
    await stack.close();
    for (const name of Object.keys(env)) delete process.env[name];
  });

  it('client_secret_basic (flow auto): a secret with : + % space - / = & ~ is form-encoded inside Basic', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const store = new MemoryTokenStore();
    const recorded = recordingFetch();
    const toolset = oauthToolset(
      mcp.url,
      { clientId: 'svc-basic', clientSecret: Secret.fromEnv('MCPTOOL_TEST_BASIC_SECRET'), tokenStore: store },
      recorded,
    );
    const who = await whoamiOnce(toolset);
    assert.equal(who['client_id'], 'svc-basic');
    assert.equal(who['aud'], mcp.resource);
    assert.deepEqual(who['scopes'], ['mcp:tools']);
    assert.deepEqual(as.stats.grants, { client_credentials: 1 });
    assert.deepEqual(as.stats.grantErrors, {});
    assert.equal(as.stats.endpoints['authorization'], undefined, 'never an authorization request');
    assert.equal(as.stats.endpoints['registration'], undefined, 'never a registration');

    const [request] = recorded.to(as.endpoints.token);
    assert.ok(request);
    assert.equal(
      request.headers.get('authorization'),
      `Basic ${Buffer.from(`${formEncode('svc-basic')}:${formEncode(TRICKY_SECRET)}`).toString('base64')}`,
    );
    assert.equal(request.form?.get('grant_type'), 'client_credentials');
    assert.equal(request.form?.get('resource'), mcp.resource);
    assert.equal(request.form?.get('scope'), 'mcp:tools');
    assert.equal(request.form?.has('client_secret'), false);
    assert.equal(request.body?.includes(TRICKY_SECRET), false);

    const record = await onlyRecord(store);
    assert.equal(record.client?.client_id, 'svc-basic');
    assert.equal(record.client?.client_secret, undefined, 'a configured secret is not copied into the store');
    assert.equal(record.tokens?.refresh_token, undefined);
    assert.equal(decodeJwt(record.tokens?.access_token ?? '')['aud'], mcp.resource);
  });

  it('client_secret_post (explicit flow, a handler that must never be used)', async () => {
    const { as, mcp } = stack;
    as.stats.reset();
    const recorded = recordingFetch();
    const forbidden = forbiddenHandler();
    const toolset = oauthToolset(
      mcp.url,
      {
        flow: 'client_credentials',
        clientId: 'svc-post',
        clientSecret: Secret.fromEnv('MCPTOOL_TEST_POST_SECRET'),
        tokenEndpointAuthMethod: 'client_secret_post',
        tokenStore: new MemoryTokenStore(),
        authorizationHandler: forbidden.handler,
      },
      recorded,
    );
    const who = await whoamiOnce(toolset);
    assert.equal(who['client_id'], 'svc-post');
    assert.equal(forbidden.opened(), 0);
    assert.deepEqual(as.stats.grants, { client_credentials: 1 });
    const [request] = recorded.to(as.endpoints.token);
    assert.equal(request?.headers.get('authorization'), null);
    assert.equal(request?.form?.get('client_id'), 'svc-post');
    assert.equal(request?.form?.get('client_secret'), POST_SECRET);
    assert.equal(request?.form?.get('resource'), mcp.resource);
  });

  for (const [clientId, keyEnv, alg] of [
    ['svc-jwt-ec', 'MCPTOOL_TEST_EC_KEY', 'ES256'],
    ['svc-jwt-rsa', 'MCPTOOL_TEST_RSA_JWK', 'RS256'],
  ] as const) {
    it(`private_key_jwt with ${alg} (${keyEnv.endsWith('JWK') ? 'JWK' : 'PEM'} key): a signed client assertion, no secret`, async () => {
      const { as, mcp } = stack;
      as.stats.reset();
      const recorded = recordingFetch();
      const toolset = oauthToolset(
        mcp.url,
        {
          flow: 'client_credentials',
          clientId,
          privateKey: Secret.fromEnv(keyEnv),
          tokenStore: new MemoryTokenStore(),
        },
        recorded,
      );
      const who = await whoamiOnce(toolset);
      assert.equal(who['client_id'], clientId);
      assert.equal(who['aud'], mcp.resource);
      assert.deepEqual(as.stats.grants, { client_credentials: 1 });
      assert.deepEqual(as.stats.grantErrors, {});
      const [request] = recorded.to(as.endpoints.token);
      assert.equal(request?.headers.get('authorization'), null);
      assert.equal(
        request?.form?.get('client_assertion_type'),
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      );
      const assertion = request?.form?.get('client_assertion') ?? '';
      const header = JSON.parse(Buffer.from(assertion.split('.')[0] ?? '', 'base64url').toString()) as {
        alg: string;
      };
      assert.equal(header.alg, alg);
      const claims = decodeJwt(assertion);
      assert.equal(claims['iss'], clientId);
      assert.equal(claims['sub'], clientId);
      assert.ok(claims['jti'] && typeof claims['exp'] === 'number');
      assert.equal(request?.form?.get('resource'), mcp.resource);
    });
  }

  it('fetches a new token with the same grant once the old one has expired (no refresh token, no browser)', async () => {
    const { as, mcp } = stack;
    const store = new MemoryTokenStore();
    const toolset = oauthToolset(mcp.url, {
      clientId: 'svc-basic',
      clientSecret: Secret.fromEnv('MCPTOOL_TEST_BASIC_SECRET'),
      tokenStore: store,
      clock,
    });
    try {
      await toolset.warmUp();
      const first = (await onlyRecord(store)).tokens?.access_token;
      as.stats.reset();
      mcp.stats.reset();
      // The client and both servers share the clock: moving it expires the token without a real wait.
      clock.advance(TTL * 1000 + 300);
      assert.equal(text(await call(toolset, 'echo', { text: 'after expiry' })), 'after expiry');
      const second = (await onlyRecord(store)).tokens?.access_token;
      assert.notEqual(second, first);
      assert.deepEqual(as.stats.grants, { client_credentials: 1 });
      assert.equal(mcp.stats.unauthorized, 0, 'renewed before use: the expired token was never sent');
    } finally {
      await toolset.close();
    }
  });
});
