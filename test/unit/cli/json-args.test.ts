import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { locateJsonError, parseToolArguments } from '../../../src/cli/json-args.ts';

describe('parseToolArguments', () => {
  it('parses a JSON object', () => {
    assert.deepEqual(parseToolArguments('{"message":"hi","n":[1,2.5e3,null,true]}'), {
      message: 'hi',
      n: [1, 2500, null, true],
    });
  });

  it('names the position, line and column of a syntax error', () => {
    assert.throws(
      () => parseToolArguments('{"a":1,\n "b":}'),
      (e: any) =>
        e.code === 'USAGE' && /position 13 \(line 2, column 6\)/.test(e.message) && /unexpected "}"/.test(e.message),
    );
    assert.throws(
      () => parseToolArguments("{message:'hi'}"),
      (e: any) =>
        /unexpected "m", expected a "quoted" property name at position 1 \(line 1, column 2\)/.test(e.message),
    );
    assert.throws(
      () => parseToolArguments('{"a":1'),
      (e: any) => /unexpected end of input, expected ',' or '}' at position 6/.test(e.message),
    );
  });

  it('refuses JSON that is not an object', () => {
    for (const [text, kind] of [
      ['[1]', 'an array'],
      ['"x"', 'a string'],
      ['null', 'null'],
      ['3', 'a number'],
    ] as const) {
      assert.throws(
        () => parseToolArguments(text),
        (e: any) => e.code === 'USAGE' && e.message.includes(`got ${kind}`),
      );
    }
  });
});

describe('locateJsonError', () => {
  it('accepts exactly what JSON.parse accepts (property test)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        assert.equal(locateJsonError(text) === undefined, valid);
      }),
      { numRuns: 500 },
    );
  });

  it('points inside the text for corrupted JSON (property test)', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('}', ']', ',', ':', '"', 'x'), (json, at, junk) => {
        const i = at % (json.length + 1);
        const text = json.slice(0, i) + junk + json.slice(i);
        const error = locateJsonError(text);
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        if (valid) return assert.equal(error, undefined);
        assert.ok(error && error.offset >= 0 && error.offset <= text.length);
      }),
      { numRuns: 500 },
    );
  });
});
