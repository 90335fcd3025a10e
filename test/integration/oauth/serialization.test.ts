/**
 * After a real sign-in (authorization code + PKCE, a confidential pre-registered client whose secret comes from
 * `Secret.fromEnv`), neither `toDict()` of the toolset nor any log line holds a token, the code, the verifier, the
 * state or the secret; the dict round-trips into a toolset that works from the stored login.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FileTokenStore, MCPToolset, Secret } from '../../../src/index.ts';
import {
  call,
  FAKE_REDIRECT_URI,
  oauthToolset,
  onlyRecord,
  recordingFetch,
  recordingLogger,
  redirectFollowingHandler,
  type Stack,
  startStack,
  tempDir,
  text,
} from './helpers.ts';

const SECRET_ENV = 'MCPTOOL_TEST_CONFIDENTIAL_SECRET';
const SECRET = 'confidential:s3cret+value%with-parts';

describe('toDict() and logs of a toolset after an OAuth sign-in', () => {
  let stack: Stack;
  const home = tempDir();
  before(async () => {
    process.env[SECRET_ENV] = SECRET;
    stack = await startStack({
      as: {
        clients: [
          {
            client_id: 'confidential-app',
            client_secret: SECRET,
            application_type: 'native',
            redirect_uris: [FAKE_REDIRECT_URI],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
      },
    });
  });
  after(async () => {
    await stack.close();
    home.cleanup();
    delete process.env[SECRET_ENV];
  });

  it('holds no token, code, verifier, state or secret, and round-trips into a working toolset', async () => {
    const { as, mcp } = stack;
    const store = new FileTokenStore({ dir: home.dir });
    const recorded = recordingFetch();
    const logger = recordingLogger();
    const { handler, log } = redirectFollowingHandler();
    const toolset = oauthToolset(
      mcp.url,
      {
        flow: 'authorization_code',
        clientId: 'confidential-app',
        clientSecret: Secret.fromEnv(SECRET_ENV),
        tokenStore: store,
        authorizationHandler: handler,
        scopes: ['mcp:tools', 'mcp:admin'],
      },
      { fetch: recorded.fetch, logger },
    );
    let dict: ReturnType<MCPToolset['toDict']>;
    try {
      await toolset.warmUp();
      assert.equal(text(await call(toolset, 'admin_action', { action: 'audit' })), 'admin action "audit" done');
      dict = toolset.toDict();
    } finally {
      await toolset.close();
    }

    const record = await onlyRecord(store);
    const tokenRequest = recorded.to(as.endpoints.token)[0];
    const values: Record<string, string | null | undefined> = {
      access_token: record.tokens?.access_token,
      refresh_token: record.tokens?.refresh_token,
      code: log.callbacks[0]?.searchParams.get('code'),
      code_verifier: tokenRequest?.form?.get('code_verifier'),
      state: log.authorizationUrls[0]?.searchParams.get('state'),
      code_challenge: log.authorizationUrls[0]?.searchParams.get('code_challenge'),
      client_secret: SECRET,
      basic_credentials: tokenRequest?.headers.get('authorization')?.replace(/^Basic /, ''),
    };
    for (const [name, value] of Object.entries(values)) {
      assert.ok(value && value.length >= 8, `the test captured the ${name}`);
    }

    const serialized = JSON.stringify(dict);
    const logs = logger.lines.join('\n');
    assert.ok(logger.lines.length > 0, 'the flow was logged');
    for (const [name, value] of Object.entries(values)) {
      assert.equal(serialized.includes(value as string), false, `toDict() holds the ${name}`);
      assert.equal(logs.includes(value as string), false, `a log line holds the ${name}`);
    }
    assert.ok(serialized.includes(SECRET_ENV), 'the secret is kept as an environment reference');
    assert.ok(serialized.includes(home.dir), 'the token store is kept by reference');

    // The dict builds a working toolset: same store, the secret from the environment, no new sign-in.
    as.stats.reset();
    const restored = MCPToolset.fromDict(JSON.parse(serialized));
    try {
      await restored.warmUp();
      assert.equal(text(await call(restored, 'echo', { text: 'restored' })), 'restored');
    } finally {
      await restored.close();
    }
    assert.equal(as.stats.endpoints['authorization'], undefined);
    assert.deepEqual(as.stats.grants, {});
  });
});
