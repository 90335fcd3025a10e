import { InvalidOptionError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { AuthorizationHandler, AuthorizationSession, RedirectOptions } from '../config.ts';
import { OAuthError } from '../errors.ts';
import { assertSafeBrowserUrl, canOpenBrowser, openBrowser as defaultOpenBrowser } from './browser.ts';
import { abortedError, checkCallbackParams, describeVerdict } from './callback-params.ts';
import { CallbackPortError, DEFAULT_CALLBACK_TIMEOUT_MS, LoopbackListener } from './loopback.ts';
import { manualRedirectUri, type PasteInput, readPastedCallback, streamPasteInput } from './manual.ts';
import { type InteractionUI, stderrInteractionUI } from './ui.ts';

/** Options of {@link createDefaultAuthorizationHandler}. */
export interface DefaultAuthorizationHandlerOptions {
  /**
   * `auto` (default): loopback listener + browser when a browser can be opened and the port can be bound, else
   * paste-back. `loopback`: always the listener (the URL is shown; the browser opened when possible).
   * `manual`: paste-back only (`--no-browser`). The device grant is not a redirect flow: see `runDeviceAuthorization`.
   */
  callback?: 'auto' | 'loopback' | 'manual';
  /** Default host 127.0.0.1, port 0, path /callback. */
  redirect?: RedirectOptions;
  /** How long to wait for the user, in ms. Default 300000. */
  timeoutMs?: number;
  /** Default `process.env` (for `BROWSER`, `DISPLAY`, `SSH_*`, `CI`). */
  env?: NodeJS.ProcessEnv;
  /** Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** Where the URL and prompts go. Default: stderr. */
  ui?: InteractionUI;
  /** Opens a (safe) URL. Default: `openBrowser` with `env` and `platform`. */
  openBrowser?: (url: URL) => Promise<void>;
  /** Where pasted redirect URLs come from. Default: `process.stdin` when it is a TTY, else none. */
  input?: PasteInput;
  /** Whether stdin is a terminal. Default `process.stdin.isTTY`. */
  stdinIsTTY?: boolean;
  logger?: Logger;
}

/**
 * The options that would let a non-interactive process sign in; shown by `INTERACTION_REQUIRED`.
 */
export const NON_INTERACTIVE_HINT =
  'Options: use the client_credentials flow (--flow client_credentials --client-id ID --client-secret-env VAR) for ' +
  'unattended use; sign in once in a terminal with `mcptool login <server>` so the stored login is used; or run ' +
  'with --no-browser in a terminal and paste the redirect URL.';

function interactionRequired(why: string): OAuthError {
  return new OAuthError('INTERACTION_REQUIRED', `Sign-in needs a person, but ${why}. ${NON_INTERACTIVE_HINT}`);
}

/**
 * The default {@link AuthorizationHandler} for the authorization-code flow (RFC 6749 §4.1, RFC 8252 native-app
 * redirects): a loopback listener plus the system browser, or manual paste-back, per `callback`. The
 * authorization URL is always shown too, so the user can open it by hand. In a non-interactive context (no
 * browser, no TTY on stdin, no injected input) `open()` fails at once with `INTERACTION_REQUIRED`.
 *
 * @example
 * new OAuthConfig({ authorizationHandler: createDefaultAuthorizationHandler({ callback: 'manual' }) })
 */
export function createDefaultAuthorizationHandler(
  options: DefaultAuthorizationHandlerOptions = {},
): AuthorizationHandler {
  const callback = options.callback ?? 'auto';
  if (!['auto', 'loopback', 'manual'].includes(callback)) {
    throw new InvalidOptionError(
      'callback',
      `must be auto, loopback or manual; got ${JSON.stringify(callback)} (the device grant is not a redirect flow)`,
    );
  }
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const ui = options.ui ?? stderrInteractionUI();
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new InvalidOptionError('timeoutMs', 'must be a positive number');
  const settings: HandlerSettings = {
    callback,
    env,
    platform,
    ui,
    logger,
    timeoutMs,
    redirect: options.redirect ?? {},
    open: options.openBrowser ?? ((url: URL) => defaultOpenBrowser(url, { env, platform })),
    pasteInput: () =>
      options.input ??
      ((options.stdinIsTTY ?? process.stdin.isTTY === true) ? streamPasteInput(process.stdin) : undefined),
  };
  return {
    async open({ signal, preferredRedirectUri }) {
      return openSession(settings, signal, preferredRedirectUri);
    },
  };
}

/** The resolved options of a default handler. */
interface HandlerSettings {
  callback: 'auto' | 'loopback' | 'manual';
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  ui: InteractionUI;
  logger: Logger;
  timeoutMs: number;
  redirect: RedirectOptions;
  open: (url: URL) => Promise<void>;
  /** Where pasted redirect URLs come from, or `undefined` when nothing can be pasted (not a terminal). */
  pasteInput: () => PasteInput | undefined;
}

/** Choose the session for one sign-in: paste-back, or the loopback listener (with the browser when possible). */
async function openSession(
  s: HandlerSettings,
  signal: AbortSignal,
  preferredRedirectUri: string | undefined,
): Promise<AuthorizationSession> {
  if (signal.aborted) throw abortedError(signal);
  if (s.callback === 'manual') {
    const input = s.pasteInput();
    if (!input) throw interactionRequired('paste-back was asked for and stdin is not a terminal');
    return manualSession(s, preferredRedirectUri, input);
  }
  const browser = canOpenBrowser(s.env, s.platform);
  if (!browser) {
    const input = s.pasteInput();
    if (!input) {
      throw interactionRequired(
        'no browser can be opened here (no display, an SSH session or CI) and stdin is not a terminal',
      );
    }
    if (s.callback === 'auto') {
      s.logger.debug('no browser available; using paste-back');
      return manualSession(s, preferredRedirectUri, input);
    }
  }
  return loopbackSession(s, preferredRedirectUri, browser);
}

/** Start the loopback listener; in `auto` mode, fall back to paste-back when its port cannot be bound. */
async function loopbackSession(
  s: HandlerSettings,
  preferredRedirectUri: string | undefined,
  browser: boolean,
): Promise<AuthorizationSession> {
  const { redirect } = s;
  let listener: LoopbackListener;
  try {
    listener = await LoopbackListener.start({
      ...(redirect.host !== undefined && { host: redirect.host }),
      ...(redirect.port !== undefined && { port: redirect.port }),
      ...(redirect.path !== undefined && { path: redirect.path }),
      ...(preferredRedirectUri !== undefined && { preferredRedirectUri }),
      logger: s.logger,
    });
  } catch (err) {
    if (s.callback === 'auto' && err instanceof CallbackPortError) {
      const fallback = s.pasteInput();
      if (fallback) {
        s.ui.show(`${err.message}\nFalling back to pasting the redirect URL.`);
        return manualSession(s, preferredRedirectUri, fallback);
      }
    }
    throw err;
  }
  return new LoopbackSession(listener, s.ui, browser ? s.open : undefined, s.timeoutMs);
}

function manualSession(
  s: HandlerSettings,
  preferredRedirectUri: string | undefined,
  input: PasteInput,
): AuthorizationSession {
  return new ManualSession(manualRedirectUri(s.redirect, preferredRedirectUri), input, s.ui, s.timeoutMs);
}

class LoopbackSession implements AuthorizationSession {
  readonly redirectUri: string;
  readonly #listener: LoopbackListener;
  readonly #ui: InteractionUI;
  readonly #open: ((url: URL) => Promise<void>) | undefined;
  readonly #timeoutMs: number;

  constructor(
    listener: LoopbackListener,
    ui: InteractionUI,
    open: ((url: URL) => Promise<void>) | undefined,
    timeoutMs: number,
  ) {
    this.#listener = listener;
    this.redirectUri = listener.redirectUri;
    this.#ui = ui;
    this.#open = open;
    this.#timeoutMs = timeoutMs;
  }

  async waitForCallback(authorizationUrl: URL, expectedState: string, { signal }: { signal: AbortSignal }) {
    const safe = assertSafeBrowserUrl(authorizationUrl);
    // Arm the listener before the browser can possibly arrive.
    const waiting = this.#listener.waitForCallback(expectedState, {
      signal,
      timeoutMs: this.#timeoutMs,
      onRejected: (reason) => this.#ui.progress?.(`Ignored a request to the callback: ${reason}`),
    });
    if (this.#open) {
      this.#ui.show(`Opening the browser to sign in. If it does not open, visit:\n\n  ${safe.href}\n`);
      try {
        await this.#open(safe);
      } catch (err) {
        this.#ui.show(`Could not open a browser (${(err as Error).message}); open the URL above by hand.`);
      }
    } else {
      this.#ui.show(`Open this URL in a browser to sign in:\n\n  ${safe.href}\n`);
    }
    this.#ui.progress?.('Waiting for the sign-in to finish in the browser…');
    return waiting;
  }

  close(): Promise<void> {
    return this.#listener.close();
  }
}

