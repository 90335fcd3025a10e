import { type ChildProcess, spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { McptoolError } from '../../core/errors.ts';
import { isSecureOrLoopback } from '../../core/url.ts';
import { InsecureEndpointError } from '../errors.ts';

/** Options of {@link openBrowser}. */
export interface OpenBrowserOptions {
  /** Default `process.env`; `BROWSER` is read from it. */
  env?: NodeJS.ProcessEnv;
  /** Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** Used to start `$BROWSER` (tests pass a spy). Default `child_process.spawn`. */
  spawn?: (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
  /** Opens the platform default browser. Default: the `open` package. */
  openDefault?: (url: string) => Promise<void>;
}

/** The browser could not be started (the URL was safe; the command failed). */
export class BrowserOpenError extends McptoolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BROWSER_FAILED', message, options);
  }
}

/**
 * Parse `url` and refuse anything but `https:`, or `http:` on a loopback host (RFC 8252 §8.1 threat: a URL from a
 * server must never become `javascript:`, `file:` or an arbitrary program). Throws `InsecureEndpointError` with
 * code `UNSAFE_URL`.
 */
export function assertSafeBrowserUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new InsecureEndpointError('UNSAFE_URL', 'the malformed URL', String(url));
  }
  if (!isSecureOrLoopback(parsed)) throw new InsecureEndpointError('UNSAFE_URL', 'the URL', parsed.href);
  return parsed;
}

/**
 * Split `$BROWSER` into a program and its leading arguments, without any shell: when the whole value names an
 * existing file it is that program (spaces allowed); otherwise it is split on whitespace (no quoting, no
 * expansion, no `%s` substitution). The URL is always appended as one separate argument.
 */
export function parseBrowserCommand(value: string): { command: string; args: string[] } {
  const trimmed = value.trim();
  if (existsSync(trimmed)) return { command: trimmed, args: [] };
  const [command = '', ...args] = trimmed.split(/\s+/);
  return { command, args };
}

/**
 * Open `url` in the user's browser (RFC 8252 §4.1: the system browser, never an embedded view). Only `https:`
 * URLs, or `http:` on a loopback host, are opened. `$BROWSER`, when set, is run directly (no shell) with the URL as
 * its one argument; otherwise the platform default is used (the `open` package: `xdg-open`, `open`, `start`).
 * Resolves once the browser process has started; it is not waited for and never keeps this process alive.
 */
export async function openBrowser(url: string | URL, options: OpenBrowserOptions = {}): Promise<void> {
  const safe = assertSafeBrowserUrl(url);
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const browser = env['BROWSER']?.trim();
  if (browser) {
    const { command, args } = parseBrowserCommand(browser);
    const spawn = options.spawn ?? nodeSpawn;
    await new Promise<void>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(command, [...args, safe.href], {
          shell: false,
          stdio: 'ignore',
          detached: platform !== 'win32',
          env,
        });
      } catch (cause) {
        reject(new BrowserOpenError(`Could not start $BROWSER command ${JSON.stringify(command)}`, { cause }));
        return;
      }
      child.once('error', (cause) =>
        reject(new BrowserOpenError(`Could not start $BROWSER command ${JSON.stringify(command)}`, { cause })),
      );
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
    return;
  }
  const openDefault = options.openDefault ?? defaultOpen;
  try {
    await openDefault(safe.href);
  } catch (cause) {
    throw new BrowserOpenError('Could not open the default browser', { cause });
  }
}

async function defaultOpen(url: string): Promise<void> {
  const { default: open } = await import('open');
  const child = await open(url, { wait: false });
  child.unref();
}

function truthy(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false' && v !== 'no';
}

/**
 * Whether a browser can be shown to the user on this machine. `$BROWSER` set always counts as a browser.
 * Otherwise false in CI (`CI` truthy), in an SSH session (`SSH_CONNECTION`, `SSH_CLIENT` or `SSH_TTY`), and on
 * Linux and other Unix systems without a display (`DISPLAY` and `WAYLAND_DISPLAY` unset; WSL counts as having one,
 * since `open` uses the Windows browser there). macOS and Windows have one.
 */
export function canOpenBrowser(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform) {
  if (env['BROWSER']?.trim()) return true;
  if (truthy(env['CI'])) return false;
  if (env['SSH_CONNECTION'] || env['SSH_CLIENT'] || env['SSH_TTY']) return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  if (env['WSL_DISTRO_NAME'] || env['WSL_INTEROP']) return true;
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}
