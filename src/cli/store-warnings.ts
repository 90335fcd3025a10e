import { quote } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { CliIO } from './io.ts';

/** The token store's warnings as one `mcptool: warning: …` line each on stderr, with what to do. */
export interface StoreWarnings extends Logger {
  /** The corrupt or unreadable record files reported so far (each once). */
  readonly corrupt: ReadonlyMap<string, string>;
}

/**
 * A logger for the CLI's `FileTokenStore`: its warnings (a corrupt record file with its path, loose permissions
 * tightened or refused) go to stderr once each, saying what to do; its debug and info messages are dropped.
 */
export function storeWarnings(io: CliIO): StoreWarnings {
  const corrupt = new Map<string, string>();
  const said = new Set<string>();
  const say = (line: string) => {
    if (said.has(line)) return;
    said.add(line);
    io.stderr.write(`mcptool: warning: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : String(v));
  return {
    corrupt,
    debug() {},
    info() {},
    error(message, fields) {
      say(`${message}${fields?.['path'] === undefined ? '' : ` (${quote(str(fields['path']))})`}`);
    },
    warn(message, fields) {
      const path = fields?.['path'] === undefined ? undefined : str(fields['path']);
      if (/corrupt or unreadable record/.test(message) && path !== undefined) {
        const problem = str(fields?.['problem'] ?? 'corrupt');
        corrupt.set(path, problem);
        say(
          `the token store file ${quote(path)} is ${problem}; it was ignored. Run 'mcptool logout <server>' to remove it (or delete the file); then sign in again`,
        );
        return;
      }
      if (/tightened/.test(message) && path !== undefined) {
        const what = /directory/.test(message) ? 'token store directory' : 'token store file';
        const mode = fields?.['previousMode'] === undefined ? '' : ` (mode ${str(fields['previousMode'])})`;
        const to = /directory/.test(message) ? '0700' : '0600';
        say(`the ${what} ${quote(path)} was open to other users${mode}; restricted it to ${to}`);
        return;
      }
      say(`${message.replace(/^Token store: /, 'token store: ')}${path === undefined ? '' : ` (${quote(path)})`}`);
    },
  };
}
