import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidOptionError, quote } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { optionalString, requireObject } from '../../core/options.ts';
import { asDict, registerSerializable, type SerializedObject } from '../../core/serialization.ts';
import { OAuthError } from '../errors.ts';
import { errorCode, processLocks, renameOver, storeFailed, tryLockFile } from './file-lock.ts';
import { acquireLayeredLock, checkLogger, resolveLockOptions } from './lock-util.ts';
import { defaultTokenStoreDir } from './paths.ts';
import { checkLockName, checkRecordKey, parseTokenRecord, serializeTokenRecord, tokenRecordId } from './record.ts';
import type { LockOptions, StoreLock, TokenRecord, TokenRecordKey, TokenStore } from './types.ts';

const TYPE = 'mcptool.FileTokenStore';
const RECORD_FILE = /^[0-9a-f]{64}\.json$/;
const TEMP_FILE = /^\.[0-9a-f]{16}\.tmp$/;
/** A temp file this old was left by a writer that died before its rename; it is removed. */
const ABANDONED_TEMP_MS = 10 * 60_000;
/**
 * How a record file is opened for reading: never through a symbolic link (POSIX `O_NOFOLLOW`), and without
 * blocking on a FIFO planted in its place (`O_NONBLOCK`; such a file is then refused as not a regular file).
 */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
/** Errors that make one record file unreadable (reported and treated as absent) rather than the store failing. */
const UNREADABLE = new Set(['EACCES', 'EPERM', 'EISDIR', 'ELOOP', 'EINVAL']);

/** Options of {@link FileTokenStore}. */
export interface FileTokenStoreOptions {
  /** The store directory. Default: {@link defaultTokenStoreDir} (`$MCPTOOL_HOME`, else the user data dir). */
  dir?: string;
  /** Where corrupt or unreadable files and recovered locks are reported. Default: silent. */
  logger?: Logger;
  /**
   * What to do with a corrupt or unreadable record file. `report` (default): log a warning with its path and treat
   * the record as absent. `throw`: fail with `STORE_CORRUPT`.
   */
  onCorrupt?: 'report' | 'throw';
}

/**
 * Whether a record file may be read: `STORE_FAILED` when it is owned by another user or writable by group or other
 * (another user may have planted or changed it); `'tighten'` when it is only readable by them (it is set to 0600,
 * the mode every record this store writes has).
 */
function checkRecordFile(path: string, info: { uid: number; mode: number }): 'ok' | 'tighten' {
  const refuse = (why: string, fix: string) =>
    new OAuthError('STORE_FAILED', `Token store: refusing to read ${quote(path)}: ${why}; ${fix}`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw refuse(
      `it is owned by uid ${info.uid}, not by this user (uid ${uid}), so another user may have planted it`,
      `remove it (rm ${quote(path)})`,
    );
  }
  if ((info.mode & 0o022) !== 0) {
    throw refuse(
      `its mode is ${(info.mode & 0o777).toString(8).padStart(4, '0')}: other users may have changed it, and ` +
        'record files are 0600 (this user only)',
      `check it, then run chmod 600 ${quote(path)}, or remove it`,
    );
  }
  return (info.mode & 0o077) === 0 ? 'ok' : 'tighten';
}

/**
 * A {@link TokenStore} in a directory, the default for interactive use. One JSON file per record, named by
 * {@link tokenRecordId} of (resource, issuer); the record inside carries both.
 *
 * - Permissions, checked on every read as on every write: the directory is created with mode 0700; an existing
 *   directory with group or other access is tightened to 0700 (with a warning through the logger), and one owned by
 *   another user is refused with `STORE_FAILED`. Files are 0600: a record file owned by another user, with group or
 *   other write access is refused with `STORE_FAILED` naming it and how to fix it, one readable by others is tightened
 *   to 0600 (with a warning); record files are opened without following symbolic links, and a link or anything but a
 *   regular file is reported like a corrupt file. (POSIX only; on Windows the
 *   directory inherits the user profile's ACLs.)
 * - Writes are atomic: a temp file (0600) in the same directory is written, fsynced and renamed over the record,
 *   so a reader or a crash never sees a partial record.
 * - A corrupt or unreadable file is reported through the logger with its path and treated as absent (other
 *   records are not touched); with `onCorrupt: 'throw'` it fails with `STORE_CORRUPT`.
 * - The lock is a lock file per (key, name), created exclusively (`wx`) with its owner (pid, hostname, a random
 *   token, `acquired_at`, `ttl_ms`); waiters poll with backoff and take over a lock whose ttl has passed or whose
 *   owner process is gone (same host). Taking over and releasing are serialized by a short-lived breaker file, so
 *   a lock is only ever deleted by its owner or by a breaker that has just re-checked that it is stale.
 *
 * @example
 * const store = new FileTokenStore(); // $MCPTOOL_HOME or e.g. ~/.local/share/mcptool
 */
