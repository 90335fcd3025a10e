import { asDict, registerSerializable, type SerializedObject } from '../../core/serialization.ts';
import { LocalLocks, resolveLockOptions } from './lock-util.ts';
import { checkLockName, checkRecordKey, serializeTokenRecord, tokenRecordId } from './record.ts';
import type { LockOptions, StoreLock, TokenRecord, TokenRecordKey, TokenStore } from './types.ts';

const TYPE = 'mcptool.MemoryTokenStore';

/**
 * A {@link TokenStore} in this process's memory: records are copied in and out (callers cannot mutate what is
 * stored), and the lock is an in-process async mutex per (key, name) that honours `waitMs`, `signal` and `ttlMs`.
 * Nothing outlives the process; `toDict()` records only the type, so `fromDict` gives a fresh, empty store.
 *
 * @example
 * const store = new MemoryTokenStore();
 * new OAuthConfig({ flow: 'client_credentials', clientId: 'svc', clientSecret, tokenStore: store });
 */
export class MemoryTokenStore implements TokenStore {
  readonly #records = new Map<string, string>();
  readonly #locks = new LocalLocks();

  async get(key: TokenRecordKey): Promise<TokenRecord | undefined> {
    checkRecordKey(key);
    const text = this.#records.get(tokenRecordId(key));
    return text === undefined ? undefined : (JSON.parse(text) as TokenRecord);
  }

  async set(record: TokenRecord): Promise<void> {
    const text = serializeTokenRecord(record);
    this.#records.set(tokenRecordId(record), text);
  }

  async delete(key: TokenRecordKey): Promise<void> {
    checkRecordKey(key);
    this.#records.delete(tokenRecordId(key));
  }

  async list(resource?: string): Promise<TokenRecord[]> {
    const records = [...this.#records.values()].map((text) => JSON.parse(text) as TokenRecord);
    return resource === undefined ? records : records.filter((r) => r.resource === resource);
  }

  async lock(key: TokenRecordKey, name: string, options?: LockOptions): Promise<StoreLock> {
    checkRecordKey(key);
    checkLockName(name);
    const resolved = resolveLockOptions(options);
    return this.#locks.acquire(`${tokenRecordId(key)}.${name}`, key, name, resolved);
  }

  /** `{ type: 'mcptool.MemoryTokenStore' }`: contents are never serialized. */
  toDict(): SerializedObject {
    return { type: TYPE };
  }

  /** A fresh, empty store (a memory store's contents do not travel). */
  static fromDict(dict: unknown): MemoryTokenStore {
    asDict(dict, 'MemoryTokenStore', TYPE);
    return new MemoryTokenStore();
  }
}

registerSerializable(TYPE, (d) => MemoryTokenStore.fromDict(d));
