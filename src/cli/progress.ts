import type { OutputStream } from './io.ts';
import { forTerminal } from './terminal.ts';

/** A one-line status on stderr while something slow runs (connecting, signing in). */
export interface Progress {
  /** Show `message` (replacing the previous one). */
  update(message: string): void;
  /** Remove the line. */
  done(): void;
}

/**
 * Progress on `stream` when it is a terminal (the CLI contract: stdout stays machine-readable, and nothing is
 * written when stderr is piped or captured); a no-op otherwise.
 */
export function createProgress(stream: OutputStream): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let shown = false;
  return {
    update(text) {
      const message = forTerminal(text);
      const width = (stream.columns ?? 80) - 1;
      const line = message.length > width ? `${message.slice(0, width - 1)}…` : message;
      stream.write(`\r\x1b[2K${line}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
