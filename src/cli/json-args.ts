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

/** Where the first syntax error of `text` is (a small RFC 8259 scanner), or `undefined` if it is valid JSON. */
export function locateJsonError(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  class Fail {
    constructor(
      readonly offset: number,
      readonly message: string,
    ) {}
  }
  const found = (at: number): string =>
    at >= text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(text[at])}`;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (text[i + k] !== word[k]) throw new Fail(i + k, found(i + k));
    }
    i += word.length;
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === undefined) throw new Fail(i + 1, 'unexpected end of input');
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Fail(i, 'bad \\u escape');
          i += 6;
        } else if ('"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          throw new Fail(i, `bad escape \\${e}`);
        }
      } else if (c.charCodeAt(0) < 0x20) {
        throw new Fail(i, 'control character in string');
      } else {
        i++;
      }
    }
    throw new Fail(i, 'unterminated string');
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') throw new Fail(i, found(i));
    i += m[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Fail(i, `${found(i)}, expected a "quoted" property name`);
        string();
        ws();
        if (text[i] !== ':') throw new Fail(i, `${found(i)}, expected ':'`);
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        throw new Fail(i, `${found(i)}, expected ',' or '}'`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        throw new Fail(i, `${found(i)}, expected ',' or ']'`);
      }
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else throw new Fail(i, found(i));
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Fail(i, `${found(i)} after the JSON value`);
    return undefined;
  } catch (e) {
    if (e instanceof Fail) return { offset: e.offset, message: e.message };
    throw e;
  }
}
