import { randomBytes, randomUUID } from 'node:crypto';
import { constants, readFileSync, unlinkSync } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InvalidOptionError, quote } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { optionalString, requireObject } from '../../core/options.ts';
import { asDict, registerSerializable, type SerializedObject } from '../../core/serialization.ts';
import { OAuthError } from '../errors.ts';
import { acquireLayeredLock, backoffDelays, checkLogger, LocalLocks, resolveLockOptions, sleep } from './lock-util.ts';
import { defaultTokenStoreDir } from './paths.ts';
import { checkLockName, checkRecordKey, parseTokenRecord, serializeTokenRecord, tokenRecordId } from './record.ts';
import type { LockOptions, StoreLock, TokenRecord, TokenRecordKey, TokenStore } from './types.ts';

const TYPE = 'mcptool.FileTokenStore';
const RECORD_FILE = /^[0-9a-f]{64}\.json$/;
const TEMP_FILE = /^\.[0-9a-f]{16}\.tmp$/;
/** A temp file this old was left by a writer that died before its rename; it is removed. */
const ABANDONED_TEMP_MS = 10 * 60_000;
/** A lock or breaker file whose owner never got to write its content is taken over after this long. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;
/** A breaker file older than this is abandoned (breaking a stale lock takes milliseconds). */
const BREAKER_STALE_MS = 10_000;
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

/** The content of a lock file: who holds it, until when. */
interface LockOwner {
  pid: number;
  hostname: string;
  token: string;
  /** ms since the epoch. */
  acquired_at: number;
  ttl_ms: number;
}

interface LockState {
  owner: LockOwner | undefined;
  mtimeMs: number;
}

/** In-process waiters queue here (keyed by lock file path) before polling the file, across store instances. */
const processLocks = new LocalLocks();
/** Tokens of the file locks this process holds: a lock file naming our pid but not one of these is a predecessor's. */
const heldTokens = new Set<string>();
/** The lock files this process holds now (path → owner token), for {@link releaseHeldLockFilesSync}. */
const heldLockFiles = new Map<string, string>();

/**
 * Delete the lock files this process holds, synchronously: for a process that is about to exit on a signal
 * (Ctrl-C during a sign-in), so that no lock file naming a dead pid is left behind. Each file is deleted only
 * while it still holds this process's owner token.
 */
export function releaseHeldLockFilesSync(): void {
  for (const [path, token] of heldLockFiles) {
    try {
      if (parseOwner(readFileSync(path, 'utf8'))?.token === token) unlinkSync(path);
    } catch {
      // already gone, or not ours any more
    }
  }
  heldLockFiles.clear();
}
const HOST = hostname();

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

function storeFailed(what: string, path: string, cause: unknown): OAuthError {
  const code = errorCode(cause);
  return new OAuthError('STORE_FAILED', `Token store: cannot ${what} ${quote(path)}${code ? ` (${code})` : ''}`, {
    cause,
  });
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

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof v.pid === 'number' &&
      typeof v.hostname === 'string' &&
      typeof v.token === 'string' &&
      typeof v.acquired_at === 'number' &&
      typeof v.ttl_ms === 'number'
    ) {
      return v as LockOwner;
    }
  } catch {
    // not (yet) written: judged by its age
  }
  return undefined;
}

/**
 * Rename `from` over `to`. On Windows a rename fails (EPERM/EACCES/EBUSY) while another process has `to` open,
 * so it is retried briefly there; on POSIX it is atomic and never blocked by readers.
 */
async function renameOver(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rename(from, to);
    } catch (error) {
      const code = errorCode(error);
      const busy = code === 'EPERM' || code === 'EACCES' || code === 'EBUSY';
      if (process.platform !== 'win32' || !busy || attempt >= 8) throw error;
      await sleep(5 * 2 ** attempt);
    }
  }
}

