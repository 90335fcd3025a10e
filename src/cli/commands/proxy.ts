import { closeSync, createReadStream, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { AuthorizationHandler, OAuthConfig } from '../../auth/config.ts';
import { createDefaultAuthorizationHandler } from '../../auth/interactive/handler.ts';
import { streamPasteInput } from '../../auth/interactive/manual.ts';
import { quote } from '../../core/errors.ts';
import { Relay } from '../../mcp/proxy/relay.ts';
import { RemoteConnection, type RemoteTransportMode } from '../../mcp/proxy/remote.ts';
import { StdioChannel } from '../../mcp/proxy/stdio-channel.ts';
import { StreamableHttpServerInfo } from '../../mcp/server-info.ts';
import { accountConfig, tokenStoreOf } from '../account-command.ts';
import { OAUTH_OPTIONS, parseCommandArgs, parseTimeout, seeHelp } from '../args.ts';
import type { Command, CommandContext } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';
import { OAUTH_HELP } from '../help-text.ts';
import { loadConfigFile } from '../mcp-servers-file.ts';
import { resolveTarget } from '../target.ts';
import { parseHeaderOptions, parseTransportMode, TRANSPORT_HELP, TRANSPORT_OPTIONS } from '../transport-options.ts';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  timeout: { type: 'string' },
  sse: { type: 'boolean' },
  stdio: { type: 'string' },
  config: { type: 'string' },
  device: { type: 'boolean' },
  ...TRANSPORT_OPTIONS,
  ...OAUTH_OPTIONS,
} as const;

/**
 * `mcptool proxy <target>`: a stdio MCP server that forwards every message to a remote HTTP MCP server, for the
 * desktop clients that start servers from a config file. stdout carries MCP messages only; messages for people go
 * to stderr.
 */
export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'a stdio MCP server forwarding everything to a remote server (for desktop clients)',
  usage: `Usage: mcptool proxy <target> [--transport http-first|sse-first|http|sse] [--header 'Name: \${ENV}']
                     [OAuth options] [--device]

Bridge a desktop MCP client (it starts this command and speaks stdio) to a remote MCP server over HTTP.
Every message is forwarded both ways unchanged: tools, resources, prompts, completion, logging, progress,
cancellation, and the server's requests to the client (sampling, elicitation, roots). stdout carries only MCP
messages; everything for people goes to stderr. A lost remote session is reopened with backoff.

Sign-in uses mcptool's OAuth client and token store: a login stored by 'mcptool login <target>' is used as
is; else the first request opens the browser (the redirect comes back to a loopback port chosen per sign-in).
Several proxies of the same server sign in once and refresh once. Without a browser: --device (a code to
enter on another device), or --no-browser with the redirect URL pasted on the terminal (/dev/tty).
The proxy stops, ending the remote session, when the client closes stdin, or on SIGTERM or SIGINT.

Target:
  <url>                    the remote server's http(s) URL
  <url> --sse              the same as --transport sse
  <name> --config FILE     an HTTP server of an "mcpServers" config file

${TRANSPORT_HELP}

Options:
  --timeout SECONDS        how long a new remote session's handshake may take (default 30)
  --device                 sign in with the device authorization grant (RFC 8628) when a sign-in is needed
  -h, --help               show this help

${OAUTH_HELP}

Desktop client config (Claude Desktop, Cursor; see the README for VS Code):
  { "mcpServers": { "example": { "command": "npx",
      "args": ["-y", "mcptool", "proxy", "https://server.example/mcp"] } } }

Exit codes: 0 stopped (stdin closed or a signal), 2 usage, 3 authorization failed, 4 connection failed.
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, 'proxy');
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    const plan = await planProxy(values, positionals, ctx.io.env);
    const terminal = values['no-browser'] === true ? openTerminal() : undefined;
    try {
      const oauth = await proxyOAuth(values, ctx, terminal);
      const serverInfo = new StreamableHttpServerInfo({
        url: plan.url,
        headers: plan.headers,
        oauth,
        ...(plan.timeoutMs !== undefined && { timeoutMs: plan.timeoutMs }),
      });
      return await relayUntilEnd(new RemoteConnection({ serverInfo, mode: plan.mode }), ctx);
    } finally {
      ctx.progress.done();
      terminal?.destroy();
    }
  },
};

type StdioChannelOutput = ConstructorParameters<typeof StdioChannel>[0]['output'];

type ProxyValues = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

/** What the proxy connects to, from the arguments; checked before anything is opened. */
interface ProxyPlan {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number | undefined;
  mode: RemoteTransportMode;
}

/** Check the arguments and resolve the target to a remote HTTP server (a stdio server is refused). */
async function planProxy(
  values: ProxyValues,
  positionals: string[],
  env: CommandContext['io']['env'],
): Promise<ProxyPlan> {
  if (values.stdio !== undefined) {
    throw new UsageError(
      'proxy bridges to a remote HTTP server; a desktop client starts a stdio server itself, without mcptool',
    );
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? `proxy needs a <target>: the remote server's URL; ${seeHelp('proxy')}`
        : `proxy takes one <target>; unexpected argument ${quote(positionals[1])}; ${seeHelp('proxy')}`,
    );
  }
  const timeoutMs = parseTimeout(values.timeout);
  const headers = parseHeaderOptions(values.header, env);
  const config = values.config === undefined ? undefined : await loadConfigFile(values.config, env);
  const spec = resolveTarget({ target: positionals[0], sse: values.sse === true, config });
  if (spec.kind === 'stdio') {
    throw new UsageError(
      `proxy: ${quote(spec.label)} is a stdio server; a desktop client can start it itself (proxy is for HTTP servers)`,
    );
  }
  const mode =
    parseTransportMode({ transport: values.transport, sse: values.sse }) ??
    (spec.kind === 'sse' ? 'sse' : 'http-first');
  return { url: spec.url, headers: { ...spec.headers, ...headers }, timeoutMs, mode };
}

