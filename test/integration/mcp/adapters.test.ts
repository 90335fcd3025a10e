import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toAISDKOutput, toAISDKTools } from '../../../src/adapters/ai-sdk.ts';
import { toOpenAITools } from '../../../src/adapters/openai.ts';
import type { MCPToolResult } from '../../../src/mcp/result.ts';
import { StreamableHttpServerInfo } from '../../../src/mcp/server-info.ts';
import { MCPToolset } from '../../../src/mcp/toolset.ts';
import { type McpServerHandle, startMcpServer } from '../../fixtures/mcp-server.ts';

let server: McpServerHandle;
let toolset: MCPToolset;

before(async () => {
  server = await startMcpServer({ transport: 'streamable-http' });
  // Lazy on purpose: the adapters warm the toolset up themselves.
  toolset = new MCPToolset({ serverInfo: new StreamableHttpServerInfo({ url: server.url, oauth: false }) });
});
after(async () => {
  await toolset.close();
  await server.close();
});

const callOptions = { toolCallId: 'call_1', messages: [] };

describe('Vercel AI SDK adapter', () => {
  it('produces a tools record whose execute runs the MCP tool', async () => {
    const tools = await toAISDKTools(toolset);
    assert.ok(tools['echo'] && tools['add']);
    assert.equal(tools['add'].description, 'Add two numbers');
    const schema = (tools['add'].inputSchema as { jsonSchema: { required: string[] } }).jsonSchema;
    assert.deepEqual(schema.required, ['a', 'b']);
    const result = (await tools['add'].execute?.({ a: 20, b: 22 }, callOptions)) as MCPToolResult;
    assert.deepEqual(result.structuredContent, { sum: 42 });
    assert.deepEqual(tools['add'].toModelOutput?.(result), { type: 'text', value: '42' });
  });

  it('returns tool errors as error-text and images as media', async () => {
    const tools = await toAISDKTools(toolset);
    const failed = (await tools['fail']!.execute?.({ message: 'nope' }, callOptions)) as MCPToolResult;
    assert.deepEqual(tools['fail']!.toModelOutput?.(failed), { type: 'error-text', value: 'nope' });
    const mixed = (await tools['content_types']!.execute?.({}, callOptions)) as MCPToolResult;
    const output = toAISDKOutput(mixed);
    assert.equal(output.type, 'content');
    assert.ok(output.type === 'content' && output.value.some((p) => p.type === 'media' && p.mediaType === 'image/png'));
  });

  it('passes the abort signal through', async () => {
    const tools = await toAISDKTools(toolset);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      Promise.resolve(tools['slow']!.execute?.({ ms: 5_000 }, { ...callOptions, abortSignal: controller.signal })),
      (e: unknown) => (e as { code?: string }).code === 'ABORTED',
    );
  });
});

describe('OpenAI adapter', () => {
  it('describes the tools as function tools and executes a tool call', async () => {
    const { tools, execute } = await toOpenAITools(toolset);
    const echo = tools.find((t) => t.function.name === 'echo');
    assert.deepEqual(echo, {
      type: 'function',
      function: {
        name: 'echo',
        description: 'Echo the message back',
        parameters: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
      },
    });
    const message = await execute({
      id: 'call_abc',
      type: 'function',
      function: { name: 'echo', arguments: '{"message":"hello from openai"}' },
    });
    assert.deepEqual(message, { role: 'tool', tool_call_id: 'call_abc', content: 'hello from openai' });
  });

  it('answers mistakes the model can correct with an Error: message', async () => {
    const { execute } = await toOpenAITools(toolset);
    const bad = await execute({ id: '1', function: { name: 'echo', arguments: '{not json' } });
    assert.match(bad.content, /^Error: the arguments are not valid JSON/);
    const unknown = await execute({ id: '2', function: { name: 'nope', arguments: '{}' } });
    assert.match(unknown.content, /^Error: there is no function "nope"/);
    const failed = await execute({ id: '3', function: { name: 'fail', arguments: '{"message":"boom"}' } });
    assert.deepEqual(failed, { role: 'tool', tool_call_id: '3', content: 'Error: boom' });
  });
});
