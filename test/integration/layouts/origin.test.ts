/**
 * Several MCP servers on one origin, with the SDK v1's `mcpAuthRouter` at the root as the authorization server:
 * - item 2: `/a` is covered by the root metadata document (which names the origin as the resource); `/b` answers 401
 *   pointing at its own document `/b/prm.json`, which also claims the origin and the same authorization server.
 *   `/b` must get its own sign-in and record, never `/a`'s token; `/c`, covered by the root document like `/a`,
 *   shares `/a`'s sign-in.
 * - item 3: a catch-all route answers every unknown path `200` HTML; discovery must try the challenge's URL first
 *   and skip the path-inserted URL's HTML.
 * - item 4: a failed sign-in is one line from `tools` and `call` alike: `sign-in to <url> failed (<CODE>)`, exit 3.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { AutoApproveProvider, counting, listen, mcpHandler, RequestLog } from '../../fixtures/sdk-v1-servers.ts';
import { cli, statusOf, tempDir } from './helpers.ts';

describe('several MCP servers on one origin (SDK v1 authorization server at the root)', () => {
  const log = new RequestLog();
  const provider = new AutoApproveProvider();
  let server: Server;
  let origin: string;
  const store = tempDir('mcptool-origin-');

  before(async () => {
    const app = createMcpExpressApp({ host: '127.0.0.1' });
    app.use(counting(log));
    const listening = await listen(app);
    server = listening.server;
    origin = listening.origin;
    const root = `${origin}/.well-known/oauth-protected-resource`;
    // The root document (resource: the origin) comes from mcpAuthRouter, as in the SDK's single-app layout.
    app.use(mcpAuthRouter({ provider, issuerUrl: new URL(origin) }));
    app.get('/b/prm.json', (_req: unknown, res: { json(v: unknown): void }) => {
      res.json({ resource: `${origin}/`, authorization_servers: [`${origin}/`] });
    });
    app.get('/d/prm.json', (_req: unknown, res: { json(v: unknown): void }) => {
      res.json({ resource: 'http://127.0.0.1:9/', authorization_servers: [`${origin}/`] });
    });
    for (const [path, documentUrl] of [
      ['/a', root],
      ['/b', `${origin}/b/prm.json`],
      ['/c', root],
      ['/d', `${origin}/d/prm.json`],
      ['/h1', root],
    ] as const) {
      app.all(path, requireBearerAuth({ verifier: provider, resourceMetadataUrl: documentUrl }), mcpHandler());
    }
    // A challenge without resource_metadata: the well-known URLs are all there is.
    app.all('/h2', requireBearerAuth({ verifier: provider }), mcpHandler());
    // A web app's catch-all route: every other path is a 200 HTML page (the path-inserted metadata URLs included).
    app.use((_req: unknown, res: { status(n: number): { type(t: string): { send(b: string): void } } }) => {
      res.status(200).type('html').send('<!doctype html><title>app</title><p>Welcome</p>');
    });
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    store.cleanup();
  });

  it('item 2: a server whose own metadata document claims the origin gets its own sign-in, never the other token', async () => {
    const a = `${origin}/a`;
    const b = `${origin}/b`;
    const c = `${origin}/c`;
    await cli(['call', a, 'whoami'], store.dir);
    const authorizationsAfterA = log.requests.filter((r) => r === 'GET /authorize').length;
    assert.equal(authorizationsAfterA, 1);

    await cli(['call', b, 'whoami'], store.dir);
    assert.equal(log.requests.filter((r) => r === 'GET /authorize').length, 2, '/b signed in on its own');
    const tokensA = log.tokensAt('/a');
    for (const token of log.tokensAt('/b')) assert.ok(!tokensA.has(token), "/a's token was sent to /b");

    // /c finds the same root document as /a: one sign-in serves both (layout 1 keeps working).
    await cli(['call', c, 'whoami'], store.dir);
    assert.equal(log.requests.filter((r) => r === 'GET /authorize').length, 2, '/c shares the sign-in of /a');

    const statusA = await statusOf(a, store.dir);
    const statusB = await statusOf(b, store.dir);
    assert.equal(statusA.length, 1, JSON.stringify(statusA));
    assert.equal(statusB.length, 1, JSON.stringify(statusB));
    assert.equal(statusA[0]?.server, `${origin}/`);
    assert.equal(statusB[0]?.server, b, "/b's record is its own");
    assert.deepEqual(await statusOf(c, store.dir), statusA);

    // A second run of each: no sign-in, no 401, and still no token crossing over.
    log.reset();
    await cli(['call', b, 'whoami'], store.dir);
    await cli(['call', a, 'whoami'], store.dir);
    assert.equal(log.unauthorized, 0);
    assert.deepEqual(log.asRequests(), []);
    for (const token of log.tokensAt('/b')) assert.ok(!log.tokensAt('/a').has(token));

    // logout of /b removes /b's record only.
    await cli(['logout', b], store.dir);
    assert.deepEqual(await statusOf(b, store.dir), []);
    assert.equal((await statusOf(a, store.dir)).length, 1);
  });

  it("item 2: login of /b reaches /b's own metadata document (the challenge it asks for), not the root one", async () => {
    const own = tempDir('mcptool-origin-login-');
    try {
      const a = `${origin}/a`;
      const b = `${origin}/b`;
      await cli(['login', b], own.dir);
      const statusB = await statusOf(b, own.dir);
      assert.equal(statusB.length, 1, JSON.stringify(statusB));
      assert.equal(statusB[0]?.server, b, 'login stored /b under its own record');
      assert.deepEqual(await statusOf(a, own.dir), [], "/a has no record: /b's sign-in does not serve it");
      log.reset();
      await cli(['call', b, 'whoami'], own.dir);
      assert.equal(log.unauthorized, 0, "the call used login's record without a 401");
      assert.deepEqual(log.asRequests(), []);
    } finally {
      own.cleanup();
    }
  });

  it("item 3: with a catch-all 200 HTML route, the challenge's metadata URL is tried first and HTML is skipped", async () => {
    // The challenge names the root URL: it is fetched first, the path-inserted URL (HTML here) never.
    log.reset();
    await cli(['call', `${origin}/h1`, 'whoami'], store.dir);
    assert.ok(!log.requests.includes('GET /.well-known/oauth-protected-resource/h1'), log.requests.join('\n'));
    // No resource_metadata in the challenge: the path-inserted URL answers HTML, which is skipped for the root URL.
    log.reset();
    await cli(['call', `${origin}/h2`, 'whoami'], store.dir);
    const prmRequests = log.requests.filter((r) => r.includes('oauth-protected-resource'));
    assert.deepEqual(prmRequests, [
      'GET /.well-known/oauth-protected-resource/h2',
      'GET /.well-known/oauth-protected-resource',
    ]);
  });

  it('item 4: a failed sign-in is the same one line from tools and call, exit 3', async () => {
    const d = `${origin}/d`;
    for (const args of [
      ['tools', d],
      ['call', d, 'whoami'],
    ]) {
      const run = await cli(args, store.dir, 3);
      assert.match(
        run.stderr,
        new RegExp(`^mcptool: sign-in to ${d.replace(/[.]/g, '\\.')} failed \\(RESOURCE_MISMATCH\\): [^\\n]+\\n$`),
        `${args[0]}: ${run.stderr}`,
      );
    }
  });
});