class ManualSession implements AuthorizationSession {
  readonly redirectUri: string;
  readonly #input: PasteInput;
  readonly #ui: InteractionUI;
  readonly #timeoutMs: number;

  constructor(redirectUri: string, input: PasteInput, ui: InteractionUI, timeoutMs: number) {
    this.redirectUri = redirectUri;
    this.#input = input;
    this.#ui = ui;
    this.#timeoutMs = timeoutMs;
  }

  waitForCallback(authorizationUrl: URL, expectedState: string, { signal }: { signal: AbortSignal }) {
    const safe = assertSafeBrowserUrl(authorizationUrl);
    return readPastedCallback(safe, {
      redirectUri: this.redirectUri,
      expectedState,
      input: this.#input,
      ui: this.#ui,
      signal,
      timeoutMs: this.#timeoutMs,
    });
  }

  async close(): Promise<void> {
    this.#input.close?.();
  }
}

/**
 * An {@link AuthorizationHandler} from a function: `fn` receives the authorization URL and returns the redirect URL
 * the browser ended on (for tests and embedders that drive the browser themselves). The `state` check still
 * applies (RFC 6749 §10.12): a result whose `state` differs is refused with `STATE_MISMATCH`.
 *
 * @example
 * functionAuthorizationHandler(async (url) => driveMyBrowser(url), { redirectUri: 'http://127.0.0.1:8765/callback' })
 */
