import type { CredentialStatus } from '../auth/account.ts';
import { forTerminal } from './terminal.ts';

/** How each registration kind is named for people. */
const REGISTRATION: Record<string, string> = {
  pre_registered: 'pre-registered',
  client_id_metadata_document: 'Client ID Metadata Document',
  dynamic: 'dynamic client registration',
};

/** `1 h 5 min`, `42 min`, `30 s` for a duration in seconds (rounded down). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The access-token line of a credential: held or not, its expiry and how far away it is. */
export function accessTokenText(c: CredentialStatus, nowSeconds: number): string {
  if (!c.hasAccessToken) return 'none';
  if (c.expiresAt === undefined) return 'held (the server gave no expiry)';
  const left = c.expiresAt - nowSeconds;
  return left > 0
    ? `valid until ${isoTime(c.expiresAt)} (in ${formatDuration(left)})`
    : `expired at ${isoTime(c.expiresAt)} (${formatDuration(-left)} ago)${c.hasRefreshToken ? '; renewed on next use' : ''}`;
}

/** The client line: id and how it was registered. */
export function clientText(c: CredentialStatus): string {
  if (c.clientId === undefined) return '(none registered)';
  const kind = c.registration === undefined ? undefined : (REGISTRATION[c.registration] ?? c.registration);
  return kind ? `${c.clientId} (${kind})` : c.clientId;
}

/**
 * One block per stored credential, for `mcptool status`: server, issuer, client and registration kind, scopes,
 * access-token expiry, refresh token held or not, last update. Never a token or secret value (there is none in a
 * {@link CredentialStatus}).
 */
export function credentialsToText(credentials: readonly CredentialStatus[], nowSeconds: number): string {
  return credentials
    .map((c) => `${forTerminal(c.resource)}\n${credentialLines(c, nowSeconds, [['updated', isoTime(c.updatedAt)]])}\n`)
    .join('\n');
}

/**
 * A credential as indented `name value` lines (issuer, client, scopes, access and refresh token, then `extra`), values
 * sanitized for the terminal; shared by `status` and `login`.
 */
export function credentialLines(c: CredentialStatus, nowSeconds: number, extra: [string, string][]): string {
  const rows: [string, string][] = [
    ['issuer', c.issuer],
    ['client', clientText(c)],
    ['scopes', c.scopes.length > 0 ? c.scopes.join(' ') : '(none granted)'],
    ['access token', accessTokenText(c, nowSeconds)],
    ['refresh token', c.hasRefreshToken ? 'held' : 'none'],
    ...extra,
  ];
  return rows.map(([k, v]) => `  ${k.padEnd(15)}${forTerminal(v)}`).join('\n');
}

/** A credential as `mcptool status --json` prints it: times as ISO 8601 strings, absent values as `null`. */
export interface CredentialJson {
  server: string;
  issuer: string;
  clientId: string | null;
  registration: string | null;
  scopes: string[];
  hasAccessToken: boolean;
  accessTokenExpiresAt: string | null;
  expired: boolean;
  hasRefreshToken: boolean;
  updatedAt: string;
}

/** The JSON form of a credential (see {@link CredentialJson}). */
export function credentialToJson(c: CredentialStatus): CredentialJson {
  return {
    server: c.resource,
    issuer: c.issuer,
    clientId: c.clientId ?? null,
    registration: c.registration ?? null,
    scopes: c.scopes,
    hasAccessToken: c.hasAccessToken,
    accessTokenExpiresAt: c.expiresAt === undefined ? null : new Date(c.expiresAt * 1000).toISOString(),
    expired: c.expired,
    hasRefreshToken: c.hasRefreshToken,
    updatedAt: new Date(c.updatedAt * 1000).toISOString(),
  };
}
