import { InvalidOptionError, SerializationError } from '../core/errors.ts';
import { type Kind, requireObject } from '../core/options.ts';
import { Secret } from '../core/secret.ts';
import type { JsonValue } from '../core/serialization.ts';

// The option kinds of values that may be secrets (headers, environment variables, a static token): how each is
// validated, and serialized as environment references rather than in clear.

/** A plain string, or a `Secret` resolved when the connection is opened. */
export type SecretValue = string | Secret;

/** Header or variable names whose plain-string values are refused by `toDict()`: they look like credentials. */
const SENSITIVE_NAME = /authorization|cookie|token|secret|password|passwd|api[-_]?key|credential/i;

function validateSecretValue(value: unknown, field: string): SecretValue {
  if (typeof value === 'string' || Secret.isSecret(value)) return value;
  throw new InvalidOptionError(field, 'must be a string or a Secret');
}

/**
 * A string or a `Secret`. Serialized: a `Secret` as its environment references; a plain string as itself, unless
 * its name looks like a credential (`sensitive`), which refuses to serialize rather than write it in clear.
 */
function secretValueKind(sensitive: (field: string) => boolean): Kind<SecretValue, SecretValue> {
  return {
    parse: validateSecretValue,
    toWire(value, field) {
      if (typeof value !== 'string') return value.toDict();
      if (sensitive(field)) {
        throw new SerializationError(
          'NOT_SERIALIZABLE',
          `${field} is a plain string that looks like a credential; use Secret.fromEnv() for configurations you save`,
        );
      }
      return value;
    },
    fromWire(value, field) {
      if (typeof value === 'string') return value;
      if (typeof value === 'object' && value !== null) return Secret.fromDict(value);
      throw new SerializationError('INVALID_DICT', `${field} must be a string or a Secret dict`);
    },
  };
}

const mapValueKind = secretValueKind((field) => SENSITIVE_NAME.test(field.split('.').pop() ?? field));

/** Named strings or `Secret`s (headers, environment variables), frozen. */
export const secretMapKind: Kind<Record<string, SecretValue>, Readonly<Record<string, SecretValue>>> = {
  parse(value, field) {
    const out: Record<string, SecretValue> = {};
    for (const [key, v] of Object.entries(requireObject(value, field))) {
      if (key === '') throw new InvalidOptionError(field, 'names must be non-empty');
      out[key] = mapValueKind.parse(v, `${field}.${key}`);
    }
    return Object.freeze(out);
  },
  toWire(map, field) {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, value] of Object.entries(map)) out[key] = mapValueKind.toWire?.(value, `${field}.${key}`) ?? null;
    return out;
  },
  fromWire(value, field) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SerializationError('INVALID_DICT', `${field} must be an object`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = mapValueKind.fromWire?.(v, `${field}.${key}`);
    return out;
  },
};

export function resolveMap(map: Readonly<Record<string, SecretValue>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) {
    const resolved = typeof value === 'string' ? value : value.resolve();
    if (resolved !== undefined) out[key] = resolved;
  }
  return out;
}

/** A static token: plain strings work at run time but refuse to serialize (they are credentials). */
export const tokenKind: Kind<SecretValue, SecretValue> = {
  ...secretValueKind(() => true),
  parse(value, field) {
    const token = validateSecretValue(value, field);
    if (token === '') throw new InvalidOptionError(field, 'must not be empty');
    return token;
  },
  toWire(token, field) {
    if (typeof token === 'string') {
      throw new SerializationError(
        'NOT_SERIALIZABLE',
        `${field} is a plain string; use Secret.fromEnv() for configurations you save`,
      );
    }
    return token.toDict();
  },
  fromWire: (value) => Secret.fromDict(value),
};
