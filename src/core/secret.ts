import { inspect } from 'node:util';
import { InvalidOptionError, SecretError, SerializationError } from './errors.ts';
import { asDict, registerSerializable, type SerializedObject } from './serialization.ts';

const TYPE = 'mcptool.Secret';

/**
 * A secret value: either a reference to environment variables (resolved when it is used, serializable as the
 * variable names only) or a token given at run time (usable, but it refuses to serialize). Its value never
 * appears in `toString()`, `JSON.stringify`, `util.inspect` or `toDict()`.
 *
 * @example
 * const secret = Secret.fromEnv('MCP_CLIENT_SECRET');
 */
export class Secret {
  readonly #envVars: readonly string[] | undefined;
  readonly #strict: boolean;
  readonly #token: string | undefined;

  private constructor(envVars: readonly string[] | undefined, strict: boolean, token: string | undefined) {
    this.#envVars = envVars;
    this.#strict = strict;
    this.#token = token;
  }

  /**
   * A secret read from the first set environment variable among `names`, at the time it is resolved.
   * With `strict` (the default) resolving fails when none is set.
   */
  static fromEnv(names: string | readonly string[], options: { strict?: boolean } = {}): Secret {
    const list = typeof names === 'string' ? [names] : [...names];
    if (list.length === 0 || list.some((n) => typeof n !== 'string' || n.length === 0)) {
      throw new InvalidOptionError('Secret.fromEnv(names)', 'give one or more non-empty environment variable names');
    }
    return new Secret(list, options.strict ?? true, undefined);
  }

  /** A secret held in memory. It works at run time but `toDict()` refuses to serialize it. */
  static fromToken(value: string): Secret {
    if (typeof value !== 'string' || value.length === 0) {
      throw new InvalidOptionError('Secret.fromToken(value)', 'the token must be a non-empty string');
    }
    return new Secret(undefined, true, value);
  }

  /** Whether a value is a `Secret`. */
  static isSecret(value: unknown): value is Secret {
    return value instanceof Secret;
  }

  /** The environment variable names this secret reads, or `undefined` for a token secret. */
  get envVars(): readonly string[] | undefined {
    return this.#envVars;
  }

  /**
   * The secret's value. Throws `SECRET_NOT_SET` (naming the variables, never a value) when a strict env
   * secret has none of its variables set; a non-strict one returns `undefined`.
   */
  resolve(env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (this.#token !== undefined) return this.#token;
    for (const name of this.#envVars ?? []) {
      const value = env[name];
      if (value !== undefined && value !== '') return value;
    }
    if (this.#strict) {
      throw new SecretError(
        'SECRET_NOT_SET',
        `None of the environment variables ${(this.#envVars ?? []).join(', ')} is set; set one of them to the secret value`,
      );
    }
    return undefined;
  }

  /** Serialize as environment variable references. A token secret throws `NOT_SERIALIZABLE`. */
  toDict(): SerializedObject {
    if (this.#envVars === undefined) {
      throw new SecretError(
        'NOT_SERIALIZABLE',
        'A Secret.fromToken() value cannot be serialized; use Secret.fromEnv() for configurations you save',
      );
    }
    return { type: TYPE, env_vars: [...this.#envVars], strict: this.#strict };
  }

  /**
   * Recreate an environment secret from {@link Secret.toDict}'s output.
   * @param dict A `{ type: 'mcptool.Secret', env_vars, strict? }` object; `strict` absent means `true`.
   * @returns A secret reading the named environment variables.
   * @throws SerializationError (`INVALID_DICT`) when `dict` is not such an object; InvalidOptionError when
   * `env_vars` is empty or holds an empty name.
   */
  static fromDict(dict: unknown): Secret {
    const d = asDict(dict, 'Secret', TYPE);
    const vars = d['env_vars'];
    if (!Array.isArray(vars) || !vars.every((v) => typeof v === 'string')) {
      throw new SerializationError('INVALID_DICT', 'Secret dict: "env_vars" must be an array of strings');
    }
    return Secret.fromEnv(vars as string[], { strict: d['strict'] !== false });
  }

  /**
   * A redacted description: `Secret(env:NAME|…)` or `Secret(token:***)`, never the value.
   * @returns The description.
   */
  toString(): string {
    return this.#envVars ? `Secret(env:${this.#envVars.join('|')})` : 'Secret(token:***)';
  }

  /**
   * What `JSON.stringify` writes: the same redacted text as {@link Secret.toString}, never the value.
   * @returns The redacted description.
   */
  toJSON(): string {
    return this.toString();
  }

  /**
   * What `util.inspect` (and `console.log`) shows: the same redacted text as {@link Secret.toString}.
   * @returns The redacted description.
   */
  [inspect.custom](): string {
    return this.toString();
  }
}

registerSerializable(TYPE, (d) => Secret.fromDict(d));
