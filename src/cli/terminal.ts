/**
 * The one sanitizer for text that reaches a terminal. Servers choose tool names and descriptions, scopes, issuers,
 * error descriptions and tool results; a terminal executes escape sequences inside them: OSC sequences set the
 * window title or write the clipboard, CSI sequences clear the screen or move the cursor over earlier output, and
 * bidirectional overrides reorder what is shown. Human output passes through {@link forTerminal}; `--json` output
 * does not (JSON escapes control characters itself, and its consumers need the exact values).
 */

/**
 * ECMA-48 escape sequences, C0 and C1 forms: CSI (`ESC [` or U+009B, parameters, a final byte), OSC, DCS, SOS, PM
 * and APC strings (`ESC ]`/`P`/`X`/`^`/`_` or their C1 forms, up to BEL or ST), and two-byte `ESC x` sequences.
 */
const ESCAPE_SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[ -~]?/g;

/** C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidirectional embeddings and isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` made safe to print: escape sequences removed, every other control character (a carriage return too, which
 * would let text overwrite the line) replaced by U+FFFD. With `multiline` (tool results, descriptions), newlines and
 * tabs stay; without it they become spaces, so a value stays on its line.
 */
export function forTerminal(text: string, options: { multiline?: boolean } = {}): string {
  let safe = text.replace(/\r\n/g, '\n').replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '\uFFFD');
  if (!options.multiline) safe = safe.replace(/[\n\t]/g, ' ');
  return safe;
}
