import { fstatSync } from 'node:fs';
import {
  type AuthorizationHandler,
  type AuthorizationSession,
  OAuthConfig,
  type OAuthConfigOptions,
} from '../auth/config.ts';
import { OAuthError } from '../auth/errors.ts';
import { createDefaultAuthorizationHandler, NON_INTERACTIVE_HINT } from '../auth/interactive/handler.ts';
import { type PasteInput, streamPasteInput } from '../auth/interactive/manual.ts';
import type { InteractionUI } from '../auth/interactive/ui.ts';
import { FileTokenStore } from '../auth/store/file.ts';
import { defaultTokenStoreDir } from '../auth/store/paths.ts';
import type { TokenStore } from '../auth/store/types.ts';
import { findInCauses } from '../core/cause.ts';
import { McptoolError, quote } from '../core/errors.ts';
import { redactUrl } from '../core/redact.ts';
import { OAUTH_OPTIONS, oauthOptionsOf, seeHelp } from './args.ts';
import type { CommandContext } from './context.ts';
import { UsageError } from './errors.ts';
import type { CliIO } from './io.ts';
import { configPathFor, loadConfigFile } from './mcp-servers-file.ts';
import { buildOAuthConfig } from './oauth-options.ts';
import { type StoreWarnings, storeWarnings } from './store-warnings.ts';
import { resolveTarget } from './target.ts';
import { forTerminal } from './terminal.ts';
import { checkTokenStoreDir } from './token-store.ts';

/** The options of `login`, `logout` and `status`: the target, the OAuth options and the token store. */
export const ACCOUNT_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  config: { type: 'string' },
  sse: { type: 'boolean' },
  stdio: { type: 'string' },
  ...OAUTH_OPTIONS,
} as const;

/** The HTTP server whose credentials a command handles. */
export interface AccountTarget {
  url: URL;
  /** How to name it in messages. */
  label: string;
}

/** The one positional `<target>` of an account command (`login`, `logout`, `status`); more is a usage error. */
export function singleTarget(positionals: readonly string[], command: string): string | undefined {
  if (positionals.length > 1) {
    const takes = command === 'status' ? 'at most one' : 'one';
    throw new UsageError(
      `${command} takes ${takes} <target>; unexpected argument ${quote(positionals[1])}; ${seeHelp(command)}`,
    );
  }
  return positionals[0];
}

/**
 * Resolve the `<target>` of `login` / `logout` / `status`: an http(s) URL or an HTTP server of an `mcpServers`
 * config (`--config FILE`). Credentials belong to HTTP servers only, so `--stdio` is a usage error.
 */
export async function resolveAccountTarget(
  values: Record<string, unknown>,
  target: string | undefined,
  io: CliIO,
  command: string,
): Promise<AccountTarget> {
  if (values['stdio'] !== undefined) {
    throw new UsageError(
      `${command}: a stdio server has no sign-in (OAuth applies to HTTP servers); give the server's http(s) URL`,
    );
  }
  const configPath = configPathFor(values['config'], target, io.env);
  const config = configPath === undefined ? undefined : await loadConfigFile(configPath, io.env);
  if (target === undefined) throw new UsageError(`${command} needs a <target>: the server's URL; ${seeHelp(command)}`);
  const spec = resolveTarget({ target, sse: values['sse'] === true, config });
  if (spec.kind === 'stdio') {
    throw new UsageError(
      `${command}: ${quote(spec.label)} is a stdio server, which has no sign-in (OAuth is for HTTP)`,
    );
  }
  return { url: new URL(spec.url), label: redactUrl(spec.url) };
}

/**
 * The token store in use: `--token-store DIR`, else the default `FileTokenStore` directory (`$MCPTOOL_HOME`, else
 * the platform's user data dir), read from the CLI's environment.
 */
export function tokenStoreOf(values: Record<string, unknown>, io: CliIO): FileTokenStore {
  const dir =
    typeof values['token-store'] === 'string'
      ? checkTokenStoreDir(values['token-store'])
      : defaultTokenStoreDir(io.env);
  return new FileTokenStore({ dir, logger: storeLoggerOf(io) });
}

const storeLoggers = new WeakMap<CliIO, StoreWarnings>();

/** The one store logger of a command run (its warnings are said once per run). */
export function storeLoggerOf(io: CliIO): StoreWarnings {
  let logger = storeLoggers.get(io);
  if (!logger) {
    logger = storeWarnings(io);
    storeLoggers.set(io, logger);
  }
  return logger;
}

/** What {@link accountConfig} adds to the OAuth options of the command line. */
export interface AccountConfigExtras {
  store: TokenStore;
  /** `--device`: the device authorization grant (RFC 8628) instead of a redirect. */
  device?: boolean;
  /** How long to wait for the user, in ms. */
  authorizationTimeoutMs?: number;
  /** Give the authorization-code flow the CLI's handler (stderr messages, progress, piped stdin). */
  ctx?: CommandContext;
}

/**
 * The {@link OAuthConfig} of `login` / `logout`: the OAuth options of the command line (validated by
 * `buildOAuthConfig`, errors naming the flag), the token store in use, and for a browser sign-in the CLI's
 * authorization handler (see {@link cliAuthorizationHandler}).
 */
