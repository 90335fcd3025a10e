import { InvalidOptionError, SerializationError } from './errors.ts';
import { Secret } from './secret.ts';
import type { JsonValue } from './serialization.ts';

/** Validation helpers for options bags: each throws an `InvalidOptionError` naming the field. */

export function optionalPositiveNumber(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(field, `must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function optionalNonNegativeInteger(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidOptionError(field, `must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function requiredString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidOptionError(field, 'must be a non-empty string');
  }
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  return requiredString(value, field);
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new InvalidOptionError(field, 'must be true or false');
  return value;
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(field, 'must be an options object');
  }
  return value as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------------
// Options schemas: each option of an options type is declared once, in a table of `Option`s, from which follow the
// validation (errors name the field), the defaults, the serialized form (`toDict` / `fromDict`) and the TypeScript
// types of the options bag and of the validated values.

/**
 * What an option's value is: how a given value is validated and normalized, and how it is written to and read from
 * a serialized dict. `In` is the type a caller passes, `Out` the validated value.
 */
export interface Kind<In, Out> {
  /** Validate a given (never `undefined`) value; throws `InvalidOptionError` naming `field`. */
  parse(value: unknown, field: string): Out;
  /** The JSON form of a value; `undefined` leaves the key out. Default: the value itself. */
  toWire?(value: Out, field: string): JsonValue | undefined;
  /** An option value from its JSON form, validated then by `parse`. Default: the JSON value itself. */
  fromWire?(value: unknown, field: string): unknown;
  /** Type-level only: what a caller passes. */
  readonly input?: In;
}

/** One declared option: its kind, its default, whether it is required, its dict key and its former names. */
export interface Option<In, Value, Required extends boolean> {
  readonly kind: Kind<In, Value>;
  readonly required: Required;
  readonly default: Value | undefined;
  /** The key in the serialized dict (snake_case, the wire style), or `false` when the option is not serialized. */
  readonly wire: string | false;
  /** A deprecated former name of the option, still accepted (same value; both with different values is an error). */
  readonly alias?: string;
  /** The former dict key, still read by `fromDict` (never written). */
  readonly wireAlias?: string;
}

/** Former names of an option and of its dict key. */
export interface Aliases {
  alias?: string;
  wireAlias?: string;
}

// Methods of `Kind` are checked bivariantly, so every declared option is an `AnyOption`.
type AnyOption = Option<unknown, unknown, boolean>;

/** A table of declared options, by option name. */
export type Schema = { readonly [name: string]: AnyOption };

type Defined<O> = O extends Option<unknown, infer Value, boolean> ? (undefined extends Value ? never : true) : never;
type DefinedKeys<S extends Schema> = { [K in keyof S]: [Defined<S[K]>] extends [never] ? never : K }[keyof S];

/** The validated values of a nested schema, without the keys of options that were not given (for spreading). */
export type CompactValuesOf<S extends Schema> = Flatten<
  { readonly [K in keyof S as K extends DefinedKeys<S> ? K : never]: ValueOf<S[K]> } & {
    readonly [K in keyof S as K extends DefinedKeys<S> ? never : K]?: Exclude<ValueOf<S[K]>, undefined>;
  }
>;

type InputOf<O> = O extends Option<infer In, unknown, boolean> ? In : never;
type ValueOf<O> = O extends Option<unknown, infer Value, boolean> ? Value : never;
type RequiredKeys<S extends Schema> = { [K in keyof S]: S[K]['required'] extends true ? K : never }[keyof S];

// One object type (not an intersection with an empty `{}`, to which `false` would be comparable).
type Flatten<T> = { [K in keyof T]: T[K] };

/** The options bag a schema accepts: required options are required, the others optional. */
export type OptionsOf<S extends Schema> = Flatten<
  // Keys filtered with `as` over `keyof S` keep each property's declaration, so its TSDoc in the schema shows.
  { [K in keyof S as K extends RequiredKeys<S> ? K : never]: InputOf<S[K]> } & {
    [K in keyof S as K extends RequiredKeys<S> ? never : K]?: InputOf<S[K]>;
  }
>;

/** The validated values of a schema (defaults applied). */
export type ValuesOf<S extends Schema> = { readonly [K in keyof S]: ValueOf<S[K]> };

