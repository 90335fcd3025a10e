/**
 * Child processes running test/fixtures/lifecycle-worker.ts, and the multi-process scenario of issue 4: N processes
 * sharing one token store make calls across an access-token expiry; exactly one of them refreshes.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { TokenStore } from '../../../src/index.ts';
import type { CallsResult, LifecycleWorkerSpec } from '../../fixtures/lifecycle-worker.ts';
import { startChildWorker, type Worker } from '../support/child-worker.ts';
import { approvingHandler, grants, onlyRecord, renewalPointMs, type Stack, text, toolset } from './helpers.ts';

export { killAllWorkers, type Worker } from '../support/child-worker.ts';

const WORKER = fileURLToPath(new URL('../../fixtures/lifecycle-worker.ts', import.meta.url));

/** Start a lifecycle-worker child (stdin piped: `send` gives it its call window). */
export function startWorker(spec: LifecycleWorkerSpec): Worker {
  return startChildWorker(WORKER, spec);
}

/**
 * A window of calls that crosses exactly one renewal of the stored token, due at `renewalMs` (3 s tokens: the
 * renewed token is due again at least 1.4 s later, which leaves about a second of slack for a loaded machine).
 * - The renewal point is still ahead: from now until 300 ms after it.
 * - It is (nearly) reached: for 500 ms from then (the first call renews).
 */
export function windowAcrossOneRenewal(renewalMs: number, now = Date.now()): { startMs: number; endMs: number } {
  if (now < renewalMs - 300) return { startMs: now + 50, endMs: renewalMs + 300 };
  const startMs = Math.max(now, renewalMs) + 50;
  return { startMs, endMs: startMs + 500 };
}

/**
 * Issue 4: `processes` child processes share `storeSpec` (opened here as `store`), each making calls across an
 * access-token expiry (short-lived tokens, rotating refresh tokens): every call succeeds and the authorization server sees
 * exactly one refresh request. The parent signs in once before spawning, so the children start with stored tokens.
 */
export async function runFleet(options: {
  stack: Stack;
  store: TokenStore;
  storeSpec: LifecycleWorkerSpec['store'];
  processes: number;
}): Promise<{ results: CallsResult[]; refreshes: number }> {
  const { as, mcp } = options.stack;
  // The first sign-in, once, by the parent.
  const user = approvingHandler();
  const parent = toolset(mcp.url, {
    flow: 'authorization_code',
    tokenStore: options.store,
    authorizationHandler: user.handler,
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
    startWorker({ mode: 'calls', store: options.storeSpec, url: mcp.url, concurrency: 4 }),
  );
  try {
    await Promise.all(workers.map((w) => w.printed('READY')));
    // Start counting once every child is connected (a child that started after the parent's token expired
    // renewed it while warming up; the stored token is the one to cross now).
    as.stats.reset();
    const window = windowAcrossOneRenewal(await renewalPointMs(options.store));
    for (const w of workers) w.send(JSON.stringify(window));
    const lines = await Promise.all(workers.map((w) => w.printed('RESULT ')));
    const results = lines.map((line) => JSON.parse(line.slice('RESULT '.length)) as CallsResult);
    const exits = await Promise.all(workers.map((w) => w.exited));
    for (const exit of exits) assert.equal(exit.code, 0, `a worker failed: ${exit.stderr}`);

    for (const [i, r] of results.entries()) {
      assert.equal(r.failed, 0, `worker ${i}: ${r.failed} failed calls: ${r.errors.join(' | ')}`);
      assert.ok(r.ok >= 4, `worker ${i} made ${r.ok} calls`);
    }
    // Every process moved from the old token to the same new one.
    const last = new Set(results.map((r) => r.tokens.at(-1)));
    assert.equal(last.size, 1, 'all processes ended on the same access token');
    assert.ok(
      results.every((r) => r.tokens.length <= 2),
      `no process used more than two tokens in the window: ${JSON.stringify(results.map((r) => r.tokens))}`,
    );
    assert.deepEqual(grants(as), { refresh_token: 1 }, 'exactly one refresh for all the processes');
    assert.deepEqual(as.stats.grantErrors, {});
    assert.equal(as.stats.endpoints['authorization'] ?? 0, 0, 'no new authorization');
    return { results, refreshes: as.stats.grants['refresh_token'] ?? 0 };
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
  }
}