/** Why a lock is stale (its holder may be taken over), or `undefined` while it is valid. */
function staleReason(state: LockState, now: number): string | undefined {
  const { owner } = state;
  if (owner === undefined) {
    return now - state.mtimeMs > UNREADABLE_LOCK_GRACE_MS ? 'its owner never wrote it' : undefined;
  }
  if (now > owner.acquired_at + owner.ttl_ms) return 'its ttl has passed';
  if (owner.hostname === HOST) {
    if (owner.pid === process.pid) return heldTokens.has(owner.token) ? undefined : 'a previous process with our pid';
    if (!pidAlive(owner.pid)) return 'its owner process is gone';
  }
  return undefined;
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
      () => this.#tryLock(path, resolved.ttlMs),
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

  async #readLock(path: string): Promise<LockState | undefined> {
    try {
      const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      return { owner: parseOwner(text), mtimeMs: info.mtimeMs };
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw storeFailed('read the lock file', path, error);
    }
  }

  /** Create `path` exclusively with owner info. Returns the owner, or `undefined` if it exists. */
  async #createLockFile(path: string, ttlMs: number): Promise<LockOwner | undefined> {
    const owner: LockOwner = {
      pid: process.pid,
      hostname: HOST,
      token: randomUUID(),
      acquired_at: Date.now(),
      ttl_ms: ttlMs,
    };
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'wx', 0o600);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return undefined;
      throw storeFailed('create the lock file', path, error);
    }
    try {
      await handle.writeFile(JSON.stringify(owner), 'utf8');
      await handle.close();
    } catch (error) {
      await handle.close().catch(() => {});
      await unlink(path).catch(() => {});
      throw storeFailed('write the lock file', path, error);
    }
    return owner;
  }

  async #tryLock(path: string, ttlMs: number): Promise<StoreLock | undefined> {
    const owner = await this.#createLockFile(path, ttlMs);
    if (owner !== undefined) {
      heldTokens.add(owner.token);
      heldLockFiles.set(path, owner.token);
      return {
        release: () => this.#releaseLockFile(path, owner.token),
        renew: () => this.#renewLockFile(path, owner),
      };
    }
    const state = await this.#readLock(path);
    if (state !== undefined && staleReason(state, Date.now()) !== undefined) await this.#breakStale(path);
    return undefined;
  }

  /** Take the breaker of `path`, or return `undefined` when another process holds it (try again later). */
  async #tryBreaker(path: string): Promise<(() => Promise<void>) | undefined> {
    const breakerPath = `${path}.break`;
    const owner = await this.#createLockFile(breakerPath, BREAKER_STALE_MS);
    if (owner !== undefined) return () => unlink(breakerPath).catch(() => {});
    const state = await this.#readLock(breakerPath);
    if (state !== undefined) {
      const abandoned =
        Date.now() - state.mtimeMs > BREAKER_STALE_MS ||
        (state.owner !== undefined && state.owner.hostname === HOST && !pidAlive(state.owner.pid));
      if (abandoned) await unlink(breakerPath).catch(() => {});
    }
    return undefined;
  }

  async #breakStale(path: string): Promise<void> {
    const releaseBreaker = await this.#tryBreaker(path);
    if (releaseBreaker === undefined) return;
    try {
      // Re-check under the breaker: only breakers and releasers delete lock files, and they hold the breaker.
      const state = await this.#readLock(path);
      const reason = state === undefined ? undefined : staleReason(state, Date.now());
      if (state !== undefined && reason !== undefined) {
        await unlink(path).catch((error) => {
          if (errorCode(error) !== 'ENOENT') throw storeFailed('remove the stale lock file', path, error);
        });
        this.#logger.info('Token store: took over a stale lock', {
          path,
          reason,
          ownerPid: state.owner?.pid,
          ownerHost: state.owner?.hostname,
        });
      }
    } finally {
      await releaseBreaker();
    }
  }

  /**
   * Restart the ttl of the lock file we own: under its breaker (so no breaker judges it stale meanwhile), rewrite
   * it atomically with `acquired_at` now. False when it is no longer ours or the breaker stayed busy.
   */
  async #renewLockFile(path: string, owner: LockOwner): Promise<boolean> {
    if (!heldTokens.has(owner.token)) return false;
    let releaseBreaker: (() => Promise<void>) | undefined;
    const delays = backoffDelays(2, 50);
    const deadline = Date.now() + BREAKER_STALE_MS;
    try {
      while (releaseBreaker === undefined && Date.now() < deadline) {
        releaseBreaker = await this.#tryBreaker(path);
        if (releaseBreaker === undefined) await sleep(delays.next().value);
      }
      if (releaseBreaker === undefined) return false;
      const state = await this.#readLock(path);
      if (state?.owner?.token !== owner.token) return false;
      // Named like the record writes' temp files, so one left by a crash here is cleaned up the same way.
      const tmp = join(dirname(path), `.${randomBytes(8).toString('hex')}.tmp`);
      await writeFile(tmp, JSON.stringify({ ...owner, acquired_at: Date.now() }), { encoding: 'utf8', mode: 0o600 });
      await renameOver(tmp, path);
      return true;
    } catch (error) {
      this.#logger.warn('Token store: could not renew a lock', { path, code: errorCode(error) });
      return false;
    } finally {
      await releaseBreaker?.();
    }
  }

  async #releaseLockFile(path: string, token: string): Promise<void> {
    heldTokens.delete(token);
    if (heldLockFiles.get(path) === token) heldLockFiles.delete(path);
    let releaseBreaker: (() => Promise<void>) | undefined;
    const delays = backoffDelays(2, 50);
    const deadline = Date.now() + BREAKER_STALE_MS * 2;
    while (releaseBreaker === undefined && Date.now() < deadline) {
      releaseBreaker = await this.#tryBreaker(path);
      if (releaseBreaker === undefined) await sleep(delays.next().value);
    }
    try {
      const state = await this.#readLock(path);
      if (state?.owner?.token === token) {
        await unlink(path).catch(() => {});
      } else {
        this.#logger.warn('Token store: a lock was taken over before its holder released it (its ttl passed)', {
          path,
        });
      }
    } finally {
      await releaseBreaker?.();
    }
  }
}

registerSerializable(TYPE, (d) => FileTokenStore.fromDict(d));
