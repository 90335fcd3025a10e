import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidOptionError, quote, SerializationError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { requireObject } from '../../core/options.ts';
import { Secret } from '../../core/secret.ts';
import { asDict, registerSerializable, type SerializedObject } from '../../core/serialization.ts';
import { OAuthError } from '../errors.ts';
import { acquireLayeredLock, checkLogger, LocalLocks, resolveLockOptions } from './lock-util.ts';
import { checkLockName, checkRecordKey, parseTokenRecord, serializeTokenRecord, tokenRecordId } from './record.ts';
import { checkRedisUrl, createOwnedClient, destroyQuietly, type OwnedClient, redactUrl } from './redis-client.ts';
import type { LockOptions, StoreLock, TokenRecord, TokenRecordKey, TokenStore } from './types.ts';

const TYPE = 'mcptool.RedisTokenStore';
const DEFAULT_PREFIX = 'mcptool:';
/** Deletes the lock only if it still holds the caller's value (so only its owner releases it). */
const RELEASE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** Extends the lock's ttl only if it still holds the caller's value. */
const RENEW_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/**
 * The part of a Redis client the store uses: node-redis 4 and 5 clients (`createClient()`) fit it. Commands go
 * through `sendCommand`, so no command-option shapes that differ between versions are relied on. A client that is
 * not open yet (`isOpen === false`) is connected on first use. Redis Cluster clients are not supported.
 */
export interface RedisClientLike {
  /**
   * Send one Redis command.
   * @param args The command name and its arguments, e.g. `['GET', key]`.
   * @returns The server's reply.
   */
  sendCommand(args: string[]): Promise<unknown>;
  /** Whether the client is connected; `false` makes the store call {@link RedisClientLike.connect} first. */
  readonly isOpen?: boolean;
  /**
   * Open the connection (called by the store on first use when `isOpen` is `false`).
   * @returns A promise that settles when the client is connected.
   */
  connect?(): Promise<unknown>;
}

/** Options of {@link RedisTokenStore}. Give `url` (and maybe `password`), or `client`, or neither (localhost:6379). */
export interface RedisTokenStoreOptions {
  /**
   * A `redis:` or `rediss:` URL, or a `Secret` holding one (for URLs with credentials). A plain URL with a password
   * works but cannot be serialized: `toDict()` refuses it; use `password` or a `Secret` URL instead.
   */
  url?: string | Secret;
  /** The password (Redis AUTH), kept as an environment reference when serialized. */
  password?: Secret;
  /** A node-redis client to use instead of creating one. It is not closed by {@link RedisTokenStore.close}. */
  client?: RedisClientLike;
  /** Prefix of every key the store uses. Default `mcptool:`. */
  prefix?: string;
  /** Where corrupt records, lost locks and client errors are reported. Default: silent. */
  logger?: Logger;
  /** A corrupt record: `report` (default: log and treat as absent) or `throw` (`STORE_CORRUPT`). */
  onCorrupt?: 'report' | 'throw';
}

