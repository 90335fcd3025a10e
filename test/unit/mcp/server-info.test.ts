import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthConfig } from '../../../src/auth/config.ts';
import { InvalidOptionError, McptoolError, SerializationError } from '../../../src/core/errors.ts';
import { Secret } from '../../../src/core/secret.ts';
import { deserialize } from '../../../src/core/serialization.ts';
import {
  SSEServerInfo,
  StdioServerInfo,
  StreamableHttpServerInfo,
  serverInfoFromDict,
} from '../../../src/mcp/server-info.ts';
import { MCPTool } from '../../../src/mcp/tool.ts';
import { MCPToolset } from '../../../src/mcp/toolset.ts';

const roundTrip = <T extends { toDict(): unknown }>(value: T) => {
  const dict = value.toDict();
  const json = JSON.parse(JSON.stringify(dict));
  const again = deserialize<T>(json);
  assert.deepEqual(again.toDict(), dict);
  return again;
};

describe('server infos: construction', () => {
  it('rejects an invalid URL, naming the field', () => {
    assert.throws(
      () => new StreamableHttpServerInfo({ url: 'not a url' }),
      (e: unknown) => e instanceof InvalidOptionError && e.field === 'url' && /not a valid URL/.test(e.message),
    );
    assert.throws(
      () => new SSEServerInfo({ url: 'ftp://example.com/sse' }),
      (e: unknown) => e instanceof InvalidOptionError && e.field === 'url',
    );
  });

  it('rejects an empty command, naming the field', () => {
    assert.throws(
      () => new StdioServerInfo({ command: '  ' }),
      (e: unknown) => e instanceof InvalidOptionError && e.field === 'command',
    );
  });

  it('refuses oauth on a stdio server (a type error too)', () => {
    assert.throws(
      // @ts-expect-error OAuth applies to HTTP transports only
      () => new StdioServerInfo({ command: 'node', oauth: new OAuthConfig() }),
      (e: unknown) =>
        e instanceof InvalidOptionError && e instanceof McptoolError && /HTTP transports only/.test(e.message),
    );
  });

  it('validates numbers and the delay order', () => {
    assert.throws(() => new StreamableHttpServerInfo({ url: 'http://127.0.0.1/mcp', timeoutMs: -1 }), /timeoutMs/);
    assert.throws(() => new StreamableHttpServerInfo({ url: 'http://127.0.0.1/mcp', maxRetries: 1.5 }), /maxRetries/);
    assert.throws(
      () => new StreamableHttpServerInfo({ url: 'http://127.0.0.1/mcp', baseDelayMs: 500, maxDelayMs: 100 }),
      /maxDelayMs/,
    );
  });

  it('applies the documented defaults', () => {
    const info = new StreamableHttpServerInfo({ url: 'https://server.example/mcp' });
    assert.equal(info.timeoutMs, 30_000);
    assert.equal(info.maxRetries, 3);
    assert.equal(info.baseDelayMs, 1_000);
    assert.equal(info.maxDelayMs, 30_000);
    assert.equal(info.oauth, undefined);
  });

  it('accepts the former duration names as deprecated aliases, and refuses both with different values', () => {
    const url = 'http://127.0.0.1/mcp';
    const info = new StreamableHttpServerInfo({ url, timeout: 5_000, baseDelay: 10, maxDelay: 20 });
    assert.deepEqual([info.timeoutMs, info.baseDelayMs, info.maxDelayMs], [5_000, 10, 20]);
    assert.deepEqual([info.timeout, info.baseDelay, info.maxDelay], [5_000, 10, 20]);
    assert.equal(new StreamableHttpServerInfo({ url, timeout: 5_000, timeoutMs: 5_000 }).timeoutMs, 5_000);
    assert.throws(
      () => new StreamableHttpServerInfo({ url, timeout: 5_000, timeoutMs: 6_000 }),
      (e: unknown) =>
        e instanceof InvalidOptionError && e.field === 'timeoutMs' && /deprecated name timeout/.test(e.message),
    );
    assert.throws(
      () => new SSEServerInfo({ url, baseDelay: -1 }),
      (e: unknown) => e instanceof InvalidOptionError && e.field === 'baseDelay',
    );
    assert.throws(() => new StreamableHttpServerInfo({ url, baseDelay: 500, maxDelayMs: 100 }), /maxDelayMs/);
  });
});

