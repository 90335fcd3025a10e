/**
 * `npm run bench`: each section measures mcptool against a baseline in the same run and prints the figures with
 * the ratio against its target. Sections are added to `SECTIONS` (the OAuth section: bench/sections/oauth.ts; the soak
 * under faults: bench/sections/soak.ts, `BENCH_SOAK_MS`).
 * Environment: `BENCH_CALLS` (default 1000) and `BENCH_WARMUP` (default 100) calls per side, `BENCH_BUDGET_MS`
 * (default 40000) the most time a section spends measuring.
 * Exits 0 whether or not a target is met (it is a report); set `BENCH_STRICT=1` to exit 1 when one is missed.
 */
import { printFigure, type Section } from './report.ts';
import { oauthSection } from './sections/oauth.ts';
import { soakSection } from './sections/soak.ts';
import { toolCallSection } from './sections/tool-call.ts';

const SECTIONS: Section[] = [toolCallSection, oauthSection, soakSection];

const out = (line: string) => process.stdout.write(`${line}\n`);
let allMet = true;
const started = Date.now();
const only = process.env['BENCH_ONLY'];
for (const section of SECTIONS.filter(
  (s) => only === undefined || s.title.toLowerCase().includes(only.toLowerCase()),
)) {
  out(`\n${section.title}`);
  for (const figure of await section.run()) allMet = printFigure(figure, out) && allMet;
}
out(`\n${allMet ? 'All targets met' : 'Some targets missed'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
if (process.env['BENCH_STRICT'] === '1' && !allMet) process.exitCode = 1;
