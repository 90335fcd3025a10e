import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineRegistry } from '../../../src/auth/engine/registry.ts';
import { ConnectionPool, defaultConnectionPool } from '../../../src/mcp/connection-pool.ts';
import { StreamableHttpServerInfo } from '../../../src/mcp/server-info.ts';
import { MCPTool } from '../../../src/mcp/tool.ts';

// Acquiring builds a client without connecting: no server is needed.
describe('ConnectionPool', () => {
  const serverInfo = new StreamableHttpServerInfo({ url: 'http://127.0.0.1:9/mcp' });

  it('shares one client per configuration, apart from the default pool, and closes it on the last release', async () => {
    const pool = new ConnectionPool({ engines: new EngineRegistry() });
    const before = defaultConnectionPool.size;
    const a = pool.acquire(serverInfo);
    const b = pool.acquire(serverInfo);
    assert.equal(a.client, b.client);
    assert.equal(pool.size, 1);
    assert.equal(defaultConnectionPool.size, before, 'a pool of its own leaves the default pool alone');
    const other = defaultConnectionPool.acquire(serverInfo);
    assert.notEqual(other.client, a.client);
    await other.release();
    await a.release();
    await a.release();
    assert.equal(pool.size, 1, 'release is idempotent: one holder remains');
    await b.release();
    assert.equal(pool.size, 0);
  });

  it('a tool takes its pool as an option and refuses anything else', async () => {
    assert.throws(
      () => new MCPTool({ serverInfo, name: 'x', pool: {} as ConnectionPool }),
      (error: Error & { code?: string }) => error.code === 'INVALID_OPTION' && /pool/.test(error.message),
    );
    const tool = new MCPTool({ serverInfo, name: 'x', pool: new ConnectionPool() });
    await tool.close();
  });
});
