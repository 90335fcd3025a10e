/**
 * A failing token endpoint never destroys credentials: a hostile node:http authorization server on 127.0.0.1 that
 * answers refreshes with 503, 500, 429 + Retry-After, resets the connection or hangs. Only `invalid_grant` ends a
 * refresh token and only `invalid_client` ends a dynamic registration; every other failure keeps the record as it
 * was, is retried within the request's deadline and ends as the retryable AUTHORIZATION_SERVER_UNAVAILABLE.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAuthServices } from '../../../src/auth/engine/default-services.ts';
import { OAuthEngine } from '../../../src/auth/engine/engine.ts';
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';
import {
  FileTokenStore,
  MemoryTokenStore,
  OAuthConfig,
  type TokenRecord,
  type TokenStore,
} from '../../../src/index.ts';
import { RedisTokenStore } from '../../../src/redis.ts';
import { REDIS_SKIP_REASON, redisServerAvailable, startRedisServer } from '../../fixtures/redis-server.ts';
import { TestClock } from '../../fixtures/test-clock.ts';
import { tempDir } from '../support/oauth-stack.ts';

type Answer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'reset'
  | 'hang'
  | 'ok'
  /** Answer `ok` once the test opens the gate (a slow token endpoint). */
  | { gate: Promise<void> };

