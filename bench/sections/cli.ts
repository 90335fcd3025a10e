/**
 * `mcptool` start-up figures, as CPU time (user + system) of the command's own process, measured in that process
 * when it exits (a preload module writes `process.cpuUsage()` to a file), so that neither the bench's own process
 * nor the stdio server the command starts is counted; N runs of each side, interleaved, the median compared:
 * - `mcptool --help` against `node -e 0` (target <= 1.5);
 * - `mcptool tools --stdio "<server-everything>"` against a script listing the same server's tools with the bare
 *   SDK v2 client, bench/list-tools-sdk.mjs (target <= 1.2).
 * The CLI runs from the build (`bin/mcptool.js`, as installed), so run `npm run build` first.
 * Environment: `BENCH_CLI_RUNS` (default 15) runs per side.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Figure, median, type Section } from '../report.ts';

const RUNS = Number(process.env['BENCH_CLI_RUNS'] ?? 15);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/mcptool.js');
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const BASELINE = join(ROOT, 'bench/list-tools-sdk.mjs');
/** Writes this process's CPU time (µs) to `$MCPTOOL_BENCH_CPU_FILE` on exit. */
const PRELOAD = `data:text/javascript,${encodeURIComponent(
  "import{writeFileSync}from'node:fs';process.on('exit',()=>{const u=process.cpuUsage();writeFileSync(process.env.MCPTOOL_BENCH_CPU_FILE,String(u.user+u.system))})",
)}`;

/** Run `node <args>` to the end and return its own CPU time in ms. */
function cpuMs(args: string[], dir: string): number {
  const file = join(dir, 'cpu');
  rmSync(file, { force: true });
  const result = spawnSync(process.execPath, ['--import', PRELOAD, ...args], {
    cwd: ROOT,
    env: { ...process.env, MCPTOOL_BENCH_CPU_FILE: file, MCPTOOL_HOME: dir },
    stdio: 'ignore',
  });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
  return Number(readFileSync(file, 'utf8')) / 1000;
}

function compare(name: string, measured: string[], baseline: string[], baselineName: string, target: number): Figure {
  const dir = mkdtempSync(join(tmpdir(), 'mcptool-bench-cli-'));
  try {
    cpuMs(measured, dir);
    cpuMs(baseline, dir);
    const times = { measured: [] as number[], baseline: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 === 0 ? (['measured', 'baseline'] as const) : (['baseline', 'measured'] as const);
      for (const side of order) times[side].push(cpuMs(side === 'measured' ? measured : baseline, dir));
    }
    return {
      name,
      value: median(times.measured),
      baseline: median(times.baseline),
      baselineName,
      target,
      notes: `median CPU time (user + system) of ${RUNS} interleaved runs per side`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const cliSection: Section = {
  title: 'mcptool start-up (CPU time of the command process)',
  async run() {
    if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('the cli section runs the build: npm run build');
    return [
      compare('mcptool --help', [BIN, '--help'], ['-e', '0'], 'node -e 0', 1.5),
      compare(
        'mcptool tools --stdio <server-everything>',
        [BIN, 'tools', '--stdio', `${process.execPath} ${EVERYTHING} stdio`],
        [BASELINE, process.execPath, EVERYTHING, 'stdio'],
        'bare SDK v2 client listing the same tools (bench/list-tools-sdk.mjs)',
        1.2,
      ),
    ];
  },
};
