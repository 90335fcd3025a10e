/**
 * The agent scenario every framework test runs, in a child process (`node --import tsx scenarios/<name>.ts`, under
 * Node 22 for the frameworks that require it): the framework's real agent loop with a fake model that calls one MCP
 * tool per turn and records what it receives in its next turn.
 * - server-everything over stdio: `echo` (text), `gzip-file-as-resource` of an unreachable loopback URL (a result
 *   with `isError`, for input the schema accepts), `get-tiny-image` (an image);
 * - the OAuth demo server over Streamable HTTP (`$MCP_OAUTH_URL`, signed in through the scripted browser in
 *   `$BROWSER`): `echo` (text).
 * - abort: the agent runs with the framework's abort signal over an `echo` whose `invoke` aborts that signal and
 *   records whether the signal it was given (the adapter passes the framework's) is now aborted.
 * The child prints one line `SCENARIO <json>` ({@link ScenarioReport}); the test asserts on it.
 */
import { fileURLToPath } from 'node:url';
import type { ToolSource } from '../../../../src/adapters/tools.ts';
import { MCPToolset, StdioServerInfo, StreamableHttpServerInfo, type Tool } from '../../../../src/index.ts';

/** One tool call the fake model makes in one turn. */
export interface ScriptedCall {
  tool: string;
  args: Record<string, unknown>;
}

/** What the fake model received for a tool call in its next turn, normalized across frameworks. */
export interface Received {
  /** The tool it answers (the model-safe name). */
  tool: string;
  /** Whether it came in the framework's error form. */
  isError: boolean;
  /** Its text parts, joined by newlines. */
  text: string;
  /** The media type of each image part. */
  images: string[];
  /** The framework's own form, for failure messages. */
  raw: unknown;
}

export interface ScenarioReport {
  everything: Received[];
  demo: Received[];
  /** Whether the signal `invoke` was given had been aborted by the framework's abort signal. */
  abortReachedInvoke: boolean;
}

export const EVERYTHING_CALLS: ScriptedCall[] = [
  { tool: 'echo', args: { message: 'hello from the agent' } },
  { tool: 'gzip-file-as-resource', args: { name: 'x.gz', data: 'http://127.0.0.1:9/unreachable' } },
  { tool: 'get-tiny-image', args: {} },
];
export const DEMO_CALLS: ScriptedCall[] = [{ tool: 'echo', args: { text: 'hello over OAuth' } }];

/** The text the fake model answers with once all its calls are made. */
export const FINAL_ANSWER = 'All done.';

const EVERYTHING = fileURLToPath(
  new URL('../../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);

/**
 * Runs one agent over a toolset: the fake model makes `calls` one per turn, then answers {@link FINAL_ANSWER};
 * returns what it received after each call (in order) and the agent's final text.
 */
export type RunAgent = (
  source: ToolSource,
  calls: ScriptedCall[],
  signal?: AbortSignal,
) => Promise<{ received: Received[]; text: string }>;

/** Run the agent with `signal` over an `echo` that aborts it; whether `invoke`'s signal was then aborted. */
async function abortReachesInvoke(runAgent: RunAgent, echo: Tool): Promise<boolean> {
  const controller = new AbortController();
  let reached = false;
  const aborting: Tool = Object.create(echo, {
    invoke: {
      value: (args: Record<string, unknown>, options?: { signal?: AbortSignal }) => {
        controller.abort();
        reached = options?.signal?.aborted === true;
        return echo.invoke(args, options);
      },
    },
  });
  try {
    await runAgent([aborting], [{ tool: 'echo', args: { message: 'never answered' } }], controller.signal);
  } catch {
    // Frameworks end an aborted run in their own way; only what reached `invoke` matters here.
  }
  return reached;
}

/** Run the scenario with a framework's agent and print its report. */
export async function runScenario(runAgent: RunAgent): Promise<void> {
  const url = process.env['MCP_OAUTH_URL'];
  if (!url) throw new Error('MCP_OAUTH_URL is not set');
  const everything = new MCPToolset({
    serverInfo: new StdioServerInfo({ command: process.execPath, args: [EVERYTHING, 'stdio'] }),
  });
  const demo = new MCPToolset({ serverInfo: new StreamableHttpServerInfo({ url }) });
  try {
    const a = await runAgent(everything, EVERYTHING_CALLS);
    const b = await runAgent(demo, DEMO_CALLS);
    for (const run of [a, b]) if (run.text !== FINAL_ANSWER) throw new Error(`final text: ${JSON.stringify(run.text)}`);
    const abortReachedInvoke = await abortReachesInvoke(runAgent, everything.getTool('echo'));
    const report: ScenarioReport = { everything: a.received, demo: b.received, abortReachedInvoke };
    console.log(`SCENARIO ${JSON.stringify(report)}`);
  } finally {
    await Promise.all([everything.close(), demo.close()]);
  }
}
