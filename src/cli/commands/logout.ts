import { readFile, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { signOut } from '../../auth/account.ts';
import { resourceIdentifiesServer } from '../../auth/discovery/well-known.ts';
import { findServerRecords } from '../../auth/store/lookup.ts';
import { tokenRecordId } from '../../auth/store/record.ts';
import { quote } from '../../core/errors.ts';
import {
  ACCOUNT_OPTIONS,
  accountConfig,
  accountError,
  resolveAccountTarget,
  singleTarget,
  storeLoggerOf,
  tokenStoreOf,
} from '../account-command.ts';
import { parseCommandArgs } from '../args.ts';
import type { Command, CommandContext } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';
import { errorLine, exitCodeFor } from '../exit-codes.ts';
import { EXIT_HELP } from '../help-text.ts';
import { forTerminal } from '../terminal.ts';

/**
 * `mcptool logout <target>`: forget the stored credentials of a server, revoking the refresh token (else the access
 * token) first where the authorization server offers RFC 7009 revocation.
 */
const OPTIONS = { ...ACCOUNT_OPTIONS, all: { type: 'boolean' } } as const;

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'forget the stored credentials of a server (revoking them where supported)',
  usage: `Usage: mcptool logout <target> [--token-store DIR]
       mcptool logout --all [--token-store DIR]

Forget the stored credentials of an MCP server: the refresh token (else the access token) is revoked first
where the authorization server offers revocation (RFC 7009), then the stored record (tokens and client
registration) is deleted. A failed revocation is reported and the record is deleted anyway. Says what it did.

Target:
  <url>                    the http(s) URL of the MCP server
  <name> --config FILE     an HTTP server from an "mcpServers" config file

Options:
  --all                    sign out of every server in the token store (and delete its corrupt records)
  --token-store DIR        the token store (default: $MCPTOOL_HOME, else the user data dir)
  --client-id ID, --client-secret-env VAR, --private-key-file FILE
                           the client's credentials, when revocation needs a confidential client
  -h, --help               show this help

${EXIT_HELP}
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, 'logout');
    if (values.help) {
      ctx.io.stdout.write(this.usage);
      return EXIT.OK;
    }
    if (values.all) {
      if (positionals.length > 0) {
        throw new UsageError(`logout --all takes no <target>; unexpected argument ${quote(positionals[0])}`);
      }
      return logoutAll(values, ctx);
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
    if (result.all.length === 0) return reportNothingStored(target, store.dir, ctx);
    const lines = result.all.map(({ removed, revoked }) => revocationLine(removed, revoked, stored));
    const n = result.all.length;
    ctx.io.stdout.write(
      forTerminal(
        `Signed out of ${target.label}.\n` +
          lines.map((l) => `  ${l}\n`).join('') +
          `  Deleted ${n === 1 ? 'the stored record' : `${n} stored records`} (tokens and client registration) from ${store.dir}.\n`,
        { multiline: true },
      ),
    );
    return EXIT.OK;
  },
};

type LogoutTarget = Awaited<ReturnType<typeof resolveAccountTarget>>;
type SignOutEntry = Awaited<ReturnType<typeof signOut>>['all'][number];

/** No record was signed out: delete this server's corrupt record files if any, else say there was nothing to do. */
async function reportNothingStored(target: LogoutTarget, dir: string, ctx: CommandContext): Promise<number> {
  const out = ctx.io.stdout;
  const deleted = await removeCorruptRecords(storeLoggerOf(ctx.io).corrupt.keys(), target.url);
  if (deleted.length > 0) {
    out.write(
      forTerminal(
        `Signed out of ${target.label}.\n` +
          deleted
            .map((path) => `  Deleted the corrupt record file ${path} (nothing in it could be revoked).\n`)
            .join(''),
        { multiline: true },
      ),
    );
    return EXIT.OK;
  }
  out.write(`${forTerminal(`No stored credentials for ${target.label} in ${dir}; nothing to do.`)}\n`);
  return EXIT.OK;
}

/** What happened to the token of one removed record: revoked, none held, revocation failed, or not offered. */
function revocationLine(
  removed: SignOutEntry['removed'],
  revoked: SignOutEntry['revoked'],
  stored: Awaited<ReturnType<typeof findServerRecords>>,
): string {
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
}

/**
 * Delete the corrupt record files (as the store reported them) that belong to the server at `url`: a truncated
 * record still starts with its `resource` and `issuer` (they are written first), and the file name is the id of
 * that pair, so a file is deleted only when its `resource` identifies the server and, when its issuer is readable,
 * the id matches its name. Returns the deleted paths.
 */
async function removeCorruptRecords(paths: Iterable<string>, url: URL): Promise<string[]> {
  const deleted: string[] = [];
  for (const path of paths) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const field = (name: string) => {
      const m = new RegExp(`"${name}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`).exec(text);
      try {
        return m ? (JSON.parse(m[1]!) as string) : undefined;
      } catch {
        return undefined;
      }
    };
    const resource = field('resource');
    const issuer = field('issuer');
    if (resource === undefined || !resourceIdentifiesServer(resource, url)) continue;
    if (issuer !== undefined && `${tokenRecordId({ resource, issuer })}.json` !== basename(path)) continue;
    await unlink(path).then(
      () => deleted.push(path),
      () => {},
    );
  }
  return deleted;
}

/**
 * `logout --all`: sign out of every server with a stored record (revoking where offered, as for one server), and
 * delete the corrupt record files the store reported. A failure for one server does not stop the others; the
 * command then exits 3.
 */
async function logoutAll(values: Record<string, unknown>, ctx: CommandContext): Promise<number> {
  const store = tokenStoreOf(values, ctx.io);
  const oauth = await accountConfig(values, ctx.io, { store });
  const records = await store.list();
  const out = ctx.io.stdout;
  let failed: unknown;
  const lines: string[] = [];
  const done = new Set<string>();
  const keyOf = (r: { resource: string; issuer: string }) => JSON.stringify([r.resource, r.issuer]);
  for (const record of records) {
    if (done.has(keyOf(record))) continue;
    // The server URL the record was obtained for (records written before `servers` was kept: their resource).
    const server = record.servers?.[0] ?? record.resource;
    const target = { url: new URL(server), label: server };
    try {
      ctx.progress.update(`Signing out of ${target.label}…`);
      const { all } = await signOut({ serverUrl: target.url, oauth });
      for (const { removed, revoked } of all) {
        done.add(keyOf(removed));
        lines.push(`  ${target.label} (${removed.issuer}): ${revoked ? 'revoked and deleted' : 'deleted'}`);
      }
      if (!done.has(keyOf(record))) {
        // A record holding neither tokens nor a client is not one a sign-out picks up: delete it as it is.
        await store.delete(record);
        lines.push(`  ${target.label} (${record.issuer}): deleted`);
      }
    } catch (error) {
      failed ??= accountError('sign-out of', target, error);
      lines.push(`  ${target.label} (${record.issuer}): failed: ${(error as Error).message}`);
    } finally {
      ctx.progress.done();
    }
  }
  for (const path of storeLoggerOf(ctx.io).corrupt.keys()) {
    await unlink(path).then(
      () => lines.push(`  ${path}: corrupt record file deleted`),
      () => {},
    );
  }
  if (lines.length === 0) {
    out.write(`No stored credentials in ${store.dir}; nothing to do.\n`);
    return EXIT.OK;
  }
  out.write(`Signed out of every server in ${store.dir}:\n${lines.join('\n')}\n`);
  if (failed !== undefined) {
    ctx.io.stderr.write(errorLine(failed));
    return exitCodeFor(failed);
  }
  return EXIT.OK;
}
