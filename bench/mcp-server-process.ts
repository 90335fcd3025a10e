/**
 * The fixture MCP server (test/fixtures/mcp-server.ts) in a process of its own, for benchmarks that compare
 * clients in other processes: prints its URL on stdout, then serves until killed.
 * Usage: `node --import tsx bench/mcp-server-process.ts [streamable-http|sse]`.
 */
import { startMcpServer } from '../test/fixtures/mcp-server.ts';

const transport = process.argv[2] === 'sse' ? 'sse' : 'streamable-http';
const server = await startMcpServer({ transport });
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
