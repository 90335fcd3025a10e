/**
 * How the sign-in talks to the person in front of the machine. This is user interaction, not logging: the
 * authorization URL, the device user code, "waiting for the browser". It is the only place the library writes
 * to a terminal, and only through this injected interface.
 */
export interface InteractionUI {
  /** A message the user must see (the URL to open, a code to enter, why a paste was refused). */
  show(message: string): void;
  /** Transient progress ("waiting for the browser…"); may be dropped when nobody watches. */
  progress?(message: string): void;
}

/**
 * The default {@link InteractionUI}: writes to `process.stderr` (stdout stays machine-readable). Progress lines
 * are written only when stderr is a TTY.
 */
export function stderrInteractionUI(stream: NodeJS.WriteStream = process.stderr): InteractionUI {
  return {
    show(message) {
      stream.write(`${message}\n`);
    },
    progress(message) {
      if (stream.isTTY) stream.write(`${message}\n`);
    },
  };
}

/**
 * Remove control characters (C0, DEL, C1) from server-supplied text before it is shown in a terminal, so that a
 * hostile server cannot inject escape sequences.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
