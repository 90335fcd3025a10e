/**
 * One process of the soak (bench/sections/soak.ts), run as `node --import tsx bench/soak-worker.ts <spec-json>`:
 * a toolset on `spec.url` with the shared `FileTokenStore` and test clock, `concurrency` loops of sequential `echo`
 * calls (each call counted; the loops stop at `maxCalls` calls, at `maxMs`, or on the `stop` line). Prints `READY`
 * once warmed up; on the `hold` line takes the store's renewal lock and prints `HOLDING` (to be SIGKILLed holding
 * it); after `stop`, prints `RESULT <json>`: calls, failures by code, the clock times of successes after a failure
 * (for recovery times), and exits 0.
 */
import { createInterface } from 'node:readline';
import {
  FileTokenStore,
  MCPToolset,
  OAuthConfig,
  StreamableHttpServerInfo,
  type TokenRecordKey,
} from '../src/index.ts';
import { TestClock } from '../test/fixtures/test-clock.ts';

export interface SoakWorkerSpec {
  dir: string;
  url: string;
  clockFile: string;
  key: TokenRecordKey;
  concurrency: number;
  maxCalls: number;
  maxMs: number;
}

export interface SoakResult {
  calls: number;
  ok: number;
  failures: Record<string, number>;
  /** Real times (ms since the epoch) of every failure, and of the first success after each run of failures. */
  failedAt: number[];
  recoveredAt: number[];
  messages: string[];
}

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as SoakWorkerSpec;
  const store = new FileTokenStore({ dir: spec.dir });
  const oauth = new OAuthConfig({
    flow: 'authorization_code',
    tokenStore: store,
    clock: new TestClock({ file: spec.clockFile, sleep: 'real' }),
    requestTimeoutMs: 5_000,
    authorizationHandler: {
      async open() {
        throw new Error('a soak process must never start an interactive sign-in');
      },
    },
  });
  const toolset = new MCPToolset({
    serverInfo: new StreamableHttpServerInfo({
      url: spec.url,
      oauth,
      timeoutMs: 10_000,
      baseDelayMs: 50,
      maxDelayMs: 500,
    }),
  });
  const result: SoakResult = { calls: 0, ok: 0, failures: {}, failedAt: [], recoveredAt: [], messages: [] };
  let stopped = false;
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line === 'stop') stopped = true;
    if (line === 'hold') {
      void store.lock(spec.key, 'tokens', { ttlMs: 60_000 }).then(() => out('HOLDING'));
    }
  });
  await toolset.warmUp();
  out('READY');
  const deadline = Date.now() + spec.maxMs;
  let failing = false;
  const loop = async (n: number) => {
    for (let i = 0; !stopped && Date.now() < deadline && result.calls < spec.maxCalls; i++) {
      result.calls += 1;
      const text = `s${process.pid}-${n}-${i}`;
      try {
        const answer = await toolset.getTool('echo').invoke({ text });
        const got = (answer.content[0] as { text?: string } | undefined)?.text;
        if (got !== text || answer.isError)
          throw Object.assign(new Error('unexpected answer'), { code: 'WRONG_ANSWER' });
        result.ok += 1;
        if (failing) {
          failing = false;
          result.recoveredAt.push(Date.now());
        }
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'UNKNOWN';
        result.failures[code] = (result.failures[code] ?? 0) + 1;
        result.failedAt.push(Date.now());
        if (result.messages.length < 5) result.messages.push(`${code} ${(error as Error).message}`.slice(0, 300));
        failing = true;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, (_, n) => loop(n)));
  // Wait for the stop line, so the parent reads the result at the end of the run.
  while (!stopped) await new Promise((resolve) => setTimeout(resolve, 50));
  out(`RESULT ${JSON.stringify(result)}`);
  rl.close();
  await toolset.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `soak worker failed: ${(error as { code?: string }).code ?? ''} ${(error as Error)?.message}\n`,
    );
    process.exit(1);
  },
);
