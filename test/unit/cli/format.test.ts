import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  firstLine,
  resultForTerminal,
  resultToJson,
  toolsToJson,
  toolsToTable,
  wrap,
} from '../../../src/cli/format.ts';
import { createProgress } from '../../../src/cli/progress.ts';

describe('tools output', () => {
  const tools = [
    { name: 'echo', description: 'Echo the message back\nMore detail.', inputSchema: { type: 'object' } },
    { name: 'a_longer_name', description: 'word '.repeat(30).trim() },
    { name: 'bare' },
  ];

  it('prints a JSON array of {name, description, inputSchema}', () => {
    assert.deepEqual(JSON.parse(toolsToJson(tools)), [
      { name: 'echo', description: 'Echo the message back\nMore detail.', inputSchema: { type: 'object' } },
      { name: 'a_longer_name', description: 'word '.repeat(30).trim(), inputSchema: { type: 'object' } },
      { name: 'bare', description: '', inputSchema: { type: 'object' } },
    ]);
  });

  it('prints a table of names and first description lines, wrapped to the width', () => {
    const table = toolsToTable(tools, 60);
    const lines = table.trimEnd().split('\n');
    assert.equal(lines[0], 'NAME           DESCRIPTION');
    assert.equal(lines[1], 'echo           Echo the message back');
    assert.ok(!table.includes('More detail'));
    assert.ok(lines.every((l) => l.length <= 60));
    assert.ok(lines[3]?.startsWith(' '.repeat(15) + 'word'));
    assert.equal(lines.at(-1), 'bare');
    assert.equal(toolsToTable([]), 'The server offers no tools.\n');
  });

  it('wraps and cuts over-long words', () => {
    assert.deepEqual(wrap('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
    assert.deepEqual(wrap('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.equal(firstLine('\n\n  first  \nsecond'), 'first');
  });
});

describe('call output', () => {
  it('joins text and summarizes other content', () => {
    const text = resultForTerminal({
      content: [
        { type: 'text', text: 'plain text' },
        { type: 'image', data: 'AAAA', mimeType: 'image/png' },
        { type: 'audio', data: 'AAE=', mimeType: 'audio/wav' },
        { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'hello' } },
        { type: 'resource', resource: { uri: 'file:///b.bin', blob: 'AAEC' } },
        { type: 'resource_link', uri: 'https://e.com/doc', name: 'doc', mimeType: 'text/html' },
      ],
    });
    assert.equal(
      text,
      [
        'plain text',
        '[image: image/png, 3 bytes]',
        '[audio: audio/wav, 2 bytes]',
        '[resource: file:///a.txt (text/plain), 5 characters]',
        '[resource: file:///b.bin, 3 bytes]',
        '[resource link: https://e.com/doc "doc" (text/html)]',
      ].join('\n') + '\n',
    );
  });

  it('falls back to structured content, and prints the whole result as JSON', () => {
    assert.equal(resultForTerminal({ content: [], structuredContent: { sum: 3 } }), '{\n  "sum": 3\n}\n');
    const result = { content: [{ type: 'text', text: 'x' }], isError: true };
    assert.deepEqual(JSON.parse(resultToJson(result)), result);
  });
});

describe('progress', () => {
  it('writes only to a terminal', () => {
    const written: string[] = [];
    const piped = createProgress({ write: (s: string) => written.push(s), isTTY: false });
    piped.update('connecting…');
    piped.done();
    assert.equal(written.length, 0);
    const tty = createProgress({ write: (s: string) => written.push(s), isTTY: true, columns: 10 });
    tty.update('connecting to a server');
    tty.done();
    assert.deepEqual(written, ['\r\x1b[2Kconnecti…', '\r\x1b[2K']);
  });
});
