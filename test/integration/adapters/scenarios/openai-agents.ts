// The agent scenario with the OpenAI Agents SDK (`run` of an `Agent`) and a minimal implementation of its `Model`
// interface that records the input of each turn. Tracing is off: nothing leaves the machine.
import {
  Agent,
  type Model,
  type ModelRequest,
  type ModelResponse,
  run,
  setTracingDisabled,
  Usage,
} from '@openai/agents';
import { toOpenAIAgentsTools } from '../../../../src/adapters/openai-agents.ts';
import { FINAL_ANSWER, type Received, runScenario, type ScriptedCall } from '../support/scenario.ts';

setTracingDisabled(true);

class ScriptedModel implements Model {
  readonly inputs: ModelRequest['input'][] = [];
  constructor(private readonly calls: ScriptedCall[]) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.inputs.push(request.input);
    const turn = this.inputs.length;
    const call = this.calls[turn - 1];
    // The tools the model is offered carry model-safe names without hyphens.
    const offered = call && request.tools.find((t) => t.name === call.tool.replaceAll('-', '_'));
    if (call && !offered) throw new Error(`${call.tool} is not offered: ${request.tools.map((t) => t.name)}`);
    const output: ModelResponse['output'] = call
      ? [
          {
            type: 'function_call',
            callId: `call-${turn}`,
            name: offered!.name,
            arguments: JSON.stringify(call.args),
            status: 'completed',
          },
        ]
      : [
          {
            type: 'message',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: FINAL_ANSWER }],
          },
        ];
    return { usage: new Usage(), output, responseId: `response-${turn}` };
  }

  getStreamedResponse(): AsyncIterable<never> {
    throw new Error('the scenario does not stream');
  }
}

interface OutputItem {
  type: string;
  text?: string;
  image?: string | { data?: string; mediaType?: string };
}

/** A function call result as the model received it: text output, or text and image items. */
function normalize(item: { name: string; output: unknown }): Received {
  const output = item.output;
  const items: OutputItem[] =
    typeof output === 'string'
      ? [{ type: 'text', text: output }]
      : Array.isArray(output)
        ? output
        : [output as OutputItem];
  const text = items.flatMap((i) => (i.type === 'text' || i.type === 'input_text' ? [i.text ?? ''] : [])).join('\n');
  const images = items.flatMap((i) => {
    if (i.type !== 'image' && i.type !== 'input_image') return [];
    const image = i.image;
    const mediaType = typeof image === 'string' ? /^data:([^;,]+)/.exec(image)?.[1] : image?.mediaType;
    return [mediaType ?? 'unknown'];
  });
  // Function call outputs carry no error flag: the adapter's error form is text starting with "Error: ".
  return { tool: item.name, isError: text.startsWith('Error: '), text, images, raw: output };
}

await runScenario(async (toolset, calls, signal) => {
  const model = new ScriptedModel(calls);
  const agent = new Agent({
    name: 'scenario',
    instructions: 'Use the tools.',
    model,
    tools: await toOpenAIAgentsTools(toolset),
  });
  const result = await run(agent, 'Use the tools.', { maxTurns: calls.length + 1, ...(signal && { signal }) });
  const received = model.inputs.slice(1).map((input) => {
    const last = (input as { type?: string; name: string; output: unknown }[]).at(-1);
    if (last?.type !== 'function_call_result') throw new Error(`the last input item is ${last?.type}`);
    return normalize(last);
  });
  return { received, text: String(result.finalOutput) };
});
