import { OAuthError } from '../auth/errors.ts';
import { causeChain } from '../core/cause.ts';
import { InvalidOptionError, McptoolError } from '../core/errors.ts';
import { redactText } from '../core/redact.ts';
import { EXIT, type ExitCode } from './errors.ts';
import { forTerminal } from './terminal.ts';

/** The `code`s of mcptool errors and the exit code each maps to (CLI contract in ARCHITECTURE.md). */
const EXIT_OF_CODE: Readonly<Record<string, ExitCode>> = Object.freeze({
  USAGE: EXIT.USAGE,
  INVALID_OPTION: EXIT.USAGE,
  // An unknown tool name is a mistake on the command line (like an unknown command), not a tool's error report.
  TOOL_NOT_FOUND: EXIT.USAGE,
  // The variable a Secret.fromEnv() reads (a header or env value of the config) is unset: fix the environment.
  SECRET_NOT_SET: EXIT.USAGE,
  TOOL_ERROR: EXIT.TOOL_ERROR,
  INVOCATION_FAILED: EXIT.TOOL_ERROR,
  ABORTED: EXIT.TOOL_ERROR,
  AUTH_REQUIRED: EXIT.AUTH,
  // The server refused the static credentials of an Authorization header (no OAuth sign-in is attempted then).
  CREDENTIALS_REFUSED: EXIT.AUTH,
  CONNECTION_FAILED: EXIT.CONNECTION,
  CONNECTION_TIMEOUT: EXIT.CONNECTION,
  // The connection dropped during the call; it was not repeated (the tool may or may not have run).
  CONNECTION_LOST: EXIT.CONNECTION,
  // The authorization server could not serve a token request (5xx, 429, network, timeout); credentials were kept.
  AUTHORIZATION_SERVER_UNAVAILABLE: EXIT.CONNECTION,
  // No answer from the server in time: the server (or the way to it), not the tool, failed to respond.
  INVOCATION_TIMEOUT: EXIT.CONNECTION,
});

/**
 * The exit code for an error the CLI caught: 1 the tool reported an error (`TOOL_ERROR`, a failed invocation),
 * 2 usage (bad arguments, an unknown tool, an invalid option, an unset secret variable), 3 authorization failed
 * (`AUTH_REQUIRED`, or any `OAuthError` anywhere in the cause chain), 4 connection failed (cannot connect,
 * connection lost during the call, connect or invocation timeout, the authorization server unavailable).
 * Anything unrecognized is 1.
 */
export function exitCodeFor(error: unknown): ExitCode {
  const chain = causeChain(error);
  // The authorization server could not be reached: a connection failure, though it is an OAuthError.
  if (chain.some((e) => (e as { code?: unknown } | null)?.code === 'AUTHORIZATION_SERVER_UNAVAILABLE')) {
    return EXIT.CONNECTION;
  }
  if (chain.some((e) => e instanceof OAuthError)) return EXIT.AUTH;
  const code =
    error instanceof McptoolError || error instanceof InvalidOptionError
      ? error.code
      : (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && Object.hasOwn(EXIT_OF_CODE, code)) return EXIT_OF_CODE[code]!;
  return EXIT.TOOL_ERROR;
}

/** A hint appended to the error line, saying how to fix what went wrong, when there is a useful one. */
function hintFor(error: unknown): string | undefined {
  const chain = causeChain(error);
  if (chain.some((e) => e instanceof OAuthError && (e as { error?: unknown }).error === 'invalid_client')) {
    return 'the authorization server did not accept the client: check --client-id and the secret in the variable named by --client-secret-env (or --private-key-file)';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (chain.some((e) => (e as { code?: unknown } | null)?.code === 'CALLBACK_TIMEOUT')) {
    return "raise the sign-in time limit with 'mcptool login <target> --timeout SECONDS', then run this command again";
  }
  switch (code) {
    case 'AUTH_REQUIRED':
      return 'the server requires authorization; pass OAuth options (e.g. --client-id ID --client-secret-env VAR --flow client_credentials)';
    case 'CONNECTION_TIMEOUT':
    case 'INVOCATION_TIMEOUT':
      return 'raise the limit with --timeout SECONDS';
    case 'TOOL_NOT_FOUND':
      return "run 'mcptool tools <target>' to list them";
    default:
      return undefined;
  }
}

/**
 * The one line the CLI prints on stderr for an error: `mcptool: <message>[ (hint)]`, whitespace collapsed, the
 * user info and query values of URLs redacted, and each of `secrets` (values of the URLs on the command line);
 * escape sequences removed ({@link forTerminal}), since messages quote the server's text.
 */
export function errorLine(error: unknown, secrets: readonly string[] = []): string {
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : `unexpected failure: ${String(error)}`;
  const hint = hintFor(error);
  const text = (hint && !message.includes(hint) ? `${message} (${hint})` : message).replace(/\s*\n\s*/g, ' ').trim();
  return `mcptool: ${forTerminal(redactText(text, secrets))}\n`;
}
