import { quote } from '../core/errors.ts';
import { OAuthConfig, type ServerInfo, SSEServerInfo, StdioServerInfo, StreamableHttpServerInfo } from '../index.ts';
import { accountError, cliAuthorizationHandler } from './account.ts';
import { oauthOptionsOf, parseTimeout } from './args.ts';
import { loadConfigFile } from './config.ts';
import type { CommandContext } from './context.ts';
import { UsageError } from './errors.ts';
import type { CliIO } from './io.ts';
import { buildOAuthConfig, hasOAuthOptions } from './oauth-options.ts';
import { resolveTarget, type TargetSpec } from './target.ts';
import { createTokenStore } from './token-store.ts';

/** A server the command will talk to, ready to connect. */
export interface PreparedTarget {
  spec: TargetSpec;
  serverInfo: ServerInfo;
  /** `--timeout` in ms, when given. */
  timeoutMs: number | undefined;
}

/**
 * Turn the parsed command line into a server info: resolve the target (URL, `--sse`, `--stdio`, `--config` name),
 * map the OAuth options (HTTP targets only) and `--timeout`. Every problem is a `UsageError`.
 */
export async function prepareTarget(
  values: Record<string, unknown>,
  target: string | undefined,
  io: CliIO,
  ctx?: CommandContext,
): Promise<PreparedTarget> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const timeoutMs = parseTimeout(str('timeout'));
  const oauthOptions = oauthOptionsOf(values);
  const configPath = str('config');
  const config = configPath === undefined ? undefined : await loadConfigFile(configPath, io.env);
  const spec = resolveTarget({ target, sse: values['sse'] === true, stdio: str('stdio'), config });
  if (spec.kind === 'stdio' && hasOAuthOptions(oauthOptions)) {
    throw new UsageError(`OAuth options apply to HTTP targets only, not to the stdio server ${quote(spec.label)}`);
  }
  let oauth = await buildOAuthConfig(oauthOptions, { env: io.env, createTokenStore });
  if (spec.kind !== 'stdio' && ctx) oauth = withCliSignIn(oauth ?? new OAuthConfig(), ctx);
  return { spec, serverInfo: buildServerInfo(spec, oauth, timeoutMs), timeoutMs };
}

/**
 * The error of a command on a prepared target, with a failed sign-in (an `OAuthError` anywhere in the cause chain)
 * as the one line every command prints for it: `sign-in to <url> failed (<CODE>): <message>` (exit 3).
 */
export function signInError(prepared: PreparedTarget, error: unknown): unknown {
  const spec = prepared.spec;
  if (spec.kind === 'stdio') return error;
  return accountError('sign-in to', { url: new URL(spec.url), label: spec.label }, error);
}

/**
 * A browser sign-in that a 401 may start shows its URL and progress through the command's stderr and progress line,
 * and takes a pasted redirect URL from piped stdin with `--no-browser`, as `mcptool login` does. Other flows (client
 * credentials, device, enterprise) and an explicit handler are left as they are.
 */
function withCliSignIn(config: OAuthConfig, ctx: CommandContext): OAuthConfig {
  if (config.resolvedFlow !== 'authorization_code' || config.enterprise || config.callback === 'device') return config;
  if (config.authorizationHandler !== undefined) return config;
  const callback =
    config.callback === 'manual'
      ? 'manual'
      : config.callback === 'loopback' || config.redirect.port !== 0
        ? 'loopback'
        : 'auto';
  return config.with({
    authorizationHandler: cliAuthorizationHandler(ctx, {
      callback,
      redirect: config.redirect,
      timeoutMs: config.authorizationTimeoutMs,
    }),
  });
}

function buildServerInfo(
  spec: TargetSpec,
  oauth: Awaited<ReturnType<typeof buildOAuthConfig>>,
  timeoutMs: number | undefined,
): ServerInfo {
  if (spec.kind === 'stdio') {
    return new StdioServerInfo({
      command: spec.command,
      args: spec.args,
      ...(spec.env !== undefined && { env: spec.env }),
      ...(spec.cwd !== undefined && { cwd: spec.cwd }),
    });
  }
  const options = {
    url: spec.url,
    ...(Object.keys(spec.headers).length > 0 && { headers: spec.headers }),
    ...(timeoutMs !== undefined && { timeout: timeoutMs }),
    ...(oauth !== undefined && { oauth }),
  };
  return spec.kind === 'sse' ? new SSEServerInfo(options) : new StreamableHttpServerInfo(options);
}
