#!/usr/bin/env node
// The `mcptool` command. The CLI is compiled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
import { useEnvironmentProxy } from '../dist/cli/env-proxy.js';
import { exitCleanlyOnSignals, main } from '../dist/cli/main.js';

exitCleanlyOnSignals();
// HTTPS_PROXY / HTTP_PROXY / NO_PROXY, which Node's fetch ignores (src/cli/env-proxy.ts).
await useEnvironmentProxy(process.env);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`mcptool: ${error?.message ?? error}\n`);
    process.exitCode = 1;
  },
);
