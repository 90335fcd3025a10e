import { createInterface } from 'node:readline';
import type { ServerLogEntry, ToolProgress } from '../mcp/client.ts';
import type { ElicitationHandler, ElicitationRequest, ElicitationResponse } from '../mcp/elicitation.ts';
import type { CommandContext } from './context.ts';
import { forTerminal } from './terminal.ts';

/** Server text made safe for a terminal, on one line (the one sanitizer: terminal.ts). */
const plain = (text: string): string => forTerminal(text).trim();

function valueText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/**
 * What `call` shows of what the server says while the tool runs, on stderr (stdout stays the result): each log
 * entry (`notifications/message`) as `[server <level>] <logger>: <data>`, and each progress notification (as the
 * progress line in a terminal, else one line each). Nothing with `quiet`.
 */
export function serverListeners(
  ctx: CommandContext,
  quiet: boolean,
): { onLog?: (entry: ServerLogEntry) => void; onProgress?: (progress: ToolProgress) => void } {
  if (quiet) return {};
  const { io, progress } = ctx;
  return {
    onLog(entry) {
      progress.done();
      const logger = typeof entry.logger === 'string' ? `${plain(entry.logger)}: ` : '';
      io.stderr.write(`[server ${plain(String(entry.level))}] ${logger}${plain(valueText(entry.data))}\n`);
    },
    onProgress(p) {
      const amount = p.total === undefined ? `${p.progress}` : `${p.progress}/${p.total}`;
      const message = typeof p.message === 'string' && p.message ? ` ${plain(p.message)}` : '';
      if (io.stderr.isTTY) progress.update(`${plain(p.toolName)}: ${amount}${message}`);
      else io.stderr.write(`[server progress] ${amount}${message}\n`);
    },
  };
}

type FieldSchema = {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  oneOf?: { const?: unknown; title?: string }[];
  minimum?: number;
  maximum?: number;
};

/**
 * The elicitation handler of `call`: in a terminal (stdin and stderr both TTYs) the form is asked field by field on
 * stderr, each with its default (Enter keeps it); an empty answer to a field without a default leaves it out;
 * end of input cancels. Without a terminal the request is declined (nobody can answer), saying so unless `quiet`.
 * URL-mode requests are declined (the CLI does not open pages for a server).
 */
export function cliElicitation(ctx: CommandContext, quiet: boolean): ElicitationHandler {
  const { io, progress } = ctx;
  const stdin = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  return async (request: ElicitationRequest): Promise<ElicitationResponse> => {
    const interactive = stdin.isTTY === true && io.stderr.isTTY === true;
    if (!interactive || request.mode === 'url' || !('requestedSchema' in request)) {
      if (!quiet) {
        progress.done();
        io.stderr.write(
          `mcptool: declined the server's request for input (${plain(request.message)}): ${interactive ? 'URL requests are not supported' : 'not a terminal'}\n`,
        );
      }
      return { action: 'decline' };
    }
    progress.done();
    const properties = (request.requestedSchema.properties ?? {}) as Record<string, FieldSchema>;
    const required = new Set(request.requestedSchema.required ?? []);
    const rl = createInterface({ input: stdin, output: io.stderr as NodeJS.WritableStream, terminal: false });
    const lines = rl[Symbol.asyncIterator]();
    const ask = async (prompt: string): Promise<string | undefined> => {
      io.stderr.write(prompt);
      const next = await lines.next();
      return next.done ? undefined : next.value;
    };
    io.stderr.write(`The server asks: ${plain(request.message)}\n`);
    const content: Record<string, string | number | boolean | string[]> = {};
    try {
      for (const [name, field] of Object.entries(properties)) {
        for (;;) {
          const answer = await ask(promptFor(name, field, required.has(name)));
          if (answer === undefined) return { action: 'cancel' };
          const parsed = parseAnswer(answer.trim(), field);
          if ('error' in parsed) {
            io.stderr.write(`  ${parsed.error}\n`);
            continue;
          }
          if (parsed.value !== undefined) content[name] = parsed.value as string | number | boolean;
          else if (required.has(name)) {
            io.stderr.write('  an answer is required\n');
            continue;
          }
          break;
        }
      }
    } finally {
      rl.close();
    }
    return { action: 'accept', content };
  };
}

function choicesOf(field: FieldSchema): string[] | undefined {
  if (Array.isArray(field.enum)) return field.enum.map(String);
  if (Array.isArray(field.oneOf)) return field.oneOf.map((o) => String(o.const));
  return undefined;
}

function promptFor(name: string, field: FieldSchema, required: boolean): string {
  const label = plain(field.title ?? name);
  const description = field.description ? ` (${plain(field.description)})` : '';
  const choices = choicesOf(field);
  const kind = choices
    ? ` [${choices.map(plain).join('/')}]`
    : field.type === 'boolean'
      ? ' [y/n]'
      : field.type === 'integer' || field.type === 'number'
        ? ` (${field.type})`
        : '';
  const fallback =
    field.default !== undefined
      ? ` (default: ${field.type === 'boolean' ? (field.default ? 'y' : 'n') : plain(valueText(field.default))})`
      : required
        ? ''
        : ' (optional)';
  return `  ${label}${description}${kind}${fallback}: `;
}

/** An answer as the field's type; an empty answer is the default (or nothing). */
function parseAnswer(answer: string, field: FieldSchema): { value: unknown } | { error: string } {
  if (answer === '') return { value: field.default };
  const choices = choicesOf(field);
  if (choices) return choices.includes(answer) ? { value: answer } : { error: `one of ${choices.join(', ')}` };
  if (field.type === 'boolean') {
    if (/^(y|yes|true)$/i.test(answer)) return { value: true };
    if (/^(n|no|false)$/i.test(answer)) return { value: false };
    return { error: 'answer y or n' };
  }
  if (field.type === 'integer' || field.type === 'number') {
    const n = Number(answer);
    if (!Number.isFinite(n) || (field.type === 'integer' && !Number.isInteger(n))) {
      return { error: `a${field.type === 'integer' ? 'n integer' : ' number'}, e.g. 42` };
    }
    if (field.minimum !== undefined && n < field.minimum) return { error: `at least ${field.minimum}` };
    if (field.maximum !== undefined && n > field.maximum) return { error: `at most ${field.maximum}` };
    return { value: n };
  }
  return { value: answer };
}
