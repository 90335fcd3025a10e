/**
 * The proxy's lifecycle against server-everything over Streamable HTTP: a remote server restarted mid-session is
 * reconnected to (the client's initialize replayed) and the next call succeeds; when the desktop client closes
 * stdin the proxy ends the remote session and exits within a second, leaving nothing behind.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { connectProxy, type EverythingServer, startEverything, waitFor } from './helpers.ts';

function textOf(result: { content?: unknown }): string {
  const blocks = (result.content ?? []) as { type: string; text?: string }[];
  return blocks.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('proxy lifecycle', () => {
  let server: EverythingServer | undefined;
  after(async () => {
    await server?.close();
  });

  it('the remote server restarted mid-session: the next call succeeds on a new session', async () => {
    server = await startEverything('streamableHttp');
    const proxied = await connectProxy([server.url], { capabilities: { sampling: {} } });
    try {
      const first = await proxied.client.callTool({ name: 'echo', arguments: { message: 'before' } });
      assert.equal(textOf(first), 'Echo: before');
      await server.restart();
      const next = await proxied.client.callTool({ name: 'echo', arguments: { message: 'after restart' } });
      assert.equal(textOf(next), 'Echo: after restart');
      // The replayed initialize carried the client's capabilities: the sampling tool exists on the new session.
      const { tools } = await proxied.client.listTools();
      assert.ok(tools.some((t) => t.name === 'trigger-sampling-request'));
      assert.match(proxied.stderr(), /session .* was lost .*reconnecting/);
      assert.match(proxied.stderr(), /reconnected to /);
    } finally {
      await proxied.client.close();
    }
  });

  it('over HTTP+SSE too: after a restart of the remote server the next call succeeds on a new session', async () => {
    const sse = await startEverything('sse');
    const proxied = await connectProxy([sse.url, '--transport', 'sse']);
    try {
      assert.equal(textOf(await proxied.client.callTool({ name: 'echo', arguments: { message: 'a' } })), 'Echo: a');
      await sse.restart();
      const next = await proxied.client.callTool({ name: 'echo', arguments: { message: 'after restart' } });
      assert.equal(textOf(next), 'Echo: after restart');
      assert.match(proxied.stderr(), /reconnected to /);
    } finally {
      await proxied.client.close();
      await sse.close();
    }
  });

  it('stdin closed: the proxy exits within a second with code 0 and no process left', async () => {
    server ??= await startEverything('streamableHttp');
    const proxied = await connectProxy([server.url]);
    const pid = proxied.pid;
    assert.ok(pid);
    await proxied.client.callTool({ name: 'echo', arguments: { message: 'x' } });
    const child = (proxied.transport as unknown as { _process?: import('node:child_process').ChildProcess })._process;
    assert.ok(child, 'the SDK transport exposes its child process');
    const exited = new Promise<{ code: number | null; ms: number }>((resolve) => {
      const started = Date.now();
      child.once('exit', (code) => resolve({ code, ms: Date.now() - started }));
    });
    child.stdin?.end();
    const { code, ms } = await exited;
    assert.equal(code, 0, proxied.stderr());
    // About 0.1 s to close the session and 0.5 s to exit on an idle machine; the bound only catches a hang (a
    // listener, timer or socket keeping the process alive).
    assert.ok(ms < 10_000, `exited after ${ms} ms`);
    await waitFor(() => /session termination request/i.test(server?.log() ?? ''), 'the DELETE ending the session');
    assert.equal(alive(pid), false);
    await proxied.client.close();
  });
});
