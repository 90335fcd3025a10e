import { randomUUID } from 'node:crypto';
import { InvalidOptionError, quote } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { optionalPositiveNumber } from '../../core/options.ts';
import { OAuthError } from '../errors.ts';
import type { LockOptions, StoreLock, TokenRecordKey } from './types.ts';

/** Default lock lifetime before others may take it over. */
export const DEFAULT_LOCK_TTL_MS = 30_000;
/** Default time to wait for a lock. */
export const DEFAULT_LOCK_WAIT_MS = 60_000;

/** Lock options with defaults applied and validated. */
export interface ResolvedLockOptions {
  ttlMs: number;
  waitMs: number;
  signal: AbortSignal | undefined;
  /** Absolute deadline (ms since the epoch, `Date.now()` based) for acquiring. */
  deadline: number;
}

/** Apply the defaults of {@link LockOptions} once; throws an `InvalidOptionError` naming a bad field. */
export function resolveLockOptions(options: LockOptions = {}): ResolvedLockOptions {
  const ttlMs = optionalPositiveNumber(options.ttlMs, 'options.ttlMs') ?? DEFAULT_LOCK_TTL_MS;
  const waitMs =
    options.waitMs === 0 ? 0 : (optionalPositiveNumber(options.waitMs, 'options.waitMs') ?? DEFAULT_LOCK_WAIT_MS);
  return { ttlMs, waitMs, signal: options.signal, deadline: Date.now() + waitMs };
}

/** The `LOCK_TIMEOUT` error: the lock was not obtained within `waitMs`. */
export function lockTimeoutError(key: TokenRecordKey, name: string, waitMs: number): OAuthError {
  return new OAuthError(
    'LOCK_TIMEOUT',
    `Timed out after ${waitMs} ms waiting for the ${quote(name)} lock of ${quote(key.resource)} (issuer ${quote(key.issuer)})`,
  );
}

/** The `ABORTED` error: the caller's signal fired while waiting for a lock. */
export function lockAbortedError(key: TokenRecordKey, name: string, signal: AbortSignal): OAuthError {
  return new OAuthError('ABORTED', `Stopped waiting for the ${quote(name)} lock of ${quote(key.resource)}`, {
    cause: signal.reason,
  });
}

/**
 * Sleep `ms`, resolving early (with `false`) when `signal` aborts. Resolves `true` after a full sleep.
 * The timer does not keep the process alive on its own.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polling delays for a waiter: start small, grow by half each time up to `maxMs`, with ±25 % jitter so
 * that waiters released together do not poll in lockstep.
 */
export function* backoffDelays(initialMs = 5, maxMs = 50): Generator<number, never, void> {
  let delay = initialMs;
  for (;;) {
    yield Math.max(1, Math.round(delay * (0.75 + Math.random() * 0.5)));
    delay = Math.min(maxMs, delay * 1.5);
  }
}

/**
 * Poll `tryAcquire` until it returns a lock, with backoff, until the deadline (`LOCK_TIMEOUT`) or the signal
 * (`ABORTED`). `tryAcquire` runs at least once, even with `waitMs: 0`.
 */
export async function pollForLock(
  key: TokenRecordKey,
  name: string,
  options: ResolvedLockOptions,
  tryAcquire: () => Promise<StoreLock | undefined>,
): Promise<StoreLock> {
  const delays = backoffDelays();
  for (;;) {
    if (options.signal?.aborted) throw lockAbortedError(key, name, options.signal);
    const lock = await tryAcquire();
    if (lock !== undefined) return lock;
    const remaining = options.deadline - Date.now();
    if (remaining <= 0) throw lockTimeoutError(key, name, options.waitMs);
    await sleep(Math.min(delays.next().value, remaining), options.signal);
  }
}

/**
 * A cross-process lock taken in two layers: first the in-process queue for `id` (so only one caller per process
 * polls the shared lock), then the shared lock by polling `tryAcquire`. Releasing releases both, once; a failed
 * release of the shared lock is passed to `onReleaseError` (it expires after its ttl anyway).
 */
export async function acquireLayeredLock(
  locks: LocalLocks,
  id: string,
  key: TokenRecordKey,
  name: string,
  options: ResolvedLockOptions,
  tryAcquire: () => Promise<StoreLock | undefined>,
  onReleaseError: (error: unknown) => void = () => {},
): Promise<StoreLock> {
  const local = await locks.acquire(id, key, name, options);
  let shared: StoreLock;
  try {
    shared = await pollForLock(key, name, options, tryAcquire);
  } catch (error) {
    await local.release();
    throw error;
  }
  let released: Promise<void> | undefined;
  return {
    renew: async () => {
      if (released !== undefined) return false;
      const kept = (await local.renew?.()) ?? true;
      return ((await shared.renew?.().catch(() => false)) ?? true) && kept;
    },
    release: () => {
      released ??= shared
        .release()
        .catch(onReleaseError)
        .finally(() => local.release());
      return released;
    },
  };
}

