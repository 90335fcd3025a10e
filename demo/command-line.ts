/**
 * The demo's command line, `npm run demo [-- --headless]` (run from a clone: the demo and its servers are not part
 * of the published package). Chooses browser or headless mode, shows a one-line progress on stderr when it is a
 * terminal, and narrates the run on stdout.
 */
import { parseArgs } from 'node:util';
import { canOpenBrowser } from '../src/auth/interactive/browser.ts';
import { runDemo } from './run-demo.ts';

/** The help text of `npm run demo -- --help`. */
export const USAGE = `Usage: npm run demo [-- --headless]

Starts on 127.0.0.1 a real OAuth 2.1 authorization server (oidc-provider) and an MCP server that requires
its tokens, then uses mcptool as any program would: the 401, discovery, client registration, the sign-in,
the tokens in a temporary token store, a tool call, and a second run on the same store that needs no
authorization server at all. Each step is shown with the requests it made and the time it took.

Options:
  --headless   no browser and no input: the authorization server approves at once and the demo follows
               its redirects itself (for CI)
  -h, --help   show this help

Without --headless, the consent page opens in your browser ($BROWSER when set, else the system browser)
and you click Approve. When the output is not a terminal or no browser can be opened (no display, an SSH
session, CI=true), the demo says so and runs headless. Run it from a clone of the repository after 'npm ci'
(its servers are devDependencies).
`;

/** Exit codes of the demo: as the CLI's (0 done, 1 failed, 2 wrong arguments). */
export const DEMO_EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/** Why the demo cannot run in browser mode here, or `undefined` when it can. */
export function whyHeadless(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): string | undefined {
  if (!stdoutIsTTY) return 'the output is not a terminal (nobody may be there to click Approve)';
  if (!canOpenBrowser(env)) return 'no browser can be opened here (no display, an SSH session or CI)';
  return undefined;
}

/** The streams and environment the demo runs with (the process's by default). */
export interface DemoIO {
  stdout: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;
  stderr: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;
  env: NodeJS.ProcessEnv;
}

/** A one-line status on `stream` when it is a terminal (stdout keeps the narration only); a no-op otherwise. */
function progressLine(stream: DemoIO['stderr']): (message: string | undefined) => void {
  if (!stream.isTTY) return () => {};
  let shown = false;
  return (message) => {
    if (message === undefined) {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
      return;
    }
    stream.write(`\r\x1b[2K${message}`);
    shown = true;
  };
}

/**
 * Run the demo with the arguments after `npm run demo --` and resolve with the exit code (see {@link DEMO_EXIT}).
 * It never rejects: a failure becomes one line on stderr.
 */
export async function demoMain(argv: string[], io: DemoIO = process): Promise<number> {
  let headless: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, headless: { type: 'boolean' } },
      allowPositionals: false,
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return DEMO_EXIT.OK;
    }
    headless = values.headless === true;
  } catch (error) {
    io.stderr.write(`npm run demo: ${(error as Error).message}; see 'npm run demo -- --help'\n`);
    return DEMO_EXIT.USAGE;
  }
  if (!headless) {
    const why = whyHeadless(io.env, io.stdout.isTTY === true);
    if (why !== undefined) {
      io.stderr.write(`npm run demo: running headless because ${why}; pass --headless to say so.\n`);
      headless = true;
    }
  }
  const progress = progressLine(io.stderr);
  try {
    await runDemo({
      mode: headless ? 'headless' : 'browser',
      write: (text) => {
        progress(undefined);
        io.stdout.write(text);
      },
      progress,
      env: io.env,
    });
    return DEMO_EXIT.OK;
  } catch (error) {
    progress(undefined);
    const code = (error as { code?: unknown }).code;
    io.stderr.write(
      `npm run demo: ${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`,
    );
    return DEMO_EXIT.FAILED;
  } finally {
    progress(undefined);
  }
}
