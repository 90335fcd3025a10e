/**
 * Each HTTP request of a connection on its own abort signal (src/mcp/http-transport.ts `withOwnSignals`).
 *
 * The SDK transports pass one connection-long signal to every request, and Node's fetch leaves a listener on it per
 * request until that request is garbage-collected: a connection making thousands of calls collected thousands of
 * listeners and printed "MaxListenersExceededWarning ... 1501 abort listeners" once per call past 1500. Now the
 * connection's signal carries one listener in all, and aborting it still aborts what is in progress. Real servers
 * on 127.0.0.1: the fixture MCP server, and a small node:http server for aborts mid-request and mid-stream.
 */
import assert from 'node:assert/strict';
import { getEventListeners, once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { transportFetch, withOwnSignals } from '../../../src/mcp/http-transport.ts';
import { startMcpServer } from '../../fixtures/mcp-server.ts';

function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

describe('requests on their own abort signals', () => {
  it('a connection that made 60 calls leaves no listener per call on its transport signal', async () => {
    const server = await startMcpServer({ transport: 'streamable-http' });
    const transport = new StreamableHTTPClientTransport(new URL(server.url), {
      fetch: transportFetch(undefined, undefined),
    });
    const client = new Client({ name: 'signals-test', version: '1.0.0' });
    try {
      await client.connect(transport);
      const signal = (transport as unknown as { _abortController?: AbortController })._abortController?.signal;
      assert.ok(signal, 'the SDK transport keeps its connection-long signal in _abortController');
      const call = (i: number) => client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
      for (let i = 0; i < 10; i++) await call(i);
      const afterTen = listeners(signal);
      for (let i = 10; i < 60; i++) await call(i);
      // Node's fetch on the shared signal would leave one more per call (about 60 here).
      assert.equal(listeners(signal), afterTen, 'no listener was added per call');
      assert.equal(afterTen, 1, 'one listener in all');
    } finally {
      await client.close();
      await server.close();
    }
  });

  describe('against a small HTTP server', () => {
    let base = '';
    const open = new Set<ServerResponse>();
    const server = createServer((req, res) => {
      open.add(res);
      res.on('close', () => open.delete(res));
      if (req.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (req.url === '/empty') {
        res.writeHead(202).end();
      } else if (req.url === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        res.end('data: two\n\n');
      } else if (req.url === '/events-open') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
      }
      // '/hang': never answers.
    });
    before(async () => {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      for (const res of open) res.destroy();
      server.close();
      await once(server, 'close');
    });
    const ownFetch = withOwnSignals(fetch);

    it("one listener on the caller's signal however many requests; answers unchanged", async () => {
      const outer = new AbortController();
      for (let i = 0; i < 20; i++) {
        const json = await ownFetch(`${base}/json`, { signal: outer.signal });
        assert.equal(json.status, 200);
        assert.equal(json.headers.get('content-type'), 'application/json');
        assert.deepEqual(await json.json(), { ok: true });
        const empty = await ownFetch(`${base}/empty`, { signal: outer.signal });
        assert.equal(empty.status, 202);
        const events = await ownFetch(`${base}/events`, { signal: outer.signal });
        assert.equal(await events.text(), 'data: one\n\ndata: two\n\n');
      }
      assert.equal(listeners(outer.signal), 1);
    });

    it('the caller aborting still aborts a request waiting for its answer, and a stream being read', async () => {
      const waiting = new AbortController();
      const pending = ownFetch(`${base}/hang`, { signal: waiting.signal });
      waiting.abort(new Error('closing'));
      await assert.rejects(pending, /closing/);

      const reading = new AbortController();
      const stream = await ownFetch(`${base}/events-open`, { signal: reading.signal });
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      assert.equal(new TextDecoder().decode((await reader.read()).value), 'data: one\n\n');
      const next = reader.read();
      reading.abort(new Error('closing the stream'));
      await assert.rejects(next);
    });

    it('a signal already aborted, or none, goes to fetch unchanged', async () => {
      const aborted = AbortSignal.abort(new Error('already'));
      await assert.rejects(ownFetch(`${base}/json`, { signal: aborted }), /already/);
      const plain = await ownFetch(`${base}/json`);
      assert.deepEqual(await plain.json(), { ok: true });
    });
  });
});
