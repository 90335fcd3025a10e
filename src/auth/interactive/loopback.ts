import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidOptionError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { isLoopbackHost } from '../../core/url.ts';
import { OAuthError } from '../errors.ts';
import { abortedError, type CallbackVerdict, checkCallbackParams, describeVerdict } from './callback-params.ts';
import { failurePage, rejectedPage, successPage } from './pages.ts';

/** Default time to wait for the user to finish signing in: 5 minutes. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 300_000;

/** Options of {@link LoopbackListener.start}. */
export interface LoopbackListenerOptions {
  /** A loopback host: `127.0.0.1` (default), `::1` / `[::1]` or `localhost`. Nothing else is ever bound. */
  host?: string;
  /** 0 (default): any free port, chosen by the OS at bind time. Otherwise that port, or `CALLBACK_PORT_IN_USE`. */
  port?: number;
  /** The callback path. Default `/callback`. */
  path?: string;
  /**
   * A redirect URI used before (e.g. one registered by Dynamic Client Registration). When `port` is 0 and this URI
   * has the same host and path, its port is tried first; if it is busy, any free port is used instead.
   */
  preferredRedirectUri?: string;
  logger?: Logger;
}

/** Options of {@link LoopbackListener.waitForCallback}. */
export interface CallbackWaitOptions {
  signal?: AbortSignal;
  /** Default 300000 (5 minutes); then `CALLBACK_TIMEOUT`. */
  timeoutMs?: number;
  /** Called for each request that was refused (wrong or missing state, wrong path); the wait goes on. */
  onRejected?: (reason: string) => void;
}

/** The loopback port could not be bound (RFC 8252 §7.3); `port` is the one asked for. */
export class CallbackPortError extends OAuthError {
  /** The loopback host the listener was to bind. */
  readonly host: string;
  /** The port it was to bind (0: any free port). */
  readonly port: number;

  constructor(host: string, port: number, cause: NodeJS.ErrnoException) {
    const why =
      cause.code === 'EADDRINUSE'
        ? 'the port is in use'
        : cause.code === 'EACCES'
          ? 'permission denied'
          : `error ${cause.code ?? 'unknown'}`;
    super(
      'CALLBACK_PORT_IN_USE',
      `Cannot listen for the sign-in callback on port ${port} of ${host}: ${why}. Free the port or choose another ` +
        'with --callback-port / oauth.redirect.port (a pre-registered client needs the port of its redirect URI).',
      { cause },
    );
    this.host = host;
    this.port = port;
  }
}

interface Waiter {
  expectedState: string;
  resolve(url: URL): void;
  cancel(error: OAuthError): void;
  onRejected?: ((reason: string) => void) | undefined;
}

const SECURITY_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  connection: 'close',
};

