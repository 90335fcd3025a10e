import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactErrorChain, redactingLogger, redactText, redactUrl, urlSecrets } from '../../../src/core/redact.ts';
import type { Logger } from '../../../src/index.ts';

describe('redactUrl', () => {
  it('item 8: hides user info, query values and the fragment, keeps the rest', () => {
    assert.equal(
      redactUrl('http://user:hunter2@127.0.0.1:45999/mcp?api_key=SECRET123&x#access_token=T'),
      'http://REDACTED@127.0.0.1:45999/mcp?api_key=REDACTED&x#REDACTED',
    );
    assert.equal(redactUrl('https://mcp.example.com/mcp'), 'https://mcp.example.com/mcp');
  });
  it('redacts text that does not parse by pattern', () => {
    assert.equal(redactUrl('http://u:p@[bad/x?k=v'), 'http://REDACTED@[bad/x?k=REDACTED');
  });
});

describe('redactText', () => {
  it('item 8: redacts every URL in a message, quoted or not, and relative references with a query', () => {
    const text =
      'fetch failed: "Request cannot be constructed from a URL that includes credentials: ' +
      'http://user:hunter2@127.0.0.1:1/mcp?api_key=SECRET123" (see https://a.example/x?token=T0KEN.) GET /mcp?key=K3Y';
    const redacted = redactText(text);
    for (const secret of ['hunter2', 'SECRET123', 'T0KEN', 'K3Y']) assert.ok(!redacted.includes(secret), redacted);
    assert.match(redacted, /https:\/\/a\.example\/x\?token=REDACTED\.\)/);
  });
  it('leaves text without URLs alone', () => {
    const text = 'Tool "echo" failed: is x = 1? yes';
    assert.equal(redactText(text), text);
  });
  it('replaces known secret values wherever they appear', () => {
    assert.equal(redactText('bad key SECRET123', urlSecrets('http://h/mcp?api_key=SECRET123&n=1')), 'bad key REDACTED');
  });
});

describe('redactErrorChain and redactingLogger', () => {
  it('item 8: redacts the messages of a cause chain in place', () => {
    const inner = new TypeError('cannot fetch http://u:hunter2@h/x');
    const outer = new Error('wrapped', { cause: inner });
    redactErrorChain(outer);
    assert.ok(!inner.message.includes('hunter2'));
    assert.ok(!String(inner.stack).includes('hunter2'));
  });
  it('item 8: a logger sees redacted messages and fields; the wrapper is stable', () => {
    const lines: string[] = [];
    const sink: Logger = {
      debug: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
      info: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
      warn: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
      error: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
    };
    const logger = redactingLogger(sink);
    assert.equal(redactingLogger(sink), logger);
    assert.equal(redactingLogger(logger), logger);
    logger.warn('GET https://h/x?api_key=SECRET123', {
      url: new URL('https://u:hunter2@h/'),
      nested: { list: ['https://h/?t=T0KEN'] },
      error: new Error('at https://h/?k=K3Y'),
    });
    const all = lines.join('\n');
    for (const secret of ['hunter2', 'SECRET123', 'T0KEN', 'K3Y']) assert.ok(!all.includes(secret), all);
  });
});
