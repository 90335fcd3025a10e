// The agent scenario with a Mastra `Agent` (`generate`, which streams from the model) and Mastra's own mock model,
// `MastraLanguageModelV2Mock` of `@mastra/core/test-utils/llm-mock`, which records each call's prompt.
import { Agent } from '@mastra/core/agent';
import { MastraLanguageModelV2Mock } from '@mastra/core/test-utils/llm-mock';
import { toMastraTools } from '../../../../src/adapters/mastra.ts';
import { FINAL_ANSWER, type Received, runScenario } from '../support/scenario.ts';

const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };

function stream(parts: unknown[]) {
  return {
    stream: new ReadableStream({
      start(controller) {
        for (const part of [{ type: 'stream-start', warnings: [] }, ...parts]) controller.enqueue(part);
        controller.close();
      },
    }),
  };
}

interface ToolResultOutput {
  type: string;
  value?: unknown;
}

/** A tool result output as the model received it (V2: `text`, `error-text`, `content` with `media` parts). */
function normalize(tool: string, output: ToolResultOutput): Received {
  const received: Received = { tool, isError: output.type.startsWith('error'), text: '', images: [], raw: output };
  if (output.type === 'content') {
    const parts = output.value as { type: string; text?: string; mediaType?: string }[];
    received.text = parts.flatMap((p) => (p.type === 'text' ? [p.text ?? ''] : [])).join('\n');
    received.images = parts.flatMap((p) =>
      p.type === 'media' && p.mediaType?.startsWith('image') ? [p.mediaType] : [],
    );
  } else {
    received.text = typeof output.value === 'string' ? output.value : JSON.stringify(output.value);
  }
  return received;
}

await runScenario(async (toolset, calls, signal) => {
  const received: Received[] = [];
  let turn = 0;
  /** The model's next turn: record the tool results it received, then call the next tool or answer. */
  function nextTurn(
    prompt: unknown[],
  ): { type: 'tool-call'; toolCallId: string; toolName: string; input: string } | undefined {
    if (turn > 0) {
      const last = prompt.at(-1) as {
        role: string;
        content: { type: string; toolName: string; output: ToolResultOutput }[];
      };
      if (last.role !== 'tool') throw new Error(`turn ${turn}: the last message is ${last.role}`);
      for (const part of last.content)
        if (part.type === 'tool-result') received.push(normalize(part.toolName, part.output));
    }
    const call = calls[turn];
    turn++;
    return (
      call && { type: 'tool-call', toolCallId: `call-${turn}`, toolName: call.tool, input: JSON.stringify(call.args) }
    );
  }
  const model = new MastraLanguageModelV2Mock({
    doGenerate: async ({ prompt }) => {
      const call = nextTurn(prompt);
      return {
        content: call ? [call] : [{ type: 'text', text: FINAL_ANSWER }],
        finishReason: call ? 'tool-calls' : 'stop',
        usage,
        warnings: [],
      };
    },
    doStream: async ({ prompt }) => {
      const call = nextTurn(prompt);
      if (!call) {
        return stream([
          { type: 'text-start', id: 't' },
          { type: 'text-delta', id: 't', delta: FINAL_ANSWER },
          { type: 'text-end', id: 't' },
          { type: 'finish', finishReason: 'stop', usage },
        ]) as never;
      }
      return stream([call, { type: 'finish', finishReason: 'tool-calls', usage }]) as never;
    },
  });
  const agent = new Agent({
    id: 'scenario',
    name: 'scenario',
    instructions: 'Use the tools.',
    // Mastra's own mock does not meet Mastra's model type under exactOptionalPropertyTypes.
    model: model as never,
    tools: await toMastraTools(toolset),
  });
  const result = await agent.generate('Use the tools.', {
    maxSteps: calls.length + 1,
    ...(signal && { abortSignal: signal }),
  });
  return { received, text: result.text };
});
