import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.ts';
import type { OAuthCliOptions } from './oauth-options.ts';
import { didYouMean } from './suggest.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `--help`, `--json` and `--timeout`, shared by the commands that talk to a server. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} as const satisfies Options;

/** How the target is given besides the positional URL or name: `--sse`, `--stdio "<cmd>"`, `--config FILE`. */
export const TARGET_OPTIONS = {
  sse: { type: 'boolean' },
  stdio: { type: 'string' },
  config: { type: 'string' },
} as const satisfies Options;

/** The OAuth options of the CLI contract, plus secret-carrying spellings that are refused with a hint. */
export const OAUTH_OPTIONS = {
  flow: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret-env': { type: 'string' },
  'private-key-file': { type: 'string' },
  'client-metadata-url': { type: 'string' },
  scope: { type: 'string', multiple: true },
  'callback-port': { type: 'string' },
  'no-browser': { type: 'boolean' },
  'token-store': { type: 'string' },
  // Refused: a secret on the command line ends up in shell history and `ps` output.
  'client-secret': { type: 'string' },
} as const satisfies Options;

/** The usual help text pointer. */
export function seeHelp(command: string): string {
  return `see 'mcptool ${command} --help'`;
}

/**
 * `util.parseArgs` with mcptool's own one-line {@link UsageError}s that name the command (Node's messages, such as
 * "argument is ambiguous", never show): an unknown option with a "did you mean", a missing value, a value given to
 * a flag, and a repeated single-value option (`--args` twice is an error, not "last one wins"). Positionals are
 * allowed anywhere. A value that starts with `-` is taken when it is `-` (stdin) or looks like a number (`--timeout -1`,
 * which the option's own check then refuses with its rule); another option in its place means the value is missing.
 */
export function parseCommandArgs<T extends Options>(
  argv: string[],
  options: T,
  command: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: false; tokens: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(`${command}: invalid arguments; ${seeHelp(command)}`, { cause: error });
    }
    throw error;
  }
  const names = Object.keys(options);
  const flagOf = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name] as Options[string] | undefined;
    if (spec === undefined) {
      const hint = didYouMean(token.name, names, (n) => `--${n}`);
      throw new UsageError(`${command}: unknown option ${token.rawName}${hint}; ${seeHelp(command)}`);
    }
    const flag = flagOf(token.name);
    if (spec.type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`${command}: ${flag} takes no value; ${seeHelp(command)}`);
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && /^-[^\d.]/.test(value))) {
      throw new UsageError(
        `${command}: ${flag} needs a value${value === undefined ? '' : `, but the next argument is the option ${value}`}; ${seeHelp(command)}`,
      );
    }
    if (!spec.multiple && seen.has(token.name)) {
      throw new UsageError(`${command}: ${flag} was given more than once; give it once`);
    }
    seen.add(token.name);
  }
  const { values, positionals } = parsed;
  return { values, positionals } as ReturnType<
    typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>
  >;
}

/** The OAuth option values of a parse result, for `buildOAuthConfig`. */
export function oauthOptionsOf(values: Record<string, unknown>): OAuthCliOptions {
  if (values['client-secret'] !== undefined) {
    throw new UsageError(
      '--client-secret is not accepted: secrets never go on the command line; put the secret in an environment variable and pass --client-secret-env VAR',
    );
  }
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  return {
    flow: str('flow'),
    clientId: str('client-id'),
    clientSecretEnv: str('client-secret-env'),
    privateKeyFile: str('private-key-file'),
    clientMetadataUrl: str('client-metadata-url'),
    scope: Array.isArray(values['scope']) ? (values['scope'] as string[]) : undefined,
    callbackPort: str('callback-port'),
    noBrowser: values['no-browser'] === true ? true : undefined,
    tokenStore: str('token-store'),
  };
}

/** `--timeout SECONDS` (a positive number, fractions allowed) in milliseconds, or `undefined`. */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      `--timeout must be a positive number of seconds, e.g. --timeout 30; got ${JSON.stringify(value)}`,
    );
  }
  return Math.round(seconds * 1000);
}
