/**
 * A bounded soak under faults (at most ~2 minutes, loopback only): 4 processes share one `FileTokenStore` and a
 * test clock (a file) with a real authorization server (oidc-provider) and a real protected MCP server. The clock is
 * moved past the access token's expiry every few seconds; mid-run one process is SIGKILLed while holding the
 * store's renewal lock, the authorization server is restarted (down for a few seconds, state kept), and the MCP
 * server is restarted (its Streamable HTTP sessions lost). Figures: calls, failures by code (only retryable codes
 * that name the fault are acceptable: none with an auth error), refreshes per expiry across the fleet (target 1),
 * recovery time after each fault, the refresh token kept (a new process calls without signing in), clean exits.
 * Environment: `BENCH_SOAK_MS` (default 60000) the length of the run.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProtectedMcpServer } from '../../demo/protected-server.ts';
import { FileTokenStore } from '../../src/index.ts';
import { TestClock } from '../../test/fixtures/test-clock.ts';
import {
  approvingHandler,
  expireHeldToken,
  onlyRecord,
  refusingHandler,
  startStack,
  tempDir,
  text,
  toolset,
} from '../../test/integration/lifecycle/helpers.ts';
import { startChildWorker, type Worker } from '../../test/integration/support/child-worker.ts';
import type { Figure, Section } from '../report.ts';
import type { SoakResult, SoakWorkerSpec } from '../soak-worker.ts';

const RUN_MS = Number(process.env['BENCH_SOAK_MS'] ?? 60_000);
const PROCESSES = 4;
const TICK_MS = 3_000;
const WORKER = fileURLToPath(new URL('../soak-worker.ts', import.meta.url));
/** Codes a call may fail with during a fault: each names the fault, and the next call can succeed. */
const RETRYABLE = new Set([
  'AUTHORIZATION_SERVER_UNAVAILABLE',
  'CONNECTION_LOST',
  'CONNECTION_FAILED',
  'CONNECTION_TIMEOUT',
  'INVOCATION_TIMEOUT',
]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * The longest time, over the processes that failed during a fault (from its start until the next fault starts),
 * from the fault's end to their first success after their last failure in that window; 0 when no call failed.
 */
function recoveryMs(results: SoakResult[], window: { startMs: number; endMs: number; untilMs: number }): number {
  let worst = 0;
  for (const r of results) {
    const hits = r.failedAt.filter((t) => t >= window.startMs && t < window.untilMs);
    if (hits.length === 0) continue;
    const last = Math.max(...hits);
    const next = r.recoveredAt.find((t) => t >= last);
    worst = Math.max(worst, next === undefined ? Number.POSITIVE_INFINITY : Math.max(0, next - window.endMs));
  }
  return worst;
}

async function runSoak(): Promise<Figure[]> {
  const temp = tempDir('mcptool-soak-');
  const clock = new TestClock({ file: join(temp.dir, 'clock'), sleep: 'real' });
  const dir = join(temp.dir, 'tokens');
  const stack = await startStack({ ttl: 600, clock, checkRevocation: true });
  const mcpOptions = {
    issuer: stack.as.issuer,
    clock,
    isTokenRevoked: (claims: { jti?: unknown }) => !stack.as.isAccessTokenActive(claims),
  };
  let mcp = await startProtectedMcpServer(mcpOptions);
  const url = mcp.url;
  const port = Number(new URL(url).port);
  const workers: Worker[] = [];
  try {
    const user = approvingHandler();
    const parent = toolset(url, {
      flow: 'authorization_code',
      tokenStore: new FileTokenStore({ dir }),
      authorizationHandler: user.handler,
      clock,
    });
    await parent.warmUp();
    await parent.close();
    const record = await onlyRecord(new FileTokenStore({ dir }));
    const spec: SoakWorkerSpec = {
      dir,
      url,
      clockFile: clock.file as string,
      key: { resource: record.resource, issuer: record.issuer },
      concurrency: 4,
      maxCalls: 20_000,
      maxMs: RUN_MS + 30_000,
    };
    for (let i = 0; i < PROCESSES; i++) workers.push(startChildWorker(WORKER, spec));
    await Promise.all(workers.map((w) => w.printed('READY')));
    stack.as.stats.reset();

    const started = Date.now();
    let expiries = 0;
    const tick = async () => {
      await expireHeldToken(new FileTokenStore({ dir }), clock);
      expiries += 1;
    };
    const at = (fraction: number) => started + RUN_MS * fraction;
    const faults: Record<string, { startMs: number; endMs: number }> = {};
    const victim = workers[PROCESSES - 1] as Worker;
    let nextTick = started + TICK_MS;
    const phases: [number, () => Promise<void>][] = [
      [
        at(0.2),
        async () => {
          // Process 4 takes the renewal lock; the token expires; it dies holding the lock.
          victim.send('hold');
          await victim.printed('HOLDING');
          await tick();
          await sleep(1_000);
          const startMs = Date.now();
          await victim.kill('SIGKILL');
          faults['SIGKILL of the lock holder'] = { startMs, endMs: Date.now() };
        },
      ],
      [
        at(0.45),
        async () => {
          const startMs = Date.now();
          const restart = stack.as.restart(4_000);
          await sleep(1_500);
          await tick(); // the token expires while the authorization server is down
          await restart;
          faults['authorization server restart (down 4 s)'] = { startMs, endMs: Date.now() };
        },
      ],
      [
        at(0.7),
        async () => {
          const startMs = Date.now();
          await mcp.close();
          await sleep(500);
          mcp = await startProtectedMcpServer({ ...mcpOptions, port });
          faults['MCP server restart (sessions lost)'] = { startMs, endMs: Date.now() };
        },
      ],
    ];
    while (Date.now() < started + RUN_MS) {
      const due = phases[0];
      if (due && Date.now() >= due[0]) {
        phases.shift();
        await due[1]();
        nextTick = Date.now() + TICK_MS;
        continue;
      }
      if (Date.now() >= nextTick) {
        await tick();
        nextTick = Date.now() + TICK_MS;
      }
      await sleep(50);
    }
    const survivors = workers.slice(0, PROCESSES - 1);
    for (const w of survivors) w.send('stop');
    const results = (await Promise.all(survivors.map((w) => w.printed('RESULT ')))).map(
      (line) => JSON.parse(line.slice('RESULT '.length)) as SoakResult,
    );
    const exits = await Promise.all(survivors.map((w) => w.exited));
    const unclean = exits.filter((e) => e.code !== 0).length;
    const refreshes = stack.as.stats.grants['refresh_token'] ?? 0;
    const grantErrors = JSON.stringify(stack.as.stats.grantErrors);

    // The refresh token survived: a new process calls without signing in.
    const never = refusingHandler();
    const after = toolset(url, {
      flow: 'authorization_code',
      tokenStore: new FileTokenStore({ dir }),
      authorizationHandler: never.handler,
      clock,
    });
    let kept = 0;
    try {
      await after.warmUp();
      kept = text(await after.getTool('echo').invoke({ text: 'after' })) === 'after' && never.opened() === 0 ? 1 : 0;
    } catch {
      kept = 0;
    } finally {
      await after.close();
    }

    const calls = results.reduce((n, r) => n + r.calls, 0);
    const failures: Record<string, number> = {};
    for (const r of results)
      for (const [code, n] of Object.entries(r.failures)) failures[code] = (failures[code] ?? 0) + n;
    const failed = Object.values(failures).reduce((a, b) => a + b, 0);
    const notRetryable = Object.entries(failures)
      .filter(([code]) => !RETRYABLE.has(code))
      .reduce((n, [, k]) => n + k, 0);
    const messages = results.flatMap((r) => r.messages).slice(0, 3);
    const figures: Figure[] = [
      {
        name: `calls failing with a code that is not a retryable fault (auth errors included), ${PROCESSES} processes, ${(RUN_MS / 1000).toFixed(0)} s`,
        value: notRetryable,
        baseline: calls,
        unit: 'calls',
        baselineName: 'calls made',
        target: 0,
        notes: `${calls} calls by ${PROCESSES - 1} surviving processes, ${failed} failed: ${JSON.stringify(failures)}${messages.length ? `; e.g. ${JSON.stringify(messages)}` : ''}`,
      },
      {
        name: 'refresh requests per access-token expiry, across the fleet',
        value: refreshes,
        baseline: expiries,
        unit: 'requests',
        baselineName: `${expiries} expiries`,
        target: 1,
        notes: `token endpoint errors: ${grantErrors}`,
      },
    ];
    const windows = Object.entries(faults);
    for (const [i, [name, window]] of windows.entries()) {
      const untilMs = windows[i + 1]?.[1].startMs ?? Number.POSITIVE_INFINITY;
      const ms = recoveryMs(results, { ...window, untilMs });
      figures.push({
        name: `recovery after ${name}`,
        value: Number.isFinite(ms) ? ms : 60_000,
        baseline: 5_000,
        baselineName: 'target: within 5 s of the fault ending (0: no call failed)',
        target: 1,
        notes: `calls failed during it: ${results.reduce((n, r) => n + r.failedAt.filter((t) => t >= window.startMs && t < untilMs).length, 0)}`,
      });
    }
    figures.push(
      {
        name: 'refresh token kept: a new process calls without signing in',
        value: 1 - kept,
        baseline: 1,
        unit: 'lost',
        baselineName: 'one record',
        target: 0,
      },
      {
        name: 'surviving processes that did not exit cleanly',
        value: unclean,
        baseline: PROCESSES - 1,
        unit: 'processes',
        baselineName: 'surviving processes',
        target: 0,
        notes: exits
          .map((e) => e.stderr.trim())
          .filter(Boolean)
          .join(' | ')
          .slice(0, 300),
      },
    );
    return figures;
  } finally {
    await Promise.all(workers.map((w) => w.kill().catch(() => {})));
    await mcp.close();
    await stack.close();
    temp.cleanup();
  }
}

export const soakSection: Section = {
  title: 'Soak under faults (4 processes, expiries every few seconds, lock holder killed, AS and MCP restarts)',
  run: runSoak,
};