export async function accountConfig(
  values: Record<string, unknown>,
  io: CliIO,
  extras: AccountConfigExtras,
): Promise<OAuthConfig> {
  const cli = oauthOptionsOf(values);
  if (extras.device && cli.noBrowser) {
    throw new UsageError('--device and --no-browser are two different ways to sign in without a browser; pick one');
  }
  // The token store is the one given in `extras` (resolved from --token-store by the command).
  const base = (await buildOAuthConfig({ ...cli, tokenStore: undefined }, { env: io.env })) ?? new OAuthConfig();
  const options: OAuthConfigOptions = { tokenStore: extras.store };
  if (extras.authorizationTimeoutMs !== undefined) options.authorizationTimeoutMs = extras.authorizationTimeoutMs;
  if (extras.device) options.callback = 'device';
  else if (cli.callbackPort !== undefined && !cli.noBrowser) {
    // A fixed port is what a pre-registered redirect URI needs: a busy one is an error naming the port, not a
    // silent switch to paste-back.
    options.callback = 'loopback';
  }
  // Only an authorization-code sign-in gets a handler (a handler also makes `flow: 'auto'` choose that flow).
  if (extras.ctx && base.resolvedFlow === 'authorization_code' && !base.enterprise) {
    const callback = options.callback ?? base.callback;
    options.authorizationHandler = cliAuthorizationHandler(extras.ctx, {
      callback: callback === 'manual' ? 'manual' : callback === 'loopback' ? 'loopback' : 'auto',
      redirect: { ...base.redirect },
      timeoutMs: options.authorizationTimeoutMs ?? base.authorizationTimeoutMs,
    });
  }
  return base.with(options);
}

/**
 * Where pasted redirect URLs come from when stdin is not a terminal: a pipe, a file or a socket is a paste source
 * (`echo "$URL" | mcptool login ... --no-browser`); `/dev/null` and other devices are not, so that a sign-in with
 * nothing to read fails at once with `INTERACTION_REQUIRED`. A terminal is left to the handler (it reads it itself).
 */
export function pasteSourceOf(io: CliIO): PasteInput | undefined {
  const stdin = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean; fd?: number };
  if (stdin.isTTY) return undefined;
  if (stdin === process.stdin) {
    try {
      const stat = fstatSync(0);
      if (!(stat.isFIFO() || stat.isFile() || stat.isSocket())) return undefined;
    } catch {
      return undefined;
    }
  }
  return streamPasteInput(stdin);
}

/**
 * The CLI's authorization handler for the authorization-code flow: the library's default handler (loopback
 * listener + `$BROWSER` / the platform browser, or paste-back) with its messages on the CLI's stderr, the CLI's
 * environment for `$BROWSER` and the display checks, piped stdin as the paste source, and progress ("waiting for
 * the browser", "exchanging the code") on stderr when it is a terminal.
 */
export function cliAuthorizationHandler(
  ctx: CommandContext,
  options: { callback: 'auto' | 'loopback' | 'manual'; redirect: OAuthConfig['redirect']; timeoutMs: number },
): AuthorizationHandler {
  const { io, progress } = ctx;
  const ui: InteractionUI = {
    show(message) {
      progress.done();
      // Messages carry the server's URLs and codes (authorization URL, device user code).
      io.stderr.write(`${forTerminal(message, { multiline: true })}\n`);
    },
    progress(message) {
      progress.update(message);
    },
  };
  const stdin = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  const input = pasteSourceOf(io);
  const inner = createDefaultAuthorizationHandler({
    callback: options.callback,
    redirect: { ...options.redirect },
    timeoutMs: options.timeoutMs,
    env: io.env,
    ui,
    stdinIsTTY: stdin.isTTY === true,
    ...(input !== undefined && { input }),
  });
  return {
    async open(openOptions) {
      const session = await inner.open(openOptions);
      return {
        redirectUri: session.redirectUri,
        async waitForCallback(url, state, waitOptions) {
          const callback = await session.waitForCallback(url, state, waitOptions);
          progress.update('Signed in at the authorization server; exchanging the authorization code for tokens…');
          return callback;
        },
        close: () => session.close(),
      } satisfies AuthorizationSession;
    },
  };
}

/**
 * A sign-in (or sign-out) failed: carries the OAuth error's `code` and keeps it as `cause`, so the CLI exits with 3
 * and the line names the server and the code.
 */
export class AccountCommandError extends McptoolError {
  constructor(action: string, target: AccountTarget, cause: OAuthError) {
    const hint =
      cause.code === 'INTERACTION_REQUIRED' && !cause.message.includes(NON_INTERACTIVE_HINT)
        ? ` ${NON_INTERACTIVE_HINT}`
        : '';
    super(cause.code, `${action} ${target.label} failed (${cause.code}): ${cause.message}${hint}`, { cause });
  }
}

/** Rethrow an `OAuthError` (anywhere in the cause chain) as an {@link AccountCommandError}. */
export function accountError(action: string, target: AccountTarget, error: unknown): unknown {
  const oauthError = findInCauses(error, (e) => (e instanceof OAuthError ? e : undefined));
  return oauthError === undefined ? error : new AccountCommandError(action, target, oauthError);
}
