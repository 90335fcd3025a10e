import type { JSONRPCMessage, JSONRPCRequest, RequestId } from '@modelcontextprotocol/client';
import { findInCauses } from '../../core/cause.ts';
import { McptoolError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { errorText, sleep, wasNeverDelivered, withDeadline } from '../client-support.ts';
import { MCPConnectionError } from '../errors.ts';
import { httpStatusOf, isSessionLost, type RemoteConnection, type RemoteKind } from './remote.ts';
import type { StdioChannel } from './stdio-channel.ts';

/** The JSON-RPC error code the proxy answers with when it cannot deliver a request (implementation-defined range). */
export const PROXY_ERROR_CODE = -32000;

/** Options of a {@link Relay}. */
export interface RelayOptions {
  local: StdioChannel;
  remote: RemoteConnection;
  /** One line for people (the CLI writes it to stderr). Never a token or a secret. */
  report?: (line: string) => void;
  logger?: Logger;
  /** How long a replayed `initialize` may take on a new session, in ms. Default: the server info's `timeout`. */
  handshakeTimeoutMs?: number;
}

/** Why the relay ended: the client closed stdin (or a signal asked to stop), or the first connection failed. */
export type RelayEnd = { reason: 'closed' } | { reason: 'failed'; error: unknown };

type Id = RequestId;

function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message && message.id !== undefined && message.id !== null;
}

function isResponse(message: JSONRPCMessage): message is JSONRPCMessage & { id: Id } {
  return !('method' in message) && 'id' in message;
}

/**
 * The proxy between a desktop client on stdio and a remote MCP server over HTTP: every message is forwarded both
 * ways as it is (requests, results, errors, notifications, and the server's own requests such as sampling,
 * elicitation and roots), ids unchanged, so that the capabilities both sides announce in `initialize` pass
 * through. The proxy itself only looks at `initialize` (to replay it) and at responses (to know what is in flight).
 *
 * When the remote session is lost (the server restarted, forgot the session, or the connection dropped), the relay
 * opens a new one with backoff, replays the client's `initialize` (same params, a private id whose answer is not
 * forwarded) and `notifications/initialized`, then sends the message again when it certainly never arrived.
 * Requests that were in flight on the lost session are answered with an error: their answers can never come, and
 * sending them again could repeat their effects.
 */
export class Relay {
  readonly #local: StdioChannel;
  readonly #remote: RemoteConnection;
  readonly #report: (line: string) => void;
  readonly #logger: Logger;
  readonly #handshakeTimeoutMs: number;
  readonly #lifetime = new AbortController();
  /** The client's `initialize` request and `notifications/initialized`, replayed on every new session. */
  #initialize: JSONRPCRequest | undefined;
  #initialized: JSONRPCMessage | undefined;
  /** Resolves when a session is open (rejects when none could be opened); client messages wait for it. */
  #ready: Promise<void> | undefined;
  #reconnecting: Promise<void> | undefined;
  /** The session generation: incremented by every new session. */
  #generation = 0;
  /** Client requests forwarded and not yet answered, with the generation of the session they went to. */
  readonly #inFlight = new Map<Id, number>();
  /** Answers the relay waits for itself (a replayed `initialize`), by private id. */
  readonly #waiting = new Map<Id, (message: JSONRPCMessage) => void>();
  #replays = 0;
  #ended: ((end: RelayEnd) => void) | undefined;
  readonly #done: Promise<RelayEnd>;
  #closing: Promise<void> | undefined;