interface Held {
  token: string;
  ttlMs: number;
  timer: ReturnType<typeof setTimeout>;
  waiters: Array<() => void>;
}

/**
 * An in-process lock per id: a FIFO async mutex whose holders lose it after `ttlMs` (as a crashed holder would
 * in the cross-process stores), whose waiters give up at their deadline (`LOCK_TIMEOUT`) or on their signal
 * (`ABORTED`). `release()` is idempotent and does nothing once the lock has passed to another holder.
 */
export class LocalLocks {
  readonly #held = new Map<string, Held>();

  /** Whether `id` is currently held (for tests and diagnostics). */
  isHeld(id: string): boolean {
    return this.#held.has(id);
  }

  acquire(id: string, key: TokenRecordKey, name: string, options: ResolvedLockOptions): Promise<StoreLock> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(lockAbortedError(key, name, signal));
    const current = this.#held.get(id);
    if (current === undefined) {
      return Promise.resolve(this.#grant(id, options.ttlMs, []));
    }
    return new Promise<StoreLock>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const held = this.#held.get(id);
        if (held !== undefined) {
          const index = held.waiters.indexOf(wake);
          if (index >= 0) held.waiters.splice(index, 1);
        }
      };
      const wake = () => {
        cleanup();
        resolve(this.#grant(id, options.ttlMs, this.#held.get(id)?.waiters ?? []));
      };
      const onAbort = () => {
        cleanup();
        reject(lockAbortedError(key, name, signal!));
      };
      const timer = setTimeout(
        () => {
          cleanup();
          reject(lockTimeoutError(key, name, options.waitMs));
        },
        Math.max(0, options.deadline - Date.now()),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      current.waiters.push(wake);
    });
  }

  #grant(id: string, ttlMs: number, waiters: Array<() => void>): StoreLock {
    const token = randomUUID();
    const timer = setTimeout(() => this.#release(id, token), ttlMs);
    timer.unref();
    this.#held.set(id, { token, ttlMs, timer, waiters });
    return { release: async () => this.#release(id, token), renew: async () => this.#renew(id, token) };
  }

  /** Restart the ttl of a lock still held by `token`; false when it has passed to another holder. */
  #renew(id: string, token: string): boolean {
    const held = this.#held.get(id);
    if (held === undefined || held.token !== token) return false;
    clearTimeout(held.timer);
    held.timer = setTimeout(() => this.#release(id, token), held.ttlMs);
    held.timer.unref();
    return true;
  }

  #release(id: string, token: string): void {
    const held = this.#held.get(id);
    if (held === undefined || held.token !== token) return;
    clearTimeout(held.timer);
    const next = held.waiters.shift();
    if (next === undefined) {
      this.#held.delete(id);
    } else {
      // Keep the entry (with the remaining waiters) so that no newcomer jumps the queue; `next` replaces it.
      held.token = '';
      next();
    }
  }
}

/** Check an optional `Logger` option, or throw an `InvalidOptionError` naming `field`. */
export function checkLogger(value: unknown, field: string): Logger | undefined {
  if (value === undefined) return undefined;
  const l = value as Partial<Logger>;
  if (typeof value !== 'object' || value === null || typeof l.warn !== 'function' || typeof l.info !== 'function') {
    throw new InvalidOptionError(field, 'must be a Logger (debug, info, warn, error)');
  }
  return value as Logger;
}

/**
 * Keep `lock` alive while its holder works: renew it every third of `ttlMs` until the returned stop function is
 * called. A holder that dies stops renewing, so its lock is still recovered after the ttl (or at once, for a file
 * lock whose process is gone). A lost lock is reported through `onLost` (once).
 */
export function keepLockAlive(lock: StoreLock, ttlMs: number, onLost: () => void): () => void {
  if (lock.renew === undefined) return () => {};
  let stopped = false;
  let lost = false;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(
    () => {
      running = running.then(async () => {
        if (stopped || lost) return;
        const kept = await lock.renew?.().catch(() => false);
        if (kept === false && !stopped && !lost) {
          lost = true;
          onLost();
        }
      });
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
