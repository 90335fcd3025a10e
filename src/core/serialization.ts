import { quote, SerializationError } from './errors.ts';

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What `toDict()` returns: a JSON-safe object with a `type` discriminator. */
export interface SerializedObject {
  /** The registered type name that selects the `fromDict` to rebuild the object, e.g. `mcptool.Secret`. */
  type: string;
  [key: string]: JsonValue;
}

/** Anything with a `toDict()`. */
export interface Serializable {
  toDict(): SerializedObject;
}

type FromDict = (dict: SerializedObject) => unknown;
const registry = new Map<string, FromDict>();

/**
 * Register the `fromDict` of a serializable type under its `type` name. Only registered types can be
 * deserialized: a dict never causes a module to be imported or code to be run by name.
 */
export function registerSerializable(type: string, fromDict: FromDict): void {
  registry.set(type, fromDict);
}

/** Rebuild an object from a dict produced by its `toDict()`. Unknown types are rejected. */
export function deserialize<T = unknown>(dict: unknown): T {
  const obj = asDict(dict, 'dict');
  const fromDict = registry.get(obj.type);
  if (!fromDict) {
    throw new SerializationError(
      'UNKNOWN_TYPE',
      `Cannot deserialize unknown type ${quote(obj.type)}; known types: ${[...registry.keys()].sort().join(', ')}`,
    );
  }
  return fromDict(obj) as T;
}

/** Check that `value` is a dict with a string `type`, and (optionally) that it is the expected type. */
export function asDict(value: unknown, what: string, expectedType?: string): SerializedObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SerializationError('INVALID_DICT', `${what} must be an object with a "type" field`);
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    throw new SerializationError('INVALID_DICT', `${what} has no string "type" field`);
  }
  if (expectedType !== undefined && type !== expectedType) {
    throw new SerializationError('INVALID_DICT', `${what} has type ${quote(type)}, expected ${quote(expectedType)}`);
  }
  return value as SerializedObject;
}
