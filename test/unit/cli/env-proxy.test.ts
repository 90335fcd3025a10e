import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namesProxy, proxyFor } from '../../../src/cli/env-proxy.ts';

const at = (url: string, env: NodeJS.ProcessEnv) => proxyFor(new URL(url), env);

describe('item 5: which proxy a request goes through (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)', () => {
  it('names a proxy only when a variable is set to something', () => {
    assert.equal(namesProxy({}), false);
    assert.equal(namesProxy({ HTTPS_PROXY: '  ' }), false);
    assert.equal(namesProxy({ http_proxy: 'http://p:3128' }), true);
  });

  it('https through HTTPS_PROXY, else HTTP_PROXY; http only through HTTP_PROXY; lower case wins', () => {
    assert.equal(at('https://a.example/mcp', { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://h:1' }), 'http://s:1');
    assert.equal(at('https://a.example/mcp', { HTTP_PROXY: 'http://h:1' }), 'http://h:1');
    assert.equal(at('http://a.example/mcp', { HTTPS_PROXY: 'http://s:1' }), undefined);
    assert.equal(at('http://a.example/mcp', { HTTP_PROXY: 'http://H:1', http_proxy: 'http://h:1' }), 'http://h:1');
  });

  it('loopback hosts are always reached directly', () => {
    const env = { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://h:1' };
    for (const url of ['http://127.0.0.1:8080/mcp', 'http://localhost/mcp', 'http://[::1]:9/mcp']) {
      assert.equal(at(url, env), undefined, url);
    }
  });

  it('NO_PROXY: *, exact hosts, domains with or without a leading dot, ports, IPv6 literals', () => {
    const proxy = { HTTPS_PROXY: 'http://s:1' };
    assert.equal(at('https://a.example/', { ...proxy, NO_PROXY: '*' }), undefined);
    assert.equal(at('https://a.example/', { ...proxy, NO_PROXY: 'b.example, a.example' }), undefined);
    assert.equal(at('https://x.a.example/', { ...proxy, NO_PROXY: '.a.example' }), undefined);
    assert.equal(at('https://x.a.example/', { ...proxy, no_proxy: 'a.example' }), undefined);
    assert.equal(at('https://notaexample/', { ...proxy, NO_PROXY: 'a.example' }), 'http://s:1');
    assert.equal(at('https://a.example/', { ...proxy, NO_PROXY: 'a.example:8443' }), 'http://s:1');
    assert.equal(at('https://a.example:8443/', { ...proxy, NO_PROXY: 'a.example:8443' }), undefined);
    assert.equal(at('https://[2001:db8::1]/', { ...proxy, NO_PROXY: '[2001:db8::1]' }), undefined);
  });
});
