/**
 * The lock files of `FileTokenStore` this process holds now, kept apart from the store so that a process's signal
 * handler can release them without loading the store (the CLI installs that handler before any command runs).
 */
import { readFileSync, unlinkSync } from 'node:fs';

/** Held lock files: path → the owner token written in them. */
const held = new Map<string, string>();

/** Note that this process now holds the lock file at `path`, written with `token`. */
export function noteLockFileHeld(path: string, token: string): void {
  held.set(path, token);
}

/** Note that this process released the lock file at `path` (if it still held it with `token`). */
export function noteLockFileReleased(path: string, token: string): void {
  if (held.get(path) === token) held.delete(path);
}

/**
 * Delete the lock files this process holds, synchronously: for a process that is about to exit on a signal
 * (Ctrl-C during a sign-in), so that no lock file naming a dead pid is left behind. Each file is deleted only
 * while it still holds this process's owner token.
 */
export function releaseHeldLockFilesSync(): void {
  for (const [path, token] of held) {
    try {
      const owner = JSON.parse(readFileSync(path, 'utf8')) as { token?: unknown };
      if (owner.token === token) unlinkSync(path);
    } catch {
      // already gone, not yet written, or not ours any more
    }
  }
  held.clear();
}