/** A token endpoint that plays a script of answers, one per request (the last one repeats). */
function hostileAuthorizationServer() {
  let script: Answer[] = ['ok'];
  let served = 0;
  const forms: URLSearchParams[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      forms.push(new URLSearchParams(body));
      const answer = script[Math.min(served, script.length - 1)] as Answer;
      served++;
      if (answer === 'reset') {
        req.socket.destroy();
        return;
      }
      if (answer === 'hang') {
        hung.push(res);
        return;
      }
      if (typeof answer === 'object' && 'gate' in answer) {
        void answer.gate.then(() => {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(
            JSON.stringify({
              access_token: 'at-slow',
              token_type: 'Bearer',
              expires_in: 3600,
              refresh_token: 'rt-slow',
            }),
          );
        });
        return;
      }
      if (answer === 'ok') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(
          JSON.stringify({
            access_token: `at-${served}`,
            token_type: 'Bearer',
            expires_in: 3600,
            refresh_token: `rt-${served}`,
          }),
        );
        return;
      }
      const isJson = typeof answer.body === 'object';
      res.writeHead(answer.status, {
        'content-type': isJson ? 'application/json' : 'text/html',
        ...answer.headers,
      });
      res.end(isJson ? JSON.stringify(answer.body) : String(answer.body ?? '<h1>Service Unavailable</h1>'));
    });
  });
  return {
    server,
    forms,
    get served() {
      return served;
    },
    play(answers: Answer[]) {
      script = answers;
      served = 0;
      forms.length = 0;
    },
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const SERVER_URL = new URL('http://127.0.0.1:9/mcp');

describe('token endpoint failures keep the credentials', () => {
  const as = hostileAuthorizationServer();
  let issuer = '';

  before(async () => {
    issuer = await as.listen();
  });
  after(() => as.close());

  /** An engine over a store holding one record whose access token expires at `expiresIn` s from the clock's now. */
  async function setup(
    options: {
      registration?: 'pre_registered' | 'dynamic';
      expiresIn?: number;
      requestTimeoutMs?: number;
      store?: TokenStore;
      lockTtlMs?: number;
      clock?: TestClock;
    } = {},
  ) {
    const clock = options.clock ?? new TestClock();
    const store = options.store ?? new MemoryTokenStore();
    const now = Math.floor(clock.now() / 1000);
    const record: TokenRecord = {
      version: 1,
      resource: 'http://127.0.0.1:9/mcp',
      issuer,
      updated_at: now - 100,
      client: {
        client_id: 'client-1',
        registration: options.registration ?? 'pre_registered',
        token_endpoint_auth_method: 'none',
        registered_at: now - 1000,
      },
      tokens: {
        access_token: 'at-0',
        token_type: 'bearer',
        issued_at: now - 3500,
        expires_at: now + (options.expiresIn ?? -10),
        refresh_token: 'rt-0',
      },
      discovery: {
        // The server's protected resource metadata names the (hostile) authorization server: a record from the
        // 2025-03-26 path (no such document) would have to live on the MCP server's own origin.
        protected_resource_metadata: { resource: 'http://127.0.0.1:9/mcp', authorization_servers: [issuer] },
        authorization_server_metadata: {
          issuer,
          token_endpoint: `${issuer}/token`,
          registration_endpoint: `${issuer}/register`,
        },
        fetched_at: now - 100,
      },
    };
    await store.set(record);
    const config = new OAuthConfig({
      flow: 'authorization_code',
      ...(options.registration !== 'dynamic' && { clientId: 'client-1' }),
      tokenStore: store,
      requestTimeoutMs: options.requestTimeoutMs ?? 20_000,
      callback: 'manual',
    });
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const engine = new OAuthEngine({
      serverUrl: SERVER_URL,
      config,
      services: createAuthServices({ logger, requestTimeoutMs: config.requestTimeoutMs }),
      store,
      handler: () => {
        throw new Error('no interactive sign-in in this test');
      },
      logger,
      clock,
      ...(options.lockTtlMs !== undefined && { lockTtlMs: options.lockTtlMs }),
    });
    await engine.load();
    const before = await store.get(record);
    return { engine, store, record: before as TokenRecord, clock };
  }

  const unavailable = { status: 503, body: { error: 'temporarily_unavailable' } } as const;

  for (const [name, answers] of [
    ['503 temporarily_unavailable', [unavailable]],
    ['a 500 with an HTML body', [{ status: 500 }]],
    ['429 Too Many Requests', [{ status: 429, body: { error: 'slow_down' } }]],
    ['a reset connection', ['reset']],
  ] as [string, Answer[]][]) {
    it(`item 2: ${name} on refresh keeps the record untouched and fails with AUTHORIZATION_SERVER_UNAVAILABLE (exit 4)`, async () => {
      const { engine, store, record, clock } = await setup();
      as.play(answers);
      const error = await engine.renew({ failedToken: 'at-0', interactive: false }).then(
        () => assert.fail('the renewal succeeded'),
        (e: unknown) => e as { code?: string; retryable?: boolean; message: string },
      );
      assert.equal(error.code, 'AUTHORIZATION_SERVER_UNAVAILABLE', error.message);
      assert.equal(error.retryable, true);
      assert.match(error.message, /authorization server is unavailable/);
      assert.equal(exitCodeFor(error), 4);
      assert.deepEqual(await store.get(record), record, 'the stored record changed');
      assert.equal(engine.record?.tokens?.refresh_token, 'rt-0');
      assert.ok(as.served > 1, `retried: ${as.served} request(s)`);
      assert.ok(clock.sleeps.length === as.served - 1, 'each retry waited through the clock');
      for (const form of as.forms) assert.equal(form.get('refresh_token'), 'rt-0');
    });
  }

  it('item 2: a timeout keeps the record and ends as AUTHORIZATION_SERVER_UNAVAILABLE', async () => {
    const { engine, store, record } = await setup({ requestTimeoutMs: 300 });
    as.play(['hang']);
    await assert.rejects(engine.renew({ failedToken: 'at-0', interactive: false }), {
      code: 'AUTHORIZATION_SERVER_UNAVAILABLE',
    });
    assert.deepEqual(await store.get(record), record);
  });

  it('item 2: transient failures are retried with backoff and the refresh then succeeds', async () => {
    const { engine, store, record, clock } = await setup();
    as.play([unavailable, 'reset', 'ok']);
    await engine.renew({ failedToken: 'at-0', interactive: false });
    assert.equal(as.served, 3);
    assert.equal(clock.sleeps.length, 2);
    assert.ok((clock.sleeps[1] as number) > 0);
    const stored = await store.get(record);
    assert.equal(stored?.tokens?.access_token, 'at-3');
    assert.equal(stored?.tokens?.refresh_token, 'rt-3');
  });

  it('item 2: Retry-After is honoured, through the injected clock', async () => {
    const { engine, clock } = await setup();
    as.play([{ status: 429, headers: { 'retry-after': '7' }, body: { error: 'slow_down' } }, 'ok']);
    await engine.renew({ failedToken: 'at-0', interactive: false });
    assert.deepEqual(clock.sleeps, [7000]);
  });

  it('item 2: a Retry-After past the deadline fails at once, the record kept', async () => {
    const { engine, store, record } = await setup({ requestTimeoutMs: 5_000 });
    as.play([{ status: 503, headers: { 'retry-after': '120' }, body: { error: 'temporarily_unavailable' } }]);
    await assert.rejects(engine.renew({ failedToken: 'at-0', interactive: false }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'AUTHORIZATION_SERVER_UNAVAILABLE');
      assert.match(e.message, /Retry-After 120 s/);
      return true;
    });
    assert.equal(as.served, 1);
    assert.deepEqual(await store.get(record), record);
  });

  it('item 2: invalid_grant ends the refresh token (and only it)', async () => {
    const { engine, store, record } = await setup();
    as.play([{ status: 400, body: { error: 'invalid_grant' } }]);
    await assert.rejects(engine.renew({ failedToken: 'at-0', interactive: false }), { code: 'SIGN_IN_REQUIRED' });
    const stored = await store.get(record);
    assert.equal(stored?.tokens, undefined);
    assert.deepEqual(stored?.client, record.client);
    assert.equal(as.served, 1, 'invalid_grant is not retried');
  });

  it('item 2: invalid_client never drops a pre-registered client or its tokens', async () => {
    const { engine, store, record } = await setup({ registration: 'pre_registered' });
    as.play([{ status: 401, body: { error: 'invalid_client' } }]);
    await assert.rejects(engine.renew({ failedToken: 'at-0', interactive: false }), { code: 'TOKEN_REQUEST_FAILED' });
    assert.deepEqual(await store.get(record), record);
  });

  it('item 2: invalid_client drops a dynamically registered client', async () => {
    const { engine, store, record } = await setup({ registration: 'dynamic' });
    as.play([{ status: 401, body: { error: 'invalid_client' } }]);
    await assert.rejects(engine.renew({ failedToken: 'at-0', interactive: false }), { code: 'SIGN_IN_REQUIRED' });
    const stored = await store.get(record);
    assert.equal(stored?.client, undefined);
    assert.equal(stored?.tokens, undefined);
  });

  it('item 2: a proactive refresh that fails keeps the still-valid access token in use, record untouched', async () => {
    // 3600 s tokens refresh 60 s ahead: 30 s left is inside the margin but still valid.
    const { engine, store, record } = await setup({ expiresIn: 30 });
    as.play([unavailable]);
    assert.equal(await engine.accessToken(), 'at-0');
    assert.equal(as.served, 1, 'a proactive refresh is tried once');
    assert.deepEqual(await store.get(record), record);
    // The next call does not hammer the server during the pause.
    assert.equal(await engine.accessToken(), 'at-0');
    assert.equal(as.served, 1);
  });

  it('item 2: a proactive refresh refused with invalid_grant keeps the access token until it expires', async () => {
    const { engine, store, record, clock } = await setup({ expiresIn: 30 });
    as.play([{ status: 400, body: { error: 'invalid_grant' } }]);
    assert.equal(await engine.accessToken(), 'at-0');
    const stored = await store.get(record);
    assert.equal(stored?.tokens?.access_token, 'at-0');
    assert.equal(stored?.tokens?.refresh_token, undefined);
    clock.advance(31_000);
    // Expired now, and nothing left to refresh with: no token request, a sign-in is needed.
    assert.equal(await engine.accessToken(), 'at-0');
    assert.equal(as.served, 1);
  });

  it('item 2: an expired token whose refresh finds the server unavailable fails with that code', async () => {
    const { engine, store, record } = await setup({ expiresIn: -5 });
    as.play([unavailable]);
    await assert.rejects(engine.accessToken(), { code: 'AUTHORIZATION_SERVER_UNAVAILABLE' });
    assert.deepEqual(await store.get(record), record);
  });

  // The lock's ttl is 1.5 s here; the token request takes longer (the endpoint answers when the test says so).
  // Without the heartbeat, the second engine takes the lapsed lock and presents the same refresh token again.
  for (const kind of ['file', 'redis'] as const) {
    it(`item 3: a ${kind} store lock is renewed while a slow token request runs: the refresh token is presented once`, {
      skip: kind === 'redis' && !redisServerAvailable() ? REDIS_SKIP_REASON : false,
    }, async () => {
      const temp = tempDir();
      const redis = kind === 'redis' ? await startRedisServer() : undefined;
      const stores: TokenStore[] = [];
      const open = () => {
        const store =
          kind === 'file'
            ? new FileTokenStore({ dir: temp.dir })
            : new RedisTokenStore({ url: redis?.url ?? '', prefix: 'heartbeat:' });
        stores.push(store);
        return store;
      };
      try {
        const clock = new TestClock();
        const first = await setup({ store: open(), lockTtlMs: 1_500, clock });
        // A second instance over its own store object (as another process would have).
        const second = await setup({ store: open(), lockTtlMs: 1_500, clock });
        let openGate = () => {};
        const gate = new Promise<void>((resolve) => {
          openGate = resolve;
        });
        as.play([{ gate }, 'ok']);
        const slow = first.engine.renew({ failedToken: 'at-0', interactive: false });
        while (as.served === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        const waiting = second.engine.renew({ failedToken: 'at-0', interactive: false });
        // Three ttls pass while the first request is in flight.
        await new Promise((resolve) => setTimeout(resolve, 4_500));
        assert.equal(as.served, 1, 'the second instance did not send the same refresh token while the first worked');
        openGate();
        await slow;
        await waiting;
        assert.equal(as.served, 1, 'one refresh for both instances');
        assert.equal(second.engine.record?.tokens?.access_token, 'at-slow', 'the second instance reused the result');
      } finally {
        for (const store of stores) await (store as { close?: () => Promise<void> }).close?.();
        await redis?.stop();
        temp.cleanup();
      }
    });
  }
});
