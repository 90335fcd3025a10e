import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthConfig } from '../../../../src/auth/config.ts';
import { Secret } from '../../../../src/core/secret.ts';
import { deserialize } from '../../../../src/core/serialization.ts';
import { RedisTokenStore } from '../../../../src/redis.ts';

// Construction and serialization only: the client is created lazily, so none of these connect.
describe('RedisTokenStore options and toDict', () => {
  it('serializes a plain URL and the prefix, and round-trips', () => {
    const store = new RedisTokenStore({ url: 'redis://cache.internal:6380/2', prefix: 'app:' });
    const dict = store.toDict();
    assert.deepEqual(dict, { type: 'mcptool.RedisTokenStore', prefix: 'app:', url: 'redis://cache.internal:6380/2' });
    assert.deepEqual(deserialize<RedisTokenStore>(dict).toDict(), dict);
    assert.deepEqual(new RedisTokenStore().toDict(), { type: 'mcptool.RedisTokenStore', prefix: 'mcptool:' });
  });

  it('refuses to serialize a URL holding a password, without showing it', () => {
    const store = new RedisTokenStore({ url: 'redis://user:hunter2@cache.internal:6379' });
    assert.throws(
      () => store.toDict(),
      (e: any) => e.code === 'NOT_SERIALIZABLE' && !e.message.includes('hunter2') && /Secret\.fromEnv/.test(e.message),
    );
  });

  it('serializes a Secret URL and password as environment references only', () => {
    const store = new RedisTokenStore({
      url: Secret.fromEnv('REDIS_URL'),
      password: Secret.fromEnv('REDIS_PASSWORD'),
    });
    const dict = store.toDict();
    assert.deepEqual(dict, {
      type: 'mcptool.RedisTokenStore',
      prefix: 'mcptool:',
      url: { type: 'mcptool.Secret', env_vars: ['REDIS_URL'], strict: true },
      password: { type: 'mcptool.Secret', env_vars: ['REDIS_PASSWORD'], strict: true },
    });
    assert.deepEqual(RedisTokenStore.fromDict(dict).toDict(), dict);
  });

  it('is rebuilt by OAuthConfig.fromDict', () => {
    const config = new OAuthConfig({
      flow: 'client_credentials',
      clientId: 'svc',
      clientSecret: Secret.fromEnv('MCP_CLIENT_SECRET'),
      tokenStore: new RedisTokenStore({ url: 'redis://127.0.0.1:6379', prefix: 'x:' }),
    });
    const again = OAuthConfig.fromDict(config.toDict());
    assert.ok(again.tokenStore instanceof RedisTokenStore);
    assert.equal((again.tokenStore as RedisTokenStore).prefix, 'x:');
  });

  it('refuses to serialize a store built around a client object', () => {
    const client = { sendCommand: async () => null };
    assert.throws(
      () => new RedisTokenStore({ client }).toDict(),
      (e: any) => e.code === 'NOT_SERIALIZABLE',
    );
  });

  it('validates its options, naming the field', () => {
    const field = (options: object) => {
      try {
        new RedisTokenStore(options as never);
      } catch (e: any) {
        return e.code === 'INVALID_OPTION' ? e.field : e;
      }
      return undefined;
    };
    assert.equal(field({ url: 'http://cache:6379' }), 'options.url');
    assert.equal(field({ url: 'not a url' }), 'options.url');
    assert.equal(field({ password: 'plain' }), 'options.password');
    assert.equal(field({ client: {} }), 'options.client');
    assert.equal(field({ client: { sendCommand: async () => null }, url: 'redis://x' }), 'options.client');
    assert.equal(field({ prefix: 3 }), 'options.prefix');
    assert.equal(field({ onCorrupt: 'ignore' }), 'options.onCorrupt');
  });

  it('names the record key under its prefix by the record id', () => {
    const store = new RedisTokenStore({ prefix: 'p:' });
    assert.match(
      store.recordKey({ resource: 'https://a.example', issuer: 'https://b.example' }),
      /^p:token:[0-9a-f]{64}$/,
    );
  });
});
