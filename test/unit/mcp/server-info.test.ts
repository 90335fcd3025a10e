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
    assert.throws(() => new StreamableHttpServerInfo({ url: 'http://127.0.0.1/mcp', timeout: -1 }), /timeout/);
    assert.throws(() => new StreamableHttpServerInfo({ url: 'http://127.0.0.1/mcp', maxRetries: 1.5 }), /maxRetries/);
    assert.throws(
      () => new StreamableHttpServerInfo({ url: 'http://127.0.0.1/mcp', baseDelay: 500, maxDelay: 100 }),
      /maxDelay/,
    );
  });

  it('applies the documented defaults', () => {
    const info = new StreamableHttpServerInfo({ url: 'https://server.example/mcp' });
    assert.equal(info.timeout, 30_000);
    assert.equal(info.maxRetries, 3);
    assert.equal(info.baseDelay, 1_000);
    assert.equal(info.maxDelay, 30_000);
    assert.equal(info.oauth, undefined);
  });
});

describe('server infos: serialization', () => {
  it('round-trips a Streamable HTTP info with env secrets and an OAuthConfig exactly', () => {
    const info = new StreamableHttpServerInfo({
      url: 'https://server.example/mcp',
      headers: { 'X-Team': 'blue', 'X-Api-Key': Secret.fromEnv('API_KEY') },
      token: Secret.fromEnv(['MCP_TOKEN', 'FALLBACK_TOKEN']),
      timeout: 5_000,
      maxRetries: 1,
      baseDelay: 10,
      maxDelay: 20,
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
