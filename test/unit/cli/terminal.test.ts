import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorLine } from '../../../src/cli/exit-codes.ts';
import { resultForTerminal, toolsToTable } from '../../../src/cli/format.ts';
import { forTerminal } from '../../../src/cli/terminal.ts';

const TITLE = '\u001b]0;title\u0007';
const CLEAR = '\u001b[2J';
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the test
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('forTerminal', () => {
  it('item 5: removes OSC and CSI sequences, C1 forms and lone controls', () => {
    for (const text of [
      `a${TITLE}b`,
      `a${CLEAR}b`,
      'a\u001b[31mb\u001b[0m',
      'a\u009b2Jb',
      'a\u001b]8;;http://x\u001b\\b\u001b]8;;\u001b\\',
      'a\u0000\u0007b',
    ]) {
      const safe = forTerminal(text);
      assert.ok(!CONTROLS.test(safe), JSON.stringify(safe));
      assert.ok(safe.startsWith('a') && safe.includes('b'), JSON.stringify(safe));
    }
  });
  it('keeps newlines and tabs only in multi-line text; a carriage return never survives', () => {
    assert.equal(forTerminal('a\nb\tc\r\nd'), 'a b c d');
    assert.equal(forTerminal('a\nb\tc\r\nd', { multiline: true }), 'a\nb\tc\nd');
    assert.equal(forTerminal('a\rb', { multiline: true }), 'a\uFFFDb');
  });
  it('replaces bidirectional overrides', () => {
    assert.equal(forTerminal('x\u202ey'), 'x\uFFFDy');
  });
  it('leaves ordinary text, including non-ASCII, alone', () => {
    assert.equal(forTerminal('Grüße, 世界 — ok'), 'Grüße, 世界 — ok');
  });
});

describe('human output of server text', () => {
  it('item 5: the tools table carries no escape sequence from names or descriptions', () => {
    const table = toolsToTable([{ name: `evil${TITLE}`, description: `${CLEAR}clears\nthe screen` }]);
    assert.ok(!CONTROLS.test(table.replace(/\n/g, '')), JSON.stringify(table));
    assert.match(table, /evil\s+clears/);
  });
  it('item 5: an error line carries no escape sequence, whatever the message', () => {
    const line = errorLine(new Error(`the server said ${TITLE}${CLEAR}no`));
    assert.equal(line, 'mcptool: the server said no\n');
  });
  it('item 5: a tool result carries no escape sequence', () => {
    const text = resultForTerminal({ content: [{ type: 'text', text: `ok${CLEAR}${TITLE}\ndone` }] });
    assert.equal(text, 'ok\ndone\n');
  });
});
