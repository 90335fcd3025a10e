import { InvalidOptionError } from './errors.ts';

/** Whether `hostname` (as in `URL.hostname`) is a loopback address: `localhost`, 127.0.0.0/8 or `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether a URL is `https:`, or `http:` on a loopback host (the only URLs mcptool sends credentials to or opens). */
export function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** Parse an absolute http(s) URL option, or throw an `InvalidOptionError` naming `field`. */
export function parseHttpUrl(value: unknown, field: string): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new InvalidOptionError(field, 'must be an http(s) URL string');
  }
  let url: URL;
  try {
    url = new URL(String(value));
  } catch (cause) {
    throw new InvalidOptionError(field, `${JSON.stringify(String(value))} is not a valid URL`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidOptionError(field, `must use http: or https:, got ${JSON.stringify(url.protocol)}`);
  }
  return url;
}
