/**
 * Child processes running test/fixtures/lifecycle-worker.ts, and the multi-process scenario of issue 4: N processes
 * sharing one token store make calls across an access-token expiry; exactly one of them refreshes.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { TokenStore } from '../../../src/index.ts';
import type { CallsResult, LifecycleWorkerSpec } from '../../fixtures/lifecycle-worker.ts';
import type { TestClock } from '../../fixtures/test-clock.ts';
import { startChildWorker, type Worker } from '../support/child-worker.ts';
import { approvingHandler, expireHeldToken, grants, onlyRecord, type Stack, text, toolset } from './helpers.ts';

export { killAllWorkers, type Worker } from '../support/child-worker.ts';

const WORKER = fileURLToPath(new URL('../../fixtures/lifecycle-worker.ts', import.meta.url));

/** Start a lifecycle-worker child (stdin piped: `send` gives it its call window). */
export function startWorker(spec: LifecycleWorkerSpec): Worker {
  return startChildWorker(WORKER, spec);
}

/**
 * `processes` child processes share `storeSpec` (opened here as `store`) and the test clock of `clock.file` with the
 * servers. Each makes calls in two phases: before the access token's expiry, then (after the parent moved the
 * shared clock past it) across it. Every call succeeds and the authorization server sees exactly one refresh
 * request. The parent signs in once before spawning, so the children start with stored tokens. Nothing depends on
 * real time: the expiry happens when the clock is moved, between the phases.
 */
export async function runFleet(options: {
  stack: Stack;
  clock: TestClock;
  store: TokenStore;
  storeSpec: LifecycleWorkerSpec['store'];
  processes: number;
}): Promise<{ results: CallsResult[]; refreshes: number }> {
  const { as, mcp } = options.stack;
  const { clock } = options;
  // The first sign-in, once, by the parent.
  const user = approvingHandler();
  const parent = toolset(mcp.url, {
    flow: 'authorization_code',
    tokenStore: options.store,
    authorizationHandler: user.handler,
    clock,
  });
  try {
    await parent.warmUp();
    assert.equal(text(await parent.getTool('echo').invoke({ text: 'parent' })), 'parent');
  } finally {
    await parent.close();
  }
  assert.equal(user.opened(), 1);
  assert.ok((await onlyRecord(options.store)).tokens?.refresh_token, 'the parent stored a refresh token');

  const workers = Array.from({ length: options.processes }, () =>
    startWorker({
      mode: 'calls',
      store: options.storeSpec,
      url: mcp.url,
      concurrency: 4,
      ...(clock.file !== undefined && { clockFile: clock.file }),
    }),
  );
  try {
    await Promise.all(workers.map((w) => w.printed('READY')));
    as.stats.reset();
    // Phase 1: every process calls with the stored token, still valid.
    for (const w of workers) w.send(JSON.stringify({ rounds: 3 }));
    await Promise.all(workers.map((w) => w.printed('DONE')));
    assert.deepEqual(grants(as), {}, 'no renewal before the expiry');
    // The token expires for every process and both servers at once; phase 2 crosses the expiry.
    await expireHeldToken(options.store, clock);
    for (const w of workers) w.send(JSON.stringify({ rounds: 5, last: true }));
    const lines = await Promise.all(workers.map((w) => w.printed('RESULT ')));
    const results = lines.map((line) => JSON.parse(line.slice('RESULT '.length)) as CallsResult);
    const exits = await Promise.all(workers.map((w) => w.exited));
    for (const exit of exits) assert.equal(exit.code, 0, `a worker failed: ${exit.stderr}`);

    for (const [i, r] of results.entries()) {
      assert.equal(r.failed, 0, `worker ${i}: ${r.failed} failed calls: ${r.errors.join(' | ')}`);
      assert.equal(r.ok, 4 * (3 + 5), `worker ${i} made every call`);
    }
    // Every process moved from the old token to the same new one.
    const last = new Set(results.map((r) => r.tokens.at(-1)));
    assert.equal(last.size, 1, 'all processes ended on the same access token');
    assert.ok(
      results.every((r) => r.tokens.length === 2),
      `every process used exactly the old and the new token: ${JSON.stringify(results.map((r) => r.tokens))}`,
    );
    assert.deepEqual(grants(as), { refresh_token: 1 }, 'exactly one refresh for all the processes');
    assert.deepEqual(as.stats.grantErrors, {});
    assert.equal(as.stats.endpoints['authorization'] ?? 0, 0, 'no new authorization');
    return { results, refreshes: as.stats.grants['refresh_token'] ?? 0 };
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
  }
}
