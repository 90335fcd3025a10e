/**
 * Small `node:http` helpers shared by the demo servers: listen on a loopback port (0 by default), read a
 * bounded request body, bridge Node requests to web `Request`s and back, and close a server together with
 * its keep-alive sockets so a test process exits by itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request handler that may be async; a rejection becomes a 500 answer. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A server listening on a loopback address, with its origin and a `close()` that also drops idle sockets. */
export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly origin: string;
  /** The bound port. */
  readonly port: number;
  /** The underlying server. */
  readonly server: Server;
  /** Stop listening, close every open connection and resolve when the server is closed. */
  close(): Promise<void>;
}

/**
 * An error of the demo with a stable `code`, as the library's errors have; the demo's codes are its own, outside the
 * library's table (`ErrorCode`).
 */
export class DemoCodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A demo server could not start or failed while serving (code `DEMO_SERVER_FAILED`). */
export class DemoServerError extends DemoCodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEMO_SERVER_FAILED', message, options);
  }
}

/**
 * Listen on `host` (default `127.0.0.1`) at `port` (default 0: a free port chosen by the OS) and serve
 * `handler`. A handler that throws answers 500 with a short text body.
 */
export async function listenLoopback(handler: NodeHandler, port = 0, host = '127.0.0.1'): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch(() => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('internal error');
        } else {
          res.destroy();
        }
      });
  });
  // Longer than clients keep idle sockets (undici: 4 s), so a request never goes out on a socket being closed;
  // close() ends every connection at once anyway.
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(new DemoServerError(`cannot listen on ${host}:${port}`, { cause })));
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    origin: `http://${host}:${bound}`,
    port: bound,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Read a request body of at most `limit` bytes (default 1 MiB). */
export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new DemoServerError(`request body larger than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

/** Build a web `Request` from a Node request whose body (if any) was already read into `body`. */
export function toWebRequest(req: IncomingMessage, origin: string, body: Buffer | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit = { method, headers };
  if (body !== undefined && method !== 'GET' && method !== 'HEAD') init.body = new Uint8Array(body);
  return new Request(new URL(req.url ?? '/', origin), init);
}

/** Write a web `Response` to a Node response, streaming its body (SSE included) until it ends or the client leaves. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const onClose = () => {
    reader.cancel().catch(() => {});
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve));
    }
  } catch {
    // the client went away or the stream was cancelled
  } finally {
    res.off('close', onClose);
    res.end();
  }
}

/** Answer with a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Answer with an HTML page. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // no form-action: the consent form's redirect chain ends on the client's loopback port
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'content-length': Buffer.byteLength(html),
  });
  res.end(html);
}

/** Answer with a 303 redirect to `location`. */
export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}