export function functionAuthorizationHandler(
  fn: (authorizationUrl: URL, options: { signal: AbortSignal }) => Promise<string | URL>,
  options: { redirectUri: string },
): AuthorizationHandler {
  if (typeof fn !== 'function') throw new InvalidOptionError('fn', 'must be a function');
  let redirectUri: URL;
  try {
    redirectUri = new URL(options.redirectUri);
  } catch (cause) {
    throw new InvalidOptionError('redirectUri', 'must be an absolute URL', { cause });
  }
  return {
    async open() {
      return {
        redirectUri: redirectUri.href,
        async waitForCallback(authorizationUrl, expectedState, { signal }) {
          if (signal.aborted) throw abortedError(signal);
          const result = await raceAbort(fn(authorizationUrl, { signal }), signal);
          let url: URL;
          try {
            url = new URL(String(result));
          } catch (cause) {
            throw new OAuthError(
              'AUTHORIZATION_FAILED',
              'The authorization handler returned something that is not a URL',
              {
                cause,
              },
            );
          }
          const verdict = checkCallbackParams(url.searchParams, expectedState);
          if (verdict !== 'ok') {
            throw new OAuthError('STATE_MISMATCH', `The redirect URL was refused: ${describeVerdict(verdict)}`);
          }
          return url;
        },
        async close() {},
      };
    },
  };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
