import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forbiddenAddressRule, isLinkLocalHost, isLoopbackHost, isSecureOrLoopback } from '../../../src/core/url.ts';

const host = (url: string) => new URL(url).hostname;

describe('isLoopbackHost', () => {
  for (const url of [
    'http://localhost/',
    'http://LOCALHOST:8/',
    'http://127.0.0.1/',
    'http://127.9.8.7/',
    'http://[::1]/',
  ]) {
    it(`${url} is loopback`, () => assert.equal(isLoopbackHost(host(url)), true));
  }
  for (const url of [
    'http://app.localhost/',
    'http://localhost.example.com/',
    'http://127.0.0.1.nip.io/',
    'http://128.0.0.1/',
    'http://[::2]/',
    'http://10.0.0.1/',
  ]) {
    it(`${url} is not loopback`, () => assert.equal(isLoopbackHost(host(url)), false));
  }

  it('item 6: x.localhost is not loopback, so plain http to it is refused', () => {
    assert.equal(isLoopbackHost('x.localhost'), false);
    assert.equal(isSecureOrLoopback(new URL('http://x.localhost:8080/token')), false);
    assert.equal(isSecureOrLoopback(new URL('https://x.localhost:8080/token')), true);
    assert.equal(isSecureOrLoopback(new URL('http://localhost:8080/token')), true);
  });
});

describe('isLinkLocalHost', () => {
  for (const url of [
    'https://169.254.169.254/',
    'https://169.254.0.1/',
    'https://0xA9FEA9FE/', // the URL parser normalizes other IPv4 spellings
    'https://[fe80::1]/',
    'https://[febf:ffff::1]/',
    'https://[::ffff:169.254.169.254]/',
    'https://[::169.254.169.254]/',
    'https://[64:ff9b::169.254.169.254]/',
  ]) {
    it(`${url} is link-local`, () => assert.equal(isLinkLocalHost(host(url)), true));
  }
  for (const url of [
    'https://169.255.0.1/',
    'https://[fec0::1]/',
    'https://[::ffff:10.0.0.1]/',
    'https://example.com/',
  ]) {
    it(`${url} is not link-local`, () => assert.equal(isLinkLocalHost(host(url)), false));
  }
});

describe('forbiddenAddressRule', () => {
  const remote = new URL('https://mcp.example.com/mcp');
  const local = new URL('http://127.0.0.1:3000/mcp');
  it('refuses link-local for every server', () => {
    assert.match(forbiddenAddressRule(new URL('https://169.254.169.254/'), local) ?? '', /link-local/);
    assert.match(forbiddenAddressRule(new URL('https://[fe80::1]/'), remote) ?? '', /link-local/);
  });
  for (const url of [
    'http://127.0.0.1:9/x',
    'https://localhost/x',
    'https://app.localhost/x',
    'https://[::1]/x',
    'https://[::ffff:127.0.0.1]/x',
    'https://0.0.0.0/x',
  ]) {
    it(`refuses ${url} for a remote server, allows it for a loopback one`, () => {
      assert.match(forbiddenAddressRule(new URL(url), remote) ?? '', /loopback/);
      assert.equal(forbiddenAddressRule(new URL(url), local), undefined);
    });
  }
  it('allows an ordinary https host', () => {
    assert.equal(forbiddenAddressRule(new URL('https://auth.example.com/'), remote), undefined);
  });
});
