import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { OAuthConfig } from '../../../src/auth/config.ts';
import { withLock } from '../../../src/auth/store/with-lock.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { Secret } from '../../../src/core/secret.ts';
import { RedisTokenStore } from '../../../src/redis.ts';
import {
  REDIS_SKIP_REASON,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from '../../fixtures/redis-server.ts';
import { counterOf } from '../../fixtures/store-worker.ts';
import { key, memoryLogger, other, record } from './helpers.ts';
import { killAllWorkers, startWorker } from './workers.ts';

const available = redisServerAvailable();
const skip = available ? false : REDIS_SKIP_REASON;

let server: RedisServer;
const stores: RedisTokenStore[] = [];
let prefixes = 0;
/** A store on its own prefix, closed after the tests. */
function newStore(options: { prefix?: string; logger?: Logger; onCorrupt?: 'throw' } = {}): RedisTokenStore {
  const store = new RedisTokenStore({ url: server.url, prefix: options.prefix ?? `t${++prefixes}:`, ...options });
  stores.push(store);
  return store;
}

describe('RedisTokenStore against redis-server', { skip }, () => {
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await killAllWorkers();
    await Promise.all(stores.map((s) => s.close()));
    await server?.stop();
  });

  it('gets, sets, lists and deletes records under its prefix only', async () => {
    const store = newStore();
    const neighbour = newStore();
    await store.set(record());
    await store.set(record(other));
    await neighbour.set(record(key, 'neighbour'));
    assert.deepEqual(await store.get(key), record());
    assert.equal((await store.list()).length, 2);
    assert.deepEqual(await store.list(other.resource), [record(other)]);
    assert.deepEqual(await neighbour.list(), [record(key, 'neighbour')]);
    await store.delete(key);
    assert.equal(await store.get(key), undefined);
    assert.equal((await neighbour.get(key))?.tokens?.access_token, 'neighbour');
  });

  it('stores JSON under <prefix>token:<hash> (glob characters in the prefix escaped) and lists many records', async () => {
    const store = newStore({ prefix: 'raw*[x]:' }); // glob characters in the prefix are escaped for SCAN
    await store.set(record());
    const client = createClient({ url: server.url });
    await client.connect();
    try {
      const raw = await client.get(store.recordKey(key));
      assert.deepEqual(JSON.parse(raw ?? 'null'), record());
      await client.set('raw-other:token:x', 'not ours');
    } finally {
      client.destroy();
    }
    for (let i = 0; i < 250; i++)
      await store.set(record({ resource: `https://r${i}.example/mcp`, issuer: 'https://as' }));
    assert.equal((await store.list()).length, 251);
  });

  it('reports a corrupt value with its key and treats it as absent', async () => {
    const logger = memoryLogger();
    const store = newStore({ logger });
    await store.set(record(other));
    const client = createClient({ url: server.url });
    await client.connect();
    try {
      await client.set(store.recordKey(key), '{"version":1,');
    } finally {
      client.destroy();
    }
    assert.equal(await store.get(key), undefined);
    assert.deepEqual(await store.list(), [record(other)]);
    assert.ok(logger.entries.some((e) => e.level === 'warn' && e.fields?.['key'] === store.recordKey(key)));
    const strict = newStore({ prefix: store.prefix, onCorrupt: 'throw' });
    await assert.rejects(strict.get(key), (e: any) => e.code === 'STORE_CORRUPT');
  });

  it('excludes holders across several clients, times out and aborts', async () => {
    const prefix = `locks${++prefixes}:`;
    const clients = Array.from({ length: 4 }, () => newStore({ prefix }));
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        withLock(clients[i % 4]!, key, 'refresh', async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 1));
          inside--;
        }),
      ),
    );
    assert.equal(maxInside, 1);
    const held = await clients[0]!.lock(key, 'refresh');
    await assert.rejects(clients[1]!.lock(key, 'refresh', { waitMs: 50 }), (e: any) => e.code === 'LOCK_TIMEOUT');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(
      clients[1]!.lock(key, 'refresh', { signal: controller.signal }),
      (e: any) => e.code === 'ABORTED',
    );
    await held.release();
    await (await clients[1]!.lock(key, 'refresh', { waitMs: 0 })).release();
  });

  it('lets a lock expire after its ttl; only its owner can release it', async () => {
    const logger = memoryLogger();
    const prefix = `ttl${++prefixes}:`;
    const a = newStore({ prefix, logger });
    const b = newStore({ prefix });
    const stale = await a.lock(key, 'refresh', { ttlMs: 150 });
    const started = Date.now();
    const next = await b.lock(key, 'refresh', { waitMs: 5000 });
    assert.ok(Date.now() - started >= 100);
    await stale.release(); // the owner script must not delete b's lock
    assert.ok(logger.entries.some((e) => e.level === 'warn' && /expired/.test(e.message)));
    await assert.rejects(a.lock(key, 'refresh', { waitMs: 30 }), (e: any) => e.code === 'LOCK_TIMEOUT');
    await next.release();
  });

  it('serializes 6 processes incrementing a counter under the lock: the count is exact', async () => {
    const prefix = `procs${++prefixes}:`;
    const store = newStore({ prefix });
    const iterations = 15;
    const workers = Array.from({ length: 6 }, () =>
      startWorker({ store: { kind: 'redis', url: server.url, prefix }, mode: 'count', key, iterations }),
    );
    for (const w of workers) {
      const { code, stderr } = await w.exited;
      assert.equal(code, 0, stderr);
    }
    assert.equal(counterOf(await store.get(key)), 6 * iterations);
  });

  it('recovers after the ttl when the holder is killed (SIGKILL), with others waiting', async () => {
    const prefix = `kill${++prefixes}:`;
    const store = newStore({ prefix });
    const holder = startWorker({
      store: { kind: 'redis', url: server.url, prefix },
      mode: 'hold',
      key,
      ttlMs: 4000,
    });
    await holder.printed('READY');
    await assert.rejects(store.lock(key, 'refresh', { waitMs: 50 }), (e: any) => e.code === 'LOCK_TIMEOUT');
    const workers = Array.from({ length: 3 }, () =>
      startWorker({ store: { kind: 'redis', url: server.url, prefix }, mode: 'count', key, iterations: 5 }),
    );
    await holder.kill('SIGKILL');
    const lock = await store.lock(key, 'refresh', { waitMs: 20_000 });
    await lock.release();
    for (const w of workers) {
      const { code, stderr } = await w.exited;
      assert.equal(code, 0, stderr);
    }
    assert.equal(counterOf(await store.get(key)), 15);
  });

  it('leaves a complete record when a process is killed while writing', async () => {
    const prefix = `write${++prefixes}:`;
    const logger = memoryLogger();
    const store = newStore({ prefix, logger });
    const writer = startWorker({
      store: { kind: 'redis', url: server.url, prefix },
      mode: 'write-loop',
      key,
      bytes: 1_000_000,
    });
    await writer.printed('READY');
    await new Promise((r) => setTimeout(r, 50));
    await writer.kill('SIGKILL');
    assert.ok(counterOf(await store.get(key)) >= 1);
    assert.deepEqual(logger.entries, []);
  });

  it('uses a client passed in (connecting it if needed) and does not close it', async () => {
    const client = createClient({ url: server.url });
    try {
      const store = new RedisTokenStore({ client, prefix: `given${++prefixes}:` });
      await store.set(record());
      assert.deepEqual(await store.get(key), record());
      await store.close();
      assert.equal(client.isOpen, true);
      assert.equal(await client.ping(), 'PONG');
    } finally {
      client.destroy();
    }
  });

  it('closes the client it created; a closed store refuses to work', async () => {
    const store = new RedisTokenStore({ url: server.url });
    await store.get(key);
    await store.close();
    await store.close();
    await assert.rejects(store.get(key), (e: any) => e.code === 'STORE_FAILED');
  });

  it('fails with STORE_FAILED when the server cannot be reached, without hanging', async () => {
    const store = new RedisTokenStore({ url: 'redis://127.0.0.1:1' });
    await assert.rejects(store.get(key), (e: any) => e.code === 'STORE_FAILED' && /could not connect/.test(e.message));
    await store.close();
  });

  it('authenticates with a password from the environment, and serializes only its reference', async () => {
    const secured = await startRedisServer({ password: 'redis-pass-1' });
    process.env['MCPTOOL_TEST_REDIS_PASSWORD'] = 'redis-pass-1';
    try {
      const store = new RedisTokenStore({ url: secured.url, password: Secret.fromEnv('MCPTOOL_TEST_REDIS_PASSWORD') });
      stores.push(store);
      await store.set(record());
      const config = new OAuthConfig({
        flow: 'client_credentials',
        clientId: 'svc',
        clientSecret: Secret.fromEnv('MCP_CLIENT_SECRET'),
        tokenStore: store,
      });
      const text = JSON.stringify(config.toDict());
      assert.ok(!text.includes('redis-pass-1'));
      const rebuilt = OAuthConfig.fromDict(JSON.parse(text)).tokenStore as RedisTokenStore;
      stores.push(rebuilt);
      assert.deepEqual(await rebuilt.get(key), record());
      const wrong = new RedisTokenStore({ url: secured.url });
      stores.push(wrong);
      await assert.rejects(wrong.get(key), (e: any) => e.code === 'STORE_FAILED');
    } finally {
      delete process.env['MCPTOOL_TEST_REDIS_PASSWORD'];
      await secured.stop();
    }
  });
});
