import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthProvider } from '@modelcontextprotocol/client';
import { MCPConnectionError } from '../../../src/mcp/errors.ts';
import { resultToText } from '../../../src/mcp/result.ts';
import { StreamableHttpServerInfo } from '../../../src/mcp/server-info.ts';
import { StreamableHttpClient } from '../../../src/mcp/transports.ts';
import { startMcpServer } from '../../fixtures/mcp-server.ts';

/**
 * The client's side of the auth seam: an `authProvider` for the transport and `recover(error)` after a failure,
 * after which the operation is retried exactly once. The OAuth engine is stood in for by overriding both hooks.
 */
class SeamClient extends StreamableHttpClient {
  token = 'stale';
  recoveries: string[] = [];
  fix: (() => string) | undefined;

  protected override async authProvider(): Promise<AuthProvider> {
    return { token: async () => this.token };
  }

  protected override async recover(_error: unknown, operation: string): Promise<boolean> {
    this.recoveries.push(operation);
    if (this.fix) this.token = this.fix();
    return true;
  }
}

const info = (url: string) => new StreamableHttpServerInfo({ url, oauth: false, baseDelayMs: 10, maxDelayMs: 50 });

describe('auth seam in the MCP client', () => {
  it('retries connect once after recover() fixed the credentials', async () => {
    const server = await startMcpServer({ transport: 'streamable-http', requireToken: 'good' });
    const client = new SeamClient(info(server.url));
    client.fix = () => 'good';
    try {
      await client.connect();
      assert.deepEqual(client.recoveries, ['connect']);
      assert.equal((await client.listTools()).length, 8);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('retries exactly once: a second 401 is AUTH_REQUIRED', async () => {
    const server = await startMcpServer({ transport: 'streamable-http', requireToken: 'good' });
    const client = new SeamClient(info(server.url));
    try {
      await assert.rejects(
        client.connect(),
        (e: unknown) => e instanceof MCPConnectionError && e.code === 'AUTH_REQUIRED' && e.operation === 'connect',
      );
      assert.deepEqual(client.recoveries, ['connect']);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('a token revoked mid-session: callTool recovers, reconnects and succeeds', async () => {
    let required = 'first';
    const server = await startMcpServer({ transport: 'streamable-http', requireToken: () => required });
    const client = new SeamClient(info(server.url));
    client.token = 'first';
    try {
      await client.connect();
      required = 'second';
      client.fix = () => 'second';
      const result = await client.callTool('echo', { message: 'again' });
      assert.equal(resultToText(result), 'again');
      assert.deepEqual(client.recoveries, ['callTool:echo']);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
