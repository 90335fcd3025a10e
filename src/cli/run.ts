/**
 * Runs the CLI from the sources (`node --import tsx src/cli/run.ts ...`), as `bin/mcptool.js` runs the build.
 * Tests spawn this so that they need no `npm run build`.
 */
import { useEnvironmentProxy } from './env-proxy.ts';
import { exitCleanlyOnSignals, main } from './main.ts';

exitCleanlyOnSignals();
await useEnvironmentProxy(process.env);
process.exitCode = await main(process.argv.slice(2));
