/** Human and JSON renderings of tools and tool results for the CLI. Only the CLI prints. */

import { forTerminal } from './terminal.ts';

/** The part of a tool the CLI shows. */
export interface ToolSummary {
  name: string;
  description?: string | undefined;
  inputSchema?: unknown;
}

/** A content block of an MCP `CallToolResult` (MCP 2025-11-25, "Tool Result"), loosely typed. */
export interface ContentBlockLike {
  type: string;
  [key: string]: unknown;
}

/** The part of an MCP `CallToolResult` the CLI reads. */
export interface CallToolResultLike {
  content?: ContentBlockLike[] | undefined;
  structuredContent?: unknown;
  isError?: boolean | undefined;
  [key: string]: unknown;
}

/** `tools --json`: a JSON array of `{name, description, inputSchema}` (the CLI contract), one trailing newline. */
export function toolsToJson(tools: readonly ToolSummary[]): string {
  const rows = tools.map((t) => ({
    name: t.name,
    description: t.description ?? '',
    inputSchema: t.inputSchema ?? { type: 'object' },
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/**
 * `tools` for people: one row per tool, the name padded to a column, then the first line of its description,
 * wrapped to `width` columns with continuation lines indented under the description.
 */
export function toolsToTable(serverTools: readonly ToolSummary[], width = 100): string {
  if (serverTools.length === 0) return 'The server offers no tools.\n';
  // Names and descriptions are the server's: no escape sequence of theirs reaches the terminal.
  const tools = serverTools.map((t) => ({
    name: forTerminal(t.name),
    description: forTerminal(t.description ?? '', { multiline: true }),
  }));
  const nameWidth = Math.min(Math.max(4, ...tools.map((t) => t.name.length)), 40);
  const descWidth = Math.max(20, width - nameWidth - 2);
  const lines = [`${'NAME'.padEnd(nameWidth)}  DESCRIPTION`];
  for (const tool of tools) {
    const first = firstLine(tool.description);
    const wrapped = wrap(first, descWidth);
    const name = tool.name.length > nameWidth ? tool.name : tool.name.padEnd(nameWidth);
    if (tool.name.length > nameWidth) {
      // A very long name takes its own line; the description follows, aligned.
      lines.push(name);
      for (const w of wrapped) lines.push(`${' '.repeat(nameWidth)}  ${w}`);
      continue;
    }
    lines.push(`${name}  ${wrapped[0] ?? ''}`.trimEnd());
    for (const w of wrapped.slice(1)) lines.push(`${' '.repeat(nameWidth)}  ${w}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The first non-empty line of a text, trimmed. */
export function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

/** Greedy word wrap to `width` columns; a word longer than `width` is cut. Never returns an empty array for text. */
export function wrap(text: string, width: number): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  for (let word of words) {
    while (word.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** `call --json`: the whole `CallToolResult`. */
export function resultToJson(result: CallToolResultLike): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/**
 * `call` for people (the library's `resultToText` is the conversion for models): text blocks as they are (escape
 * sequences removed, {@link forTerminal}), joined
 * by newlines; images, audio, resources and resource links as one-line summaries in brackets; with no content, the
 * structured content as JSON.
 */
export function resultForTerminal(result: CallToolResultLike): string {
  const parts = (result.content ?? []).map(blockToText);
  if (parts.length === 0 && result.structuredContent !== undefined) {
    parts.push(JSON.stringify(result.structuredContent, null, 2));
  }
  const text = forTerminal(parts.join('\n'), { multiline: true });
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

function blockToText(block: ContentBlockLike): string {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  switch (block.type) {
    case 'text':
      return str(block['text']) ?? '';
    case 'image':
    case 'audio': {
      const data = str(block['data']) ?? '';
      return `[${block.type}: ${str(block['mimeType']) ?? 'unknown type'}, ${formatBytes(base64Length(data))}]`;
    }
    case 'resource': {
      const r = (block['resource'] ?? {}) as Record<string, unknown>;
      const mime = str(r['mimeType']);
      const size =
        typeof r['text'] === 'string'
          ? `${(r['text'] as string).length} characters`
          : formatBytes(base64Length(str(r['blob']) ?? ''));
      return `[resource: ${str(r['uri']) ?? '(no uri)'}${mime ? ` (${mime})` : ''}, ${size}]`;
    }
    case 'resource_link': {
      const name = str(block['name']);
      const mime = str(block['mimeType']);
      return `[resource link: ${str(block['uri']) ?? '(no uri)'}${name ? ` "${name}"` : ''}${mime ? ` (${mime})` : ''}]`;
    }
    default:
      return `[${block.type} content]`;
  }
}

function base64Length(data: string): number {
  const clean = data.replace(/\s/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
