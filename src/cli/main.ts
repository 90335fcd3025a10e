import { releaseHeldLockFilesSync } from '../auth/store/held-lock-files.ts';
import { urlSecrets } from '../core/redact.ts';
import { generalUsage, helpCommand } from './commands/help.ts';
import type { CommandEntry } from './context.ts';
import { EXIT, UsageError } from './errors.ts';
import { errorLine, exitCodeFor } from './exit-codes.ts';
import { type CliIO, processIO } from './io.ts';
import { createProgress } from './progress.ts';
import { didYouMean } from './suggest.ts';
import { VERSION } from './version.ts';

/**
 * The commands of `mcptool`, in the order `--help` lists them. Each command's module is imported only when it runs
 * (or its help is shown), so that `--help`, `--version` and a usage error load neither the MCP SDK nor the OAuth
 * client. The summaries are the commands' own (a unit test holds them equal).
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'tools',
    summary: 'list the tools of an MCP server',
    load: async () => (await import('./commands/tools.ts')).toolsCommand,
  },
  {
    name: 'call',
    summary: 'call a tool and print its result',
    load: async () => (await import('./commands/call.ts')).callCommand,
  },
  {
    name: 'login',
    summary: 'sign in to a server now and store the credentials',
    load: async () => (await import('./commands/login.ts')).loginCommand,
  },
  {
    name: 'logout',
    summary: 'forget the stored credentials of a server (revoking them where supported)',
    load: async () => (await import('./commands/logout.ts')).logoutCommand,
  },
  {
    name: 'status',
    summary: 'show what is stored: issuer, client id, scopes, expiry (never a secret)',
    load: async () => (await import('./commands/status.ts')).statusCommand,
  },
  {
    name: 'proxy',
    summary: 'a stdio MCP server forwarding everything to a remote server (for desktop clients)',
    load: async () => (await import('./commands/proxy.ts')).proxyCommand,
  },
  {
    name: 'servers',
    summary: 'list the servers of a config file (default ~/.config/mcptool/mcp.json)',
    load: async () => (await import('./commands/servers.ts')).serversCommand,
  },
  {
    name: 'completion',
    summary: 'print a shell completion script: bash, zsh or fish',
    load: async () => (await import('./commands/completion.ts')).completionCommand,
  },
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
  const help = helpCommand(COMMANDS);
  const all: CommandEntry[] = [...COMMANDS, { name: help.name, summary: help.summary, load: async () => help }];
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      fullIO.stderr.write(generalUsage(COMMANDS));
      return EXIT.USAGE;
    }
    if (name === '--help' || name === '-h') return await help.run([], ctx);
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
    return await (await command.load()).run(rest, ctx);
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
