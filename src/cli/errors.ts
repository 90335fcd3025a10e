import { McptoolError } from '../core/errors.ts';

/**
 * The command line was wrong: an unknown command or option, a missing target, bad `--args` JSON, an unreadable
 * config file. The CLI prints its message as one line and exits with {@link EXIT.USAGE}.
 */
export class UsageError extends McptoolError {
  declare readonly code: 'USAGE';

  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/**
 * The exit codes of the `mcptool` command (the CLI contract in ARCHITECTURE.md).
 * 0 ok, 1 the tool reported an error, 2 usage, 3 authorization failed, 4 connection failed.
 */
export const EXIT = Object.freeze({
  OK: 0,
  TOOL_ERROR: 1,
  USAGE: 2,
  AUTH: 3,
  CONNECTION: 4,
} as const);

/** One of the values of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
