import { findServerRecords, signOut } from '../../index.ts';
import {
  ACCOUNT_OPTIONS,
  accountConfig,
  accountError,
  resolveAccountTarget,
  singleTarget,
  tokenStoreOf,
} from '../account.ts';
import { parseCommandArgs } from '../args.ts';
import type { Command } from '../context.ts';
import { EXIT } from '../errors.ts';
import { EXIT_HELP } from '../help-text.ts';

/**
 * `mcptool logout <target>`: forget the stored credentials of a server, revoking the refresh token (else the access
 * token) first where the authorization server offers RFC 7009 revocation.
 */
export const logoutCommand: Command = {
  name: 'logout',
  summary: 'forget the stored credentials of a server (revoking them where supported)',
  usage: `Usage: mcptool logout <target> [--token-store DIR]

Forget the stored credentials of an MCP server: the refresh token (else the access token) is revoked first
where the authorization server offers revocation (RFC 7009), then the stored record (tokens and client
registration) is deleted. A failed revocation is reported and the record is deleted anyway. Says what it did.

Target:
  <url>                    the http(s) URL of the MCP server
  <name> --config FILE     an HTTP server from an "mcpServers" config file

Options:
  --token-store DIR        the token store (default: $MCPTOOL_HOME, else the user data dir)
  --client-id ID, --client-secret-env VAR, --private-key-file FILE
                           the client's credentials, when revocation needs a confidential client
  -h, --help               show this help

${EXIT_HELP}
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(argv, ACCOUNT_OPTIONS, 'logout');
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    const target = await resolveAccountTarget(values, singleTarget(positionals, 'logout'), ctx.io, 'logout');
    const store = tokenStoreOf(values, ctx.io);
    const oauth = await accountConfig(values, ctx.io, { store });
    // The records `status` shows for this server URL: signOut removes exactly these.
    const stored = await findServerRecords(store, target.url);
    let result: Awaited<ReturnType<typeof signOut>>;
    try {
      ctx.progress.update(`Signing out of ${target.label}…`);
      result = await signOut({ serverUrl: target.url, oauth });
    } catch (error) {
      throw accountError('sign-out of', target, error);
    } finally {
      ctx.progress.done();
    }
    const out = ctx.io.stdout;
    if (result.all.length === 0) {
      out.write(`No stored credentials for ${target.label} in ${store.dir}; nothing to do.\n`);
      return EXIT.OK;
    }
    const lines = result.all.map(({ removed, revoked }) => {
      const record = stored.find((r) => r.issuer === removed.issuer && r.resource === removed.resource);
      const offersRevocation =
        typeof record?.discovery?.authorization_server_metadata?.['revocation_endpoint'] === 'string';
      const what = removed.hasRefreshToken ? 'refresh token' : 'access token';
      return revoked
        ? `Revoked the ${what} at ${removed.issuer} (RFC 7009).`
        : !removed.hasAccessToken && !removed.hasRefreshToken
          ? `No token was held for ${removed.issuer}, so nothing was revoked.`
          : offersRevocation
            ? `Could not revoke the ${what} at ${removed.issuer} (it stays valid until it expires).`
            : `${removed.issuer} offers no token revocation (RFC 7009); the ${what} stays valid until it expires.`;
    });
    const n = result.all.length;
    out.write(
      `Signed out of ${target.label}.\n` +
        lines.map((l) => `  ${l}\n`).join('') +
        `  Deleted ${n === 1 ? 'the stored record' : `${n} stored records`} (tokens and client registration) from ${store.dir}.\n`,
    );
    return EXIT.OK;
  },
};
