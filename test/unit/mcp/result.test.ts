import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelSafeNames } from '../../../src/adapters/names.ts';
import { applyElicitationDefaults } from '../../../src/mcp/elicitation.ts';
import { MCPInvocationError, MCPToolNotFoundError } from '../../../src/mcp/errors.ts';
import { resultToText } from '../../../src/mcp/result.ts';

describe('resultToText', () => {
  it('converts every content type as documented', () => {
    const text = resultToText({
      content: [
        { type: 'text', text: 'hello' },
        { type: 'image', data: 'AAAA', mimeType: 'image/png' },
        { type: 'audio', data: 'AAA=', mimeType: 'audio/wav' },
        { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'inside' } },
        { type: 'resource', resource: { uri: 'file:///b.bin', blob: 'AAEC' } },
        { type: 'resource_link', uri: 'https://e.com/d', name: 'd', description: 'Doc' },
      ],
    });
    assert.equal(
      text,
      [
        'hello',
        '[image: image/png, 3 bytes]',
        '[audio: audio/wav, 2 bytes]',
        '[resource file:///a.txt (text/plain)]\ninside',
        '[resource file:///b.bin (3 bytes)]',
        '[resource link "d": https://e.com/d] Doc',
      ].join('\n'),
    );
  });

  it('uses structuredContent when there is no content', () => {
    assert.equal(resultToText({ content: [], structuredContent: { sum: 5 } }), '{"sum":5}');
  });
});

describe('applyElicitationDefaults (SEP-1034)', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', default: 'Ada' },
      age: { type: 'integer', default: 36 },
      nick: { type: 'string' },
    },
  };

  it('fills missing values and keeps given ones', () => {
    assert.deepEqual(applyElicitationDefaults(schema, { name: 'Grace' }), { name: 'Grace', age: 36 });
    assert.deepEqual(applyElicitationDefaults(schema), { name: 'Ada', age: 36 });
  });

  it('does not modify its input', () => {
    const content = { nick: 'g' };
    applyElicitationDefaults(schema, content);
    assert.deepEqual(content, { nick: 'g' });
  });
});

describe('MCP errors', () => {
  it('TOOL_NOT_FOUND names the requested and the available tools, quoted', () => {
    const e = new MCPToolNotFoundError('ech"o', ['echo', 'add'], '"http://x/mcp"');
    assert.equal(e.code, 'TOOL_NOT_FOUND');
    assert.deepEqual(e.availableTools, ['echo', 'add']);
    assert.match(e.message, /"ech\\"o"/);
    assert.match(e.message, /"echo", "add"/);
  });

  it('an invocation error keeps the tool, the arguments and the result', () => {
    const result = { content: [{ type: 'text' as const, text: 'x' }], isError: true };
    const e = new MCPInvocationError('TOOL_ERROR', 'fail', { a: 1 }, 'reported an error', { result });
    assert.equal(e.toolName, 'fail');
    assert.deepEqual(e.arguments, { a: 1 });
    assert.equal(e.result, result);
  });
});

describe('model-safe names', () => {
  it('keeps valid names and repairs others without clashes', () => {
    assert.deepEqual(modelSafeNames(['echo', 'a.b', 'a/b', 'x'.repeat(70)]), ['echo', 'a_b', 'a_b_2', 'x'.repeat(64)]);
  });
});
