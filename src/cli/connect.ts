import { OAuthConfig } from '../auth/config.ts';
import { FileTokenStore } from '../auth/store/file.ts';
import { defaultTokenStoreDir } from '../auth/store/paths.ts';
import { quote } from '../core/errors.ts';
import { type ServerInfo, SSEServerInfo, StdioServerInfo, StreamableHttpServerInfo } from '../mcp/server-info.ts';
import { accountError, cliAuthorizationHandler, storeLoggerOf } from './account-command.ts';
import { oauthOptionsOf, parseTimeout } from './args.ts';
import type { CommandContext } from './context.ts';
import { UsageError } from './errors.ts';
import type { CliIO } from './io.ts';
import { configPathFor, loadConfigFile } from './mcp-servers-file.ts';
import { buildOAuthConfig, hasOAuthOptions } from './oauth-options.ts';
import { applyCredentialOptions } from './static-credentials.ts';
import { resolveTarget, type TargetSpec } from './target.ts';
import { createTokenStore } from './token-store.ts';
import { parseHeaderOptions, parseTransportMode } from './transport-options.ts';

/** A server the command will talk to, ready to connect. */
export interface PreparedTarget {
  spec: TargetSpec;
  serverInfo: ServerInfo;
  /** `--timeout` in ms, when given. */
  timeoutMs: number | undefined;
  /**
   * Where the static `Authorization` header comes from (e.g. `the "Authorization" header of server "x" in
   * mcp.json`), when one is set and no OAuth option was given: OAuth is then off, and a 401 means the server
   * refused those credentials.
   */
  staticAuthorization?: string | undefined;
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
  const configPath = configPathFor(values['config'], target, io.env);
  const config = configPath === undefined ? undefined : await loadConfigFile(configPath, io.env);
  const mode = parseTransportMode({ transport: str('transport'), sse: values['sse'] === true }, ['http', 'sse']);
  const headers = parseHeaderOptions(values['header'] as string[] | undefined, io.env);
  let spec = resolveTarget({ target, sse: mode === 'sse', stdio: str('stdio'), config });
  if (spec.kind === 'stdio') {
    if (hasOAuthOptions(oauthOptions)) {
      throw new UsageError(`OAuth options apply to HTTP targets only, not to the stdio server ${quote(spec.label)}`);
    }
    if (mode !== undefined || Object.keys(headers).length > 0) {
      throw new UsageError(
        `--transport and --header apply to HTTP targets only, not to the stdio server ${quote(spec.label)}`,
      );
    }
  } else {
    const given = Object.keys(headers).map((name) => [name, `the ${quote(name)} header given with --header`]);
    spec = {
      ...spec,
      ...((mode === 'http' || mode === 'sse') && { kind: mode }),
      headers: { ...spec.headers, ...headers },
      ...(given.length > 0 && { headerSources: { ...spec.headerSources, ...Object.fromEntries(given) } }),
    };
  }
  spec = applyCredentialOptions(spec, values, io.env);
  const storeLogger = storeLoggerOf(io);
  const oauth = await buildOAuthConfig(oauthOptions, {
    env: io.env,
    createTokenStore: (dir) => createTokenStore(dir, storeLogger),
  });
  const staticAuthorization =
    spec.kind !== 'stdio' && oauth === undefined ? authorizationSource(spec, configPath) : undefined;
  if (staticAuthorization !== undefined) {
    // The user chose the credentials: a 401 is their refusal (CREDENTIALS_REFUSED), not a reason to register a
    // client and start a sign-in nobody asked for.
    return { spec, serverInfo: buildServerInfo(spec, false, timeoutMs), timeoutMs, staticAuthorization };
  }
  let withSignIn = oauth;
  if (spec.kind !== 'stdio' && ctx) {
    const config = oauth ?? new OAuthConfig();
    // The default store, with the CLI's logger: a corrupt record or loose permissions are said on stderr.
    const store = config.tokenStore ?? new FileTokenStore({ dir: defaultTokenStoreDir(io.env), logger: storeLogger });
    withSignIn = withCliSignIn(config.tokenStore ? config : config.with({ tokenStore: store }), ctx);
  }
  return { spec, serverInfo: buildServerInfo(spec, withSignIn, timeoutMs), timeoutMs };
}

/** Where the `Authorization` header of an HTTP target comes from, or `undefined` when it has none. */
function authorizationSource(spec: TargetSpec, configPath: string | undefined): string | undefined {
  if (spec.kind === 'stdio') return undefined;
  const name = Object.keys(spec.headers).find((h) => h.toLowerCase() === 'authorization');
  if (name === undefined) return undefined;
  return (
    spec.headerSources?.[name] ??
    (configPath === undefined
      ? `the ${quote(name)} header given on the command line`
      : `the ${quote(name)} header of server ${quote(spec.label)} in ${configPath}`)
  );
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
  oauth: OAuthConfig | false | undefined,
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
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(oauth !== undefined && { oauth }),
  };
  return spec.kind === 'sse' ? new SSEServerInfo(options) : new StreamableHttpServerInfo(options);
}
