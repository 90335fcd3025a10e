import { quote } from '../core/errors.ts';
import { UsageError } from './errors.ts';
import type { TargetSpec } from './target.ts';

/**
 * Credentials and environment given on the command line, for servers that take a static credential:
 * `--bearer-env VAR` (an HTTP target gets `Authorization: Bearer <value of VAR>`, so the token never appears on the
 * command line) and `--env NAME[=VALUE]` (repeatable; a stdio server gets NAME, from this environment or as given).
 */
export const CREDENTIAL_OPTIONS = {
  'bearer-env': { type: 'string' },
  env: { type: 'string', multiple: true },
} as const;

export const CREDENTIAL_HELP = `Static credentials:
  --bearer-env VAR         send "Authorization: Bearer <value of VAR>" (HTTP targets); no OAuth sign-in is
                           attempted unless OAuth options are given too
  --env NAME[=VALUE]       (repeatable) pass NAME to a --stdio server: its value here, or VALUE; a stdio
                           server otherwise sees only HOME, LOGNAME, PATH, SHELL, TERM and USER`;

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Apply `--bearer-env` and `--env` to the resolved target; a misuse is a {@link UsageError} naming the flag. */
export function applyCredentialOptions(
  spec: TargetSpec,
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): TargetSpec {
  const bearerEnv = typeof values['bearer-env'] === 'string' ? values['bearer-env'] : undefined;
  const envOptions = Array.isArray(values['env']) ? (values['env'] as string[]) : [];
  if (bearerEnv !== undefined) {
    if (spec.kind === 'stdio') {
      throw new UsageError(`--bearer-env applies to HTTP targets; for the stdio server ${quote(spec.label)} use --env`);
    }
    if (!VARIABLE.test(bearerEnv)) {
      throw new UsageError('--bearer-env takes the NAME of an environment variable (e.g. MCP_TOKEN), not a token');
    }
    const token = env[bearerEnv];
    if (token === undefined || token.trim() === '') {
      throw new UsageError(`--bearer-env ${bearerEnv}: the environment variable ${bearerEnv} is not set`);
    }
    const headers = Object.fromEntries(
      Object.entries(spec.headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
    );
    spec = {
      ...spec,
      headers: { ...headers, Authorization: `Bearer ${token.trim()}` },
      headerSources: { ...spec.headerSources, Authorization: `the bearer token of --bearer-env ${bearerEnv}` },
    };
  }
  if (envOptions.length > 0) {
    if (spec.kind !== 'stdio') {
      throw new UsageError('--env applies to --stdio servers (an HTTP server does not run here)');
    }
    const added: Record<string, string> = {};
    for (const option of envOptions) {
      const eq = option.indexOf('=');
      const name = eq === -1 ? option : option.slice(0, eq);
      if (!VARIABLE.test(name)) throw new UsageError(`--env takes NAME or NAME=VALUE; got ${quote(option)}`);
      const value = eq === -1 ? env[name] : option.slice(eq + 1);
      if (value === undefined) {
        throw new UsageError(
          `--env ${name}: the environment variable ${name} is not set here (or give --env ${name}=VALUE)`,
        );
      }
      added[name] = value;
    }
    spec = { ...spec, env: { ...spec.env, ...added } };
  }
  return spec;
}
