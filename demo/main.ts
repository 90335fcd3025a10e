/** Entry point of `npm run demo [-- --headless]` (see `command-line.ts`). */
import { demoMain } from './command-line.ts';

process.exitCode = await demoMain(process.argv.slice(2));
