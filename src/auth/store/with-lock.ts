import type { LockOptions, StoreLock, TokenRecordKey, TokenStore } from './types.ts';

/**
 * Run `fn` while holding `store`'s lock `name` for `key`, and release the lock afterwards (also when `fn`
 * throws). Waiting fails with `LOCK_TIMEOUT` after `options.waitMs` and with `ABORTED` on `options.signal`.
 * `fn` should finish well within `options.ttlMs`: past it, another caller may take the lock over.
 *
 * @example
 * await withLock(store, key, 'refresh', async () => {
 *   const record = await store.get(key); // re-read: another process may have refreshed already
 *   ...
 * });
 */
export async function withLock<T>(
  store: TokenStore,
  key: TokenRecordKey,
  name: string,
  fn: (lock: StoreLock) => Promise<T> | T,
  options?: LockOptions,
): Promise<T> {
  const lock = await store.lock(key, name, options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
