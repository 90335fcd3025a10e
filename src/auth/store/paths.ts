import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The default token store directory, as a pure function of the environment and platform:
 *
 * 1. `$MCPTOOL_HOME`, when set;
 * 2. Windows: `%LOCALAPPDATA%\mcptool` (else `%USERPROFILE%\AppData\Local\mcptool`);
 * 3. macOS: `~/Library/Application Support/mcptool`;
 * 4. elsewhere: `$XDG_DATA_HOME/mcptool` when it is an absolute path (XDG Base Directory Specification 0.8:
 *    relative values are invalid and ignored), else `~/.local/share/mcptool`.
 *
 * The home directory is `$HOME` (`%USERPROFILE%` on Windows), else `home` (default `os.homedir()`).
 * Paths are joined with the target platform's separator, so the result does not depend on where it runs.
 */
export function defaultTokenStoreDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home?: string,
): string {
  const explicit = nonEmpty(env['MCPTOOL_HOME']);
  if (explicit !== undefined) return explicit;
  if (platform === 'win32') {
    const localAppData = nonEmpty(env['LOCALAPPDATA']);
    if (localAppData !== undefined) return win32.join(localAppData, 'mcptool');
    const profile = nonEmpty(env['USERPROFILE']) ?? home ?? homedir();
    return win32.join(profile, 'AppData', 'Local', 'mcptool');
  }
  const userHome = nonEmpty(env['HOME']) ?? home ?? homedir();
  if (platform === 'darwin') return posix.join(userHome, 'Library', 'Application Support', 'mcptool');
  const xdg = nonEmpty(env['XDG_DATA_HOME']);
  if (xdg !== undefined && posix.isAbsolute(xdg)) return posix.join(xdg, 'mcptool');
  return posix.join(userHome, '.local', 'share', 'mcptool');
}
