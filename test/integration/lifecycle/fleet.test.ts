/**
 * Six processes sharing one token store make calls across an access-token expiry (rotating refresh tokens, real
 * oidc-provider and protected MCP server, all on one test clock shared through a file, moved past the expiry between
 * two phases of calls): every call succeeds and the authorization server sees exactly one refresh request. The store's lock makes one process refresh while the others wait, re-read and
 * reuse its tokens. First with a `FileTokenStore` (one directory), then with a `RedisTokenStore` against a real
 * `redis-server` started here (skipped, with the reason, only when the binary is absent). The two run one after
 * the other (one file), so that twelve children never compete for the CPU at once.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileTokenStore } from '../../../src/index.ts';
import { RedisTokenStore } from '../../../src/redis.ts';
import {
  REDIS_SKIP_REASON,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from '../../fixtures/redis-server.ts';
import { TestClock } from '../../fixtures/test-clock.ts';
import { type Stack, startStack, tempDir } from './helpers.ts';
import { killAllWorkers, runFleet } from './workers.ts';

const PROCESSES = 6;
// 600 s tokens by the shared clock: only the test's move of the clock expires them, however slow the machine.
const TTL = 600;

describe(`${PROCESSES} processes sharing a FileTokenStore`, () => {
  let stack: Stack;
  const temp = tempDir();
  const clock = new TestClock({ file: join(temp.dir, 'clock'), sleep: 'real' });
  before(async () => {
    stack = await startStack({ ttl: TTL, clock });
  });
  after(async () => {
    await killAllWorkers();
    await stack.close();
    temp.cleanup();
  });

  it('all calls succeed across an expiry, with exactly one refresh', async (t) => {
    const { results } = await runFleet({
      stack,
      clock,
      store: new FileTokenStore({ dir: join(temp.dir, 'tokens') }),
      storeSpec: { kind: 'file', dir: join(temp.dir, 'tokens') },
      processes: PROCESSES,
    });
    t.diagnostic(`calls per process: ${results.map((r) => r.ok).join(', ')}`);
  });
});

describe(`${PROCESSES} processes sharing a RedisTokenStore`, {
  skip: redisServerAvailable() ? false : REDIS_SKIP_REASON,
}, () => {
  let stack: Stack;
  let redis: RedisServer;
  let store: RedisTokenStore;
  const prefix = `mcptool-lifecycle-${randomBytes(4).toString('hex')}:`;
  const temp = tempDir();
  const clock = new TestClock({ file: join(temp.dir, 'clock'), sleep: 'real' });
  before(async () => {
    redis = await startRedisServer();
    stack = await startStack({ ttl: TTL, clock });
    store = new RedisTokenStore({ url: redis.url, prefix });
  });
  after(async () => {
    await killAllWorkers();
    await store?.close();
    await stack?.close();
    await redis?.stop();
    temp.cleanup();
  });

  it('all calls succeed across an expiry, with exactly one refresh', async (t) => {
    const { results } = await runFleet({
      stack,
      clock,
      store,
      storeSpec: { kind: 'redis', url: redis.url, prefix },
      processes: PROCESSES,
    });
    t.diagnostic(`calls per process: ${results.map((r) => r.ok).join(', ')}`);
  });
});