describe('server infos: serialization', () => {
  it('round-trips a Streamable HTTP info with env secrets and an OAuthConfig exactly', () => {
    const info = new StreamableHttpServerInfo({
      url: 'https://server.example/mcp',
      headers: { 'X-Team': 'blue', 'X-Api-Key': Secret.fromEnv('API_KEY') },
      token: Secret.fromEnv(['MCP_TOKEN', 'FALLBACK_TOKEN']),
      timeoutMs: 5_000,
      maxRetries: 1,
      baseDelayMs: 10,
      maxDelayMs: 20,
      oauth: new OAuthConfig({ flow: 'client_credentials', clientId: 'svc', clientSecret: Secret.fromEnv('CS') }),
    });
    const dict = info.toDict();
    assert.equal(dict.type, 'mcptool.StreamableHttpServerInfo');
    assert.deepEqual(dict['token'], {
      type: 'mcptool.Secret',
      env_vars: ['MCP_TOKEN', 'FALLBACK_TOKEN'],
      strict: true,
    });
    const again = roundTrip(info);
    assert.ok(again instanceof StreamableHttpServerInfo);
    assert.ok(again.oauth instanceof OAuthConfig);
  });

  it('writes the durations under keys that name their unit, and reads dicts written with the former keys', () => {
    const dict = new StreamableHttpServerInfo({ url: 'https://s.example/mcp', timeoutMs: 5_000 }).toDict();
    assert.deepEqual(
      [dict['timeout_ms'], dict['base_delay_ms'], dict['max_delay_ms'], dict['max_retries']],
      [5_000, 1_000, 30_000, 3],
    );
    assert.equal('timeout' in dict || 'base_delay' in dict || 'max_delay' in dict, false);
    // A dict as the previous release wrote it.
    const former = {
      type: 'mcptool.SSEServerInfo',
      url: 'https://s.example/sse',
      headers: { 'X-Team': 'blue' },
      token: { type: 'mcptool.Secret', env_vars: ['MCP_TOKEN'], strict: true },
      timeout: 7_000,
      max_retries: 2,
      base_delay: 50,
      max_delay: 500,
      oauth: {
        type: 'mcptool.OAuthConfig',
        flow: 'client_credentials',
        client_id: 'svc',
        client_secret: { type: 'mcptool.Secret', env_vars: ['CS'], strict: true },
        client_name: 'mcptool',
        redirect: { host: '127.0.0.1', port: 0, path: '/callback' },
        callback: 'auto',
        authorization_timeout_ms: 300000,
        request_timeout_ms: 30000,
        refresh_skew_seconds: 60,
        max_step_up_attempts: 2,
      },
    };
    const info = serverInfoFromDict(former);
    assert.ok(info instanceof SSEServerInfo);
    assert.deepEqual([info.timeoutMs, info.maxRetries, info.baseDelayMs, info.maxDelayMs], [7_000, 2, 50, 500]);
    assert.ok(info.oauth instanceof OAuthConfig);
    assert.equal(info.oauth.clientSecret?.toString(), 'Secret(env:CS)');
    assert.deepEqual(info.oauth.toDict(), former.oauth);
    assert.throws(
      () => serverInfoFromDict({ ...former, timeout_ms: 8_000 }),
      (e: unknown) => e instanceof InvalidOptionError && e.field === 'timeoutMs',
    );
    assert.throws(
      () => serverInfoFromDict({ ...former, timeout: 'soon' }),
      (e: unknown) => e instanceof SerializationError && e.code === 'INVALID_DICT' && /timeout/.test(e.message),
    );
    assert.throws(
      () => serverInfoFromDict({ type: 'mcptool.StdioServerInfo', args: [] }),
      (e: unknown) => e instanceof SerializationError && e.code === 'INVALID_DICT' && /command/.test(e.message),
    );
  });

  it('round-trips oauth: false and an SSE info', () => {
    const info = new SSEServerInfo({ url: 'http://127.0.0.1:3001/sse', oauth: false });
    assert.equal(info.toDict()['oauth'], false);
    const again = roundTrip(info);
    assert.ok(again instanceof SSEServerInfo);
    assert.equal(again.oauth, false);
  });

  it('round-trips a stdio info', () => {
    const info = new StdioServerInfo({
      command: 'node',
      args: ['server.js', '--flag'],
      env: { MODE: 'test', API_TOKEN: Secret.fromEnv('API_TOKEN') },
      cwd: '/tmp',
    });
    const again = roundTrip(info);
    assert.ok(again instanceof StdioServerInfo);
    assert.deepEqual(again.args, ['server.js', '--flag']);
  });

  it('a Secret.fromToken token refuses to serialize and says to use fromEnv', () => {
    const info = new StreamableHttpServerInfo({ url: 'https://s.example/mcp', token: Secret.fromToken('t0ps3cret') });
    assert.throws(
      () => info.toDict(),
      (e: unknown) => e instanceof Error && /fromEnv/.test(e.message) && !e.message.includes('t0ps3cret'),
    );
  });

  it('plain-string credentials refuse to serialize; plain ordinary headers do not', () => {
    const token = new StreamableHttpServerInfo({ url: 'https://s.example/mcp', token: 'abc' });
    assert.throws(
      () => token.toDict(),
      (e: unknown) => e instanceof SerializationError && /fromEnv/.test(e.message),
    );
    const header = new StreamableHttpServerInfo({ url: 'https://s.example/mcp', headers: { Authorization: 'x' } });
    assert.throws(() => header.toDict(), SerializationError);
    const env = new StdioServerInfo({ command: 'node', env: { GITHUB_TOKEN: 'ghp_x' } });
    assert.throws(() => env.toDict(), SerializationError);
    assert.doesNotThrow(() => new StdioServerInfo({ command: 'node', env: { MODE: 'x' } }).toDict());
  });

  it('rejects unknown types and dicts that are not server infos', () => {
    assert.throws(
      () => serverInfoFromDict({ type: 'evil.Module', command: 'rm' }),
      (e: unknown) => e instanceof SerializationError && e.code === 'UNKNOWN_TYPE',
    );
    assert.throws(
      () => serverInfoFromDict(Secret.fromEnv('X').toDict()),
      (e: unknown) => e instanceof SerializationError && /not a server info/.test(e.message),
    );
    assert.throws(() => serverInfoFromDict('nope'), SerializationError);
  });

  it('round-trips MCPTool and MCPToolset without connecting', () => {
    const serverInfo = new StdioServerInfo({ command: 'node', args: ['server.js'] });
    const tool = new MCPTool({ name: 'echo', serverInfo, description: 'Echo', invocationTimeout: 1234 });
    const t = roundTrip(tool);
    assert.ok(t instanceof MCPTool);
    assert.equal(t.name, 'echo');
    assert.equal(t.description, 'Echo');
    const toolset = new MCPToolset({ serverInfo, toolNames: ['a', 'b'], connectionTimeout: 99, eagerConnect: false });
    const s = roundTrip(toolset);
    assert.ok(s instanceof MCPToolset);
    assert.deepEqual(s.toolNames, ['a', 'b']);
    assert.deepEqual(s.tools, []);
  });

  it('tool and toolset durations carry their unit; the former names and dict keys still work', () => {
    const serverInfo = new StdioServerInfo({ command: 'node', args: ['server.js'] });
    const dict = new MCPToolset({ serverInfo, connectionTimeoutMs: 99, invocationTimeoutMs: 1234 }).toDict();
    assert.equal(dict['connection_timeout_ms'], 99);
    assert.equal(dict['invocation_timeout_ms'], 1234);
    assert.equal('connection_timeout' in dict || 'invocation_timeout' in dict, false);
    const { connection_timeout_ms: _c, invocation_timeout_ms: _i, ...rest } = dict;
    const former = { ...rest, connection_timeout: 7, invocation_timeout: 8 };
    const read = MCPToolset.fromDict(former).toDict();
    assert.equal(read['connection_timeout_ms'], 7);
    assert.equal(read['invocation_timeout_ms'], 8);
    assert.throws(
      () => new MCPTool({ name: 'echo', serverInfo, invocationTimeoutMs: 1, invocationTimeout: 2 }),
      (e: unknown) => e instanceof InvalidOptionError && /deprecated name invocationTimeout/.test(e.message),
    );
  });
});

describe('server infos: connection identity', () => {
  it('is equal for equal configurations and differs by resolved token', () => {
    const a = new StreamableHttpServerInfo({ url: 'http://127.0.0.1:1/mcp', token: Secret.fromToken('one') });
    const b = new StreamableHttpServerInfo({ url: 'http://127.0.0.1:1/mcp', token: Secret.fromToken('one') });
    const c = new StreamableHttpServerInfo({ url: 'http://127.0.0.1:1/mcp', token: Secret.fromToken('two') });
    assert.equal(a.connectionKey(), b.connectionKey());
    assert.notEqual(a.connectionKey(), c.connectionKey());
    assert.ok(!a.connectionKey().includes('one'));
    const s1 = new StdioServerInfo({ command: 'node', args: ['x.js'] });
    const s2 = new StdioServerInfo({ command: 'node', args: ['y.js'] });
    assert.notEqual(s1.connectionKey(), s2.connectionKey());
  });
});
