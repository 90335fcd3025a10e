/**
 * `mcptool proxy` between a real SDK v2 client (spawning it over stdio, as a desktop client does) and
 * server-everything over Streamable HTTP and over HTTP+SSE (reached through the default http-first fallback):
 * every kind of message round-trips, ids and capabilities pass through.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { connectProxy, type EverythingServer, type ProxiedClient, startEverything } from './helpers.ts';

function textOf(result: { content?: unknown }): string {
  const blocks = (result.content ?? []) as { type: string; text?: string }[];
  return blocks.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
}

/** The handlers a desktop client would have: sampling answered by "the model", elicitation by "the user". */
function desktopHandlers(client: Client): void {
  client.setRequestHandler('sampling/createMessage', async (request) => ({
    role: 'assistant',
    model: 'test-model',
    content: { type: 'text', text: `sampled: ${JSON.stringify(request.params.messages[0]?.content)}` },
  }));
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Ada' } }));
  client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///tmp/project', name: 'project' }] }));
}

for (const mode of ['streamableHttp', 'sse'] as const) {
  describe(`proxy to server-everything over ${mode === 'sse' ? 'HTTP+SSE (http-first fallback)' : 'Streamable HTTP'}`, () => {
    let server: EverythingServer;
    let proxied: ProxiedClient;

    before(async () => {
      server = await startEverything(mode);
      proxied = await connectProxy([server.url], {
        capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } },
        configure: desktopHandlers,
      });
    });
    after(async () => {
      await proxied?.client.close();
      await server?.close();
    });

    it('passes the server info and capabilities through, and lists tools that depend on the client capabilities', async () => {
      assert.equal(proxied.client.getServerVersion()?.name, 'mcp-servers/everything');
      assert.ok(proxied.client.getServerCapabilities()?.tools);
      const { tools } = await proxied.client.listTools();
      const names = tools.map((t) => t.name);
      // Registered by the server only when the client announced sampling / elicitation: the client's own
      // initialize reached it unchanged.
      assert.ok(names.includes('trigger-sampling-request'), names.join(', '));
      assert.ok(names.includes('trigger-elicitation-request'), names.join(', '));
      const echo = await proxied.client.callTool({ name: 'echo', arguments: { message: 'through the proxy' } });
      assert.equal(textOf(echo), 'Echo: through the proxy');
      assert.match(
        proxied.stderr(),
        new RegExp(`connected to .* over ${mode === 'sse' ? 'HTTP\\+SSE' : 'Streamable HTTP'}`),
      );
    });

    it('resources and prompts round-trip', async () => {
      const { resources } = await proxied.client.listResources();
      assert.ok(resources.length > 0);
      const first = resources[0]!;
      const read = await proxied.client.readResource({ uri: first.uri });
      assert.equal(read.contents[0]?.uri, first.uri);
      const { prompts } = await proxied.client.listPrompts();
      const simple = prompts.find((p) => p.name === 'simple-prompt');
      assert.ok(simple, prompts.map((p) => p.name).join(', '));
      const prompt = await proxied.client.getPrompt({ name: 'simple-prompt' });
      assert.ok(prompt.messages.length > 0);
    });

    it("the server's sampling and elicitation requests reach the client and its answers come back", async () => {
      const sampled = await proxied.client.callTool({
        name: 'trigger-sampling-request',
        arguments: { prompt: 'hello', maxTokens: 10 },
      });
      assert.match(textOf(sampled), /sampled: .*hello/);
      const elicited = await proxied.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      assert.match(textOf(elicited), /Ada/);
    });

    it('progress notifications arrive for their request, and a cancelled request leaves the session usable', async () => {
      const progress: number[] = [];
      const done = await proxied.client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
        { onprogress: (p) => progress.push(p.progress) },
      );
      assert.match(textOf(done), /completed/);
      // server-everything sends its last progress notification without waiting for it, so it can reach the client
      // after the result, which then drops it (a direct SDK client sees the same on a busy machine, and always over
      // HTTP+SSE): the first two arrive, in order, and nothing else.
      assert.deepEqual(progress.slice(0, 2), [1, 2]);
      assert.ok(progress.length <= 3 && (progress.length < 3 || progress[2] === 3), JSON.stringify(progress));

      const controller = new AbortController();
      const cancelled = proxied.client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 60, steps: 60 } },
        { signal: controller.signal, onprogress: () => controller.abort(new Error('user cancelled')) },
      );
      await assert.rejects(cancelled, /cancelled/);
      const echo = await proxied.client.callTool({ name: 'echo', arguments: { message: 'after cancel' } });
      assert.equal(textOf(echo), 'Echo: after cancel');
    });
  });
}
