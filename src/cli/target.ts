import { quote } from '../core/errors.ts';
import { redactUrl } from '../core/redact.ts';
import { UsageError } from './errors.ts';
import type { McpServersConfig } from './mcp-servers-file.ts';
import { splitCommandLine } from './split.ts';

/** An HTTP MCP server: Streamable HTTP (`http`) or the older HTTP+SSE transport (`sse`). */
export interface HttpTargetSpec {
  kind: 'http' | 'sse';
  url: string;
  headers: Record<string, string>;
  /** For a header set by a command-line option, how to name where it came from (e.g. `--bearer-env TOKEN`). */
  headerSources?: Record<string, string>;
  /** How to name the server in messages. */
  label: string;
}

/** A local MCP server started as a child process speaking stdio. */
export interface StdioTargetSpec {
  kind: 'stdio';
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  label: string;
}

/** Which server a command talks to, before any server info object is built. */
export type TargetSpec = HttpTargetSpec | StdioTargetSpec;

/** What the command line says about the target. */
export interface TargetOptions {
  /** The positional `<target>`: a URL, or a server name with `config`. */
  target: string | undefined;
  sse?: boolean | undefined;
  /** `--stdio "<command line>"`. */
  stdio?: string | undefined;
  /** The parsed `mcpServers` config (see `loadConfigFile`), when `--config` was given. */
  config?: McpServersConfig | undefined;
}

/**
 * Resolve the target of a command: `--stdio "<command line>"` (split without a shell), a server name from an
 * `mcpServers` config, or an http(s) URL (Streamable HTTP, or HTTP+SSE with `--sse`). Contradictions and a
 * missing target are {@link UsageError}s that say how to fix them.
 */
export function resolveTarget(options: TargetOptions): TargetSpec {
  const { target, sse, stdio, config } = options;
  if (stdio !== undefined) {
    if (target !== undefined) {
      throw new UsageError(
        `both --stdio and a target ${quote(target)} were given; --stdio replaces the positional target`,
      );
    }
    if (sse) throw new UsageError('--sse applies to URL targets, not to --stdio');
    const words = splitCommandLine(stdio);
    const [command, ...args] = words;
    if (command === undefined) throw new UsageError('--stdio needs a command line, e.g. --stdio "node server.js"');
    return { kind: 'stdio', command, args, label: stdio.trim() };
  }
  if (target === undefined) {
    throw new UsageError(
      'missing <target>: give an http(s) URL, --stdio "<command line>", or a server name with --config FILE',
    );
  }
  const spec = config?.server(target);
  if (spec !== undefined) {
    if (sse) {
      if (spec.kind === 'stdio') throw new UsageError(`--sse does not apply to the stdio server ${quote(target)}`);
      return { ...spec, kind: 'sse' };
    }
    return spec;
  }
  if (/^https?:\/\//i.test(target)) {
    let url: URL;
    try {
      url = new URL(target);
    } catch (cause) {
      throw new UsageError(`target ${quote(target)} is not a valid URL`, { cause });
    }
    if (url.username !== '' || url.password !== '') {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax, shown literally
      const example = '"headers": { "Authorization": "${MCP_AUTH}" }';
      throw new UsageError(
        'the target URL must not contain a user name or password (it would show in process listings and logs); ' +
          `pass credentials as a header from the environment in an "mcpServers" config file (${example}, ` +
          'with --config FILE) or through OAuth options',
      );
    }
    // The label names the server in messages and output: without query values, which may be keys.
    return { kind: sse ? 'sse' : 'http', url: url.href, headers: {}, label: redactUrl(url) };
  }
  if (config !== undefined) {
    const names = config.names;
    throw new UsageError(
      `no server named ${quote(target)} in ${config.path}; ` +
        (names.length ? `servers there: ${names.join(', ')}` : 'it defines no servers'),
    );
  }
  throw new UsageError(
    `target ${quote(target)} is not an http(s) URL; for a server from a config file add --config FILE, for a local command use --stdio "<command line>"`,
  );
}
