import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { quote } from '../core/errors.ts';
import { UsageError } from './errors.ts';
import type { TargetSpec } from './target.ts';

/**
 * Parse an `mcpServers` configuration, the format desktop MCP clients use:
 *
 * ```json
 * { "mcpServers": {
 *     "everything": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"], "env": {} },
 *     "remote": { "url": "https://example.com/mcp", "headers": { "X-Api-Key": "${API_KEY}" } },
 *     "legacy": { "type": "sse", "url": "https://example.com/sse" } } }
 * ```
 *
 * `type` is optional: `stdio` when there is a `command`, Streamable HTTP when there is a `url`; `sse` selects the
 * HTTP+SSE transport (`http`, `streamable-http` and `streamableHttp` name Streamable HTTP). A top-level `servers`
 * object (VS Code's spelling) is accepted too. `${VAR}` and `${VAR:-default}` in `url`, `headers`, `command`,
 * `args`, `env` and `cwd` are replaced from `env`, so that secrets stay out of the file.
 */
export function parseConfig(text: string, path: string, env: NodeJS.ProcessEnv): McpServersConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`config file ${path} is not valid JSON (${(cause as Error).message})`, { cause });
  }
  const root = isObject(doc) ? (doc['mcpServers'] ?? doc['servers']) : undefined;
  if (!isObject(root)) {
    throw new UsageError(`config file ${path} has no "mcpServers" object`);
  }
  return {
    path,
    names: Object.keys(root),
    server(name) {
      return Object.hasOwn(root, name) ? parseServer(name, root[name], path, env) : undefined;
    },
  };
}

/**
 * A parsed `mcpServers` file. Each server entry is validated (and its `${VAR}`s expanded) only when it is
 * selected, so that one entry's unset variable does not break the others, as in desktop clients.
 */
export interface McpServersConfig {
  path: string;
  /** The server names, in file order. */
  names: string[];
  /** The named server as a target, or `undefined` when there is none; a malformed entry is a `UsageError`. */
  server(name: string): TargetSpec | undefined;
}

/** Read and parse an `mcpServers` config file (see {@link parseConfig}). */
export async function loadConfigFile(path: string, env: NodeJS.ProcessEnv): Promise<McpServersConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read config file ${path}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`,
      { cause },
    );
  }
  return parseConfig(text, path, env);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The transport of a server entry: its "type" (case-insensitive), else stdio with a "command", else http with a "url". */
function serverKind(entry: Record<string, unknown>, where: string): 'stdio' | 'http' | 'sse' {
  const rawType = entry['type'];
  if (rawType !== undefined && typeof rawType !== 'string') throw new UsageError(`${where}: "type" must be a string`);
  const type = rawType?.toLowerCase();
  const kind =
    type === undefined
      ? entry['command'] !== undefined
        ? 'stdio'
        : entry['url'] !== undefined
          ? 'http'
          : undefined
      : type === 'stdio'
        ? 'stdio'
        : type === 'sse'
          ? 'sse'
          : ['http', 'streamable-http', 'streamablehttp', 'streamable_http'].includes(type)
            ? 'http'
            : undefined;
  if (kind === undefined) {
    throw new UsageError(
      type === undefined
        ? `${where} has neither "url" nor "command"`
        : `${where}: unknown "type" ${quote(rawType)}; use stdio, http or sse`,
    );
  }
  return kind;
}

function parseServer(name: string, entry: unknown, path: string, env: NodeJS.ProcessEnv): TargetSpec {
  const where = `server ${quote(name)} in ${path}`;
  if (!isObject(entry)) throw new UsageError(`${where} must be an object`);
  const expand = (value: unknown, field: string): string => {
    if (typeof value !== 'string') throw new UsageError(`${where}: "${field}" must be a string`);
    return expandVariables(value, env, `${where}: "${field}"`);
  };
  const stringMap = (value: unknown, field: string): Record<string, string> => {
    if (value === undefined) return {};
    if (!isObject(value)) throw new UsageError(`${where}: "${field}" must be an object of strings`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expand(v, `${field}.${k}`);
    return out;
  };
  const kind = serverKind(entry, where);
  const hasUrl = entry['url'] !== undefined;
  const hasCommand = entry['command'] !== undefined;
  if (kind === 'stdio') {
    if (!hasCommand) throw new UsageError(`${where} is a stdio server but has no "command"`);
    const command = expand(entry['command'], 'command');
    if (command.trim() === '') throw new UsageError(`${where}: "command" is empty`);
    const rawArgs = entry['args'] ?? [];
    if (!Array.isArray(rawArgs)) throw new UsageError(`${where}: "args" must be an array of strings`);
    const args = rawArgs.map((a, i) => expand(a, `args[${i}]`));
    const spec: TargetSpec = { kind: 'stdio', command, args, label: name };
    if (entry['env'] !== undefined) spec.env = stringMap(entry['env'], 'env');
    if (entry['cwd'] !== undefined) spec.cwd = expand(entry['cwd'], 'cwd');
    return spec;
  }
  if (!hasUrl) throw new UsageError(`${where} is an HTTP server but has no "url"`);
  const url = expand(entry['url'], 'url');
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('not http(s)');
  } catch (cause) {
    throw new UsageError(`${where}: "url" ${quote(url)} is not an http(s) URL`, { cause });
  }
  return { kind, url, headers: stringMap(entry['headers'], 'headers'), label: name };
}

/** Replace `${VAR}` and `${VAR:-default}` from `env`; an unset variable without a default is a {@link UsageError}. */
export function expandVariables(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string, fallback?: string) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    throw new UsageError(`${where} uses \${${name}}, but the environment variable ${name} is not set`);
  });
}

/**
 * The default config file: `$MCPTOOL_CONFIG` when set, else `$XDG_CONFIG_HOME/mcptool/mcp.json`
 * (`~/.config/mcptool/mcp.json` without `XDG_CONFIG_HOME`).
 */
export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  if (env['MCPTOOL_CONFIG']) return env['MCPTOOL_CONFIG'];
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(base, 'mcptool', 'mcp.json');
}

/**
 * The config file a command reads: `--config FILE`, else the default config file when the target is a name (not
 * a URL) and that file exists; `undefined` when there is none.
 */
export function configPathFor(config: unknown, target: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof config === 'string') return config;
  if (target === undefined || /^https?:\/\//i.test(target)) return undefined;
  const path = defaultConfigPath(env);
  return existsSync(path) ? path : undefined;
}
