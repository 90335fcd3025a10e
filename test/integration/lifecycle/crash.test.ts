/**
 * Issue 4: a process killed (SIGKILL) while holding the store's renewal lock, and one killed while writing the
 * record: no corrupt record is left, and the next caller recovers and refreshes (exactly one refresh request),
 * without an interactive sign-in. File store: the dead holder's lock is taken over at once (its pid is gone);
 * Redis store: after the lock's ttl. Token expiry is driven by a test clock shared by the callers and both servers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileTokenStore, type TokenStore } from '../../../src/index.ts';
import { RedisTokenStore } from '../../../src/redis.ts';
import type { LifecycleWorkerSpec } from '../../fixtures/lifecycle-worker.ts';
import {
  REDIS_SKIP_REASON,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from '../../fixtures/redis-server.ts';
import { TestClock } from '../../fixtures/test-clock.ts';
import {
  approvingHandler,
  grants,
  jwtClaims,
  onlyRecord,
  refusingHandler,
  type Stack,
  sleep,
  startStack,
  tempDir,
  text,
  toolset,
} from './helpers.ts';
import { killAllWorkers, startWorker } from './workers.ts';

/** Sign in once through `store`; returns the stored record's key and the access token's server-side expiry. */
async function signIn(stack: Stack, store: TokenStore, clock: TestClock) {
  const user = approvingHandler();
  const ts = toolset(stack.mcp.url, {
    flow: 'authorization_code',
    tokenStore: store,
    authorizationHandler: user.handler,
    clock,
  });
  try {
    await ts.warmUp();
  } finally {
    await ts.close();
  }
  const record = await onlyRecord(store);
  const expiryMs = Number(jwtClaims(record.tokens?.access_token ?? '')['exp']) * 1000;
  return { key: { resource: record.resource, issuer: record.issuer }, record, expiryMs };
}

/** Move `clock` just past `expiryMs`. */
function expire(clock: TestClock, expiryMs: number): void {
  clock.advance(Math.max(0, expiryMs + 100 - clock.now()));
}

/** A new process's view: a fresh store object and engine; calls `echo` (its handler refuses any sign-in). */
async function nextCaller(stack: Stack, store: TokenStore, label: string, clock: TestClock): Promise<void> {
  const never = refusingHandler();
  const ts = toolset(stack.mcp.url, {
    flow: 'authorization_code',
    tokenStore: store,
    authorizationHandler: never.handler,
    clock,
  });
  try {
    await ts.warmUp();
    assert.equal(text(await ts.getTool('echo').invoke({ text: label })), label);
  } finally {
    await ts.close();
  }
  assert.equal(never.opened(), 0, 'no interactive sign-in');
}

describe('a process killed mid-renewal or mid-write (FileTokenStore)', () => {
  let stack: Stack;
  const temp = tempDir();
  const clock = new TestClock({ frozen: true });
  before(async () => {
    stack = await startStack({ ttl: 600, clock });
  });
  after(async () => {
    await killAllWorkers();
    await stack.close();
    temp.cleanup();
  });

  it('killed while holding the lock: a caller waiting for it takes over at once and refreshes', async () => {
    const dir = join(temp.dir, 'hold');
    const store = new FileTokenStore({ dir });
    const { key, expiryMs } = await signIn(stack, store, clock);
    const spec: LifecycleWorkerSpec = { mode: 'hold-lock', store: { kind: 'file', dir }, key, ttlMs: 60_000 };
    const holder = startWorker(spec);
    await holder.printed('READY');
    assert.ok(
      readdirSync(dir).some((name) => name.endsWith('.tokens.lock')),
      'the worker holds the tokens lock',
    );

    // The token expires while the lock is held; the next caller must renew, so it waits for the lock.
    expire(clock, expiryMs);
    stack.as.stats.reset();
    const call = nextCaller(stack, new FileTokenStore({ dir }), 'after the crash', clock);
    let settled = false;
    void call.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await sleep(700);
    assert.equal(settled, false, 'the caller waits while the holder lives');
    const killedAt = Date.now();
    await holder.kill('SIGKILL');
    await call;
    const recoveredIn = Date.now() - killedAt;
    assert.ok(recoveredIn < 30_000, `recovered ${recoveredIn} ms after the kill, well before the 60 s lock ttl`);
    assert.deepEqual(grants(stack.as), { refresh_token: 1 }, 'exactly one refresh');
    assert.deepEqual(stack.as.stats.grantErrors, {});
    const after = await onlyRecord(new FileTokenStore({ dir }));
    assert.ok(after.tokens && Number(jwtClaims(after.tokens.access_token)['exp']) * 1000 > expiryMs);
  });

  it('killed while writing: the record is intact (old or new, never torn) and the next caller refreshes', async () => {
    const dir = join(temp.dir, 'write');
    const store = new FileTokenStore({ dir });
    const { key, record, expiryMs } = await signIn(stack, store, clock);
    for (let round = 0; round < 3; round++) {
      const writer = startWorker({ mode: 'write-loop', store: { kind: 'file', dir }, key, bytes: 2_000_000 });
      await writer.printed('READY');
      await sleep(20 + Math.floor(Math.random() * 150));
      await writer.kill('SIGKILL');
      // Every record file parses, and the tokens are the ones written (the writer only rewrote them, padded).
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
        assert.doesNotThrow(() => JSON.parse(readFileSync(join(dir, name), 'utf8')), `${name} is valid JSON`);
      }
      const read = await new FileTokenStore({ dir }).get(key);
      assert.ok(read, 'the record is still there');
      assert.deepEqual(read.tokens, record.tokens);
      assert.deepEqual(read.client, record.client);
    }
    expire(clock, expiryMs);
    stack.as.stats.reset();
    await nextCaller(stack, new FileTokenStore({ dir }), 'after the torn write', clock);
    assert.deepEqual(grants(stack.as), { refresh_token: 1 });
    assert.deepEqual(stack.as.stats.grantErrors, {});
  });
});

describe('a process killed while holding the lock (RedisTokenStore)', {
  skip: redisServerAvailable() ? false : REDIS_SKIP_REASON,
}, () => {
  let stack: Stack;
  let redis: RedisServer;
  const stores: RedisTokenStore[] = [];
  const prefix = `mcptool-crash-${randomBytes(4).toString('hex')}:`;
  const open = () => {
    const store = new RedisTokenStore({ url: redis.url, prefix });
    stores.push(store);
    return store;
  };
  const clock = new TestClock({ frozen: true });
  before(async () => {
    redis = await startRedisServer();
    stack = await startStack({ ttl: 600, clock });
  });
  after(async () => {
    await killAllWorkers();
    for (const store of stores) await store.close();
    await stack?.close();
    await redis?.stop();
  });

  it('the lock expires after its ttl; the next caller then refreshes once', async () => {
    const { key, expiryMs } = await signIn(stack, open(), clock);
    const holder = startWorker({
      mode: 'hold-lock',
      store: { kind: 'redis', url: redis.url, prefix },
      key,
      ttlMs: 2_500,
    });
    await holder.printed('READY');
    await holder.kill('SIGKILL');
    const killedAt = Date.now();
    expire(clock, expiryMs);
    stack.as.stats.reset();
    await nextCaller(stack, open(), 'after the crash', clock);
    const elapsed = Date.now() - killedAt;
    assert.ok(elapsed < 30_000, `recovered ${elapsed} ms after the kill (lock ttl 2.5 s; bounded only against a hang)`);
    assert.deepEqual(grants(stack.as), { refresh_token: 1 });
    assert.deepEqual(stack.as.stats.grantErrors, {});
  });
});
