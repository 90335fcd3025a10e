import { releaseHeldLockFilesSync } from '../auth/store/file.ts';
import { urlSecrets } from '../core/redact.ts';
import { callCommand } from './commands/call.ts';
import { completionCommand } from './commands/completion.ts';
import { generalUsage, helpCommand } from './commands/help.ts';
import { loginCommand } from './commands/login.ts';
import { logoutCommand } from './commands/logout.ts';
import { proxyCommand } from './commands/proxy.ts';
import { serversCommand } from './commands/servers.ts';
import { statusCommand } from './commands/status.ts';
import { toolsCommand } from './commands/tools.ts';
import type { Command } from './context.ts';
import { EXIT, UsageError } from './errors.ts';
import { errorLine, exitCodeFor } from './exit-codes.ts';
import { type CliIO, processIO } from './io.ts';
import { createProgress } from './progress.ts';
import { didYouMean } from './suggest.ts';
import { VERSION } from './version.ts';

/** The commands of `mcptool`, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  toolsCommand,
  callCommand,
  loginCommand,
  logoutCommand,
  statusCommand,
  proxyCommand,
  serversCommand,
  completionCommand,
];

/**
 * Run the `mcptool` command line (ARCHITECTURE.md, "CLI") with `argv` (the arguments after the program name) and
 * resolve to its exit code: 0 ok, 1 the tool reported an error, 2 usage, 3 authorization failed,
 * 4 connection failed. It never rejects and never calls `process.exit`: errors become one line on `stderr`.
 * `io` defaults to the process streams and environment.
 *
 * @example
 * process.exitCode = await main(['tools', '--stdio', 'node server.js', '--json']);
 */
export async function main(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const fullIO: CliIO = { ...processIO(), ...io };
  const progress = createProgress(fullIO.stderr);
  const ctx = { io: fullIO, progress };
  const all = [...COMMANDS, helpCommand(COMMANDS)];
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      fullIO.stderr.write(generalUsage(COMMANDS));
      return EXIT.USAGE;
    }
    if (name === '--help' || name === '-h') return await helpCommand(COMMANDS).run([], ctx);
    if (name === '--version' || name === '-V') {
      fullIO.stdout.write(`mcptool ${VERSION}\n`);
      return EXIT.OK;
    }
    const command = all.find((c) => c.name === name);
    if (command === undefined && name === 'demo') {
      // The demo and its servers are devDependencies, outside the published package.
      throw new UsageError(
        "the demo is not part of the package: from a clone of the repository, run 'npm ci && npm run demo'",
      );
    }
    if (command === undefined) {
      const names = all.map((c) => c.name);
      throw new UsageError(
        name.startsWith('-')
          ? `the command comes first, e.g. 'mcptool tools <target> ${name}'; commands: ${COMMANDS.map((c) => c.name).join(', ')}`
          : `unknown command ${JSON.stringify(name)}${didYouMean(name, names, (n) => `'mcptool ${n}'`)}; commands: ${COMMANDS.map((c) => c.name).join(', ')} (see 'mcptool --help')`,
      );
    }
    return await command.run(rest, ctx);
  } catch (error) {
    progress.done();
    // A server may quote the request back: values of URLs given on the command line never reach the terminal.
    fullIO.stderr.write(errorLine(error, argv.flatMap(urlSecrets)));
    return exitCodeFor(error);
  }
}

/**
 * For the `mcptool` process only (not for `main` run inside another program): on Ctrl-C (SIGINT) or SIGTERM, delete
 * the token-store lock files this process holds (a sign-in in progress holds one), clear the progress line and
 * exit with 128 + the signal number, as a shell expects.
 */
export function exitCleanlyOnSignals(): void {
  for (const [signal, number] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
  ] as const) {
    process.on(signal, function onSignal() {
      // A command that stops on its own terms (the proxy closes its remote session first) has its own listener.
      if (process.listeners(signal).some((listener) => listener !== onSignal)) return;
      releaseHeldLockFilesSync();
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
      process.exit(128 + number);
    });
  }
}
