// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the --header syntax under test
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHeaderOptions, parseTransportMode } from '../../../src/cli/transport-options.ts';

const usage = (run: () => unknown, pattern: RegExp) =>
  assert.throws(run, (e: { code?: string; message: string }) => e.code === 'USAGE' && pattern.test(e.message));

describe('--header', () => {
  it('parses repeated Name: value options, expanding ${VAR} from the environment', () => {
    const headers = parseHeaderOptions(
      ['X-Api-Key: ${API_KEY}', 'X-Team:  blue ', 'Authorization: Bearer ${T:-dflt}'],
      {
        API_KEY: 'k-123',
      },
    );
    assert.deepEqual(headers, { 'X-Api-Key': 'k-123', 'X-Team': 'blue', Authorization: 'Bearer dflt' });
  });

  it('an unset variable is a usage error naming the variable, never a value', () => {
    usage(() => parseHeaderOptions(['X-Api-Key: ${MISSING_KEY}'], {}), /MISSING_KEY is not set/);
  });

  it('item 1: a value with a line break (header injection, RFC 9110 §5.5) is refused, also when it comes from ${VAR}', () => {
    usage(() => parseHeaderOptions(['X-A: ${V}'], { V: 'ok\r\nX-Injected: 1' }), /line break/);
    usage(() => parseHeaderOptions(['X-A: a\nb'], {}), /line break/);
  });

  it('item 2: headers the transport owns cannot be overridden (session id, protocol version, framing)', () => {
    usage(() => parseHeaderOptions(['Mcp-Session-Id: stolen'], {}), /set by the transport/);
    usage(() => parseHeaderOptions(['content-length: 0'], {}), /set by the transport/);
  });

  it('refuses a malformed option, an invalid name and a name given twice', () => {
    usage(() => parseHeaderOptions(['no colon'], {}), /'Name: value'/);
    usage(() => parseHeaderOptions(['Bad Name: x'], {}), /not a valid header name/);
    usage(() => parseHeaderOptions(['X-A: 1', 'x-a: 2'], {}), /given twice/);
  });
});

describe('--transport', () => {
  it('defaults to undefined, --sse means sse, and every proxy mode is accepted', () => {
    assert.equal(parseTransportMode({}), undefined);
    assert.equal(parseTransportMode({ sse: true }), 'sse');
    for (const mode of ['http-first', 'sse-first', 'http', 'sse'])
      assert.equal(parseTransportMode({ transport: mode }), mode);
  });

  it('fallback modes belong to proxy; unknown modes and contradictions are usage errors', () => {
    usage(() => parseTransportMode({ transport: 'http-first' }, ['http', 'sse']), /with 'mcptool proxy' only/);
    usage(() => parseTransportMode({ transport: 'websocket' }), /must be one of/);
    usage(() => parseTransportMode({ transport: 'http', sse: true }), /contradicts/);
  });
});
