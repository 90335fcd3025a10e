#!/usr/bin/env node
// The `mcptool` command. The CLI is compiled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
import { exitCleanlyOnSignals, main } from '../dist/cli/main.js';

exitCleanlyOnSignals();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`mcptool: ${error?.message ?? error}\n`);
    process.exitCode = 1;
  },
);
