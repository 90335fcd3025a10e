/**
 * Runs the CLI from the sources (`node --import tsx src/cli/run.ts ...`), as `bin/mcptool.js` runs the build.
 * Tests spawn this so that they need no `npm run build`.
 */
import { exitCleanlyOnSignals, main } from './main.ts';

exitCleanlyOnSignals();
process.exitCode = await main(process.argv.slice(2));
