/**
 * What the `mcptool` process prints from a hostile server whose tool names and descriptions, scopes, issuer paths
 * and error descriptions carry terminal escape sequences (a window-title OSC, a screen-clearing CSI): none reaches
 * the terminal in human output, and `--json` keeps the values exactly.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type HostileServer, type SeenRequest, sendJson, startHostileServer } from '../support/hostile-server.ts';
import { runCli } from './run-cli.ts';

const TITLE = '\u001b]0;title\u0007';
const CLEAR = '\u001b[2J';
const EVIL = `${TITLE}${CLEAR}`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the test
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const TOOLS = [
  { name: `wipe${EVIL}`, description: `Clears ${EVIL}the screen`, inputSchema: { type: 'object' } },
  { name: 'plain', description: 'A plain tool', inputSchema: { type: 'object' } },
];

/** A minimal Streamable HTTP MCP server (JSON responses) that lists {@link TOOLS}. */
function mcpRoute(request: SeenRequest, res: import('node:http').ServerResponse) {
  if (request.method !== 'POST') {
    res.writeHead(405);
    res.end();
    return;
  }
  const message = JSON.parse(request.body) as {
    id?: number;
    method: string;
    params?: { protocolVersion?: string; name?: string };
  };
  if (message.id === undefined) {
    res.writeHead(202);
    res.end();
    return;
  }
  const result =
    message.method === 'initialize'
      ? {
          protocolVersion: message.params?.protocolVersion ?? '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: `hostile${EVIL}`, version: '1.0.0' },
        }
      : message.method === 'tools/list'
        ? { tools: TOOLS }
        : message.method === 'tools/call'
          ? {
              content: [{ type: 'text', text: `${message.params?.name === 'plain' ? 'done' : 'failed'} ${EVIL}` }],
              isError: message.params?.name !== 'plain',
            }
          : {};
  sendJson(res, 200, { jsonrpc: '2.0', id: message.id, result });
}

/** Is `text` free of control characters but newlines? */
function clean(text: string): boolean {
  return !CONTROLS.test(text.replace(/\n/g, ''));
}

describe('mcptool prints no escape sequence from a server', () => {
  let mcp: HostileServer;
  let auth: HostileServer;
  let home: string;
  before(async () => {
    [mcp, auth] = await Promise.all([startHostileServer(), startHostileServer()]);
    home = await mkdtemp(join(tmpdir(), 'mcptool-hostile-terminal-'));
    mcp.routes.set('/mcp', mcpRoute);
    // A protected server on the 2025-03-26 path: metadata at its origin, a token with hostile scopes.
    auth.routes.set('/mcp', (_, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer' });
      res.end();
    });
    auth.routes.set('/.well-known/oauth-authorization-server', (_, res) =>
      sendJson(res, 200, {
        issuer: `${auth.origin}/${encodeURIComponent(EVIL)}`,
        authorization_endpoint: `${auth.origin}/authorize`,
        token_endpoint: `${auth.origin}/token`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['client_credentials'],
      }),
    );
    auth.routes.set('/token', (request, res) => {
      if (request.body.includes('client_id=bad') || (request.headers.authorization ?? '').includes('YmFk')) {
        sendJson(res, 401, { error: 'invalid_client', error_description: `no such client ${EVIL}` });
        return;
      }
      sendJson(res, 200, {
        access_token: 'tok',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: `read ${TITLE}write ${CLEAR}`,
      });
    });
  });
  after(async () => {
    await Promise.all([mcp.close(), auth.close(), rm(home, { recursive: true, force: true })]);
  });

  const env = () => ({ MCPTOOL_HOME: home, MCPTOOL_TEST_SECRET: 'secret' });

  it('item 5: the tools table strips escape sequences; --json keeps them exactly', async () => {
    const [table, json] = await Promise.all([
      runCli(['tools', `${mcp.origin}/mcp`], { env: env(), timeoutMs: 120_000 }),
      runCli(['tools', `${mcp.origin}/mcp`, '--json'], { env: env(), timeoutMs: 120_000 }),
    ]);
    assert.equal(table.code, 0, table.stderr);
    assert.ok(clean(table.stdout) && clean(table.stderr), JSON.stringify(table));
    assert.match(table.stdout, /wipe/);
    assert.match(table.stdout, /Clears\s*the screen/);
    assert.equal(json.code, 0, json.stderr);
    const listed = JSON.parse(json.stdout) as { name: string; description: string }[];
    assert.deepEqual(
      listed.map((t) => [t.name, t.description]),
      TOOLS.map((t) => [t.name, t.description]),
    );
  });

  it('item 5: call output and its tool-error line strip escape sequences', async () => {
    const [ok, failed] = await Promise.all([
      runCli(['call', `${mcp.origin}/mcp`, 'plain'], { env: env(), timeoutMs: 120_000 }),
      runCli(['call', `${mcp.origin}/mcp`, TOOLS[0]!.name], { env: env(), timeoutMs: 120_000 }),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /done/);
    assert.ok(clean(ok.stdout) && clean(ok.stderr), JSON.stringify(ok));
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /reported an error: failed/);
    assert.ok(clean(failed.stdout) && clean(failed.stderr), JSON.stringify(failed));
  });

  it('item 5: login and status strip escape sequences from scopes and issuer; status --json keeps them', async () => {
    const oauth = ['--flow', 'client_credentials', '--client-id', 'svc', '--client-secret-env', 'MCPTOOL_TEST_SECRET'];
    const login = await runCli(['login', `${auth.origin}/mcp`, ...oauth], { env: env(), timeoutMs: 120_000 });
    assert.equal(login.code, 0, login.stderr);
    assert.ok(clean(login.stdout) && clean(login.stderr), JSON.stringify(login));
    assert.match(login.stdout, /scopes\s+read/);
    const [status, statusJson] = await Promise.all([
      runCli(['status'], { env: env(), timeoutMs: 120_000 }),
      runCli(['status', '--json'], { env: env(), timeoutMs: 120_000 }),
    ]);
    assert.equal(status.code, 0, status.stderr);
    assert.ok(clean(status.stdout) && clean(status.stderr), JSON.stringify(status));
    assert.match(status.stdout, /scopes\s+read/);
    const parsed = JSON.parse(statusJson.stdout) as { credentials: { scopes: string[] }[] };
    assert.ok(parsed.credentials[0]?.scopes.includes(TITLE.concat('write')), statusJson.stdout);
  });

  it("item 5: an error line strips escape sequences from the server's error_description", async () => {
    const oauth = ['--flow', 'client_credentials', '--client-id', 'bad', '--client-secret-env', 'MCPTOOL_TEST_SECRET'];
    const run = await runCli(['tools', `${auth.origin}/mcp`, ...oauth], {
      env: { ...env(), MCPTOOL_HOME: join(home, 'other') },
      timeoutMs: 120_000,
    });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /no such client/);
    assert.ok(clean(run.stdout) && clean(run.stderr), JSON.stringify(run));
  });
});
