import { quote } from '../core/errors.ts';
import { UsageError } from './errors.ts';

type PropertySchema = { type?: unknown };

/**
 * `--arg key=value` (repeatable), an alternative to `--args '<json>'` for flat arguments. Each value is read as the
 * type the tool's `inputSchema` gives the property: a string stays as typed (`--arg id=007` is `"007"`), a number,
 * integer or boolean is parsed, an array or object is JSON; for a property without a type, JSON when the value
 * parses as JSON, else the string. Every problem is a {@link UsageError} naming the argument.
 */
export function argPairsToArguments(pairs: readonly string[], inputSchema: unknown): Record<string, unknown> {
  const properties =
    typeof inputSchema === 'object' && inputSchema !== null
      ? ((inputSchema as { properties?: Record<string, PropertySchema> }).properties ?? {})
      : {};
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--arg takes key=value, e.g. --arg message=hi; got ${quote(pair)}`);
    }
    const key = pair.slice(0, eq);
    if (Object.hasOwn(out, key)) throw new UsageError(`--arg ${key} was given more than once`);
    const prop = Object.hasOwn(properties, key) ? properties[key] : undefined;
    out[key] = coerce(key, pair.slice(eq + 1), prop?.type);
  }
  return out;
}

function coerce(key: string, raw: string, type: unknown): unknown {
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  const bad = (what: string) => new UsageError(`--arg ${key}: the tool expects ${what}; got ${quote(raw)}`);
  if (types.includes('string')) return raw;
  if (types.includes('integer') || types.includes('number')) {
    const n = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(n)) throw bad('a number');
    if (!types.includes('number') && !Number.isInteger(n)) throw bad('an integer');
    return n;
  }
  if (types.includes('boolean')) {
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    throw bad('true or false');
  }
  if (types.includes('array') || types.includes('object')) {
    try {
      return JSON.parse(raw);
    } catch {
      throw bad(`JSON (an ${types.includes('array') ? 'array' : 'object'})`);
    }
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The arguments of a tool's `inputSchema` as `--arg` lines for `tools --schema`: name, type, required. */
export function argumentLines(inputSchema: unknown): string[] {
  if (typeof inputSchema !== 'object' || inputSchema === null) return [];
  const schema = inputSchema as { properties?: Record<string, Record<string, unknown>>; required?: unknown };
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const type = Array.isArray(prop['type']) ? prop['type'].join('|') : String(prop['type'] ?? 'any');
    const choices = Array.isArray(prop['enum'])
      ? ` one of ${prop['enum'].map((v) => JSON.stringify(v)).join(', ')}`
      : '';
    const fallback = prop['default'] === undefined ? '' : ` default ${JSON.stringify(prop['default'])}`;
    const description = typeof prop['description'] === 'string' ? ` — ${prop['description'].split('\n')[0]}` : '';
    return `--arg ${name}=<${type}>${required.has(name) ? ' (required)' : ''}${choices}${fallback}${description}`;
  });
}
