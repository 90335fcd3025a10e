/**
 * Issue 4: six processes sharing one token store make calls across an access-token expiry (3 s tokens, rotating
 * refresh tokens, real oidc-provider and protected MCP server): every call succeeds and the authorization server
 * sees exactly one refresh request. The store's lock makes one process refresh while the others wait, re-read and
 * reuse its tokens. First with a `FileTokenStore` (one directory), then with a `RedisTokenStore` against a real
 * `redis-server` started here (skipped, with the reason, only when the binary is absent). The two run one after
 * the other (one file), so that twelve children never compete for the CPU at once.
 */
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FileTokenStore } from '../../../src/index.ts';
import { RedisTokenStore } from '../../../src/redis.ts';
import {
  REDIS_SKIP_REASON,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from '../../fixtures/redis-server.ts';
import { type Stack, startStack, tempDir } from './helpers.ts';
import { killAllWorkers, runFleet } from './workers.ts';

const PROCESSES = 6;
// A little clock tolerance at the resource server, so that a request a loaded machine delays past the expiry
// still counts; the refresh discipline under test is the client's.
// 6 s tokens: the next renewal point is 4.8 s after the refresh, far beyond the window even when six processes
// start on a loaded 2-core machine.
const stackOptions = { ttl: 6, mcp: { clockToleranceSeconds: 1 } };

describe(`${PROCESSES} processes sharing a FileTokenStore`, () => {
  let stack: Stack;
  const temp = tempDir();
  before(async () => {
    stack = await startStack(stackOptions);
  });
  after(async () => {
    await killAllWorkers();
    await stack.close();
    temp.cleanup();
  });

  it('all calls succeed across an expiry, with exactly one refresh', async (t) => {
    const { results } = await runFleet({
      stack,
      store: new FileTokenStore({ dir: temp.dir }),
      storeSpec: { kind: 'file', dir: temp.dir },
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
  before(async () => {
    redis = await startRedisServer();
    stack = await startStack(stackOptions);
    store = new RedisTokenStore({ url: redis.url, prefix });
  });
  after(async () => {
    await killAllWorkers();
    await store?.close();
    await stack?.close();
    await redis?.stop();
  });

  it('all calls succeed across an expiry, with exactly one refresh', async (t) => {
    const { results } = await runFleet({
      stack,
      store,
      storeSpec: { kind: 'redis', url: redis.url, prefix },
      processes: PROCESSES,
    });
    t.diagnostic(`calls per process: ${results.map((r) => r.ok).join(', ')}`);
  });
});
