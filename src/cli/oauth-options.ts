import { readFile } from 'node:fs/promises';
import { OAuthConfig, type OAuthConfigOptions, type OAuthFlow } from '../auth/config.ts';
import type { TokenStore } from '../auth/store/types.ts';
import { InvalidOptionError } from '../core/errors.ts';
import { Secret } from '../core/secret.ts';
import { UsageError } from './errors.ts';

/** The OAuth options of the command line (ARCHITECTURE.md, CLI contract), as parsed strings and flags. */
export interface OAuthCliOptions {
  flow?: string | undefined;
  clientId?: string | undefined;
  /** The name of the environment variable holding the client secret (never the secret itself). */
  clientSecretEnv?: string | undefined;
  privateKeyFile?: string | undefined;
  clientMetadataUrl?: string | undefined;
  /** `--scope`, possibly repeated; each value may hold several space-separated scopes. */
  scope?: string[] | undefined;
  callbackPort?: string | undefined;
  noBrowser?: boolean | undefined;
  tokenStore?: string | undefined;
}

/** What {@link buildOAuthConfig} needs from its surroundings. */
export interface OAuthBuildContext {
  env: NodeJS.ProcessEnv;
  /** Reads the private key file. Default: `fs.readFile` as UTF-8. */
  readTextFile?: (path: string) => Promise<string>;
  /** Builds the token store of `--token-store DIR`. Default: none available (see `token-store.ts`). */
  createTokenStore?: (dir: string) => TokenStore | undefined;
}

/** The command-line flag for each `OAuthConfig` field, so validation errors name what the user typed. */
const FLAG_OF_FIELD: Record<string, string> = {
  'oauth.flow': '--flow',
  'oauth.clientId': '--client-id',
  'oauth.clientSecret': '--client-secret-env',
  'oauth.privateKey': '--private-key-file',
  'oauth.clientMetadataUrl': '--client-metadata-url',
  'oauth.scopes': '--scope',
  'oauth.redirect.port': '--callback-port',
  'oauth.callback': '--no-browser',
  'oauth.tokenStore': '--token-store',
};

const FLOWS: readonly OAuthFlow[] = ['auto', 'authorization_code', 'client_credentials'];

/** Whether any OAuth option was given. */
export function hasOAuthOptions(o: OAuthCliOptions): boolean {
  return Object.values(o).some((v) => v !== undefined && v !== false);
}

/**
 * Map the OAuth options of the command line to an {@link OAuthConfig} (MCP Authorization 2025-11-25), or
 * `undefined` when none was given (the library then applies its defaults when a server answers 401).
 * Secrets come only from the environment (`--client-secret-env VAR` becomes `Secret.fromEnv(VAR)`, checked to be
 * set now) or from a file (`--private-key-file`, held as a `Secret`); `--no-browser` selects the manual
 * (paste-back) callback. Every problem is a {@link UsageError} naming the flag.
 */
export async function buildOAuthConfig(o: OAuthCliOptions, ctx: OAuthBuildContext): Promise<OAuthConfig | undefined> {
  if (!hasOAuthOptions(o)) return undefined;
  const options: OAuthConfigOptions = {};
  if (o.flow !== undefined) options.flow = parseFlow(o.flow);
  if (o.clientId !== undefined) options.clientId = o.clientId;
  if (o.clientSecretEnv !== undefined) options.clientSecret = clientSecretFromEnv(o.clientSecretEnv, ctx.env);
  if (o.privateKeyFile !== undefined) options.privateKey = await readPrivateKey(o.privateKeyFile, ctx);
  if (o.clientMetadataUrl !== undefined) options.clientMetadataUrl = o.clientMetadataUrl;
  if (o.scope !== undefined) options.scopes = parseScopes(o.scope);
  if (o.callbackPort !== undefined) options.redirect = { port: parseCallbackPort(o.callbackPort) };
  if (o.noBrowser) options.callback = 'manual';
  if (o.tokenStore !== undefined) options.tokenStore = tokenStoreAt(o.tokenStore, ctx);
  return newOAuthConfig(options);
}

/** `--flow`: one of {@link FLOWS}. */
function parseFlow(flow: string): OAuthFlow {
  if (!FLOWS.includes(flow as OAuthFlow)) {
    throw new UsageError(`--flow must be one of ${FLOWS.join(', ')}; got ${JSON.stringify(flow)}`);
  }
  return flow as OAuthFlow;
}

/** `--client-secret-env NAME`: the secret stays in the environment; NAME must be a variable name that is set now. */
function clientSecretFromEnv(name: string, env: OAuthBuildContext['env']): Secret {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(
      `--client-secret-env takes the NAME of an environment variable (e.g. MCP_CLIENT_SECRET), not a secret value`,
    );
  }
  if (env[name] === undefined || env[name] === '') {
    throw new UsageError(`--client-secret-env ${name}: the environment variable ${name} is not set`);
  }
  return Secret.fromEnv(name);
}

/** `--private-key-file PATH`: the file's text, held as a {@link Secret}; unreadable or empty is a usage error. */
async function readPrivateKey(path: string, ctx: OAuthBuildContext): Promise<Secret> {
  const read = ctx.readTextFile ?? ((p: string) => readFile(p, 'utf8'));
  let key: string;
  try {
    key = await read(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(`--private-key-file: cannot read ${path}${code ? ` (${code})` : ''}`, { cause });
  }
  if (key.trim() === '') throw new UsageError(`--private-key-file: ${path} is empty`);
  return Secret.fromToken(key);
}

/** `--scope` (repeatable, each space-separated): at least one scope. */
function parseScopes(values: readonly string[]): string[] {
  const scopes = values.flatMap((s) => s.split(/\s+/)).filter((s) => s !== '');
  if (scopes.length === 0) throw new UsageError('--scope needs at least one scope, e.g. --scope "read write"');
  return scopes;
}

/** `--callback-port`: a decimal port number from 0 to 65535. */
function parseCallbackPort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--callback-port must be a port number from 0 to 65535; got ${JSON.stringify(value)}`);
  }
  return port;
}

/** The --token-store DIR hook: a FileTokenStore rooted at DIR when the file store is available. */
function tokenStoreAt(dir: string, ctx: OAuthBuildContext): NonNullable<OAuthConfigOptions['tokenStore']> {
  const store = ctx.createTokenStore?.(dir);
  if (store === undefined) {
    throw new UsageError('--token-store is not available in this build yet (the file token store is missing)');
  }
  return store;
}

/** Build the config; an option the library refuses is reported under the flag that set it. */
function newOAuthConfig(options: OAuthConfigOptions): OAuthConfig {
  try {
    return new OAuthConfig(options);
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      const flag = FLAG_OF_FIELD[error.field];
      const detail = error.message.slice(error.field.length + 2);
      throw new UsageError(flag ? `${flag}: ${detail}` : error.message, { cause: error });
    }
    throw error;
  }
}