function replyText(reply: unknown): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (typeof reply === 'string') return reply;
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return String(reply);
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * A {@link TokenStore} in Redis, shared by every process and machine that uses the same server and prefix
 * (import it from `mcptool/redis`; `redis` — node-redis — is an optional peer dependency, loaded only when no
 * `client` is given).
 *
 * - Records are JSON strings under `${prefix}token:${tokenRecordId(key)}`; the record carries its key.
 * - The lock is `SET ${prefix}lock:${id}:${name} <owner> NX PX ttl` (it expires by itself if its holder dies) and
 *   is released only by its owner, with a Lua script that deletes it only if it still holds the owner's value
 *   (the single-instance pattern of https://redis.io/docs/latest/develop/use/patterns/distributed-locks/).
 *   Waiters poll with backoff; callers in the same process queue in memory first.
 * - `toDict()` never holds a password: a plain URL with one is refused (`NOT_SERIALIZABLE`); pass the password as
 *   `password: Secret.fromEnv(...)` or the whole URL as `url: Secret.fromEnv(...)`, both serialized as references.
 *
 * @example
 * import { RedisTokenStore } from 'mcptool/redis';
 * const store = new RedisTokenStore({ url: 'redis://cache.internal:6379', password: Secret.fromEnv('REDIS_PASSWORD') });
 */
export class RedisTokenStore implements TokenStore {
  /** The key prefix. */
  readonly prefix: string;
  readonly #url: string | Secret | undefined;
  readonly #password: Secret | undefined;
  readonly #givenClient: RedisClientLike | undefined;
  readonly #logger: Logger;
  readonly #onCorrupt: 'report' | 'throw';
  readonly #locks = new LocalLocks();
  #client: Promise<RedisClientLike> | undefined;
  #owned: OwnedClient | undefined;
  #closed = false;

  constructor(options: RedisTokenStoreOptions = {}) {
    const o = requireObject(options, 'options');
    const url = o['url'];
    if (url !== undefined && !Secret.isSecret(url)) {
      if (typeof url !== 'string') throw new InvalidOptionError('options.url', 'must be a redis: URL or a Secret');
      checkRedisUrl(url, 'options.url');
    }
    const password = o['password'];
    if (password !== undefined && !Secret.isSecret(password)) {
      throw new InvalidOptionError('options.password', "must be a Secret (e.g. Secret.fromEnv('REDIS_PASSWORD'))");
    }
    const client = o['client'] as RedisClientLike | undefined;
    if (client !== undefined && typeof client?.sendCommand !== 'function') {
      throw new InvalidOptionError('options.client', 'must be a node-redis client (with sendCommand)');
    }
    if (client !== undefined && (url !== undefined || password !== undefined)) {
      throw new InvalidOptionError('options.client', 'give either a client or a url/password, not both');
    }
    const prefix = o['prefix'] ?? DEFAULT_PREFIX;
    if (typeof prefix !== 'string') throw new InvalidOptionError('options.prefix', 'must be a string');
    if (o['onCorrupt'] !== undefined && o['onCorrupt'] !== 'report' && o['onCorrupt'] !== 'throw') {
      throw new InvalidOptionError('options.onCorrupt', 'must be "report" or "throw"');
    }
    this.prefix = prefix;
    this.#url = url as string | Secret | undefined;
    this.#password = password;
    this.#givenClient = client;
    this.#logger = checkLogger(o['logger'], 'options.logger') ?? silentLogger;
    this.#onCorrupt = (o['onCorrupt'] as 'report' | 'throw' | undefined) ?? 'report';
  }

  /** The Redis key of `key`'s record. */
  recordKey(key: TokenRecordKey): string {
    return `${this.prefix}token:${tokenRecordId(checkRecordKey(key))}`;
  }

  async get(key: TokenRecordKey): Promise<TokenRecord | undefined> {
    const redisKey = this.recordKey(key);
    const text = replyText(await this.#command('read', ['GET', redisKey]));
    if (text === undefined) return undefined;
    const parsed = parseTokenRecord(text, key);
    return 'record' in parsed ? parsed.record : this.#corrupt(redisKey, parsed.problem);
  }

  async set(record: TokenRecord): Promise<void> {
    const text = serializeTokenRecord(record);
    await this.#command('write', ['SET', this.recordKey(record), text]);
  }

  async delete(key: TokenRecordKey): Promise<void> {
    await this.#command('delete', ['DEL', this.recordKey(key)]);
  }

  async list(resource?: string): Promise<TokenRecord[]> {
    const keyPrefix = `${this.prefix}token:`;
    const pattern = `${escapeGlob(keyPrefix)}*`;
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const reply = await this.#command('list', ['SCAN', cursor, 'MATCH', pattern, 'COUNT', '200']);
      if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
        throw new OAuthError('STORE_FAILED', 'Redis token store: unexpected SCAN reply');
      }
      cursor = replyText(reply[0]) ?? '0';
      for (const k of reply[1] as unknown[]) {
        const text = replyText(k);
        if (text !== undefined && /^[0-9a-f]{64}$/.test(text.slice(keyPrefix.length))) keys.add(text);
      }
    } while (cursor !== '0');
    const sorted = [...keys].sort();
    const records: TokenRecord[] = [];
    for (let i = 0; i < sorted.length; i += 100) {
      const batch = sorted.slice(i, i + 100);
      const values = await this.#command('list', ['MGET', ...batch]);
      if (!Array.isArray(values)) throw new OAuthError('STORE_FAILED', 'Redis token store: unexpected MGET reply');
      for (const [index, redisKey] of batch.entries()) {
        const text = replyText(values[index]);
        if (text === undefined) continue; // deleted meanwhile
        const parsed = parseTokenRecord(text);
        if ('problem' in parsed) {
          this.#corrupt(redisKey, parsed.problem);
        } else if (`${keyPrefix}${tokenRecordId(parsed.record)}` !== redisKey) {
          this.#corrupt(redisKey, 'a record whose (resource, issuer) does not match its key');
        } else if (resource === undefined || parsed.record.resource === resource) {
          records.push(parsed.record);
        }
      }
    }
    return records;
  }

  async lock(key: TokenRecordKey, name: string, options?: LockOptions): Promise<StoreLock> {
    checkRecordKey(key);
    checkLockName(name);
    const resolved = resolveLockOptions(options);
    const lockKey = `${this.prefix}lock:${tokenRecordId(key)}:${name}`;
    return acquireLayeredLock(this.#locks, lockKey, key, name, resolved, () => this.#tryLock(lockKey, resolved.ttlMs));
  }

  /** Close the client this store created (never a client passed in). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const owned = this.#owned;
    this.#owned = undefined;
    this.#client = undefined;
    if (owned === undefined) return;
    try {
      if (typeof owned.close === 'function') await owned.close();
      else await owned.quit?.();
    } catch {
      destroyQuietly(owned);
    }
  }

  /**
   * `{ type: 'mcptool.RedisTokenStore', prefix, url?, password? }`: a plain URL (without a password), or a `Secret`
   * URL and password as environment references. Throws `NOT_SERIALIZABLE` for a plain URL holding a password or
   * for a store built around a client object.
   */
  toDict(): SerializedObject {
    if (this.#givenClient !== undefined) {
      throw new SerializationError(
        'NOT_SERIALIZABLE',
        'A RedisTokenStore built from a client object cannot be serialized; build it from a url to save it',
      );
    }
    const dict: SerializedObject = { type: TYPE, prefix: this.prefix };
    if (typeof this.#url === 'string') {
      if (new URL(this.#url).password !== '') {
        throw new SerializationError(
          'NOT_SERIALIZABLE',
          `The Redis URL ${quote(redactUrl(this.#url))} holds a password, which is never serialized; ` +
            "pass it as password: Secret.fromEnv('REDIS_PASSWORD') or the URL as url: Secret.fromEnv('REDIS_URL')",
        );
      }
      dict['url'] = this.#url;
    } else if (this.#url !== undefined) {
      dict['url'] = this.#url.toDict();
    }
    if (this.#password !== undefined) dict['password'] = this.#password.toDict();
    return dict;
  }

  /**
   * Recreate a store from {@link RedisTokenStore.toDict}'s output (a new client is created from `url`/`password`).
   * @param dict A `{ type: 'mcptool.RedisTokenStore', url?, password?, prefix? }` object.
   * @returns A store with the dict's connection settings and prefix.
   * @throws SerializationError (`INVALID_DICT`) when `dict` is not an object of that type or a `Secret` in it is invalid.
   */
  static fromDict(dict: unknown): RedisTokenStore {
    const d = asDict(dict, 'RedisTokenStore', TYPE);
    const options: RedisTokenStoreOptions = {};
    if (typeof d['prefix'] === 'string') options.prefix = d['prefix'];
    const url = d['url'];
    if (typeof url === 'string') options.url = url;
    else if (url !== undefined) options.url = Secret.fromDict(url);
    if (d['password'] !== undefined) options.password = Secret.fromDict(d['password']);
    return new RedisTokenStore(options);
  }

  #corrupt(redisKey: string, problem: string): undefined {
    if (this.#onCorrupt === 'throw') {
      throw new OAuthError('STORE_CORRUPT', `Redis token store key ${quote(redisKey)} holds ${problem}`);
    }
    this.#logger.warn('Redis token store: ignoring a corrupt record', { key: redisKey, problem });
    return undefined;
  }

  async #tryLock(lockKey: string, ttlMs: number): Promise<StoreLock | undefined> {
    const value = JSON.stringify({
      token: randomUUID(),
      pid: process.pid,
      hostname: hostname(),
      acquired_at: Date.now(),
      ttl_ms: ttlMs,
    });
    const reply = await this.#command('lock', ['SET', lockKey, value, 'NX', 'PX', String(Math.ceil(ttlMs))]);
    if (replyText(reply) !== 'OK') return undefined;
    return {
      release: () => this.#releaseLock(lockKey, value),
      renew: () => this.#renewLock(lockKey, value, ttlMs),
    };
  }

  async #renewLock(lockKey: string, value: string, ttlMs: number): Promise<boolean> {
    try {
      const renewed = await this.#command('renew', [
        'EVAL',
        RENEW_SCRIPT,
        '1',
        lockKey,
        value,
        String(Math.ceil(ttlMs)),
      ]);
      return Number(renewed) === 1;
    } catch (error) {
      this.#logger.warn('Redis token store: could not renew a lock', {
        key: lockKey,
        code: (error as { code?: string }).code,
      });
      return false;
    }
  }

  async #releaseLock(lockKey: string, value: string): Promise<void> {
    try {
      const deleted = await this.#command('unlock', ['EVAL', RELEASE_SCRIPT, '1', lockKey, value]);
      if (Number(deleted) !== 1) {
        this.#logger.warn('Redis token store: a lock expired (its ttl passed) before its holder released it', {
          key: lockKey,
        });
      }
    } catch (error) {
      this.#logger.warn('Redis token store: could not release a lock; it will expire after its ttl', {
        key: lockKey,
        code: (error as { code?: string }).code,
      });
    }
  }

  async #command(what: string, args: string[]): Promise<unknown> {
    const client = await this.#connection();
    try {
      return await client.sendCommand(args);
    } catch (cause) {
      throw new OAuthError('STORE_FAILED', `Redis token store: ${what} failed`, { cause });
    }
  }

  #connection(): Promise<RedisClientLike> {
    if (this.#closed && this.#givenClient === undefined) {
      return Promise.reject(new OAuthError('STORE_FAILED', 'Redis token store: used after close()'));
    }
    this.#client ??= this.#connect().catch((error) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  async #connect(): Promise<RedisClientLike> {
    const given = this.#givenClient;
    if (given !== undefined) {
      if (given.isOpen === false && typeof given.connect === 'function') {
        try {
          await given.connect();
        } catch (cause) {
          throw new OAuthError('STORE_FAILED', 'Redis token store: could not connect the given client', { cause });
        }
      }
      return given;
    }
    const client = await createOwnedClient({
      url: typeof this.#url === 'string' ? this.#url : this.#url?.resolve(),
      password: this.#password?.resolve(),
      logger: this.#logger,
    });
    if (this.#closed) {
      destroyQuietly(client);
      throw new OAuthError('STORE_FAILED', 'Redis token store: used after close()');
    }
    this.#owned = client;
    return client;
  }
}

registerSerializable(TYPE, (d) => RedisTokenStore.fromDict(d));
