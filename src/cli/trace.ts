import { redactUrl } from '../core/redact.ts';
import type { CliIO } from './io.ts';

/** Whether HTTP requests are traced: `--verbose`, or `MCPTOOL_DEBUG` naming `http` (comma-separated list). */
export function tracingWanted(verbose: boolean, env: NodeJS.ProcessEnv): boolean {
  return verbose || (env['MCPTOOL_DEBUG'] ?? '').split(/[\s,]+/).includes('http');
}

/**
 * A fetch that writes one line per HTTP request on stderr: `mcptool: http POST <url> → 200 (12 ms)`. Only the method,
 * the redacted URL (see {@link redactUrl}), the status and the time: never a header or a body, so no token or
 * secret is shown.
 */
export function tracingFetch(io: CliIO, inner: typeof fetch = fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const url = redactUrl(input instanceof Request ? input.url : input);
    const started = performance.now();
    try {
      const response = await inner(input, init);
      io.stderr.write(
        `mcptool: http ${method} ${url} → ${response.status} (${Math.round(performance.now() - started)} ms)\n`,
      );
      return response;
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'error';
      io.stderr.write(
        `mcptool: http ${method} ${url} → failed: ${reason} (${Math.round(performance.now() - started)} ms)\n`,
      );
      throw error;
    }
  }) as typeof fetch;
}
