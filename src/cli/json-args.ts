import { UsageError } from './errors.ts';

/**
 * Parse the `--args` value of `mcptool call`: a JSON object (RFC 8259) of tool arguments. Bad JSON is a
 * {@link UsageError} that names the position (offset, line and column) of the first error and what was found
 * there; valid JSON that is not an object is refused too, since MCP tool arguments are an object
 * (MCP 2025-11-25, `tools/call` `params.arguments`).
 */
export function parseToolArguments(text: string, source = '--args'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const error = locateJsonError(text);
    const where = error ? describePosition(text, error.offset) : 'somewhere';
    const what = error ? error.message : 'invalid JSON';
    throw new UsageError(
      `${source} is not valid JSON: ${what} at ${where}; quote the whole object for your shell, e.g. --args '{"message":"hi"}'`,
      { cause },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new UsageError(
      `${source} must be a JSON object of tool arguments, got ${kind}; e.g. --args '{"message":"hi"}'`,
    );
  }
  return value as Record<string, unknown>;
}

function describePosition(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `position ${offset} (line ${line}, column ${column})`;
}

/** A syntax error found by {@link JsonScanner}: where it is and what was found there. */
class JsonSyntaxFault {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/** A small RFC 8259 scanner: walks `text` and throws a {@link JsonSyntaxFault} at the first syntax error. */
class JsonScanner {
  private i = 0;

  constructor(private readonly text: string) {}

  /** Scan one whole JSON text: a value with nothing but whitespace after it. */
  document(): void {
    this.value();
    this.ws();
    if (this.i < this.text.length) throw this.fail(`${this.found(this.i)} after the JSON value`);
  }

  private fail(message: string, at = this.i): JsonSyntaxFault {
    return new JsonSyntaxFault(at, message);
  }

  private found(at: number): string {
    return at >= this.text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(this.text[at])}`;
  }

  private ws(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i]!)) this.i++;
  }

  private literal(word: string): void {
    for (let k = 0; k < word.length; k++) {
      if (this.text[this.i + k] !== word[k]) throw this.fail(this.found(this.i + k), this.i + k);
    }
    this.i += word.length;
  }

  private string(): void {
    const text = this.text;
    this.i++; // opening quote
    while (this.i < text.length) {
      const c = text[this.i]!;
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === '\\') this.escape();
      else if (c.charCodeAt(0) < 0x20) throw this.fail('control character in string');
      else this.i++;
    }
    throw this.fail('unterminated string');
  }

  /** One backslash escape inside a string; `i` is at the backslash. */
  private escape(): void {
    const text = this.text;
    const e = text[this.i + 1];
    if (e === undefined) throw this.fail('unexpected end of input', this.i + 1);
    if (e === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(text.slice(this.i + 2, this.i + 6))) throw this.fail('bad \\u escape');
      this.i += 6;
    } else if ('"\\/bfnrt'.includes(e)) {
      this.i += 2;
    } else {
      throw this.fail(`bad escape \\${e}`);
    }
  }

  private number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i));
    if (!m || m[0] === '' || m[0] === '-') throw this.fail(this.found(this.i));
    this.i += m[0].length;
  }

  private value(): void {
    this.ws();
    const c = this.text[this.i];
    if (c === '{') this.object();
    else if (c === '[') this.array();
    else if (c === '"') this.string();
    else if (c === 't') this.literal('true');
    else if (c === 'f') this.literal('false');
    else if (c === 'n') this.literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) this.number();
    else throw this.fail(this.found(this.i));
  }

  private object(): void {
    const text = this.text;
    this.i++;
    this.ws();
    if (text[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (text[this.i] !== '"') throw this.fail(`${this.found(this.i)}, expected a "quoted" property name`);
      this.string();
      this.ws();
      if (text[this.i] !== ':') throw this.fail(`${this.found(this.i)}, expected ':'`);
      this.i++;
      this.value();
      if (this.listEnd('}')) return;
    }
  }

  private array(): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.value();
      if (this.listEnd(']')) return;
    }
  }

  /** After a member or element: `,` continues (false), `close` ends the container (true), else a fault. */
  private listEnd(close: '}' | ']'): boolean {
    this.ws();
    const c = this.text[this.i];
    if (c === ',' || c === close) {
      this.i++;
      return c === close;
    }
    throw this.fail(`${this.found(this.i)}, expected ',' or '${close}'`);
  }
}

/** Where the first syntax error of `text` is (a small RFC 8259 scanner), or `undefined` if it is valid JSON. */
export function locateJsonError(text: string): { offset: number; message: string } | undefined {
  try {
    new JsonScanner(text).document();
    return undefined;
  } catch (e) {
    if (e instanceof JsonSyntaxFault) return { offset: e.offset, message: e.message };
    throw e;
  }
}