  constructor(options: RelayOptions) {
    this.#local = options.local;
    this.#remote = options.remote;
    this.#report = options.report ?? (() => {});
    this.#logger = options.logger ?? silentLogger;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? options.remote.serverInfo.timeoutMs;
    this.#done = new Promise((resolve) => {
      this.#ended = resolve;
    });
  }

  /** Start relaying; resolves when the relay has ended and released the remote session. */
  run(): Promise<RelayEnd> {
    this.#local.onmessage = (message) => this.#fromClient(message);
    this.#local.onerror = (error) => this.#report(`ignored input from the client: ${error.message}`);
    this.#local.onclose = () => void this.close();
    this.#remote.onmessage = (message) => this.#fromServer(message);
    this.#local.start();
    return this.#done;
  }

  /** Stop: close the remote session (bounded), stop reading stdin, and resolve {@link run} with `closed`. */
  close(end: RelayEnd = { reason: 'closed' }): Promise<void> {
    // Set before any side effect: closing stdin below calls close() again, which must join this one.
    this.#closing ??= Promise.resolve().then(async () => {
      this.#lifetime.abort(new MCPConnectionError('CONNECTION_LOST', this.#server, 'proxy', 'the proxy is closing'));
      this.#local.close();
      await this.#remote.close();
      this.#ended?.(end);
    });
    return this.#closing;
  }

  get #server(): string {
    return this.#remote.serverInfo.describe();
  }

  #fromClient(message: JSONRPCMessage): void {
    if (this.#lifetime.signal.aborted) return;
    if ('method' in message && message.method === 'initialize' && isRequest(message) && !this.#ready) {
      this.#initialize = message;
      this.#ready = this.#open(message);
      this.#ready.catch(() => {});
      return;
    }
    if (!this.#ready) {
      // Before `initialize` there is no session to send to (MCP Lifecycle: initialize comes first).
      if (isRequest(message)) {
        this.#answerError(message.id, 'the first request must be initialize (MCP Lifecycle, "Initialization")');
      }
      return;
    }
    if ('method' in message && message.method === 'notifications/initialized' && !this.#initialized) {
      this.#initialized = message;
    }
    if ('method' in message && message.method === 'notifications/cancelled') {
      const id = (message.params as { requestId?: Id } | undefined)?.requestId;
      if (id !== undefined) this.#inFlight.delete(id);
    }
    void this.#forward(message);
  }

  #fromServer(message: JSONRPCMessage): void {
    if (isResponse(message)) {
      const waiter = this.#waiting.get(message.id);
      if (waiter) {
        this.#waiting.delete(message.id);
        waiter(message);
        return;
      }
      this.#inFlight.delete(message.id);
      if (this.#initialize !== undefined && message.id === this.#initialize.id) this.#learnVersion(message);
    }
    this.#local.send(message);
  }

  /** Send the protocol version the server chose as `MCP-Protocol-Version` on later requests (Transports). */
  #learnVersion(message: JSONRPCMessage): void {
    const version = (message as { result?: { protocolVersion?: unknown } }).result?.protocolVersion;
    if (typeof version === 'string') this.#remote.setProtocolVersion(version);
  }

  async #open(initialize: JSONRPCRequest): Promise<void> {
    const signal = this.#lifetime.signal;
    this.#generation += 1;
    this.#inFlight.set(initialize.id, this.#generation);
    try {
      const kind = await this.#withBackoff(() => this.#remote.open(initialize, signal), 'connect');
      this.#report(`connected to ${this.#server} over ${kindName(kind)}`);
    } catch (error) {
      if (signal.aborted) throw error;
      this.#inFlight.delete(initialize.id);
      // The CLI prints the error itself when the relay ends with it.
      this.#answerError(initialize.id, `cannot connect to ${this.#server}${codeOf(error)}: ${errorText(error)}`);
      void this.close({ reason: 'failed', error });
      throw error;
    }
  }

  async #forward(message: JSONRPCMessage): Promise<void> {
    const signal = this.#lifetime.signal;
    try {
      await this.#ready;
      if (this.#reconnecting) await this.#reconnecting;
      if (this.#remote.stale) await this.#reconnect('the event stream of the session ended');
    } catch (error) {
      this.#fail(message, error);
      return;
    }
    if (signal.aborted) return;
    const sentOn = this.#generation;
    if (isRequest(message)) this.#inFlight.set(message.id, sentOn);
    try {
      await this.#remote.send(message, signal);
      return;
    } catch (error) {
      if (signal.aborted) return;
      // This request's fate is decided here, not by the reconnection's sweep of the lost session's requests.
      if (isRequest(message)) this.#inFlight.delete(message.id);
      if (!isSessionLost(error)) {
        this.#fail(message, error);
        return;
      }
      try {
        // Several sends can fail with the same lost session: only the first opens a new one, the others use it.
        if (this.#generation === sentOn) await this.#reconnect(errorText(error));
        else if (this.#reconnecting) await this.#reconnecting;
      } catch (reconnectError) {
        this.#fail(message, reconnectError);
        return;
      }
      if (!neverDelivered(error)) {
        // It may have reached the old session: sending it again could repeat its effects.
        this.#fail(message, error);
        return;
      }
    }
    if (isRequest(message)) this.#inFlight.set(message.id, this.#generation);
    try {
      await this.#remote.send(message, signal);
    } catch (error) {
      if (isRequest(message)) this.#inFlight.delete(message.id);
      if (!signal.aborted) this.#fail(message, error);
    }
  }

  /** Open a new session and replay the handshake; single-flight. */
  #reconnect(why: string): Promise<void> {
    this.#reconnecting ??= (async () => {
      this.#report(`the session with ${this.#server} was lost (${why}); reconnecting`);
      const lostGeneration = this.#generation;
      try {
        await this.#withBackoff(() => this.#replay(), 'reconnect');
        this.#report(`reconnected to ${this.#server}`);
      } finally {
        // Answers to requests sent on the lost session can never arrive.
        for (const [id, generation] of [...this.#inFlight]) {
          if (generation > lostGeneration) continue;
          this.#inFlight.delete(id);
          this.#answerError(
            id,
            `the connection to ${this.#server} was lost while this request was in flight; it was not sent again (it may or may not have been carried out)`,
          );
        }
        this.#reconnecting = undefined;
      }
    })();
    return this.#reconnecting;
  }

  async #replay(): Promise<RemoteKind> {
    const initialize = this.#initialize;
    if (!initialize)
      throw new MCPConnectionError('CONNECTION_LOST', this.#server, 'reconnect', 'no handshake to replay');
    const signal = this.#lifetime.signal;
    this.#replays += 1;
    const id = `mcptool-proxy-reinitialize-${this.#replays}`;
    const answered = new Promise<JSONRPCMessage>((resolve) => this.#waiting.set(id, resolve));
    try {
      this.#generation += 1;
      const kind = await this.#remote.open({ ...initialize, id }, signal);
      const answer = await withDeadline(
        answered,
        this.#handshakeTimeoutMs,
        [signal],
        () =>
          new MCPConnectionError('CONNECTION_TIMEOUT', this.#server, 'reconnect', 'no answer to initialize in time'),
      );
      if ('error' in answer) {
        throw new MCPConnectionError(
          'CONNECTION_FAILED',
          this.#server,
          'reconnect',
          `the server refused the replayed initialize: ${JSON.stringify((answer as { error: { message?: unknown } }).error.message)}`,
        );
      }
      this.#learnVersion(answer);
      if (this.#initialized) await this.#remote.send(this.#initialized, signal);
      return kind;
    } finally {
      this.#waiting.delete(id);
    }
  }

  /** Run `attempt`, and again after growing delays while the failure is a lost connection (not auth, not usage). */
  async #withBackoff<T>(attempt: () => Promise<T>, operation: string): Promise<T> {
    const { maxRetries, baseDelayMs, maxDelayMs } = this.#remote.serverInfo;
    const signal = this.#lifetime.signal;
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (signal.aborted || tries >= maxRetries || !isSessionLost(error)) throw error;
        const delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** tries);
        this.#logger.debug('proxy connection attempt failed; retrying', {
          server: this.#server,
          operation,
          status: httpStatusOf(error),
          delayMs,
        });
        await sleep(delayMs, signal);
      }
    }
  }

  #fail(message: JSONRPCMessage, error: unknown): void {
    if (this.#lifetime.signal.aborted) return;
    const text = `${this.#server}: ${errorText(error)}`;
    if (isRequest(message)) {
      this.#answerError(message.id, text);
    } else {
      const what = 'method' in message ? `notification ${JSON.stringify(message.method)}` : 'response';
      this.#report(`could not deliver a ${what} to ${text}`);
    }
  }

  #answerError(id: Id, message: string): void {
    this.#local.send({ jsonrpc: '2.0', id, error: { code: PROXY_ERROR_CODE, message: `mcptool proxy: ${message}` } });
  }
}

/** Whether a failed send certainly did not reach the remote server, so it is safe to send again. */
function neverDelivered(error: unknown): boolean {
  if (wasNeverDelivered(error)) return true;
  const status = httpStatusOf(error);
  return status === 404 || (status === 400 && error instanceof Error && /session/i.test(error.message));
}

/** ` (CODE)` for an mcptool error anywhere in the cause chain, so that the client's log names it. */
function codeOf(error: unknown): string {
  const code = findInCauses(error, (e) => (e instanceof McptoolError ? e.code : undefined));
  return code === undefined ? '' : ` (${code})`;
}

function kindName(kind: RemoteKind): string {
  return kind === 'http' ? 'Streamable HTTP' : 'HTTP+SSE';
}
