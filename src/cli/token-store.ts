import type { Logger, TokenStore } from '../index.ts';
import { FileTokenStore } from '../index.ts';

/**
 * The `--token-store DIR` hook: a `FileTokenStore` rooted at `DIR` whose warnings go to `logger` (without the
 * option, the CLI uses the default directory: `$MCPTOOL_HOME`, else the platform's user data dir).
 */
export function createTokenStore(dir: string, logger?: Logger): TokenStore | undefined {
  return new FileTokenStore({ dir, ...(logger && { logger }) });
}
