import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitCommandLine } from '../../../src/cli/split.ts';

describe('splitCommandLine', () => {
  it('splits on whitespace', () => {
    assert.deepEqual(splitCommandLine('  node  server.js\t--port 3 '), ['node', 'server.js', '--port', '3']);
  });

  it('keeps quoted words together, single quotes literal, double quotes with escapes', () => {
    assert.deepEqual(splitCommandLine(`node "my server.js" --name 'a "b" $c\\'`), [
      'node',
      'my server.js',
      '--name',
      'a "b" $c\\',
    ]);
    assert.deepEqual(splitCommandLine(`echo "say \\"hi\\" \\\\ \\n"`), ['echo', 'say "hi" \\ \\n']);
  });

  it('joins adjacent quoted and unquoted parts, and keeps empty quoted words', () => {
    assert.deepEqual(splitCommandLine(`--opt="a b"c '' x`), ['--opt=a bc', '', 'x']);
  });

  it('treats a backslash outside quotes as escaping the next character', () => {
    assert.deepEqual(splitCommandLine('a\\ b c'), ['a b', 'c']);
  });

  it('does not interpret shell syntax', () => {
    assert.deepEqual(splitCommandLine('node s.js | rm -rf $HOME; `x`'), [
      'node',
      's.js',
      '|',
      'rm',
      '-rf',
      '$HOME;',
      '`x`',
    ]);
  });

  it('returns no words for an empty line', () => {
    assert.deepEqual(splitCommandLine('   '), []);
  });

  it('rejects unterminated quotes and a trailing backslash as usage errors', () => {
    for (const bad of [`node 'x`, 'node "x', 'node x\\']) {
      assert.throws(
        () => splitCommandLine(bad),
        (e: any) => e.code === 'USAGE',
      );
    }
  });
});
