/** Entry point of `npm run demo [-- --headless]` (see `command-line.ts`). */

// oidc-provider warns when it is imported on Node 20 that its supported runtime is Node 22; the demo is run on
// Node 20 by CI, so that one line would only alarm a newcomer. Every other warning shows.
const consoleWarn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
  consoleWarn(...args);
};
const { demoMain } = await import('./command-line.ts');
console.warn = consoleWarn;

// Ctrl-C, SIGTERM or a closed stdout pipe end the demo through `process.exit`, so that its `exit` listener removes
// the temporary token store (the default handling would end the process without running it).
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));
process.stdout.on('error', () => process.exit(141));

process.exitCode = await demoMain(process.argv.slice(2));
