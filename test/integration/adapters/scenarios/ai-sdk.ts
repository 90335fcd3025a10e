// The agent scenario with the AI SDK (`generateText` with tools and a step limit) and the `ai/test` mock model of
// the major that `ai` resolves to (run with support/ai-major.mjs): MockLanguageModelV2 for 5, V3 for 6, V4 for 7.
import { generateText, stepCountIs } from 'ai';
import * as aiTest from 'ai/test';
import { toAISDKTools } from '../../../../src/adapters/ai-sdk.ts';
import { FINAL_ANSWER, type Received, runScenario } from '../support/scenario.ts';

type Mock = new (options: { doGenerate: (options: { prompt: unknown[] }) => Promise<unknown> }) => object;
const mocks = aiTest as unknown as Record<string, Mock | undefined>;
const [spec, MockModel] = mocks['MockLanguageModelV4']
  ? (['v4', mocks['MockLanguageModelV4']] as const)
  : mocks['MockLanguageModelV3']
    ? (['v3', mocks['MockLanguageModelV3']] as const)
    : (['v2', mocks['MockLanguageModelV2']!] as const);

/** A generate result in the mock's specification version (V3 and V4 nest the finish reason and usage). */
function generated(content: unknown[], finish: 'tool-calls' | 'stop') {
  if (spec === 'v2') {
    return { content, finishReason: finish, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, warnings: [] };
  }
  return {
    content,
    finishReason: { unified: finish, raw: finish },
    usage: {
      inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 1, text: 1, reasoning: undefined },
    },
    warnings: [],
  };
}

interface ToolResultOutput {
  type: string;
  value?: unknown;
}

/** A tool result output as the model received it (V2 `media`, V3 `image-data`/`file-data`, V4 `file`). */
function normalize(tool: string, output: ToolResultOutput): Received {
  const received: Received = { tool, isError: output.type.startsWith('error'), text: '', images: [], raw: output };
  if (output.type === 'content') {
    const parts = output.value as { type: string; text?: string; mediaType?: string }[];
    received.text = parts.flatMap((p) => (p.type === 'text' ? [p.text ?? ''] : [])).join('\n');
    received.images = parts.flatMap((p) =>
      p.type !== 'text' && p.mediaType?.startsWith('image') ? [p.mediaType] : [],
    );
  } else {
    received.text = typeof output.value === 'string' ? output.value : JSON.stringify(output.value);
  }
  return received;
}

await runScenario(async (toolset, calls, signal) => {
  const tools = await toAISDKTools(toolset);
  const received: Received[] = [];
  let turn = 0;
  const model = new MockModel({
    async doGenerate({ prompt }) {
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
      if (!call) return generated([{ type: 'text', text: FINAL_ANSWER }], 'stop');
      const input = JSON.stringify(call.args);
      return generated([{ type: 'tool-call', toolCallId: `call-${turn}`, toolName: call.tool, input }], 'tool-calls');
    },
  });
  const { text } = await generateText({
    model: model as Parameters<typeof generateText>[0]['model'],
    tools,
    prompt: 'Use the tools.',
    stopWhen: stepCountIs(calls.length + 1),
    ...(signal && { abortSignal: signal }),
  });
  return { received, text };
});
