import type { JSONRPCMessage } from '@modelcontextprotocol/client';

/** The longest line accepted from the client (a message larger than this is dropped with an error). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** What a {@link StdioChannel} reads from and writes to: the process's stdin and stdout, or pipes in tests. */
export interface StdioChannelStreams {
  input: NodeJS.ReadableStream;
  /** Where messages go; its `error` event (EPIPE when the client went away) is listened to when it has one. */
  output: { write(chunk: string): unknown; on?(event: 'error', listener: (error: Error) => void): unknown };
}

/**
 * The local side of the proxy: newline-delimited JSON-RPC messages on a pair of streams (MCP Transports
 * 2025-11-25, "stdio": one message per line, no embedded newlines, nothing else on stdout). Anything for people
 * goes elsewhere (stderr). Messages are forwarded as parsed, without a schema pass that could drop fields the proxy
 * does not know: a line must only be a JSON object with `jsonrpc: "2.0"` (or a batch array of them). Anything
 * else is reported through `onerror` and skipped, as a server reading stdio does.
 */
export class StdioChannel {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  /** The input ended (the desktop client closed our stdin) or failed. Called once. */
  onclose?: () => void;
  readonly #input: NodeJS.ReadableStream;
  readonly #output: StdioChannelStreams['output'];
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #closed = false;

  constructor(streams: StdioChannelStreams) {
    this.#input = streams.input;
    this.#output = streams.output;
  }

  /** Start reading. */
  start(): void {
    this.#input.on('data', this.#onData);
    this.#input.on('end', this.#onEnd);
    this.#input.on('close', this.#onEnd);
    this.#input.on('error', this.#onInputError);
    // A closed stdout (the client went away) must not crash the process with EPIPE.
    this.#output.on?.('error', this.#onOutputError);
  }

  /** Write one message as one line. Messages after close are dropped. */
  send(message: JSONRPCMessage): void {
    if (this.#closed) return;
    this.#output.write(`${JSON.stringify(message)}\n`);
  }

  /** Stop reading and release the streams' listeners (the streams themselves stay open). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#input.off('data', this.#onData);
    this.#input.off('end', this.#onEnd);
    this.#input.off('close', this.#onEnd);
    this.#input.off('error', this.#onInputError);
    // A paused stdin no longer keeps the process alive.
    this.#input.pause();
    this.#pending = [];
    this.#pendingBytes = 0;
    this.onclose?.();
  }

  readonly #onData = (chunk: Buffer | string) => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (let newline = data.indexOf(10); newline !== -1; newline = data.indexOf(10)) {
      const head = data.subarray(0, newline);
      const line = this.#pending.length === 0 ? head : Buffer.concat([...this.#pending, head]);
      this.#pending = [];
      this.#pendingBytes = 0;
      data = data.subarray(newline + 1);
      this.#deliver(line.toString('utf8'));
      if (this.#closed) return;
    }
    if (data.length === 0) return;
    this.#pendingBytes += data.length;
    if (this.#pendingBytes > MAX_LINE_BYTES) {
      this.#pending = [];
      this.#pendingBytes = 0;
      this.onerror?.(new Error(`a message from the client exceeded ${MAX_LINE_BYTES} bytes and was dropped`));
      return;
    }
    this.#pending.push(Buffer.from(data));
  };

  #deliver(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.onerror?.(new Error(`skipped a line from the client that is not JSON (${text.length} characters)`));
      return;
    }
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    for (const message of messages) {
      if (typeof message !== 'object' || message === null || (message as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
        this.onerror?.(new Error('skipped a line from the client that is not a JSON-RPC 2.0 message'));
        continue;
      }
      this.onmessage?.(message as JSONRPCMessage);
    }
  }

  readonly #onEnd = () => this.close();

  readonly #onInputError = (error: Error) => {
    this.onerror?.(error);
    this.close();
  };

  readonly #onOutputError = (error: Error) => {
    this.onerror?.(error);
    this.close();
  };
}
