import { InvalidOptionError } from './errors.ts';

/**
 * Whether `hostname` (as in `URL.hostname`) is a loopback address, literally: `localhost`, 127.0.0.0/8 or `[::1]`.
 * A name under `.localhost` is not: RFC 6761 §6.3 lets resolvers answer it, and many send it to DNS.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost') return true;
  if (host === '[::1]' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether a URL is `https:`, or `http:` on a loopback host (the only URLs mcptool sends credentials to or opens). */
export function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** The eight 16-bit groups of an IPv6 literal (brackets allowed, an embedded dotted quad allowed), or undefined. */
function ipv6Groups(hostname: string): number[] | undefined {
  let host = hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!host.includes(':')) return undefined;
  host = host.replace(/%.*$/, '');
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    host = `${host.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = host.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const groups =
    halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return undefined;
  return groups;
}

/**
 * The IPv4 address a host denotes: a dotted quad, or one embedded in an IPv6 literal (IPv4-mapped `::ffff:0:0/96`,
 * IPv4-compatible `::/96`, NAT64 `64:ff9b::/96`), as four octets; else undefined.
 */
function ipv4Of(hostname: string): number[] | undefined {
  const quad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  if (quad) return quad.slice(1).map(Number);
  const g = ipv6Groups(hostname);
  if (g === undefined) return undefined;
  const embedded =
    (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) ||
    (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0));
  if (!embedded || (g[5] === 0 && g[6] === 0)) return undefined;
  const [hi, lo] = [g[6] ?? 0, g[7] ?? 0];
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

/** Whether a host is link-local: 169.254.0.0/16 (RFC 3927) or fe80::/10 (RFC 4291 §2.5.6), in any IPv6 form. */
export function isLinkLocalHost(hostname: string): boolean {
  const v4 = ipv4Of(hostname);
  if (v4 !== undefined) return v4[0] === 169 && v4[1] === 254;
  const g = ipv6Groups(hostname);
  return g !== undefined && ((g[0] ?? 0) & 0xffc0) === 0xfe80;
}

/**
 * Whether a host may reach this machine: `localhost` and any `*.localhost`, 127.0.0.0/8, 0.0.0.0/8, `[::1]`, `[::]`,
 * and those IPv4 addresses in IPv6 form. Wider than {@link isLoopbackHost} on purpose: it decides what is refused.
 */
function reachesThisMachine(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.' || host.endsWith('.localhost.')) {
    return true;
  }
  const v4 = ipv4Of(host);
  if (v4 !== undefined) return v4[0] === 127 || v4[0] === 0;
  const g = ipv6Groups(host);
  if (g === undefined) return false;
  return g.slice(0, 7).every((x) => x === 0) && (g[7] === 1 || g[7] === 0);
}

/**
 * Why a URL named by a server (a `resource_metadata`, an `authorization_servers` entry, a metadata endpoint) must
 * not be fetched on behalf of the MCP server at `serverUrl`, or undefined when it may be: a link-local address is
 * never fetched (cloud metadata services live at 169.254.169.254 and fe80::), and a loopback address only when the
 * MCP server itself is on loopback (else a remote server could aim requests at services on this machine).
 */
export function forbiddenAddressRule(url: URL, serverUrl: URL): string | undefined {
  if (isLinkLocalHost(url.hostname)) {
    return 'link-local addresses (169.254.0.0/16, fe80::/10) are never fetched, since cloud metadata services live there';
  }
  if (reachesThisMachine(url.hostname) && !isLoopbackHost(serverUrl.hostname)) {
    return 'a loopback address is fetched only when the MCP server itself is on loopback';
  }
  return undefined;
}

/** Parse an absolute http(s) URL option without user info, or throw an `InvalidOptionError` naming `field`. */
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
  if (url.username !== '' || url.password !== '') {
    // A password in a URL ends up in logs, error messages and process listings; fetch refuses such URLs anyway.
    throw new InvalidOptionError(
      field,
      'must not contain a user name or password; pass credentials through `headers` or `token` as a Secret ' +
        "(e.g. { headers: { Authorization: Secret.fromEnv('MCP_AUTH') } }) instead",
    );
  }
  return url;
}
