/**
 * mcptool — the tools of any MCP server for agents, with a complete OAuth 2.1 client.
 * This file names every public export.
 */

export type { ConnectionAuth } from './auth/connection-auth.ts';
// auth
export type {
  LockOptions,
  StoredClient,
  StoredTokens,
  StoreLock,
  TokenRecord,
  TokenRecordKey,
  TokenStore,
} from './auth/store/types.ts';
export type { Clock } from './core/clock.ts';
export { InvalidOptionError, McptoolError, SecretError, SerializationError } from './core/errors.ts';
export type { Logger } from './core/logger.ts';
// core
export { Secret } from './core/secret.ts';
export type { JsonValue, Serializable, SerializedObject } from './core/serialization.ts';
export { deserialize } from './core/serialization.ts';

// mcp