export class FileTokenStore implements TokenStore {
  /** The absolute store directory. */
  readonly dir: string;
  readonly #explicitDir: boolean;
  readonly #logger: Logger;
  readonly #onCorrupt: 'report' | 'throw';
  #ready: Promise<void> | undefined;

  constructor(options: FileTokenStoreOptions = {}) {
    const o = requireObject(options, 'options');
    const dir = optionalString(o['dir'], 'options.dir');
    if (o['onCorrupt'] !== undefined && o['onCorrupt'] !== 'report' && o['onCorrupt'] !== 'throw') {
      throw new InvalidOptionError('options.onCorrupt', 'must be "report" or "throw"');
    }
    this.#explicitDir = dir !== undefined;
    this.dir = resolve(dir ?? defaultTokenStoreDir());
    this.#logger = checkLogger(o['logger'], 'options.logger') ?? silentLogger;
    this.#onCorrupt = (o['onCorrupt'] as 'report' | 'throw' | undefined) ?? 'report';
  }

  /** The path of the file holding `key`'s record. */
  recordPath(key: TokenRecordKey): string {
    return join(this.dir, `${tokenRecordId(checkRecordKey(key))}.json`);
  }

  async get(key: TokenRecordKey): Promise<TokenRecord | undefined> {
    const path = this.recordPath(key);
    if (!(await this.#checkDirForRead())) return undefined;
    const text = await this.#read(path);
    if (text === undefined) return undefined;
    const parsed = parseTokenRecord(text, key);
    return 'record' in parsed ? parsed.record : this.#corrupt(path, parsed.problem);
  }

  async set(record: TokenRecord): Promise<void> {
    const text = serializeTokenRecord(record);
    const path = this.recordPath(record);
    await this.#ensureDir();
    await this.#writeAtomic(path, `${text}\n`);
  }

  async delete(key: TokenRecordKey): Promise<void> {
    const path = this.recordPath(key);
    try {
      await unlink(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw storeFailed('delete', path, error);
    }
  }

  async list(resource?: string): Promise<TokenRecord[]> {
    let names: string[];
    if (!(await this.#checkDirForRead())) return [];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw storeFailed('list', this.dir, error);
    }
    const records = await Promise.all(
      names
        .filter((name) => RECORD_FILE.test(name))
        .sort()
        .map(async (name) => {
          const path = join(this.dir, name);
          const text = await this.#read(path);
          if (text === undefined) return undefined;
          const parsed = parseTokenRecord(text);
          if ('problem' in parsed) return this.#corrupt(path, parsed.problem);
          if (`${tokenRecordId(parsed.record)}.json` !== name) {
            return this.#corrupt(path, 'a record whose (resource, issuer) does not match its file name');
          }
          return parsed.record;
        }),
    );
    return records.filter(
      (r): r is TokenRecord => r !== undefined && (resource === undefined || r.resource === resource),
    );
  }

  async lock(key: TokenRecordKey, name: string, options?: LockOptions): Promise<StoreLock> {
    checkRecordKey(key);
    checkLockName(name);
    const resolved = resolveLockOptions(options);
    await this.#ensureDir();
    const path = join(this.dir, `${tokenRecordId(key)}.${name}.lock`);
    return acquireLayeredLock(
      processLocks,
      path,
      key,
      name,
      resolved,
      () => tryLockFile(path, resolved.ttlMs, this.#logger),
      (error) => {
        // The lock expires after its ttl anyway; a failed release must not mask the holder's own outcome.
        this.#logger.warn('Token store: could not release a lock; it will expire after its ttl', {
          path,
          code: errorCode(error),
        });
      },
    );
  }

  /** `{ type: 'mcptool.FileTokenStore', dir }`; `dir` is left out when it was the default (resolved again on load). */
  toDict(): SerializedObject {
    return this.#explicitDir ? { type: TYPE, dir: this.dir } : { type: TYPE };
  }

  /**
   * Recreate a store from {@link FileTokenStore.toDict}'s output.
   * @param dict A `{ type: 'mcptool.FileTokenStore', dir? }` object.
   * @returns A store on the dict's `dir`, or on the default directory when it has none.
   * @throws SerializationError (`INVALID_DICT`) when `dict` is not an object of that type.
   */
  static fromDict(dict: unknown): FileTokenStore {
    const d = asDict(dict, 'FileTokenStore', TYPE);
    const dir = d['dir'];
    return new FileTokenStore(typeof dir === 'string' ? { dir } : {});
  }

  #corrupt(path: string, problem: string, cause?: unknown): undefined {
    if (this.#onCorrupt === 'throw') {
      throw new OAuthError('STORE_CORRUPT', `Token store file ${quote(path)} is ${problem}`, { cause });
    }
    this.#logger.warn('Token store: ignoring a corrupt or unreadable record file', { path, problem });
    return undefined;
  }

  /** A record file's text: opened without following a link, and only when it is this user's own 0600 file. */
  async #read(path: string): Promise<string | undefined> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, READ_FLAGS);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') return undefined;
      if (code !== undefined && UNREADABLE.has(code)) return this.#corrupt(path, `unreadable (${code})`, error);
      throw storeFailed('read', path, error);
    }
    try {
      const info = await handle.stat();
      // A directory or a FIFO where a record should be is garbage, like a corrupt file.
      if (!info.isFile()) return this.#corrupt(path, 'not a regular file');
      if (process.platform !== 'win32' && checkRecordFile(path, info) === 'tighten') {
        await handle.chmod(0o600);
        this.#logger.warn('Token store: tightened the permissions of a record file to 0600', {
          path,
          previousMode: (info.mode & 0o777).toString(8).padStart(4, '0'),
        });
      }
      return await handle.readFile('utf8');
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      throw storeFailed('read', path, error);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  #ensureDir(): Promise<void> {
    this.#ready ??= this.#prepareDir().catch((error) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /**
   * Before a read: the same directory checks as before a write ({@link FileTokenStore.#checkDir}), without creating
   * it. Resolves to false when there is no directory (so no records).
   */
  async #checkDirForRead(): Promise<boolean> {
    if (this.#ready !== undefined) {
      await this.#ready;
      return true;
    }
    try {
      await stat(this.dir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw storeFailed('inspect the directory', this.dir, error);
    }
    await this.#ensureDir();
    return true;
  }

  async #prepareDir(): Promise<void> {
    const dir = this.dir;
    try {
      await mkdir(dirname(dir), { recursive: true });
      await mkdir(dir, { mode: 0o700 });
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw storeFailed('create the directory', dir, error);
    }
    await this.#checkDir();
    await this.#removeAbandonedTempFiles();
  }

  /** The directory is this user's, and no one else's: owned by this user (else refused), mode 0700 (tightened). */
  async #checkDir(): Promise<void> {
    const dir = this.dir;
    if (process.platform === 'win32') return;
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(dir);
    } catch (error) {
      throw storeFailed('inspect the directory', dir, error);
    }
    if (!info.isDirectory()) {
      throw new OAuthError('STORE_FAILED', `Token store: ${quote(dir)} exists and is not a directory`);
    }
    const uid = process.getuid?.();
    if (uid !== undefined && info.uid !== uid) {
      throw new OAuthError(
        'STORE_FAILED',
        `Token store: refusing to use ${quote(dir)}: it is owned by uid ${info.uid}, not by this user (uid ${uid}), ` +
          'so its records may not be yours; use a directory of your own (--token-store DIR, $MCPTOOL_HOME, or the ' +
          '`dir` option) or remove it',
      );
    }
    if ((info.mode & 0o077) !== 0) {
      try {
        await chmod(dir, 0o700);
      } catch (error) {
        throw storeFailed('restrict the permissions (0700) of', dir, error);
      }
      this.#logger.warn('Token store: tightened the directory permissions to 0700', {
        path: dir,
        previousMode: (info.mode & 0o777).toString(8).padStart(4, '0'),
      });
    }
  }

  /** Remove temp files left by writers that were killed before their rename (they are never read). */
  async #removeAbandonedTempFiles(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const now = Date.now();
    for (const name of names.filter((n) => TEMP_FILE.test(n))) {
      const path = join(this.dir, name);
      try {
        if (now - (await stat(path)).mtimeMs > ABANDONED_TEMP_MS) await unlink(path);
      } catch {
        // gone already, or not ours to remove: harmless either way
      }
    }
  }

  async #writeAtomic(path: string, data: string): Promise<void> {
    const tmp = join(this.dir, `.${randomBytes(8).toString('hex')}.tmp`);
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(tmp, 'wx', 0o600);
      // The mode given to open() is reduced by the umask; set it exactly.
      await handle.chmod(0o600);
      await handle.writeFile(data, 'utf8');
      await handle.sync();
      await handle.close();
      handle = undefined;
      await renameOver(tmp, path);
    } catch (error) {
      await handle?.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      throw storeFailed('write', path, error);
    }
    await this.#syncDir();
  }

  /** Make the rename durable (POSIX); best effort, as not every platform can fsync a directory. */
  async #syncDir(): Promise<void> {
    if (process.platform === 'win32') return;
    try {
      const dirHandle = await open(this.dir, 'r');
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    } catch {
      // durability of the directory entry is best effort
    }
  }
}

registerSerializable(TYPE, (d) => FileTokenStore.fromDict(d));
