import type { ElicitRequestParams, ElicitResult } from '@modelcontextprotocol/client';

/** An elicitation request from a server (MCP Client Features, "Elicitation", 2025-11-25): form or URL mode. */
export type ElicitationRequest = ElicitRequestParams;

/** The answer to an elicitation request: `accept` (with `content` for form mode), `decline` or `cancel`. */
export type ElicitationResponse = ElicitResult;

/**
 * Receives the server's elicitation requests during a tool call. The `signal` fires when the server cancels the
 * request or the connection closes. When the handler accepts a form without some values, the defaults of the
 * requested schema are filled in (SEP-1034).
 */
export type ElicitationHandler = (
  request: ElicitationRequest,
  context: { signal: AbortSignal },
) => ElicitationResponse | Promise<ElicitationResponse>;

type Schema = { [key: string]: unknown };

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Fill the `default`s of a requested form schema (SEP-1034) into `content` where a value is missing. The schema
 * is the restricted flat object schema of MCP elicitation; nested objects and `anyOf`/`oneOf` branches are
 * followed when present. Returns a new object; `content` is not modified.
 */
export function applyElicitationDefaults(
  schema: unknown,
  content: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...content };
  fill(schema, out);
  return out;
}

function fill(schema: unknown, target: Record<string, unknown>): void {
  if (!isObject(schema)) return;
  const properties = schema['properties'];
  if (isObject(properties)) {
    for (const [key, prop] of Object.entries(properties)) {
      if (!isObject(prop)) continue;
      if (target[key] === undefined && Object.hasOwn(prop, 'default')) target[key] = structuredClone(prop['default']);
      const value = target[key];
      if (isObject(value) && isObject(prop['properties'])) {
        const nested = { ...value };
        fill(prop, nested);
        target[key] = nested;
      }
    }
  }
  for (const branch of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[branch];
    if (Array.isArray(list)) for (const sub of list) fill(sub, target);
  }
}