/** A required option (no default). */
export function required<In, Out>(
  wire: string | false,
  kind: Kind<In, Out>,
  aliases: Aliases = {},
): Option<In, Out, true> {
  return { kind, required: true, default: undefined, wire, ...aliases };
}

/** An optional option without a default: its value is `undefined` when not given. */
export function optional<In, Out>(
  wire: string | false,
  kind: Kind<In, Out>,
  aliases: Aliases = {},
): Option<In, Out | undefined, false> {
  return { kind, required: false, default: undefined, wire, ...aliases };
}

/** An optional option with a default value. */
export function defaulted<In, Out>(
  wire: string | false,
  kind: Kind<In, Out>,
  defaultValue: Out,
  aliases: Aliases = {},
): Option<In, Out, false> {
  return { kind, required: false, default: defaultValue, wire, ...aliases };
}

const fieldName = (path: string, name: string) => (path ? `${path}.${name}` : name);

/** The given value of an option, reading its deprecated alias too; both given with different values is an error. */
function givenValue(bag: Record<string, unknown>, name: string, option: AnyOption, path: string): unknown {
  const value = bag[name];
  if (option.alias === undefined || bag[option.alias] === undefined) return value;
  const aliased = option.kind.parse(bag[option.alias], fieldName(path, option.alias));
  if (value !== undefined && !Object.is(option.kind.parse(value, fieldName(path, name)), aliased)) {
    throw new InvalidOptionError(
      fieldName(path, name),
      `is also given under its deprecated name ${option.alias}, with a different value; give only ${name}`,
    );
  }
  return value ?? bag[option.alias];
}

/**
 * Validate an options bag against its schema: each option parsed once (errors name `path.option`), defaults
 * applied, values frozen by their kinds. `path` names the bag in errors (`oauth`), or is empty for top-level options.
 */
export function parseOptions<S extends Schema>(schema: S, options: unknown, path: string, what = path): ValuesOf<S> {
  const bag = requireObject(options, what);
  const values: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(schema)) {
    const given = givenValue(bag, name, option, path);
    const field = fieldName(path, given === bag[name] ? name : (option.alias ?? name));
    if (given !== undefined) values[name] = option.kind.parse(given, field);
    else if (option.required) throw new InvalidOptionError(fieldName(path, name), 'is required');
    else values[name] = option.default;
  }
  return values as ValuesOf<S>;
}

/** The options bag that rebuilds `values` (every default explicit; options without a value left out). */
export function valuesToOptions<S extends Schema>(schema: S, values: ValuesOf<S>): OptionsOf<S> {
  const options: Record<string, unknown> = {};
  for (const name of Object.keys(schema)) {
    const value = (values as Record<string, unknown>)[name];
    if (value !== undefined) options[name] = value;
  }
  return options as OptionsOf<S>;
}

/** The serialized form of `values`: each serialized option under its dict key, in the schema's order. */
export function valuesToDict<S extends Schema>(
  schema: S,
  values: ValuesOf<S>,
  path: string,
): { [key: string]: JsonValue } {
  const dict: { [key: string]: JsonValue } = {};
  for (const [name, option] of Object.entries(schema)) {
    const value = (values as Record<string, unknown>)[name];
    if (option.wire === false || value === undefined) continue;
    const json = option.kind.toWire ? option.kind.toWire(value, fieldName(path, name)) : (value as JsonValue);
    if (json !== undefined) dict[option.wire] = json;
  }
  return dict;
}

/** The options bag read from a serialized dict (its current and former keys); validation is left to `parseOptions`. */
export function optionsFromDict<S extends Schema>(
  schema: S,
  dict: Record<string, unknown>,
  path: string,
): OptionsOf<S> {
  const options: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(schema)) {
    if (option.wire === false) continue;
    const field = fieldName(path, name);
    const read = (key: string | undefined) => {
      const json = key === undefined ? undefined : dict[key];
      if (json === undefined || json === null) return undefined;
      return option.kind.fromWire ? option.kind.fromWire(json, field) : json;
    };
    const value = read(option.wire);
    const former = read(option.wireAlias);
    if (option.required && value === undefined && former === undefined) {
      throw new SerializationError('INVALID_DICT', `${field} is required`);
    }
    if (value !== undefined) options[name] = value;
    if (former !== undefined) options[option.alias ?? name] = former;
  }
  return options as OptionsOf<S>;
}

