import { type CredentialStatus, listCredentials, signIn } from '../../auth/account.ts';
import { epochSeconds } from '../../core/clock.ts';
import { SSEServerInfo, StreamableHttpServerInfo } from '../../mcp/server-info.ts';
import { MCPToolset } from '../../mcp/toolset.ts';
import {
  ACCOUNT_OPTIONS,
  accountConfig,
  accountError,
  resolveAccountTarget,
  singleTarget,
  tokenStoreOf,
} from '../account-command.ts';
import { parseCommandArgs, parseTimeout } from '../args.ts';
import type { Command, CommandContext } from '../context.ts';
import { credentialLines, credentialToJson } from '../credentials.ts';
import { EXIT, UsageError } from '../errors.ts';
import { EXIT_HELP, OAUTH_HELP } from '../help-text.ts';
import { forTerminal } from '../terminal.ts';

const OPTIONS = {
  ...ACCOUNT_OPTIONS,
  device: { type: 'boolean' },
  force: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

/**
 * `mcptool login <target>`: sign in to an HTTP MCP server now (MCP Authorization 2025-11-25) and store the
 * credentials in the token store, so that later commands and programs using the same store need no sign-in.
 */
export const loginCommand: Command = {
  name: 'login',
  summary: 'sign in to a server now and store the credentials',
  usage: `Usage: mcptool login <target> [--device] [--force] [--no-browser] [--json]

Sign in to an MCP server now and store the credentials (client registration, tokens) in the token store, so
that later 'tools' and 'call' commands, and programs using the same store, need no sign-in. The browser opens
on the authorization server's sign-in page ($BROWSER when set, else the system browser; the URL is printed
too) and the answer comes back to a one-time listener on 127.0.0.1. Without a browser (no display, SSH, CI)
the URL is printed and the redirect URL (or the code) is read from stdin. A valid stored login is kept
unless --force is given.

Target:
  <url>                    the http(s) URL of the MCP server
  <name> --config FILE     an HTTP server from an "mcpServers" config file

Options:
  --device                 sign in with the device authorization grant (RFC 8628): a code to enter on
                           another device, no browser or redirect here (when the server offers it)
  --force                  sign in again (a new authorization, not a refresh) even when a valid login is
                           stored; the stored login is replaced only when the new sign-in succeeds
  --timeout SECONDS        how long to wait for the sign-in to finish (default 300)
  --json                   print the stored credential as JSON (as 'mcptool status --json'), with
                           "alreadySignedIn": true when a valid stored login was kept
  -h, --help               show this help

${OAUTH_HELP}

Messages (the URL to open, the device code) and progress go to stderr; the result goes to stdout.
${EXIT_HELP}
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, 'login');
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    const target = await resolveAccountTarget(values, singleTarget(positionals, 'login'), ctx.io, 'login');
    const store = tokenStoreOf(values, ctx.io);
    const timeoutMs = parseTimeout(values.timeout);
    const oauth = await accountConfig(values, ctx.io, {
      store,
      device: values.device === true,
      ...(timeoutMs !== undefined && { authorizationTimeoutMs: timeoutMs }),
      ctx,
    });
    const before = await listCredentials(store, { serverUrl: target.url });
    let credential: CredentialStatus | undefined;
    try {
      // The device flow shows its code and URL through the library's own messages on stderr: no progress line may
      // be left on that line.
      if (values.device !== true) ctx.progress.update(`Signing in to ${target.label}…`);
      credential = await signIn({ serverUrl: target.url, oauth, force: values.force === true });
    } catch (error) {
      ctx.progress.update(`Checking whether ${target.label} needs a sign-in at all…`);
      if (await answersWithoutAuthorization(target.url, values.sse === true)) {
        ctx.progress.done();
        if (values.json) {
          ctx.io.stdout.write(`${JSON.stringify({ server: target.url.href, signInNeeded: false }, null, 2)}\n`);
        } else {
          ctx.io.stdout.write(
            `${target.label} needs no sign-in: it answers without authorization (nothing was stored)\n`,
          );
        }
        return EXIT.OK;
      }
      throw accountError('sign-in to', target, error);
    } finally {
      ctx.progress.done();
    }
    if (credential === undefined) throw new UsageError(`login: OAuth is turned off for ${target.label}`);
    const kept =
      values.force !== true &&
      before.some((c) => c.updatedAt === credential.updatedAt && c.issuer === credential.issuer);
    if (values.json) {
      ctx.io.stdout.write(
        `${JSON.stringify({ ...credentialToJson(credential), tokenStore: store.dir, alreadySignedIn: kept }, null, 2)}\n`,
      );
      return EXIT.OK;
    }
    writeSignedIn(ctx.io.stdout, target.label, credential, store.dir, kept);
    return EXIT.OK;
  },
};

/** The text result: signed in (or already signed in) to `label`, and what is now held in the store at `dir`. */
function writeSignedIn(
  out: CommandContext['io']['stdout'],
  label: string,
  credential: CredentialStatus,
  dir: string,
  kept: boolean,
): void {
  const shown = forTerminal(label);
  out.write(
    `${kept ? `Already signed in to ${shown} (use --force to sign in again)` : `Signed in to ${shown}`}\n` +
      `${credentialLines(credential, epochSeconds(), [['stored in', dir]])}\n`,
  );
}

/**
 * Whether the MCP server answers `initialize` and `tools/list` with no credentials at all (OAuth off): then a
 * failed sign-in means there was nothing to sign in to, not a broken authorization server.
 */
async function answersWithoutAuthorization(url: URL, sse: boolean): Promise<boolean> {
  const options = { url: url.href, oauth: false as const, maxRetries: 0 };
  const serverInfo = sse ? new SSEServerInfo(options) : new StreamableHttpServerInfo(options);
  const toolset = new MCPToolset({ serverInfo, connectionTimeoutMs: 15_000, invocationTimeoutMs: 15_000 });
  try {
    await toolset.warmUp();
    return true;
  } catch {
    return false;
  } finally {
    await toolset.close();
  }
}
