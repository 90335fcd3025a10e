import type { TokenStore } from '../auth/store/types.ts';

/**
 * The `--token-store DIR` hook: build the token store rooted at `DIR`.
 * TODO(issue 4): return `new FileTokenStore({ directory: dir })` once src/auth/store/file.ts exists; until then
 * the CLI reports that the option is not available yet.
 */
export function createTokenStore(_dir: string): TokenStore | undefined {
  return undefined;
}
