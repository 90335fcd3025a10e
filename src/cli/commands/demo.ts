import { canOpenBrowser } from '../../auth/interactive/browser.ts';
import { parseCommandArgs } from '../args.ts';
import type { Command } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';

/** Why the demo cannot run in browser mode here, or `undefined` when it can. */
export function whyHeadless(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): string | undefined {
  if (!stdoutIsTTY) return 'the output is not a terminal (nobody may be there to click Approve)';
  if (!canOpenBrowser(env)) return 'no browser can be opened here (no display, an SSH session or CI)';
  return undefined;
}

/** Whether an import failed because a package is not installed (the demo's servers are devDependencies). */
function isMissingPackage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * `mcptool demo [--headless]`: the embedded OAuth demo (see `src/demo/demo.ts`). Without `--headless` the consent
 * page opens in the user's browser; when that cannot work (stdout not a terminal, or no browser: no display, SSH,
 * CI) the demo says why on stderr and runs headless.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the OAuth demo: local authorization server + protected MCP server + full sign-in',
  usage: `Usage: mcptool demo [--headless]

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
session, CI=true), the demo says so and runs headless. Needs the repository's devDependencies
(oidc-provider, @modelcontextprotocol/server): run it from a clone after 'npm ci'.
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { help: { type: 'boolean', short: 'h' }, headless: { type: 'boolean' } },
      'demo',
    );
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    if (positionals.length > 0) throw new UsageError(`demo takes no arguments; see 'mcptool demo --help'`);
    let headless = values.headless === true;
    if (!headless) {
      const why = whyHeadless(ctx.io.env, ctx.io.stdout.isTTY === true);
      if (why !== undefined) {
        ctx.io.stderr.write(`mcptool demo: running headless because ${why}; pass --headless to say so.\n`);
        headless = true;
      }
    }
    let runDemo: typeof import('../../demo/demo.ts').runDemo;
    try {
      ({ runDemo } = await import('../../demo/demo.ts'));
    } catch (error) {
      if (!isMissingPackage(error)) throw error;
      throw new UsageError(
        "the demo needs the repository's devDependencies (oidc-provider, @modelcontextprotocol/server); run it from a clone after 'npm ci'",
        { cause: error },
      );
    }
    try {
      await runDemo({
        mode: headless ? 'headless' : 'browser',
        write: (text) => {
          ctx.progress.done();
          ctx.io.stdout.write(text);
        },
        progress: (message) => (message === undefined ? ctx.progress.done() : ctx.progress.update(message)),
        env: ctx.io.env,
      });
    } catch (error) {
      if (isMissingPackage(error)) {
        throw new UsageError(
          "the demo needs the repository's devDependencies (oidc-provider, @modelcontextprotocol/server); run it from a clone after 'npm ci'",
          { cause: error },
        );
      }
      throw error;
    } finally {
      ctx.progress.done();
    }
    return EXIT.OK;
  },
};
