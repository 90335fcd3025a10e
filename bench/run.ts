/**
 * `npm run bench`: each section measures mcptool against a baseline in the same run and prints the figures with
 * the ratio against its target. Sections are added to `SECTIONS` (the OAuth section: bench/sections/oauth.ts; the proxy:
 * bench/sections/proxy.ts; CLI start-up: bench/sections/cli.ts; the soak under faults: bench/sections/soak.ts, its length `BENCH_SOAK_MS`).
 * Environment: `BENCH_CALLS` (default 1000) and `BENCH_WARMUP` (default 100) calls per side, `BENCH_BUDGET_MS`
 * (default 40000) the most time a section spends measuring.
 * `BENCH_SECTIONS=proxy,oauth` runs only the sections whose file names are listed.
 * Exits 0 whether or not a target is met (it is a report); set `BENCH_STRICT=1` to exit 1 when one is missed.
 */
import { printFigure, type Section } from './report.ts';
import { cliSection } from './sections/cli.ts';
import { oauthSection } from './sections/oauth.ts';
import { proxySection } from './sections/proxy.ts';
import { soakSection } from './sections/soak.ts';
import { toolCallSection } from './sections/tool-call.ts';

/** Each section by the name `BENCH_SECTIONS` selects it with (its file name). */
const SECTIONS: [string, Section][] = [
  ['tool-call', toolCallSection],
  ['oauth', oauthSection],
  ['proxy', proxySection],
  ['soak', soakSection],
  ['cli', cliSection],
];

const out = (line: string) => process.stdout.write(`${line}\n`);
let allMet = true;
const started = Date.now();
const only = process.env['BENCH_SECTIONS']?.split(',').map((s) => s.trim());
for (const [, section] of SECTIONS.filter(([name]) => !only || only.includes(name))) {
  out(`\n${section.title}`);
  for (const figure of await section.run()) allMet = printFigure(figure, out) && allMet;
}
out(`\n${allMet ? 'All targets met' : 'Some targets missed'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
if (process.env['BENCH_STRICT'] === '1' && !allMet) process.exitCode = 1;
