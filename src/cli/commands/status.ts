import { listCredentials } from '../../auth/account.ts';
import { epochSeconds } from '../../core/clock.ts';
import { ACCOUNT_OPTIONS, resolveAccountTarget, singleTarget, tokenStoreOf } from '../account-command.ts';
import { parseCommandArgs } from '../args.ts';
import type { Command } from '../context.ts';
import { credentialsToText, credentialToJson } from '../credentials.ts';
import { EXIT } from '../errors.ts';
import { forTerminal } from '../terminal.ts';

const OPTIONS = {
  help: ACCOUNT_OPTIONS.help,
  json: ACCOUNT_OPTIONS.json,
  config: ACCOUNT_OPTIONS.config,
  sse: ACCOUNT_OPTIONS.sse,
  stdio: ACCOUNT_OPTIONS.stdio,
  'token-store': ACCOUNT_OPTIONS['token-store'],
} as const;

/**
 * `mcptool status [<target>] [--json]`: what the token store holds, per server: issuer, client id and how it was
 * registered, scopes, access-token expiry, whether a refresh token is held. Never a secret or token value.
 * Reads the store only: no network request.
 */
export const statusCommand: Command = {
  name: 'status',
  summary: 'show what is stored: issuer, client id, scopes, expiry (never a secret)',
  usage: `Usage: mcptool status [<target>] [--json] [--token-store DIR]

Show the stored credentials (of one server, or all): the server, the authorization server (issuer), the
client id and how it was registered, the granted scopes, when the access token expires and whether a
refresh token is held. Never a token or secret value. Reads the token store only (no network).

Options:
  <target>                 only the credentials of this server (an http(s) URL, or a name with --config FILE)
  --json                   {"tokenStore": DIR, "credentials": [{server, issuer, clientId, registration, scopes,
                           hasAccessToken, accessTokenExpiresAt, expired, hasRefreshToken, updatedAt}]}
  --token-store DIR        the token store (default: $MCPTOOL_HOME, else the user data dir)
  -h, --help               show this help

Exits 0 when credentials are stored (for the target, when one is given), 1 when none are, 2 on a usage error.
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, 'status');
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    const named = singleTarget(positionals, 'status');
    const target = named === undefined ? undefined : await resolveAccountTarget(values, named, ctx.io, 'status');
    const store = tokenStoreOf(values, ctx.io);
    // For a target: the records that server URL uses, which is what `logout` for it removes.
    const found = await listCredentials(store, target ? { serverUrl: target.url } : undefined);
    const credentials = found.sort((a, b) => a.resource.localeCompare(b.resource) || a.issuer.localeCompare(b.issuer));
    const out = ctx.io.stdout;
    if (values.json) {
      out.write(
        `${JSON.stringify({ tokenStore: store.dir, credentials: credentials.map(credentialToJson) }, null, 2)}\n`,
      );
      return credentials.length === 0 ? EXIT.TOOL_ERROR : EXIT.OK;
    }
    if (credentials.length === 0) {
      out.write(
        forTerminal(
          target
            ? `No stored credentials for ${target.label} in ${store.dir}.`
            : `No stored credentials in ${store.dir}.`,
        ) + '\n',
      );
      // Like `gh auth status`: a script can test whether anything is stored.
      return EXIT.TOOL_ERROR;
    }
    const n = credentials.length;
    out.write(`${forTerminal(`Token store ${store.dir}: ${n} stored credential${n === 1 ? '' : 's'}`)}\n\n`);
    out.write(credentialsToText(credentials, epochSeconds()));
    return EXIT.OK;
  },
};