/** The account's OAuth config; a browser sign-in reports on stderr and reads a pasted URL from the terminal. */
async function proxyOAuth(
  values: ProxyValues,
  ctx: CommandContext,
  terminal: Readable | undefined,
): Promise<OAuthConfig> {
  const oauth = await accountConfig(values, ctx.io, {
    store: tokenStoreOf(values, ctx.io),
    device: values.device === true,
  });
  if (oauth.resolvedFlow === 'authorization_code' && !oauth.enterprise && oauth.callback !== 'device') {
    return oauth.with({ authorizationHandler: proxySignInHandler(oauth, ctx, terminal) });
  }
  return oauth;
}

/** Relay stdio to `remote` until stdin closes or SIGTERM/SIGINT; a failed relay is thrown. */
async function relayUntilEnd(remote: RemoteConnection, ctx: CommandContext): Promise<number> {
  const relay = new Relay({
    local: new StdioChannel({ input: ctx.io.stdin, output: ctx.io.stdout as StdioChannelOutput }),
    remote,
    report: (line) => {
      ctx.progress.done();
      ctx.io.stderr.write(`mcptool proxy: ${line}\n`);
    },
  });
  const stop = () => void relay.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const end = await relay.run();
    if (end.reason === 'failed') throw end.error;
    return EXIT.OK;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

/**
 * The browser sign-in of the proxy: the library's default handler (loopback listener + `$BROWSER` or the system
 * browser) with its messages on stderr. stdin is the MCP channel, so a pasted redirect URL (`--no-browser`, or no
 * browser here) can only come from the controlling terminal; without one, the sign-in fails at once with
 * `INTERACTION_REQUIRED` and the ways that work (`mcptool login`, `--device`, client credentials).
 */
function proxySignInHandler(
  config: OAuthConfig,
  ctx: CommandContext,
  terminal: Readable | undefined,
): AuthorizationHandler {
  return createDefaultAuthorizationHandler({
    callback: config.callback === 'manual' ? 'manual' : config.callback === 'loopback' ? 'loopback' : 'auto',
    redirect: { ...config.redirect },
    timeoutMs: config.authorizationTimeoutMs,
    env: ctx.io.env,
    ui: {
      show(message) {
        ctx.progress.done();
        ctx.io.stderr.write(`${message}\n`);
      },
      progress(message) {
        ctx.progress.update(message);
      },
    },
    stdinIsTTY: false,
    ...(terminal !== undefined && { input: streamPasteInput(terminal) }),
  });
}

/** The controlling terminal for reading, when this process has one (a proxy started by hand); else undefined. */
function openTerminal(): Readable | undefined {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r');
  } catch {
    return undefined;
  }
  try {
    return createReadStream('', { fd, autoClose: true });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
