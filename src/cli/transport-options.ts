import type { ParseArgsConfig } from 'node:util';
import { quote } from '../core/errors.ts';
import { REMOTE_TRANSPORT_MODES, type RemoteTransportMode } from '../mcp/proxy/remote.ts';
import { UsageError } from './errors.ts';
import { expandVariables } from './mcp-servers-file.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `--header 'Name: value'` (repeatable) and `--transport http-first|sse-first|http|sse`: how to reach an HTTP
 * server, shared by `tools`, `call` and `proxy`.
 */
export const TRANSPORT_OPTIONS = {
  header: { type: 'string', multiple: true },
  transport: { type: 'string' },
} as const satisfies Options;

export const TRANSPORT_HELP = `HTTP transport:
  --header 'Name: value'   send this header on every request (repeatable); \${VAR} in the value is read from
                           the environment, so that a secret stays off the command line
  --transport MODE         http (Streamable HTTP) or sse (HTTP+SSE); proxy also takes http-first (default:
                           Streamable HTTP, then HTTP+SSE when the server answers 404/405) and sse-first`;

/** An HTTP header name: an RFC 9110 §5.6.2 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Header names the transport owns (RFC 9110 framing and the MCP Streamable HTTP headers): a value given here
 * would contradict what the transport sends (an `Authorization` header is allowed: it is a static token).
 */
const RESERVED = new Set([
  'content-type',
  'content-length',
  'accept',
  'host',
  'connection',
  'transfer-encoding',
  'mcp-session-id',
  'mcp-protocol-version',
]);

/**
 * Parse `--header 'Name: value'` options into a header map. `${VAR}` and `${VAR:-default}` in a value are
 * replaced from `env` (an unset variable is a usage error naming it, never showing a value). A malformed name,
 * a value with a line break (header injection, RFC 9110 §5.5), a reserved name or a name given twice is a
 * {@link UsageError}.
 */
export function parseHeaderOptions(
  values: readonly string[] | undefined,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const raw of values ?? []) {
    const colon = raw.indexOf(':');
    const name = colon === -1 ? '' : raw.slice(0, colon).trim();
    if (colon === -1 || name === '') {
      throw new UsageError(`--header takes 'Name: value', e.g. --header 'X-Api-Key: \${API_KEY}'; got ${quote(raw)}`);
    }
    if (!TOKEN.test(name)) throw new UsageError(`--header: ${quote(name)} is not a valid header name`);
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) throw new UsageError(`--header: ${name} is set by the transport and cannot be given`);
    if (seen.has(lower)) throw new UsageError(`--header: ${name} is given twice`);
    seen.add(lower);
    const value = expandVariables(raw.slice(colon + 1).trim(), env, `--header ${name}`);
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(`--header ${name}: the value contains a line break or NUL, which a header cannot carry`);
    }
    headers[name] = value;
  }
  return headers;
}

/**
 * The remote transport mode of `--transport` and `--sse` (`--sse` is `--transport sse`); `undefined` when neither
 * was given. `allowed` lists the modes the command supports.
 */
export function parseTransportMode(
  values: { transport?: string | undefined; sse?: boolean | undefined },
  allowed: readonly RemoteTransportMode[] = REMOTE_TRANSPORT_MODES,
): RemoteTransportMode | undefined {
  const given = values.transport;
  if (given === undefined) return values.sse ? 'sse' : undefined;
  if (!allowed.includes(given as RemoteTransportMode)) {
    const fallbackOnly = REMOTE_TRANSPORT_MODES.includes(given as RemoteTransportMode);
    throw new UsageError(
      fallbackOnly
        ? `--transport ${given} is available with 'mcptool proxy' only; use one of ${allowed.join(', ')}`
        : `--transport must be one of ${allowed.join(', ')}; got ${quote(given)}`,
    );
  }
  if (values.sse && given !== 'sse') throw new UsageError(`--sse contradicts --transport ${given}; give one of them`);
  return given as RemoteTransportMode;
}
