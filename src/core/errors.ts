import { redactErrorChain, redactText } from './redact.ts';

/**
 * The one error base class of mcptool. Every error the library throws carries a stable string `code`
 * that callers branch on; messages are for people and may change. Server-supplied text is quoted with
 * `JSON.stringify` by the subclasses; secrets never appear in a message: the user info and query values of every URL
 * in the message and in the messages of the `cause` chain are redacted ({@link redactText}).
 */
export class McptoolError extends Error {
  /** Stable, machine-readable error code (e.g. `DISCOVERY_FAILED`). */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(redactText(message), options?.cause === undefined ? undefined : { cause: redactErrorChain(options.cause) });
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A configuration value was missing or of the wrong shape. It is a `TypeError` (so callers who validate
 * options generically still catch it) with `code = 'INVALID_OPTION'` and the dotted name of the `field`.
 */
export class InvalidOptionError extends TypeError {
  readonly code = 'INVALID_OPTION' as const;
  /** The option at fault, e.g. `serverInfo.url`. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(
      redactText(`${field}: ${message}`),
      options?.cause === undefined ? undefined : { cause: redactErrorChain(options.cause) },
    );
    this.field = field;
    this.name = 'InvalidOptionError';
  }
}

/** A value could not be serialized or deserialized (`toDict` / `fromDict`). */
export class SerializationError extends McptoolError {
  constructor(code: 'UNKNOWN_TYPE' | 'INVALID_DICT' | 'NOT_SERIALIZABLE', message: string) {
    super(code, message);
  }
}

/** A `Secret` could not be resolved (its environment variable is unset) or was used where it may not be. */
export class SecretError extends McptoolError {
  constructor(code: 'SECRET_NOT_SET' | 'NOT_SERIALIZABLE', message: string) {
    super(code, message);
  }
}

/** Quote a server- or user-supplied string for an error message. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
