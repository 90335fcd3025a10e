/**
 * A small hostile HTTP server on 127.0.0.1 (port 0) for trust tests: each request is recorded (method, path, body)
 * and answered by a route table the test fills in, so a test can say both what the client was told and what it
 * then did. An unknown path is a 404.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
}

export type Route = (request: SeenRequest, response: ServerResponse) => void;

export interface HostileServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Every request received, in order. */
  seen: SeenRequest[];
  /** Routes by path (no query); replace or add at any time. */
  routes: Map<string, Route>;
  close(): Promise<void>;
}

/** Answer with a JSON body. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export async function startHostileServer(): Promise<HostileServer> {
  const seen: SeenRequest[] = [];
  const routes = new Map<string, Route>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const request = {
        method: req.method ?? 'GET',
        path,
        body: Buffer.concat(chunks).toString(),
        headers: req.headers,
      };
      seen.push(request);
      const route = routes.get(path);
      if (route) route(request, res);
      else sendJson(res, 404, { error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The chain of `code`s of an error and its causes. */
export function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = error;
  for (let i = 0; i < 10 && e !== undefined && e !== null; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}
