// Shared data and a recording logger of the FileTokenStore and RedisTokenStore tests.

import type { TokenRecord } from '../../../src/auth/store/types.ts';
import type { Logger } from '../../../src/core/logger.ts';

/** The key of most records in the tests, and a second key on the same issuer. */
export const key = { resource: 'https://mcp.example/mcp', issuer: 'https://as.example' };
export const other = { resource: 'https://other.example/mcp', issuer: 'https://as.example' };

/** A minimal token record for `k`. */
export function record(k = key, accessToken = 'at'): TokenRecord {
  return { version: 1, ...k, updated_at: 1, tokens: { access_token: accessToken, token_type: 'Bearer', issued_at: 1 } };
}

/** A logger that keeps what it was told. */
export function memoryLogger(): Logger & {
  entries: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
} {
  const entries: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    entries.push(fields === undefined ? { level, message } : { level, message, fields });
  };
  return { entries, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
