// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config file syntax under test
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../src/cli/mcp-servers-file.ts';
import { resolveTarget } from '../../../src/cli/target.ts';

const config = parseConfig(
  JSON.stringify({
    mcpServers: {
      local: { command: 'node', args: ['server.js', '--verbose'], env: { KEY: '${API_KEY}' } },
      remote: { url: 'https://example.com/mcp', headers: { 'X-Api-Key': '${API_KEY}' } },
      legacy: { type: 'sse', url: 'https://example.com/sse' },
    },
  }),
  'mcp.json',
  { API_KEY: 'k1' },
);

describe('resolveTarget', () => {
  it('takes an http(s) URL as Streamable HTTP, or SSE with --sse', () => {
    assert.deepEqual(resolveTarget({ target: 'https://example.com/mcp' }), {
      kind: 'http',
      url: 'https://example.com/mcp',
      headers: {},
      label: 'https://example.com/mcp',
    });
    assert.equal(resolveTarget({ target: 'http://127.0.0.1:3000/sse', sse: true }).kind, 'sse');
  });

  it('splits --stdio into command and arguments without a shell', () => {
    assert.deepEqual(resolveTarget({ target: undefined, stdio: 'node "my server.js" stdio' }), {
      kind: 'stdio',
      command: 'node',
      args: ['my server.js', 'stdio'],
      label: 'node "my server.js" stdio',
    });
  });

  it('finds a server by name in the config', () => {
    assert.deepEqual(resolveTarget({ target: 'local', config }), {
      kind: 'stdio',
      command: 'node',
      args: ['server.js', '--verbose'],
      env: { KEY: 'k1' },
      label: 'local',
    });
    assert.deepEqual(resolveTarget({ target: 'remote', config }), {
      kind: 'http',
      url: 'https://example.com/mcp',
      headers: { 'X-Api-Key': 'k1' },
      label: 'remote',
    });
    assert.equal(resolveTarget({ target: 'legacy', config }).kind, 'sse');
    assert.equal(resolveTarget({ target: 'remote', config, sse: true }).kind, 'sse');
  });

  it('explains what is missing or contradictory', () => {
    const usage = (options: Parameters<typeof resolveTarget>[0], pattern: RegExp) =>
      assert.throws(
        () => resolveTarget(options),
        (e: any) => e.code === 'USAGE' && pattern.test(e.message),
      );
    usage({ target: undefined }, /missing <target>/);
    usage({ target: 'x', stdio: 'node s.js' }, /--stdio replaces the positional target/);
    usage({ target: undefined, stdio: '  ' }, /--stdio needs a command line/);
    usage({ target: undefined, stdio: 'node', sse: true }, /--sse applies to URL targets/);
    usage({ target: 'my-server' }, /not an http\(s\) URL.*--config FILE/);
    usage({ target: 'nope', config }, /no server named "nope" in mcp\.json; servers there: local, remote, legacy/);
    usage({ target: 'local', config, sse: true }, /--sse does not apply to the stdio server/);
    usage({ target: 'http://[bad' }, /not a valid URL/);
  });
});

describe('parseConfig', () => {
  const parse = (doc: unknown, env: NodeJS.ProcessEnv = {}) => {
    const c = parseConfig(JSON.stringify(doc), 'c.json', env);
    return Object.fromEntries(c.names.map((n) => [n, c.server(n)]));
  };
  const bad = (doc: unknown, pattern: RegExp, env: NodeJS.ProcessEnv = {}) =>
    assert.throws(
      () => parse(doc, env),
      (e: any) => e.code === 'USAGE' && pattern.test(e.message),
    );

  it('infers the type, accepts type aliases and the VS Code "servers" key', () => {
    const s = parse({
      servers: {
        a: { type: 'http', url: 'http://127.0.0.1/mcp' },
        b: { type: 'streamable-http', url: 'http://127.0.0.1/mcp' },
        c: { type: 'stdio', command: 'x', cwd: '/tmp' },
      },
    });
    assert.equal(s['a']?.kind, 'http');
    assert.equal(s['b']?.kind, 'http');
    assert.deepEqual(s['c'], { kind: 'stdio', command: 'x', args: [], cwd: '/tmp', label: 'c' });
  });

  it('expands ${VAR} and ${VAR:-default}, and refuses an unset variable by name', () => {
    const s = parse(
      { mcpServers: { a: { url: '${BASE:-http://127.0.0.1:1}/mcp', headers: { A: 'Bearer ${T}' } } } },
      {
        T: 'tok',
      },
    );
    assert.deepEqual(s['a'], { kind: 'http', url: 'http://127.0.0.1:1/mcp', headers: { A: 'Bearer tok' }, label: 'a' });
    bad({ mcpServers: { a: { url: 'https://x/mcp', headers: { A: '${MISSING_VAR}' } } } }, /MISSING_VAR is not set/);
  });

  it('validates and expands only the server that is selected', () => {
    const c = parseConfig(
      JSON.stringify({ mcpServers: { good: { url: 'https://x/mcp' }, bad: { url: '${UNSET_ONE}' } } }),
      'c.json',
      {},
    );
    assert.deepEqual(c.names, ['good', 'bad']);
    assert.equal(c.server('good')?.kind, 'http');
    assert.equal(c.server('missing'), undefined);
    assert.throws(
      () => c.server('bad'),
      (e: any) => /UNSET_ONE is not set/.test(e.message),
    );
  });

  it('rejects malformed configs with the server and field named', () => {
    assert.throws(
      () => parseConfig('{', 'c.json', {}),
      (e: any) => e.code === 'USAGE' && /c\.json is not valid JSON/.test(e.message),
    );
    bad({ other: {} }, /no "mcpServers" object/);
    bad({ mcpServers: { a: 3 } }, /server "a" in c\.json must be an object/);
    bad({ mcpServers: { a: {} } }, /neither "url" nor "command"/);
    bad({ mcpServers: { a: { type: 'websocket', url: 'ws://x' } } }, /unknown "type" "websocket"/);
    bad({ mcpServers: { a: { url: 'ftp://x' } } }, /"url" "ftp:\/\/x" is not an http\(s\) URL/);
    bad({ mcpServers: { a: { command: 'node', args: 'x' } } }, /"args" must be an array/);
    bad({ mcpServers: { a: { command: 'node', env: { A: 1 } } } }, /"env\.A" must be a string/);
    bad({ mcpServers: { a: { type: 'sse', command: 'node' } } }, /HTTP server but has no "url"/);
  });
});
