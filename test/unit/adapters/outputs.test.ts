/**
 * What the adapters give a model for a result, without a server: tools are plain `Tool` objects whose `invoke`
 * answers from a table (an `isError` result rejects with `TOOL_ERROR`, as `MCPTool.invoke` does).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ToolMessage } from '@langchain/core/messages';
import { toAISDKTools } from '../../../src/adapters/ai-sdk.ts';
import { aiSDKOutput } from '../../../src/adapters/ai-sdk-output.ts';
import { callTool, modelView } from '../../../src/adapters/common.ts';
import { toLangChainTools } from '../../../src/adapters/langchain.ts';
import { modelSafeNames } from '../../../src/adapters/names.ts';
import type { Tool } from '../../../src/mcp/common.ts';
import { MCPInvocationError } from '../../../src/mcp/errors.ts';
import type { MCPToolResult } from '../../../src/mcp/result.ts';

const IMAGE: MCPToolResult = {
  content: [
    { type: 'text', text: 'a picture' },
    { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
    { type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' },
  ],
};
const FAILED: MCPToolResult = { content: [{ type: 'text', text: 'no such file' }], isError: true };

function fakeTool(name: string, result: MCPToolResult, seen: { signal?: AbortSignal | undefined }[] = []): Tool {
  return {
    name,
    description: `the ${name} tool`,
    inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
    async invoke(args, options) {
      seen.push({ signal: options?.signal });
      if (result.isError) {
        throw new MCPInvocationError('TOOL_ERROR', name, args ?? {}, 'reported an error', { result });
      }
      return result;
    },
  };
}

describe('shared adapter code', () => {
  it('callTool returns a result with isError instead of throwing, and passes the signal', async () => {
    const seen: { signal?: AbortSignal | undefined }[] = [];
    const signal = new AbortController().signal;
    assert.deepEqual(await callTool(fakeTool('read', FAILED, seen), { path: 'x' }, signal), FAILED);
    assert.equal(seen[0]?.signal, signal);
  });

  it('modelView keeps images and audio as media parts, in order', () => {
    const view = modelView(IMAGE);
    assert.deepEqual(
      view.parts?.map((p) => (p.type === 'text' ? p.text : `${p.kind} ${p.mediaType}`)),
      ['a picture', 'image image/png', 'audio audio/wav'],
    );
    assert.equal(modelView({ content: [{ type: 'text', text: 'plain' }] }).parts, undefined);
  });

  it('model-safe names without hyphens for frameworks that replace them (no clash of get-sum and get_sum)', () => {
    assert.deepEqual(modelSafeNames(['get-sum', 'get_sum'], { hyphens: false }), ['get_sum', 'get_sum_2']);
    assert.deepEqual(modelSafeNames(['get-sum', 'get_sum']), ['get-sum', 'get_sum']);
  });
});

describe('AI SDK outputs', () => {
  it('media parts in the form of each ai major: media (5), image-data / file-data (6), file (7)', () => {
    const media = (major: 5 | 6 | 7) => {
      const output = aiSDKOutput(IMAGE, major);
      assert.equal(output.type, 'content');
      return output.type === 'content' ? output.value.slice(1) : [];
    };
    assert.deepEqual(media(5), [
      { type: 'media', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
      { type: 'media', data: 'UklGRg==', mediaType: 'audio/wav' },
    ]);
    assert.deepEqual(media(6), [
      { type: 'image-data', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
      { type: 'file-data', data: 'UklGRg==', mediaType: 'audio/wav' },
    ]);
    assert.deepEqual(media(7), [
      { type: 'file', mediaType: 'image/png', data: { type: 'data', data: 'iVBORw0KGgo=' } },
      { type: 'file', mediaType: 'audio/wav', data: { type: 'data', data: 'UklGRg==' } },
    ]);
    assert.deepEqual(aiSDKOutput(FAILED, 7), { type: 'error-text', value: 'no such file' });
  });

  it('toModelOutput takes the output itself (ai 5) and { toolCallId, input, output } (ai 6 and later)', async () => {
    const tools = await toAISDKTools([fakeTool('read', FAILED)]);
    const toModelOutput = tools['read']?.toModelOutput as unknown as (argument: unknown) => unknown;
    const expected = { type: 'error-text', value: 'no such file' };
    assert.deepEqual(toModelOutput(FAILED), expected);
    assert.deepEqual(toModelOutput({ toolCallId: 'call-1', input: { path: 'x' }, output: FAILED }), expected);
  });
});

describe('LangChain tools', () => {
  it('answer a tool call with an isError result as a ToolMessage with status error and the result as artifact', async () => {
    const [tool] = await toLangChainTools([fakeTool('read', FAILED)]);
    const message = await tool!.invoke({ type: 'tool_call', id: 'call-1', name: 'read', args: { path: 'x' } });
    assert.ok(ToolMessage.isInstance(message));
    assert.equal(message.status, 'error');
    assert.equal(message.tool_call_id, 'call-1');
    assert.equal(message.content, 'no such file');
    assert.deepEqual(message.artifact, FAILED);
  });

  it('called without a tool call, an isError result is text starting with Error:', async () => {
    const [tool] = await toLangChainTools([fakeTool('read', FAILED)]);
    assert.equal(await tool!.invoke({ path: 'x' }), 'Error: no such file');
  });

  it('images and audio become image / audio content blocks', async () => {
    const [tool] = await toLangChainTools([fakeTool('look', IMAGE)]);
    const message = await tool!.invoke({ type: 'tool_call', id: 'call-2', name: 'look', args: {} });
    assert.ok(ToolMessage.isInstance(message));
    assert.equal(message.status, 'success');
    assert.deepEqual(message.content, [
      { type: 'text', text: 'a picture' },
      { type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' },
      { type: 'audio', mimeType: 'audio/wav', data: 'UklGRg==' },
    ]);
  });
});
