// The agent scenario with LangChain's `createAgent` (package `langchain`) and `fakeModel()` from
// `@langchain/core/testing`, which records the messages of each of its turns.
import { AIMessage, type BaseMessage, ToolMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { createAgent } from 'langchain';
import { toLangChainTools } from '../../../../src/adapters/langchain.ts';
import { FINAL_ANSWER, type Received, runScenario } from '../support/scenario.ts';

/** A tool message as the model received it: string content, or text / image content blocks. */
function normalize(message: ToolMessage): Received {
  const content = message.content;
  const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
  const received: Received = {
    tool: message.name ?? '',
    isError: message.status === 'error',
    text: blocks.flatMap((b) => (b.type === 'text' ? [String(b['text'])] : [])).join('\n'),
    images: blocks.flatMap((b) => (b.type === 'image' ? [String(b['mimeType'])] : [])),
    raw: { status: message.status, content: message.content },
  };
  return received;
}

await runScenario(async (toolset, calls, signal) => {
  const model = fakeModel();
  calls.forEach((call, i) => {
    model.respondWithTools([{ name: call.tool, args: call.args, id: `call-${i + 1}` }]);
  });
  model.respond(new AIMessage(FINAL_ANSWER));
  const agent = createAgent({ model, tools: await toLangChainTools(toolset) });
  const { messages } = await agent.invoke(
    { messages: [{ role: 'user', content: 'Use the tools.' }] },
    signal && { signal },
  );
  const received = model.calls.slice(1).map(({ messages: turn }) => {
    const last = (turn as BaseMessage[]).at(-1);
    if (!ToolMessage.isInstance(last)) throw new Error(`the last message of a turn is ${last?.type}`);
    return normalize(last);
  });
  const text = String((messages as BaseMessage[]).at(-1)?.content);
  return { received, text };
});
