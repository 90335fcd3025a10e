import { createInterface, type Interface } from 'node:readline';
import { isLoopbackHost } from '../../core/url.ts';
import { OAuthError } from '../errors.ts';
import { abortedError, checkCallbackParams, describeVerdict } from './callback-params.ts';
import { DEFAULT_CALLBACK_TIMEOUT_MS, formatDuration } from './loopback.ts';
import type { InteractionUI } from './ui.ts';

/** A source of pasted lines: the terminal, piped stdin, or anything a test or an embedder provides. */
export interface PasteInput {
  /** The next line, or `undefined` at the end of input. Must settle (reject) when `signal` aborts. */
  readLine(options: { signal: AbortSignal }): Promise<string | undefined>;
  /** Release the underlying stream (stop reading stdin). */
  close?(): void;
}

/**
 * A {@link PasteInput} over a readable stream (e.g. `process.stdin`, a TTY or a pipe). Lines are read lazily, on
 * the first `readLine`; `close()` stops reading so the stream no longer keeps the process alive.
 */
export function streamPasteInput(stream: NodeJS.ReadableStream): PasteInput {
  let rl: Interface | undefined;
  const lines: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const start = () => {
    if (rl) return;
    // Input consumed to its end before (e.g. `mcptool call --args -` read stdin): readline would wait forever for an
    // 'end' that already happened.
    if ((stream as { readableEnded?: boolean }).readableEnded === true) {
      ended = true;
      return;
    }
    const current = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
    rl = current;
    // Events of an interface we closed ourselves are ignored.
    current.on('line', (line) => {
      if (rl !== current) return;
      lines.push(line);
      wake?.();
    });
    current.on('close', () => {
      if (rl !== current) return;
      ended = true;
      wake?.();
    });
  };
  return {
    async readLine({ signal }) {
      start();
      while (lines.length === 0 && !ended) {
        if (signal.aborted) throw signal.reason;
        await new Promise<void>((resolve) => {
          const done = () => {
            wake = undefined;
            signal.removeEventListener('abort', done);
            resolve();
          };
          wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
      }
      if (lines.length > 0) return lines.shift();
      return undefined;
    },
    close() {
      // Our own close is not the end of the input: a later readLine reads on.
      const current = rl;
      rl = undefined;
      current?.close();
      if ('pause' in stream && typeof stream.pause === 'function') stream.pause();
    },
  };
}

/**
 * The `redirect_uri` of manual (paste-back) mode. Nothing listens on it: the browser's attempt to load it fails
 * (or shows whatever runs there), and the user copies the URL from the address bar. It is, in order:
 * `preferredRedirectUri` when that is an `http:` loopback URL (a registered one stays valid); else
 * `http://{host}:{port}{path}` with the configured port; else, with port 0, `http://{host}{path}` (no port, e.g.
 * `http://127.0.0.1/callback`). RFC 8252 §7.3 lets the port vary; PKCE (RFC 7636) makes a code that lands
 * anywhere else useless without this process's verifier.
 */
export function manualRedirectUri(
  redirect: { host?: string; port?: number; path?: string },
  preferredRedirectUri?: string,
): string {
  if (preferredRedirectUri !== undefined) {
    try {
      const url = new URL(preferredRedirectUri);
      if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url.href;
    } catch {}
  }
  const host = (redirect.host ?? '127.0.0.1').toLowerCase();
  const urlHost = host === '::1' ? '[::1]' : host;
  const port = redirect.port ?? 0;
  return `http://${urlHost}${port ? `:${port}` : ''}${redirect.path ?? '/callback'}`;
}

/** The outcome of parsing one pasted line. */
export type PasteResult = { ok: true; url: URL } | { ok: false; reason: string } | { ok: 'empty' };

/**
 * Interpret one pasted line: the whole redirect URL, its query string, or a bare authorization code.
 * A URL or query must carry `state` equal to `expectedState` (RFC 6749 §10.12). A bare code (no `=`, `?`, `&`
 * or whitespace) is accepted as if it came with the expected state: the person pasting it is the one who just
 * started this sign-in, and PKCE (RFC 7636) binds the code to this process. A bare code carries no `iss`
 * (RFC 9207): against a server that advertises `authorization_response_iss_parameter_supported`, paste the URL.
 * The result is `redirectUri` with the pasted parameters.
 */
export function parsePastedCallback(text: string, redirectUri: string, expectedState: string): PasteResult {
  const pasted = text.trim().replace(/^["'<]+|["'>]+$/g, '');
  if (pasted === '') return { ok: 'empty' };
  let params: URLSearchParams;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pasted)) {
    let url: URL;
    try {
      url = new URL(pasted);
    } catch {
      return { ok: false, reason: 'it is not a valid URL' };
    }
    params = url.searchParams;
  } else if (/[=?&]/.test(pasted)) {
    params = new URLSearchParams(pasted.replace(/^.*?\?/, ''));
  } else if (/^[\x21-\x7e]+$/.test(pasted)) {
    params = new URLSearchParams({ code: pasted, state: expectedState });
  } else {
    return { ok: false, reason: 'it is neither a URL nor an authorization code' };
  }
  const verdict = checkCallbackParams(params, expectedState);
  if (verdict !== 'ok') return { ok: false, reason: describeVerdict(verdict) };
  const url = new URL(redirectUri);
  url.search = params.toString();
  return { ok: true, url };
}

/** Options of {@link readPastedCallback}. */
export interface ManualPasteOptions {
  redirectUri: string;
  expectedState: string;
  input: PasteInput;
  ui: InteractionUI;
  signal?: AbortSignal;
  /** Default 300000 (5 minutes); then `CALLBACK_TIMEOUT`. */
  timeoutMs?: number;
  /** Refused pastes before giving up with `STATE_MISMATCH`. Default 5. */
  maxAttempts?: number;
}

/**
 * Manual paste-back (RFC 8252 §7.3 redirect, completed by hand): show the authorization URL, then read the redirect
 * URL (or the code) the user pastes. A paste whose `state` does not match is refused with a message and the user
 * may try again; after `maxAttempts` refusals, or when input ends after one, it fails with `STATE_MISMATCH`. Input
 * that ends with nothing pasted fails with `INTERACTION_REQUIRED`. Resolves with the callback URL.
 */
export async function readPastedCallback(authorizationUrl: URL, options: ManualPasteOptions): Promise<URL> {
  const { ui, input, redirectUri, expectedState } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
  const maxAttempts = options.maxAttempts ?? 5;
  ui.show(
    `Open this URL in a browser to sign in:\n\n  ${authorizationUrl.href}\n\n` +
      `After you approve, the browser is sent to ${redirectUri}…; that page may not load, which is expected.\n` +
      'Copy the full URL from the address bar and paste it here (or just the value of its "code" parameter):',
  );
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new OAuthError('CALLBACK_TIMEOUT', `No redirect URL was pasted within ${formatDuration(timeoutMs)}`),
      ),
    timeoutMs,
  );
  const onAbort = () => controller.abort(abortedError(options.signal));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let lastRefusal: string | undefined;
  let refusals = 0;
  try {
    for (;;) {
      let line: string | undefined;
      try {
        line = await input.readLine({ signal: controller.signal });
      } catch (err) {
        if (controller.signal.aborted && controller.signal.reason instanceof OAuthError) throw controller.signal.reason;
        throw err;
      }
      if (line === undefined) {
        if (lastRefusal !== undefined) {
          throw new OAuthError('STATE_MISMATCH', `The pasted redirect URL was refused: ${lastRefusal}`);
        }
        throw new OAuthError(
          'INTERACTION_REQUIRED',
          'Input ended before a redirect URL or code was pasted; run the sign-in in a terminal',
        );
      }
      const result = parsePastedCallback(line, redirectUri, expectedState);
      if (result.ok === 'empty') continue;
      if (result.ok) return result.url;
      refusals++;
      lastRefusal = result.reason;
      if (refusals >= maxAttempts) {
        throw new OAuthError(
          'STATE_MISMATCH',
          `The pasted redirect URL was refused ${refusals} times: ${result.reason}`,
        );
      }
      ui.show(`That was not accepted: ${result.reason}. Paste the URL from the sign-in started above (or its code):`);
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
