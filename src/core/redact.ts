import { causeChain } from './cause.ts';
import { type Logger, silentLogger } from './logger.ts';

/** What stands in for a redacted user info or query value. */
export const REDACTED = 'REDACTED';

/**
 * A URL (given as text) with its user info and every query value replaced by {@link REDACTED}, and its fragment
 * emptied: a URL's password, an `api_key` or `token` query parameter, or an implicit-flow fragment may be a
 * credential, and the URL's other parts say enough to tell where it points. Text that is not a URL comes back with
 * the same parts replaced by pattern.
 */
export function redactUrl(url: string | URL): string {
  const text = String(url);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return redactByPattern(text);
  }
  if (parsed.username === '' && parsed.password === '' && parsed.search === '' && parsed.hash === '') return text;
  const query = parsed.search === '' ? '' : `?${redactQuery(parsed.search.slice(1))}`;
  const userInfo = parsed.username !== '' || parsed.password !== '' ? `${REDACTED}@` : '';
  const hash = parsed.hash === '' ? '' : `#${REDACTED}`;
  const scheme = `${parsed.protocol}${parsed.host === '' && !text.includes('//') ? '' : '//'}`;
  return `${scheme}${userInfo}${parsed.host}${parsed.pathname}${query}${hash}`;
}

/** `a=1&b&c=2` -> `a=REDACTED&b&c=REDACTED`: names stay (they say what was sent), values go. */
function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq === -1 ? pair : `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join('&');
}

function redactByPattern(text: string): string {
  return text
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, `$1${REDACTED}@`)
    .replace(/\?([^#]*)/, (_, query: string) => `?${redactQuery(query)}`)
    .replace(/#.*$/, `#${REDACTED}`);
}

/**
 * Every absolute URL in `text` ({@link redactUrl}), so a message, a log line or a quoted cause can say which URL
 * failed without repeating a credential inside it; also the values of a query attached to a relative reference (a
 * server quoting the request line `/mcp?api_key=...`), and each of `secrets` (values known to be secret, such as
 * those of the URL the user gave) wherever it appears. A URL ends at white space, a quote, `<`, `>`, a backtick or
 * a backslash (the start of an escape inside quoted text).
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let result = text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>\\`]+/gi, (match) => {
    // Trailing punctuation of the sentence is not part of the URL.
    const trail = /[.,;:)\]}]+$/.exec(match)?.[0] ?? '';
    const url = match.slice(0, match.length - trail.length);
    return `${redactUrl(url)}${trail}`;
  });
  result = result.replace(/(?<=[^\s"'?])\?([^\s"'<>\\`#?]*=[^\s"'<>\\`#]*)/g, (_, match: string) => {
    const trail = /[.,;:)\]}]+$/.exec(match)?.[0] ?? '';
    return `?${redactQuery(match.slice(0, match.length - trail.length))}${trail}`;
  });
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/** Shorter values (`1`, `on`, `json`) are not worth hiding and would mangle the text around them. */
const MIN_SECRET_LENGTH = 5;

/**
 * The values a URL given as text carries that may be secrets: its password, user name and query values, decoded
 * and as written. Empty for text that is not an absolute URL.
 */
export function urlSecrets(text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  const found = new Set<string>();
  const add = (value: string) => {
    if (value.length < MIN_SECRET_LENGTH) return;
    found.add(value);
    try {
      found.add(decodeURIComponent(value));
    } catch {
      // not percent-encoded text
    }
  };
  add(url.username);
  add(url.password);
  for (const [, value] of url.searchParams) {
    add(value);
    add(encodeURIComponent(value));
  }
  return [...found];
}

/**
 * Redact the message and stack of an error and of each error in its `cause` chain, in place (messages of other
 * libraries, such as fetch's "Request cannot be constructed from a URL that includes credentials: <url>", quote
 * the URL whole). Returns the error.
 */
export function redactErrorChain<T>(error: T): T {
  for (const e of causeChain(error)) {
    if (!(e instanceof Error)) continue;
    const message = redactText(e.message);
    if (message !== e.message) {
      try {
        Object.defineProperty(e, 'message', { value: message, writable: true, configurable: true });
        if (typeof e.stack === 'string') {
          Object.defineProperty(e, 'stack', { value: redactText(e.stack), writable: true, configurable: true });
        }
      } catch {
        // a frozen error keeps its text; nothing else can be done
      }
    }
  }
  return error;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value instanceof URL) return redactUrl(value);
  if (value instanceof Error) return redactText(value.message);
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) copy[key] = redactValue(v, depth + 1);
  return copy;
}

const redactingLoggers = new WeakMap<Logger, Logger>();
const isRedacting = new WeakSet<Logger>();

/**
 * A {@link Logger} that passes every message and field through {@link redactText} before `logger` sees it. The same
 * wrapper is returned for the same logger, so a logger's identity (which decides what shares a connection) holds.
 */
export function redactingLogger(logger: Logger): Logger {
  const known = redactingLoggers.get(logger);
  if (known !== undefined) return known;
  if (isRedacting.has(logger) || logger === silentLogger) return logger;
  const forward =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const redacted = fields === undefined ? undefined : (redactValue(fields, 0) as Record<string, unknown>);
      if (redacted === undefined) logger[level](redactText(message));
      else logger[level](redactText(message), redacted);
    };
  const wrapper: Logger = Object.freeze({
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  });
  isRedacting.add(wrapper);
  redactingLoggers.set(logger, wrapper);
  return wrapper;
}
