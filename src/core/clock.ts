/** A source of the current time, injectable so tests can move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Wait `ms` milliseconds by this clock (retry backoff). Optional: without it, {@link sleepOn} waits in real
   * time. A test clock may advance itself instead of waiting. Rejects with the signal's reason when aborted.
   */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wait `ms` milliseconds of real time, or until `signal` aborts (then rejects with its reason). */
export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = Object.freeze({ now: () => Date.now(), sleep: realSleep });

/** Wait `ms` milliseconds by `clock` (its own `sleep` when it has one, else real time). */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return clock.sleep ? clock.sleep(ms, signal) : realSleep(ms, signal);
}

/** Seconds since the epoch, as OAuth's `expires_at` uses. */
export function epochSeconds(clock: Clock = systemClock): number {
  return Math.floor(clock.now() / 1000);
}
