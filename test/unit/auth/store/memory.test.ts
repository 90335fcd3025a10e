import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthConfig } from '../../../../src/auth/config.ts';
import { MemoryTokenStore } from '../../../../src/auth/store/memory.ts';
import type { TokenRecord } from '../../../../src/auth/store/types.ts';
import { withLock } from '../../../../src/auth/store/with-lock.ts';
import { Secret } from '../../../../src/core/secret.ts';
import { deserialize } from '../../../../src/core/serialization.ts';

const key = { resource: 'https://mcp.example/mcp', issuer: 'https://as.example' };
const other = { resource: 'https://other.example/mcp', issuer: 'https://as.example' };
const record = (k = key, at = 'at'): TokenRecord => ({
  version: 1,
  ...k,
  updated_at: 1,
  tokens: { access_token: at, token_type: 'Bearer', issued_at: 1 },
});
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('MemoryTokenStore records', () => {
  it('gets, sets, lists and deletes records by (resource, issuer)', async () => {
    const store = new MemoryTokenStore();
    assert.equal(await store.get(key), undefined);
    await store.set(record());
    await store.set(record(other));
    assert.deepEqual(await store.get(key), record());
    assert.equal(await store.get({ ...key, issuer: 'https://elsewhere.example' }), undefined);
    assert.equal((await store.list()).length, 2);
    assert.deepEqual(await store.list(other.resource), [record(other)]);
    await store.delete(key);
    await store.delete(key);
    assert.equal(await store.get(key), undefined);
    assert.deepEqual(await store.list(), [record(other)]);
  });

  it('stores copies: mutating a record after set or get does not change what is stored', async () => {
    const store = new MemoryTokenStore();
    const r = record();
    await store.set(r);
    r.tokens!.access_token = 'changed';
    const got = await store.get(key);
    assert.equal(got?.tokens?.access_token, 'at');
    got!.tokens!.access_token = 'changed again';
    assert.equal((await store.get(key))?.tokens?.access_token, 'at');
  });

  it('serializes by type only; fromDict gives a fresh empty store, also inside OAuthConfig', async () => {
    const store = new MemoryTokenStore();
    await store.set(record());
    assert.deepEqual(store.toDict(), { type: 'mcptool.MemoryTokenStore' });
    const again = deserialize<MemoryTokenStore>(store.toDict());
    assert.ok(again instanceof MemoryTokenStore);
    assert.deepEqual(await again.list(), []);
    const config = new OAuthConfig({
      flow: 'client_credentials',
      clientId: 'svc',
      clientSecret: Secret.fromEnv('MCP_CLIENT_SECRET'),
      tokenStore: store,
    });
    assert.ok(OAuthConfig.fromDict(config.toDict()).tokenStore instanceof MemoryTokenStore);
  });
});

describe('MemoryTokenStore lock', () => {
  it('lets one holder at a time run, in arrival order', async () => {
    const store = new MemoryTokenStore();
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        withLock(store, key, 'refresh', async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          order.push(i);
          await tick(1);
          inside--;
        }),
      ),
    );
    assert.equal(maxInside, 1);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps locks of different names and keys independent', async () => {
    const store = new MemoryTokenStore();
    const a = await store.lock(key, 'refresh');
    const b = await store.lock(key, 'sign-in', { waitMs: 0 });
    const c = await store.lock(other, 'refresh', { waitMs: 0 });
    await Promise.all([a.release(), b.release(), c.release()]);
  });

  it('fails with LOCK_TIMEOUT after waitMs, and the lock stays usable', async () => {
    const store = new MemoryTokenStore();
    const held = await store.lock(key, 'refresh');
    const started = Date.now();
    await assert.rejects(store.lock(key, 'refresh', { waitMs: 50 }), (e: any) => e.code === 'LOCK_TIMEOUT');
    assert.ok(Date.now() - started >= 45);
    await held.release();
    const next = await store.lock(key, 'refresh', { waitMs: 0 });
    await next.release();
  });

  it('stops waiting with ABORTED when the signal fires', async () => {
    const store = new MemoryTokenStore();
    const held = await store.lock(key, 'refresh');
    const controller = new AbortController();
    const waiting = store.lock(key, 'refresh', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user cancelled')), 10);
    await assert.rejects(waiting, (e: any) => e.code === 'ABORTED' && e.cause?.message === 'user cancelled');
    await assert.rejects(store.lock(key, 'refresh', { signal: AbortSignal.abort() }), (e: any) => e.code === 'ABORTED');
    await held.release();
  });

  it('passes a lock whose ttl has passed to the next caller; the late release is a no-op', async () => {
    const store = new MemoryTokenStore();
    const stale = await store.lock(key, 'refresh', { ttlMs: 50 });
    const next = await store.lock(key, 'refresh', { waitMs: 2000 });
    await stale.release(); // must not release `next`
    await assert.rejects(store.lock(key, 'refresh', { waitMs: 20 }), (e: any) => e.code === 'LOCK_TIMEOUT');
    await next.release();
    await next.release();
    (await store.lock(key, 'refresh', { waitMs: 0 })).release();
  });

  it('withLock releases when the function throws', async () => {
    const store = new MemoryTokenStore();
    await assert.rejects(
      withLock(store, key, 'refresh', () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    const lock = await store.lock(key, 'refresh', { waitMs: 0 });
    await lock.release();
  });

  it('rejects bad lock names and keys naming the field', async () => {
    const store = new MemoryTokenStore();
    await assert.rejects(store.lock(key, '../x'), (e: any) => e.field === 'name');
    await assert.rejects(store.get({ resource: '', issuer: 'x' }), (e: any) => e.field === 'key.resource');
  });
});
