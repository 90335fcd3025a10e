/**
 * The `mcptool` process against hostile servers on 127.0.0.1: what reaches the terminal. Secrets in the target URL
 * never come back (item 8), whatever the server echoes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { codesOf, type HostileServer, startHostileServer } from '../support/hostile-server.ts';
import { runCli } from './run-cli.ts';

describe('mcptool against hostile servers', () => {
  let server: HostileServer;
  before(async () => {
    server = await startHostileServer();
    // Answers every MCP request with an error that quotes the request back, absolute and relative.
    server.routes.set('/mcp', (request, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(
        `cannot serve ${server.origin}${request.path}?api_key=SECRET123 (request ${request.path}?api_key=SECRET123, key SECRET123)`,
      );
    });
  });
  after(() => server.close());

  it('item 8: a target URL with a password is refused up front, and neither secret is printed', async () => {
    const run = await runCli(
      ['tools', `http://user:hunter2@127.0.0.1:${new URL(server.origin).port}/mcp?api_key=SECRET123`],
      {
        timeoutMs: 120_000,
      },
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /user name or password/);
    assert.match(run.stderr, /header.*--config/);
    for (const secret of ['hunter2', 'SECRET123']) {
      assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret), run.stderr);
    }
    assert.deepEqual(server.seen, [], 'the request was sent');
  });

  it('item 8: a query key is not printed back when the server fails and quotes it', async () => {
    const run = await runCli(['tools', `${server.origin}/mcp?api_key=SECRET123`], { timeoutMs: 120_000 });
    assert.equal(run.code, 4, run.stderr);
    assert.ok(server.seen.length > 0, 'the server was reached');
    assert.match(run.stderr, /cannot serve/);
    assert.ok(!run.stderr.includes('SECRET123') && !run.stdout.includes('SECRET123'), run.stderr);
  });
});

describe('the library against a server that quotes secrets', () => {
  let server: HostileServer;
  before(async () => {
    server = await startHostileServer();
    server.routes.set('/mcp', (request, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(
        `cannot serve ${server.origin}${request.path}?api_key=SECRET123 (request ${request.path}?api_key=SECRET123)`,
      );
    });
    // A protected server whose challenge names a metadata URL carrying a signature in its query.
    server.routes.set('/protected', (_, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${server.origin}/prm?sig=SECRET123"` });
      res.end();
    });
  });
  after(() => server.close());

  it('item 8: a URL with user info is INVALID_OPTION, without the password', async () => {
    const { StreamableHttpServerInfo } = await import('../../../src/index.ts');
    assert.throws(
      () => new StreamableHttpServerInfo({ url: `http://user:hunter2@127.0.0.1:1/mcp` }),
      (e: unknown) => {
        assert.deepEqual(codesOf(e), ['INVALID_OPTION']);
        assert.match(String((e as Error).message), /header|Secret/);
        assert.ok(!String((e as Error).message).includes('hunter2'));
        return true;
      },
    );
  });

  it('item 8: error messages, causes and log lines carry no query value of the server URL', async () => {
    const { MCPToolset, StreamableHttpServerInfo } = await import('../../../src/index.ts');
    const lines: string[] = [];
    const record = (m: string, f?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(f ?? {})}`);
    const toolset = new MCPToolset({
      serverInfo: new StreamableHttpServerInfo({
        url: `${server.origin}/mcp?api_key=SECRET123`,
        maxRetries: 1,
        baseDelayMs: 1,
        maxDelayMs: 2,
        oauth: false,
      }),
      logger: { debug: record, info: record, warn: record, error: record },
    });
    let error: unknown;
    try {
      await toolset.warmUp();
    } catch (e) {
      error = e;
    }
    await toolset.close();
    assert.ok(error instanceof Error, 'expected a failure');
    const texts: string[] = [...lines];
    for (let e: unknown = error, i = 0; e instanceof Error && i < 10; e = e.cause, i++) {
      texts.push(e.message, String(e.stack));
    }
    assert.ok(
      texts.some((t) => t.includes('cannot serve')),
      texts.join('\n'),
    );
    const leaked = texts.filter((t) => t.includes('SECRET123'));
    assert.deepEqual(leaked, []);
  });

  it('item 8: log lines of discovery carry no query value of a URL', async () => {
    const { MCPToolset, MemoryTokenStore, OAuthConfig, Secret, StreamableHttpServerInfo } = await import(
      '../../../src/index.ts'
    );
    process.env['MCPTOOL_TEST_LOG_SECRET'] = 'x';
    const lines: string[] = [];
    const record = (m: string, f?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(f ?? {})}`);
    const oauth = new OAuthConfig({
      flow: 'client_credentials',
      clientId: 'svc',
      clientSecret: Secret.fromEnv('MCPTOOL_TEST_LOG_SECRET'),
      tokenStore: new MemoryTokenStore(),
    });
    const toolset = new MCPToolset({
      serverInfo: new StreamableHttpServerInfo({ url: `${server.origin}/protected`, oauth }),
      logger: { debug: record, info: record, warn: record, error: record },
    });
    const failure = await toolset.warmUp().then(
      () => undefined,
      (e: unknown) => e,
    );
    await toolset.close();
    assert.ok(failure instanceof Error, 'expected a failure');
    delete process.env['MCPTOOL_TEST_LOG_SECRET'];
    assert.ok(
      server.seen.some((r) => r.path === '/prm'),
      `the metadata URL was not fetched: ${failure.message}`,
    );
    assert.ok(
      lines.some((l) => l.includes('/prm?sig=REDACTED')),
      lines.join('\n'),
    );
    assert.deepEqual(
      lines.filter((l) => l.includes('SECRET123')),
      [],
    );
  });
});
