import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InteractionUI } from '../../../src/auth/interactive/ui.ts';

export const SCRIPTED_BROWSER = fileURLToPath(new URL('../../fixtures/scripted-browser.mjs', import.meta.url));
export const RECORD_ARGV = fileURLToPath(new URL('../../fixtures/record-argv.mjs', import.meta.url));

export type AuthServerMode = 'approve' | 'deny' | 'hang';

/** A tiny stand-in "authorization server": /authorize redirects to redirect_uri (approve / deny) or shows a page. */
export interface TinyAuthServer {
  url: string;
  mode: AuthServerMode;
  hits: URL[];
  close(): Promise<void>;
}

export async function startTinyAuthServer(): Promise<TinyAuthServer> {
  const state: TinyAuthServer = { url: '', mode: 'approve', hits: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', state.url);
    if (url.pathname !== '/authorize') {
      res.writeHead(404).end();
      return;
    }
    state.hits.push(url);
    const redirect = new URL(url.searchParams.get('redirect_uri') ?? 'http://127.0.0.1:1/none');
    const s = url.searchParams.get('state');
    if (state.mode === 'hang') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Consent</title><p>Approve?</p>');
      return;
    }
    if (state.mode === 'approve') {
      redirect.searchParams.set('code', 'genuine-code');
    } else {
      redirect.searchParams.set('error', 'access_denied');
      redirect.searchParams.set('error_description', 'The user said <no> & left');
    }
    if (s !== null) redirect.searchParams.set('state', s);
    redirect.searchParams.set('iss', state.url);
    res.writeHead(302, { location: redirect.href, connection: 'close' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}

export function recordingUI(): InteractionUI & { messages: string[] } {
  const messages: string[] = [];
  return {
    messages,
    show: (m) => messages.push(m),
    progress: (m) => messages.push(`[progress] ${m}`),
  };
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mcptool-interactive-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface BrowserLogEntry {
  kind?: string;
  url?: string;
  status?: number;
  title?: string;
  done?: boolean;
  error?: string;
}

/** Wait until the scripted browser has written its final `done` line, and return all entries. */
export async function browserLog(file: string, timeoutMs = 10_000): Promise<BrowserLogEntry[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {}
    const entries = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as BrowserLogEntry);
    if (entries.some((e) => e.done)) return entries;
    if (Date.now() > until) throw new Error(`scripted browser log incomplete: ${text}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export async function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