/**
 * A base class whose instances hold the validated values of `schema` as read-only fields, so that a class such as
 * `OAuthConfig` declares its options once (in the schema) and still exposes `config.clientId`.
 */
export function optionsClass<S extends Schema>(_schema: S): abstract new (values: ValuesOf<S>) => ValuesOf<S> {
  abstract class WithOptions {
    constructor(values: ValuesOf<S>) {
      Object.assign(this, values);
    }
  }
  return WithOptions as unknown as abstract new (
    values: ValuesOf<S>,
  ) => ValuesOf<S>;
}

// ---------------------------------------------------------------------------------------------------------------
// Kinds of option values.

/** Read a JSON value of the given `typeof` from a dict; another type is `INVALID_DICT`. */
export function jsonOfType(type: 'string' | 'number' | 'boolean'): (value: unknown, field: string) => unknown {
  return (value, field) => {
    if (typeof value !== type) throw new SerializationError('INVALID_DICT', `${field} must be a ${type}`);
    return value;
  };
}

/** A non-empty string. */
export const stringKind: Kind<string, string> = { parse: requiredString, fromWire: jsonOfType('string') };

/** A positive finite number (a duration or a size). */
export const positiveNumberKind: Kind<number, number> = {
  parse: (v, field) => optionalPositiveNumber(v, field) as number,
  fromWire: jsonOfType('number'),
};

/** A non-negative integer (a count). */
export const nonNegativeIntegerKind: Kind<number, number> = {
  parse: (v, field) => optionalNonNegativeInteger(v, field) as number,
  fromWire: jsonOfType('number'),
};

/** `true` or `false`. */
export const booleanKind: Kind<boolean, boolean> = {
  parse: (v, field) => optionalBoolean(v, field) as boolean,
  fromWire: jsonOfType('boolean'),
};

/** `true` or `false`, serialized only when `true` (an opt-out that must stand out where it is set). */
export const flagKind: Kind<boolean, boolean> = { ...booleanKind, toWire: (v) => (v ? true : undefined) };

/** One of a list of strings. */
export function oneOfKind<T extends string>(allowed: readonly T[]): Kind<T, T> {
  return {
    parse(value, field) {
      if (typeof value !== 'string' || !allowed.includes(value as T)) {
        throw new InvalidOptionError(field, `must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
      }
      return value as T;
    },
  };
}

/** A `Secret`, serialized as its environment variable references (a `Secret.fromToken` refuses to serialize). */
export const secretKind: Kind<Secret, Secret> = {
  parse(value, field) {
    if (!Secret.isSecret(value)) {
      throw new InvalidOptionError(field, "must be a Secret (e.g. Secret.fromEnv('NAME')); plain strings are refused");
    }
    return value;
  },
  toWire: (value) => value.toDict(),
  fromWire: (value) => Secret.fromDict(value),
};

/** Any value checked by `check` (returns the reason it is refused, or nothing); not serialized unless told how. */
export function customKind<T>(
  check: (value: unknown) => string | undefined,
  wire: Omit<Kind<T, T>, 'parse'> = {},
): Kind<T, T> {
  return {
    ...wire,
    parse(value, field) {
      const reason = check(value);
      if (reason !== undefined) throw new InvalidOptionError(field, reason);
      return value as T;
    },
  };
}

/**
 * An options object of its own schema, validated with the field names under this option (`oauth.redirect.port`);
 * `check` then validates the values together. The value is frozen and holds only the options that have a value.
 */
export function nestedKind<S extends Schema>(
  schema: S,
  check?: (values: CompactValuesOf<S>, field: string) => void,
): Kind<OptionsOf<S>, CompactValuesOf<S>> {
  return {
    parse(value, field) {
      const values = parseOptions(schema, value, field);
      const compact = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
      check?.(compact as CompactValuesOf<S>, field);
      return Object.freeze(compact) as CompactValuesOf<S>;
    },
    toWire: (values, field) => valuesToDict(schema, values as ValuesOf<S>, field),
    fromWire(value, field) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new SerializationError('INVALID_DICT', `${field} must be an object`);
      }
      return optionsFromDict(schema, value as Record<string, unknown>, field);
    },
  };
}
