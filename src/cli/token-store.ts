import type { TokenStore } from '../index.ts';
import { FileTokenStore } from '../index.ts';

/**
 * The `--token-store DIR` hook: a `FileTokenStore` rooted at `DIR` (without the option, the library's default
 * store is used: `$MCPTOOL_HOME`, else the platform's user data dir).
 */
export function createTokenStore(dir: string): TokenStore | undefined {
  return new FileTokenStore({ dir });
}