function normalizeHost(host: string): { bindHost: string; urlHost: string } {
  const h = host.toLowerCase();
  if (h === '::1' || h === '[::1]') return { bindHost: '::1', urlHost: '[::1]' };
  // `localhost` is bound on 127.0.0.1 (and, best effort, on ::1 at the same port) but stays `localhost` in the URI.
  if (h === 'localhost') return { bindHost: '127.0.0.1', urlHost: 'localhost' };
  return { bindHost: h, urlHost: h };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/**
 * A one-shot HTTP listener for the authorization response on a loopback interface (RFC 8252 §7.3, §8.3). The
 * port is the one actually bound, so the `redirect_uri` never races with another process. Only the request to
 * the configured path whose `state` equals the expected one is accepted (RFC 6749 §10.12); anything else gets a
 * 400/404 page and is ignored. The listener closes when the wait ends (callback, timeout, abort) and never keeps
 * the process alive: the server and its sockets are unref'd, only the bounded wait timer is not.
 */
export class LoopbackListener {
  /** The `redirect_uri` to send, e.g. `http://127.0.0.1:53124/callback`. */
  readonly redirectUri: string;
  /** The port bound. */
  readonly port: number;
  readonly #servers: Server[];
  readonly #path: string;
  readonly #logger: Logger;
  #waiter: Waiter | undefined;
  #used = false;
  #settled = false;
  #closing: Promise<void> | undefined;

  private constructor(servers: Server[], port: number, urlHost: string, path: string, logger: Logger) {
    this.#servers = servers;
    this.port = port;
    this.#path = path;
    this.#logger = logger;
    this.redirectUri = `http://${urlHost}:${port}${path}`;
    for (const server of servers) server.on('request', (req, res) => this.#handle(req, res));
  }

  /** Bind the listener. Throws {@link CallbackPortError} (`CALLBACK_PORT_IN_USE`) when a fixed port is busy. */
  static async start(options: LoopbackListenerOptions = {}): Promise<LoopbackListener> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopbackHost(host)) {
      throw new InvalidOptionError('redirect.host', 'must be a loopback host (127.0.0.1, ::1, localhost)');
    }
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new InvalidOptionError('redirect.port', 'must be an integer from 0 to 65535');
    }
    const path = options.path ?? '/callback';
    if (!path.startsWith('/') || /[?#\s]/.test(path)) {
      throw new InvalidOptionError('redirect.path', 'must start with "/" and contain no "?", "#" or spaces');
    }
    const logger = options.logger ?? silentLogger;
    const { bindHost, urlHost } = normalizeHost(host);

    const candidates: number[] = [];
    if (port === 0 && options.preferredRedirectUri !== undefined) {
      const preferred = preferredPort(options.preferredRedirectUri, urlHost, path);
      if (preferred !== undefined) candidates.push(preferred);
    }
    candidates.push(port);

    for (const [i, candidate] of candidates.entries()) {
      const server = newServer();
      try {
        const bound = await listen(server, bindHost, candidate);
        server.unref();
        const servers = [server];
        if (urlHost === 'localhost') {
          const v6 = newServer();
          try {
            await listen(v6, '::1', bound);
            v6.unref();
            servers.push(v6);
          } catch {
            // No IPv6 loopback: 127.0.0.1 alone serves `localhost`.
          }
        }
        logger.debug('loopback callback listener started', { port: bound, host: bindHost });
        return new LoopbackListener(servers, bound, urlHost, path, logger);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (i < candidates.length - 1) {
          logger.debug('preferred callback port unavailable; using a free port', { port: candidate, code: e.code });
          continue;
        }
        throw new CallbackPortError(host, candidate, e);
      }
    }
    /* c8 ignore next */
    throw new CallbackPortError(host, port, Object.assign(new Error('no port'), { code: 'EINVAL' }));
  }

  /** Whether the listener has stopped listening. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Wait for the genuine callback: the request to the path with `state === expectedState`. Resolves with the
   * whole callback URL (with `code`, `state`, `iss`, or `error`, `error_description`); rejects with
   * `CALLBACK_TIMEOUT` or `ABORTED`. The listener is closed when this settles. Call it once.
   */
  waitForCallback(expectedState: string, options: CallbackWaitOptions = {}): Promise<URL> {
    if (this.#used || this.closed) {
      return Promise.reject(
        new OAuthError('AUTHORIZATION_FAILED', 'This loopback listener was already used; each sign-in needs a new one'),
      );
    }
    this.#used = true;
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
    if (signal?.aborted) {
      void this.close();
      return Promise.reject(abortedError(signal));
    }
    return new Promise<URL>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => finish(() => reject(abortedError(signal)), true);
      const finish = (settle: () => void, closeNow: boolean) => {
        if (this.#settled) return;
        this.#settled = true;
        this.#waiter = undefined;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (closeNow) void this.close();
        settle();
      };
      // This timer is what keeps the process alive while a person is signing in; it is bounded by timeoutMs.
      timer = setTimeout(() => {
        finish(
          () =>
            reject(
              new OAuthError(
                'CALLBACK_TIMEOUT',
                `No sign-in callback arrived at ${this.redirectUri} within ${formatDuration(timeoutMs)}`,
              ),
            ),
          true,
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = {
        expectedState,
        onRejected: options.onRejected,
        // The genuine request closes the listener itself once its page is sent.
        resolve: (url) => finish(() => resolve(url), false),
        cancel: (error) => finish(() => reject(error), false),
      };
    });
  }

  /**
   * Stop listening. Idle connections are dropped at once; a response being written gets up to one second.
   * Safe to call more than once.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    // Closing while a wait is pending ends that wait as aborted.
    this.#waiter?.cancel(new OAuthError('ABORTED', 'The sign-in listener was closed before the callback arrived'));
    this.#closing = Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
            // Ref'd on purpose: `await close()` must not let the process exit before the close completes.
            const force = setTimeout(() => server.closeAllConnections(), 1000);
            server.once('close', () => clearTimeout(force));
          }),
      ),
    ).then(() => {
      this.#logger.debug('loopback callback listener closed', { port: this.port });
    });
    return this.#closing;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const refuse = (status: number, reason: string) => {
      res.writeHead(status, SECURITY_HEADERS);
      res.end(req.method === 'HEAD' ? undefined : rejectedPage(reason));
      if (status === 400) this.#waiter?.onRejected?.(reason);
      this.#logger.debug('loopback listener refused a request', { status, reason });
    };
    const hostHeader = req.headers.host ?? '';
    const hostname = hostHeader.startsWith('[')
      ? hostHeader.slice(0, hostHeader.indexOf(']') + 1)
      : hostHeader.split(':')[0];
    if (!hostname || !isLoopbackHost(hostname)) {
      refuse(400, 'the Host header is not a loopback address');
      return;
    }
    // Only GET: a HEAD (link previews, prefetchers) must not consume the one-shot callback.
    if (req.method !== 'GET') {
      refuse(405, 'only GET is accepted');
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', this.redirectUri);
    } catch {
      refuse(400, 'the request URL is malformed');
      return;
    }
    if (url.pathname !== this.#path) {
      refuse(404, 'this is not the sign-in callback path');
      return;
    }
    const waiter = this.#waiter;
    if (!waiter || this.#settled) {
      refuse(400, 'no sign-in is waiting for a callback here');
      return;
    }
    const verdict: CallbackVerdict = checkCallbackParams(url.searchParams, waiter.expectedState);
    if (verdict !== 'ok') {
      refuse(400, `it is not the expected sign-in callback: ${describeVerdict(verdict)}`);
      return;
    }
    const callbackUrl = new URL(this.redirectUri);
    callbackUrl.search = url.search;
    const error = url.searchParams.get('error');
    res.writeHead(200, SECURITY_HEADERS);
    res.end(
      error === null ? successPage() : failurePage(error, url.searchParams.get('error_description') ?? undefined),
      () => void this.close(),
    );
    waiter.resolve(callbackUrl);
  }
}

function newServer(): Server {
  const server = createServer();
  server.keepAliveTimeout = 1000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  // Browsers pre-connect and keep sockets open; none of them may keep the process alive.
  server.on('connection', (socket) => socket.unref());
  return server;
}

function preferredPort(uri: string, urlHost: string, path: string): number | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || url.hostname.toLowerCase() !== urlHost || url.pathname !== path) return undefined;
  const port = Number(url.port);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** "5 minutes", "1.5 seconds", "300 ms". */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  if (ms >= 1000) return `${+(ms / 1000).toFixed(1)} seconds`;
  return `${ms} ms`;
}
