/**
 * The lock files of {@link FileTokenStore} (see its documentation): one file per (key, name), created exclusively
 * with its owner; a stale one is taken over, and taking over or releasing is serialized by a breaker file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { quote } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { OAuthError } from '../errors.ts';
import { noteLockFileHeld, noteLockFileReleased } from './held-lock-files.ts';
import { backoffDelays, LocalLocks, sleep } from './lock-util.ts';
import type { StoreLock } from './types.ts';

/** A lock or breaker file whose owner never got to write its content is taken over after this long. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;
/** A breaker file older than this is abandoned (breaking a stale lock takes milliseconds). */
const BREAKER_STALE_MS = 10_000;
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
export const processLocks = new LocalLocks();
/** Tokens of the file locks this process holds: a lock file naming our pid but not one of these is a predecessor's. */
const heldTokens = new Set<string>();
const HOST = hostname();

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

export function storeFailed(what: string, path: string, cause: unknown): OAuthError {
  const code = errorCode(cause);
  return new OAuthError('STORE_FAILED', `Token store: cannot ${what} ${quote(path)}${code ? ` (${code})` : ''}`, {
    cause,
  });
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
export async function renameOver(from: string, to: string): Promise<void> {
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

async function readLock(path: string): Promise<LockState | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { owner: parseOwner(text), mtimeMs: info.mtimeMs };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw storeFailed('read the lock file', path, error);
  }
}

/** Create `path` exclusively with owner info. Returns the owner, or `undefined` if it exists. */
async function createLockFile(path: string, ttlMs: number): Promise<LockOwner | undefined> {
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

/**
 * Try once to take the lock file at `path` for `ttlMs`: the lock when it was free, else `undefined` (after taking
 * over a stale lock, so that the next try may succeed).
 */
export async function tryLockFile(path: string, ttlMs: number, logger: Logger): Promise<StoreLock | undefined> {
  const owner = await createLockFile(path, ttlMs);
  if (owner !== undefined) {
    heldTokens.add(owner.token);
    noteLockFileHeld(path, owner.token);
    return {
      release: () => releaseLockFile(path, owner.token, logger),
      renew: () => renewLockFile(path, owner, logger),
    };
  }
  const state = await readLock(path);
  if (state !== undefined && staleReason(state, Date.now()) !== undefined) await breakStale(path, logger);
  return undefined;
}

/** Take the breaker of `path`, or return `undefined` when another process holds it (try again later). */
async function tryBreaker(path: string): Promise<(() => Promise<void>) | undefined> {
  const breakerPath = `${path}.break`;
  const owner = await createLockFile(breakerPath, BREAKER_STALE_MS);
  if (owner !== undefined) return () => unlink(breakerPath).catch(() => {});
  const state = await readLock(breakerPath);
  if (state !== undefined) {
    const abandoned =
      Date.now() - state.mtimeMs > BREAKER_STALE_MS ||
      (state.owner !== undefined && state.owner.hostname === HOST && !pidAlive(state.owner.pid));
    if (abandoned) await unlink(breakerPath).catch(() => {});
  }
  return undefined;
}

async function breakStale(path: string, logger: Logger): Promise<void> {
  const releaseBreaker = await tryBreaker(path);
  if (releaseBreaker === undefined) return;
  try {
    // Re-check under the breaker: only breakers and releasers delete lock files, and they hold the breaker.
    const state = await readLock(path);
    const reason = state === undefined ? undefined : staleReason(state, Date.now());
    if (state !== undefined && reason !== undefined) {
      await unlink(path).catch((error) => {
        if (errorCode(error) !== 'ENOENT') throw storeFailed('remove the stale lock file', path, error);
      });
      logger.info('Token store: took over a stale lock', {
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
async function renewLockFile(path: string, owner: LockOwner, logger: Logger): Promise<boolean> {
  if (!heldTokens.has(owner.token)) return false;
  let releaseBreaker: (() => Promise<void>) | undefined;
  const delays = backoffDelays(2, 50);
  const deadline = Date.now() + BREAKER_STALE_MS;
  try {
    while (releaseBreaker === undefined && Date.now() < deadline) {
      releaseBreaker = await tryBreaker(path);
      if (releaseBreaker === undefined) await sleep(delays.next().value);
    }
    if (releaseBreaker === undefined) return false;
    const state = await readLock(path);
    if (state?.owner?.token !== owner.token) return false;
    // Named like the record writes' temp files, so one left by a crash here is cleaned up the same way.
    const tmp = join(dirname(path), `.${randomBytes(8).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify({ ...owner, acquired_at: Date.now() }), { encoding: 'utf8', mode: 0o600 });
    await renameOver(tmp, path);
    return true;
  } catch (error) {
    logger.warn('Token store: could not renew a lock', { path, code: errorCode(error) });
    return false;
  } finally {
    await releaseBreaker?.();
  }
}

async function releaseLockFile(path: string, token: string, logger: Logger): Promise<void> {
  heldTokens.delete(token);
  noteLockFileReleased(path, token);
  let releaseBreaker: (() => Promise<void>) | undefined;
  const delays = backoffDelays(2, 50);
  const deadline = Date.now() + BREAKER_STALE_MS * 2;
  while (releaseBreaker === undefined && Date.now() < deadline) {
    releaseBreaker = await tryBreaker(path);
    if (releaseBreaker === undefined) await sleep(delays.next().value);
  }
  try {
    const state = await readLock(path);
    if (state?.owner?.token === token) {
      await unlink(path).catch(() => {});
    } else {
      logger.warn('Token store: a lock was taken over before its holder released it (its ttl passed)', {
        path,
      });
    }
  } finally {
    await releaseBreaker?.();
  }
}
