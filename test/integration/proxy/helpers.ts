/**
 * Shared setup of the proxy tests: a real SDK v2 client that starts `mcptool proxy` over stdio as a desktop client
 * does (the CLI from the sources through tsx), and server-everything in its HTTP modes
 * (test/fixtures/everything-server.ts).
 */
import type { PassThrough } from 'node:stream';
import { Client, type ClientCapabilities } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { ROOT } from '../signin/helpers.ts';

export { type EverythingServer, startEverything } from '../../fixtures/everything-server.ts';
export { cleanEnv, ROOT, readBrowserLog, SCRIPTED_BROWSER, tempDir, useDemoServers } from '../signin/helpers.ts';

/** Poll `check` until it holds; fails after a generous bound that only a real hang reaches. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A desktop-client-like SDK v2 client connected to `mcptool proxy ...args` over stdio. */
export interface ProxiedClient {
  client: Client;
  transport: StdioClientTransport;
  /** What the proxy wrote on stderr so far. */
  stderr(): string;
  /** The proxy's process id. */
  pid: number | null;
}

/**
 * Start `mcptool proxy <args>` as a child process through an SDK v2 `StdioClientTransport` and connect a client
 * announcing `capabilities` (handlers for the server's requests are set by the caller before connecting with
 * `configure`).
 */
export async function connectProxy(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    capabilities?: ClientCapabilities;
    configure?: (client: Client) => void;
    timeoutMs?: number;
    /** Called with all of the proxy's stderr so far, whenever more arrives (e.g. to read a device code). */
    onStderr?: (stderr: string) => void;
  } = {},
): Promise<ProxiedClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/run.ts', 'proxy', ...args],
    cwd: ROOT,
    env: (options.env ?? process.env) as Record<string, string>,
    stderr: 'pipe',
  });
  let err = '';
  const stderr = transport.stderr as PassThrough | null;
  stderr?.setEncoding('utf8');
  stderr?.on('data', (chunk: string) => {
    err += chunk;
    options.onStderr?.(err);
  });
  const client = new Client(
    { name: 'desktop-client-under-test', version: '1.0.0' },
    { capabilities: options.capabilities ?? {} },
  );
  options.configure?.(client);
  try {
    await client.connect(transport, { timeout: options.timeoutMs ?? 60_000 });
  } catch (error) {
    await client.close().catch(() => {});
    throw new Error(`connecting through the proxy failed: ${String(error)}; proxy stderr: ${err}`, { cause: error });
  }
  return { client, transport, stderr: () => err, pid: transport.pid };
}
