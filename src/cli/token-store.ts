import { statSync } from 'node:fs';
import { FileTokenStore } from '../auth/store/file.ts';
import type { TokenStore } from '../auth/store/types.ts';
import type { Logger } from '../core/logger.ts';
import { UsageError } from './errors.ts';

/**
 * Check `--token-store DIR` before use: a path that exists and is not a directory (`/etc/passwd`) is a mistake on
 * the command line (exit 2), not a failed authorization. A missing directory is created on first write.
 */
export function checkTokenStoreDir(dir: string): string {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    return dir;
  }
  if (!isDirectory) {
    throw new UsageError(
      `--token-store ${dir} is not a directory; give the directory that holds (or will hold) the token store`,
    );
  }
  return dir;
}

/**
 * The `--token-store DIR` hook: a `FileTokenStore` rooted at `DIR` whose warnings go to `logger` (without the
 * option, the CLI uses the default directory: `$MCPTOOL_HOME`, else the platform's user data dir).
 */
export function createTokenStore(dir: string, logger?: Logger): TokenStore | undefined {
  return new FileTokenStore({ dir: checkTokenStoreDir(dir), ...(logger && { logger }) });
}
