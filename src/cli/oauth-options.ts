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
  if (o.flow !== undefined) {
    if (!FLOWS.includes(o.flow as OAuthFlow)) {
      throw new UsageError(`--flow must be one of ${FLOWS.join(', ')}; got ${JSON.stringify(o.flow)}`);
    }
    options.flow = o.flow as OAuthFlow;
  }
  if (o.clientId !== undefined) options.clientId = o.clientId;
  if (o.clientSecretEnv !== undefined) {
    const name = o.clientSecretEnv;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(
        `--client-secret-env takes the NAME of an environment variable (e.g. MCP_CLIENT_SECRET), not a secret value`,
      );
    }
    if (ctx.env[name] === undefined || ctx.env[name] === '') {
      throw new UsageError(`--client-secret-env ${name}: the environment variable ${name} is not set`);
    }
    options.clientSecret = Secret.fromEnv(name);
  }
  if (o.privateKeyFile !== undefined) {
    const read = ctx.readTextFile ?? ((path: string) => readFile(path, 'utf8'));
    let key: string;
    try {
      key = await read(o.privateKeyFile);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw new UsageError(`--private-key-file: cannot read ${o.privateKeyFile}${code ? ` (${code})` : ''}`, { cause });
    }
    if (key.trim() === '') throw new UsageError(`--private-key-file: ${o.privateKeyFile} is empty`);
    options.privateKey = Secret.fromToken(key);
  }
  if (o.clientMetadataUrl !== undefined) options.clientMetadataUrl = o.clientMetadataUrl;
  if (o.scope !== undefined) {
    const scopes = o.scope.flatMap((s) => s.split(/\s+/)).filter((s) => s !== '');
    if (scopes.length === 0) throw new UsageError('--scope needs at least one scope, e.g. --scope "read write"');
    options.scopes = scopes;
  }
  if (o.callbackPort !== undefined) {
    const port = /^\d+$/.test(o.callbackPort) ? Number(o.callbackPort) : Number.NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(
        `--callback-port must be a port number from 0 to 65535; got ${JSON.stringify(o.callbackPort)}`,
      );
    }
    options.redirect = { port };
  }
  if (o.noBrowser) options.callback = 'manual';
  if (o.tokenStore !== undefined) {
    // The --token-store DIR hook: a FileTokenStore rooted at DIR when the file store is available.
    const store = ctx.createTokenStore?.(o.tokenStore);
    if (store === undefined) {
      throw new UsageError('--token-store is not available in this build yet (the file token store is missing)');
    }
    options.tokenStore = store;
  }
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
