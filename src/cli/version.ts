import { readFileSync } from 'node:fs';

/**
 * The version of the installed package, read from its `package.json` (two levels up from both `src/cli/` and
 * `dist/cli/`), for `mcptool --version`.
 */
export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
})();
