import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/client';

/** The whole result of a tool call as the server sent it (MCP Tools, "Tool Result", 2025-11-25). */
export type MCPToolResult = CallToolResult;

/** One block of a tool result: text, image, audio, resource (embedded) or resource_link. */
export type MCPContentBlock = ContentBlock;

function base64Bytes(data: string): number {
  const clean = data.replace(/\s/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

/**
 * Convert one content block to text for a language model:
 * - `text`: the text itself;
 * - `image` / `audio`: a placeholder `[image: image/png, 68 bytes]` (the data is not inlined);
 * - `resource` with `text`: `[resource file:///x.txt (text/plain)]` followed by the text on the next line;
 * - `resource` with `blob`: `[resource file:///x.bin (application/octet-stream, 3 bytes)]`;
 * - `resource_link`: `[resource link "name": https://… (mime)] description`.
 * Unknown block types become their JSON.
 */
export function contentBlockToText(block: MCPContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image':
    case 'audio':
      return `[${block.type}: ${block.mimeType}, ${base64Bytes(block.data)} bytes]`;
    case 'resource': {
      const r = block.resource;
      const mime = r.mimeType ? ` (${r.mimeType})` : '';
      if ('text' in r && typeof r.text === 'string') return `[resource ${r.uri}${mime}]\n${r.text}`;
      const size = 'blob' in r && typeof r.blob === 'string' ? `${base64Bytes(r.blob)} bytes` : undefined;
      const details = [r.mimeType, size].filter((part) => part !== undefined).join(', ');
      return `[resource ${r.uri}${details ? ` (${details})` : ''}]`;
    }
    case 'resource_link': {
      const mime = block.mimeType ? ` (${block.mimeType})` : '';
      const description = block.description ? ` ${block.description}` : '';
      return `[resource link ${JSON.stringify(block.name)}: ${block.uri}${mime}]${description}`;
    }
    default:
      return JSON.stringify(block);
  }
}

/**
 * The documented conversion of a tool result to text for a model: the content blocks converted with
 * {@link contentBlockToText}, joined by newlines. When the result has no content blocks but has
 * `structuredContent`, its JSON. `isError` is not marked here (callers say "error" in their own way).
 */
export function resultToText(result: MCPToolResult): string {
  const content = Array.isArray(result.content) ? result.content : [];
  if (content.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return content.map((block) => contentBlockToText(block)).join('\n');
}
