import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthConfig } from '../../../src/auth/config.ts';
import { OAUTH_OPTIONS, oauthOptionsOf, parseCommandArgs, parseTimeout } from '../../../src/cli/args.ts';
import { buildOAuthConfig } from '../../../src/cli/oauth-options.ts';

const parse = (argv: string[]) => oauthOptionsOf(parseCommandArgs(argv, OAUTH_OPTIONS, 'tools').values);
const usage = async (promise: Promise<unknown>, pattern: RegExp) =>
  assert.rejects(promise, (e: any) => e.code === 'USAGE' && pattern.test(e.message));

describe('OAuth options', () => {
  it('gives no OAuthConfig when no OAuth option is given', async () => {
    assert.equal(await buildOAuthConfig(parse([]), { env: {} }), undefined);
  });

  it('maps every option to OAuthConfig, secrets only by environment reference or file', async () => {
    const config = await buildOAuthConfig(
      parse([
        '--flow',
        'client_credentials',
        '--client-id',
        'svc',
        '--client-secret-env',
        'MY_SECRET',
        '--scope',
        'read write',
        '--scope',
        'admin',
        '--callback-port',
        '8765',
        '--no-browser',
      ]),
      { env: { MY_SECRET: 's3cret' } },
    );
    assert.ok(config instanceof OAuthConfig);
    assert.equal(config.flow, 'client_credentials');
    assert.equal(config.clientId, 'svc');
    assert.deepEqual(config.clientSecret?.envVars, ['MY_SECRET']);
    assert.deepEqual(config.scopes, ['read', 'write', 'admin']);
    assert.equal(config.redirect.port, 8765);
    assert.equal(config.callback, 'manual');
    assert.ok(!JSON.stringify(config.toDict()).includes('s3cret'));
  });

  it('reads the private key file into a Secret that refuses to serialize', async () => {
    const config = await buildOAuthConfig(parse(['--client-id', 'svc', '--private-key-file', 'key.pem']), {
      env: {},
      readTextFile: async (path) => `-----BEGIN PRIVATE KEY----- from ${path}`,
    });
    assert.equal(config?.privateKey?.resolve(), '-----BEGIN PRIVATE KEY----- from key.pem');
    assert.throws(
      () => config?.privateKey?.toDict(),
      (e: any) => e.code === 'NOT_SERIALIZABLE',
    );
    await usage(
      buildOAuthConfig(parse(['--private-key-file', '/nonexistent/key.pem']), { env: {} }),
      /--private-key-file: cannot read \/nonexistent\/key\.pem \(ENOENT\)/,
    );
  });

  it('refuses secrets on the command line and unset variables, naming the flag', async () => {
    assert.throws(
      () => parse(['--client-secret', 'x']),
      (e: any) => e.code === 'USAGE' && /--client-secret-env VAR/.test(e.message),
    );
    await usage(
      buildOAuthConfig(parse(['--client-secret-env', 'abc-def=ghi']), { env: {} }),
      /NAME of an environment variable/,
    );
    await usage(buildOAuthConfig(parse(['--client-secret-env', 'UNSET_VAR']), { env: {} }), /UNSET_VAR is not set/);
  });

  it('validates values and reports OAuthConfig errors with the flag name', async () => {
    await usage(
      buildOAuthConfig(parse(['--flow', 'implicit']), { env: {} }),
      /--flow must be one of auto, authorization_code, client_credentials/,
    );
    await usage(
      buildOAuthConfig(parse(['--callback-port', '70000']), { env: {} }),
      /--callback-port must be a port number/,
    );
    await usage(buildOAuthConfig(parse(['--scope', ' ']), { env: {} }), /--scope needs at least one scope/);
    await usage(
      buildOAuthConfig(parse(['--client-metadata-url', 'http://example.com/client']), { env: {} }),
      /^--client-metadata-url: must be an https URL/,
    );
    await usage(
      buildOAuthConfig(parse(['--flow', 'client_credentials', '--client-secret-env', 'S']), { env: { S: 'x' } }),
      /^--client-id: is required for the client_credentials flow/,
    );
  });

  it('uses the token store hook for --token-store, and says when none is available', async () => {
    await usage(buildOAuthConfig(parse(['--token-store', '/tmp/x']), { env: {} }), /--token-store is not available/);
    const store = { get() {}, set() {}, delete() {}, list() {}, lock() {}, toDict() {} } as any;
    const dirs: string[] = [];
    const config = await buildOAuthConfig(parse(['--token-store', '/tmp/x']), {
      env: {},
      createTokenStore: (dir) => {
        dirs.push(dir);
        return store;
      },
    });
    assert.equal(config?.tokenStore, store);
    assert.deepEqual(dirs, ['/tmp/x']);
  });
});

describe('command-line parsing', () => {
  it('turns parseArgs errors into one-line usage errors naming the command', () => {
    assert.throws(
      () => parseCommandArgs(['--bogus'], OAUTH_OPTIONS, 'call'),
      (e: any) => e.code === 'USAGE' && /^call: unknown option --bogus; see 'mcptool call --help'$/.test(e.message),
    );
    assert.throws(
      () => parseCommandArgs(['--flow'], OAUTH_OPTIONS, 'call'),
      (e: any) => e.code === 'USAGE' && !e.message.includes('\n'),
    );
  });

  it('item 2: did-you-mean for a mistyped flag, a missing value, a repeated single-value option', () => {
    const usage = (argv: string[], pattern: RegExp) =>
      assert.throws(
        () => parseCommandArgs(argv, { ...OAUTH_OPTIONS, json: { type: 'boolean' } }, 'call'),
        (e: any) => e.code === 'USAGE' && pattern.test(e.message),
      );
    usage(['--jsno'], /unknown option --jsno \(did you mean --json\?\)/);
    usage(['--client-di', 'x'], /did you mean --client-id\?/);
    usage(['--flow', '--json'], /--flow needs a value, but the next argument is the option --json/);
    usage(['--client-id', 'a', '--client-id', 'b'], /--client-id was given more than once/);
    usage(['--json=yes'], /--json takes no value/);
    assert.deepEqual(parseCommandArgs(['--scope', 'a', '--scope', 'b'], OAUTH_OPTIONS, 'call').values.scope, [
      'a',
      'b',
    ]);
  });

  it('parses --timeout in seconds', () => {
    assert.equal(parseTimeout(undefined), undefined);
    assert.equal(parseTimeout('2.5'), 2500);
    for (const bad of ['0', '-1', 'abc', '1e3', '']) {
      assert.throws(
        () => parseTimeout(bad),
        (e: any) => e.code === 'USAGE' && /--timeout/.test(e.message),
      );
    }
  });
});
