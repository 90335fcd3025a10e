import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { StdioChannel } from '../../../src/mcp/proxy/stdio-channel.ts';

function channel() {
  const input = new PassThrough();
  const output = new PassThrough();
  const received: JSONRPCMessage[] = [];
  const errors: string[] = [];
  let closed = 0;
  const ch = new StdioChannel({ input, output });
  ch.onmessage = (m) => received.push(m);
  ch.onerror = (e) => errors.push(e.message);
  ch.onclose = () => {
    closed += 1;
  };
  ch.start();
  let written = '';
  output.on('data', (d) => {
    written += String(d);
  });
  return { ch, input, received, errors, closed: () => closed, written: () => written };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('StdioChannel (newline-delimited JSON-RPC)', () => {
  it('reads messages split across chunks and several per chunk, CRLF too, and keeps unknown fields', async () => {
    const c = channel();
    const a = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { _meta: { x: 1 }, extra: 'kept' },
    });
    c.input.write(a.slice(0, 10));
    c.input.write(`${a.slice(10)}\n{"jsonrpc":"2.0","method":"notifications/initialized"}\r\n`);
    await tick();
    assert.equal(c.received.length, 2);
    assert.deepEqual(c.received[0], JSON.parse(a));
    assert.equal((c.received[1] as { method: string }).method, 'notifications/initialized');
  });

  it('skips a line that is not JSON or not JSON-RPC 2.0 (reported, never forwarded), and reads on', async () => {
    const c = channel();
    c.input.write('not json\n{"id":1,"method":"x"}\n\n{"jsonrpc":"2.0","id":2,"result":{}}\n');
    await tick();
    assert.equal(c.received.length, 1);
    assert.equal(c.errors.length, 2);
    assert.doesNotMatch(c.errors.join(' '), /not json/, 'the line itself is not echoed');
  });

  it('writes each message as one line; ends once when the input ends; nothing is written after close', async () => {
    const c = channel();
    c.ch.send({ jsonrpc: '2.0', id: 'a', result: { text: 'two\nlines' } });
    c.input.end();
    await tick();
    assert.equal(c.closed(), 1);
    c.ch.send({ jsonrpc: '2.0', id: 'b', result: {} });
    await tick();
    assert.equal(c.written(), '{"jsonrpc":"2.0","id":"a","result":{"text":"two\\nlines"}}\n');
  });
});
