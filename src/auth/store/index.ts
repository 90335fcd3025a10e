// The token stores of the package root. RedisTokenStore lives in `mcptool/redis` (src/redis.ts) so that the root
// never loads node-redis.
export type { FileTokenStoreOptions } from './file.ts';
export { FileTokenStore } from './file.ts';
export { DEFAULT_LOCK_TTL_MS, DEFAULT_LOCK_WAIT_MS } from './lock-util.ts';
export type { ServerLookup } from './lookup.ts';
export { findServerRecords } from './lookup.ts';
export { MemoryTokenStore } from './memory.ts';
export { defaultTokenStoreDir } from './paths.ts';
export { tokenRecordId } from './record.ts';
export type * from './types.ts';
export { withLock } from './with-lock.ts';
