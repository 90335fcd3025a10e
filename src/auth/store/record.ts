import { createHash } from 'node:crypto';
import { InvalidOptionError } from '../../core/errors.ts';
import type { TokenRecord, TokenRecordKey } from './types.ts';

/**
 * The stable id of a record: the hex SHA-256 of `JSON.stringify([resource, issuer])`. File names and Redis
 * keys use it, so neither the server URL nor the issuer needs escaping, and no (resource, issuer) pair can
 * collide with another by concatenation.
 */
export function tokenRecordId(key: TokenRecordKey): string {
  return createHash('sha256')
    .update(JSON.stringify([key.resource, key.issuer]))
    .digest('hex');
}

/** Lock names are part of file names and Redis keys: letters, digits, `.`, `_` and `-`, 1 to 64 characters. */
const LOCK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Check a lock name (e.g. `refresh`, `sign-in`), or throw an `InvalidOptionError` naming `name`. */
export function checkLockName(name: string): string {
  if (typeof name !== 'string' || !LOCK_NAME.test(name)) {
    throw new InvalidOptionError(
      'name',
      `lock names are 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit; got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** Check a record key, or throw an `InvalidOptionError` naming the field. */
export function checkRecordKey(key: TokenRecordKey, field = 'key'): TokenRecordKey {
  if (typeof key !== 'object' || key === null) throw new InvalidOptionError(field, 'must be { resource, issuer }');
  if (typeof key.resource !== 'string' || key.resource === '') {
    throw new InvalidOptionError(`${field}.resource`, 'must be a non-empty string');
  }
  if (typeof key.issuer !== 'string' || key.issuer === '') {
    throw new InvalidOptionError(`${field}.issuer`, 'must be a non-empty string');
  }
  return key;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why a stored value is not a valid {@link TokenRecord}, or `undefined` when it is one. Checks the shape a
 * reader relies on (version, key, timestamps, the token and client fields it uses), not every optional field.
 */
export function tokenRecordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (value['version'] !== 1) return `unsupported version ${JSON.stringify(value['version'] ?? null)}`;
  if (typeof value['resource'] !== 'string' || value['resource'] === '') return 'no "resource" string';
  if (typeof value['issuer'] !== 'string' || value['issuer'] === '') return 'no "issuer" string';
  if (typeof value['updated_at'] !== 'number') return 'no numeric "updated_at"';
  const tokens = value['tokens'];
  if (tokens !== undefined) {
    if (!isObject(tokens)) return '"tokens" is not an object';
    if (typeof tokens['access_token'] !== 'string') return '"tokens.access_token" is not a string';
    if (typeof tokens['token_type'] !== 'string') return '"tokens.token_type" is not a string';
    if (typeof tokens['issued_at'] !== 'number') return '"tokens.issued_at" is not a number';
    if (tokens['expires_at'] !== undefined && typeof tokens['expires_at'] !== 'number') {
      return '"tokens.expires_at" is not a number';
    }
    if (tokens['refresh_token'] !== undefined && typeof tokens['refresh_token'] !== 'string') {
      return '"tokens.refresh_token" is not a string';
    }
  }
  const client = value['client'];
  if (client !== undefined) {
    if (!isObject(client)) return '"client" is not an object';
    if (typeof client['client_id'] !== 'string') return '"client.client_id" is not a string';
  }
  const discovery = value['discovery'];
  if (discovery !== undefined && !isObject(discovery)) return '"discovery" is not an object';
  const servers = value['servers'];
  if (servers !== undefined && !(Array.isArray(servers) && servers.every((s) => typeof s === 'string'))) {
    return '"servers" is not an array of strings';
  }
  return undefined;
}

/**
 * Parse a stored record. Returns the record, or a reason why the text is not one (invalid JSON, wrong shape,
 * or a record for another key than `expected` — the file name or Redis key does not match its contents).
 */
export function parseTokenRecord(
  text: string,
  expected?: TokenRecordKey,
): { record: TokenRecord } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: text.length === 0 ? 'empty' : 'invalid JSON' };
  }
  const problem = tokenRecordProblem(value);
  if (problem !== undefined) return { problem };
  const record = value as TokenRecord;
  if (expected !== undefined && (record.resource !== expected.resource || record.issuer !== expected.issuer)) {
    return { problem: 'the record belongs to another (resource, issuer)' };
  }
  return { record };
}

/**
 * Serialize a record for storage, keeping only the fields a record may hold (the client
 * registration, tokens, discovery results, resource, issuer, the server URLs, version and `updated_at` — nothing else).
 * Throws an `InvalidOptionError` naming the field when the record is malformed.
 */
export function serializeTokenRecord(record: TokenRecord): string {
  checkRecordKey(record, 'record');
  const problem = tokenRecordProblem(record);
  if (problem !== undefined) throw new InvalidOptionError('record', problem);
  const kept: TokenRecord = {
    version: 1,
    resource: record.resource,
    issuer: record.issuer,
    updated_at: record.updated_at,
  };
  if (record.servers !== undefined) kept.servers = record.servers;
  if (record.client !== undefined) kept.client = record.client;
  if (record.tokens !== undefined) kept.tokens = record.tokens;
  if (record.discovery !== undefined) kept.discovery = record.discovery;
  return JSON.stringify(kept);
}
