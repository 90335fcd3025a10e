import { canonicalResourceUri, resourceIdentifiesServer } from '../discovery/well-known.ts';
import type { TokenRecord, TokenStore } from './types.ts';

/**
 * What is known of a server URL when its records are looked up: always the URL; after discovery also the URL of
 * the protected resource metadata document that discovery went through.
 */
export interface ServerLookup {
  /** The MCP server URL. */
  serverUrl: string | URL;
  /** The RFC 9728 metadata document URL this server's discovery used (only after discovery). */
  resourceMetadataUrl?: string | undefined;
}

/**
 * Whether a stored record may be used for (and is shown for) a server URL. A record is used for a server URL only
 * when it was obtained for that URL (its `servers` list it), or when that URL's own discovery went through the same
 * protected resource metadata document (same URL) as the record's: a document served at one URL speaks for every
 * server URL that finds it there (RFC 9728 §3), while a second server on the same origin whose own document merely
 * claims the same `resource` does not get the first one's token. A record written before `servers` was kept serves
 * the server URLs its `resource` identifies (the server or a parent of it), as it always did.
 */
export function recordServes(record: TokenRecord, lookup: ServerLookup): boolean {
  const server = canonicalResourceUri(lookup.serverUrl);
  if (record.servers === undefined) return resourceIdentifiesServer(record.resource, lookup.serverUrl);
  if (record.servers.includes(server)) return true;
  const documentUrl = record.discovery?.resource_metadata_url;
  return documentUrl !== undefined && documentUrl === lookup.resourceMetadataUrl;
}

/**
 * The records of a server URL (see {@link recordServes}), most recently updated first. The one lookup behind
 * loading stored tokens, `status`, `logout`, `login --force` and `listCredentials({ serverUrl })`, so that what is
 * shown for a server URL is what is used for it and what `logout` removes. Reads the store only: no network.
 */
export async function findServerRecords(
  store: TokenStore,
  lookup: ServerLookup | string | URL,
): Promise<TokenRecord[]> {
  const query = typeof lookup === 'string' || lookup instanceof URL ? { serverUrl: lookup } : lookup;
  const records = await store.list();
  return records.filter((r) => recordServes(r, query)).sort((a, b) => b.updated_at - a.updated_at);
}

/** The record with `serverUrl` added to its `servers` (a copy; the same record when it is listed already). */
export function withServer(record: TokenRecord, serverUrl: string | URL): TokenRecord {
  const server = canonicalResourceUri(serverUrl);
  const servers = record.servers ?? [];
  return servers.includes(server) ? record : { ...record, servers: [...servers, server] };
}
