import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { MCPTool, StreamableHttpServerInfo } from '../../src/index.ts';
import { startMcpServer } from '../../test/fixtures/mcp-server.ts';
import { type Figure, median, percentile, type Section, timeInterleaved } from '../report.ts';

/** Calls per side after the warm-up, and warm-up calls per side. */
const CALLS = Number(process.env['BENCH_CALLS'] ?? 1000);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 100);
/** Stop measuring after this long even if fewer than CALLS were made, so the bench stays under a minute. */
const BUDGET_MS = Number(process.env['BENCH_BUDGET_MS'] ?? 40_000);

/**
 * The median latency of one `tools/call` (`echo`) through `MCPTool.invoke` against the same call through a bare
 * SDK v2 `Client` on its own Streamable HTTP connection, to the same in-process fixture server, in the same run.
 * The two are interleaved call by call (alternating which goes first) so that drift affects both alike.
 */
export const toolCallSection: Section = {
  title: 'Tool call through MCPTool vs a bare SDK v2 Client (Streamable HTTP, local fixture server)',
  async run(): Promise<Figure[]> {
    const server = await startMcpServer({ transport: 'streamable-http' });
    const tool = new MCPTool({ name: 'echo', serverInfo: new StreamableHttpServerInfo({ url: server.url }) });
    const client = new Client({ name: 'bench-baseline', version: '1.0.0' });
    try {
      await tool.warmUp();
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      const args = { message: 'benchmark' };
      const viaTool = () => tool.invoke(args);
      const viaSdk = () => client.callTool({ name: 'echo', arguments: args });
      const { measured: toolTimes, baseline: sdkTimes } = await timeInterleaved(viaTool, viaSdk, {
        calls: CALLS,
        warmup: WARMUP,
        budgetMs: BUDGET_MS,
      });
      return [
        {
          name: 'median latency of an echo tool call',
          value: median(toolTimes),
          baseline: median(sdkTimes),
          baselineName: 'bare SDK v2 Client.callTool',
          target: 1.05,
          notes:
            `${toolTimes.length} calls each after ${WARMUP} warm-up calls, interleaved; p90 mcptool ` +
            `${percentile(toolTimes, 90).toFixed(3)} ms, baseline ${percentile(sdkTimes, 90).toFixed(3)} ms`,
        },
      ];
    } finally {
      await tool.close();
      await client.close();
      await server.close();
    }
  },
};
