import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AuthChallenge } from '../../../../src/auth/discovery/www-authenticate.ts';
import { bearerChallengeFrom, parseWwwAuthenticate } from '../../../../src/auth/discovery/www-authenticate.ts';

const ch = (scheme: string, params: Record<string, string> = {}, token68?: string): AuthChallenge =>
  token68 === undefined ? { scheme, params } : { scheme, params, token68 };

describe('parseWwwAuthenticate', () => {
  it('parses the RFC 9110 §11.6.1 example: two challenges, quoted and token values, escapes', () => {
    assert.deepEqual(
      parseWwwAuthenticate('Basic realm="simple", Newauth realm="apps", type=1, title="Login to \\"apps\\""'),
      [ch('basic', { realm: 'simple' }), ch('newauth', { realm: 'apps', type: '1', title: 'Login to "apps"' })],
    );
  });

  it('parses the RFC 6750 §3 example', () => {
    assert.deepEqual(
      parseWwwAuthenticate(
        'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
      ),
      [ch('bearer', { realm: 'example', error: 'invalid_token', error_description: 'The access token expired' })],
    );
  });

  it('keeps commas, = and escaped quotes inside quoted strings', () => {
    assert.deepEqual(parseWwwAuthenticate('Bearer error_description="say \\"hi\\", scope=x, ok", scope="a b"'), [
      ch('bearer', { error_description: 'say "hi", scope=x, ok', scope: 'a b' }),
    ]);
    assert.deepEqual(parseWwwAuthenticate('Bearer realm="back\\\\slash\\"", x=y'), [
      ch('bearer', { realm: 'back\\slash"', x: 'y' }),
    ]);
  });

  it('treats scheme and parameter names case-insensitively; the first duplicate wins', () => {
    assert.deepEqual(parseWwwAuthenticate('BEARER Error="first", ERROR="second", Scope=s'), [
      ch('bearer', { error: 'first', scope: 's' }),
    ]);
  });

  it('reads token68 challenges, and tells them from parameters', () => {
    assert.deepEqual(parseWwwAuthenticate('Basic dXNlcjpwYXNz==, Bearer realm="r", Negotiate abc/+~.-_'), [
      ch('basic', {}, 'dXNlcjpwYXNz=='),
      ch('bearer', { realm: 'r' }),
      ch('negotiate', {}, 'abc/+~.-_'),
    ]);
  });

  it('accepts bad whitespace around = and empty list elements', () => {
    assert.deepEqual(parseWwwAuthenticate(' , Bearer  ,, realm = "x" ,\t, scope\t=\ta ,, Basic ,'), [
      ch('bearer', { realm: 'x', scope: 'a' }),
      ch('basic'),
    ]);
  });

  it('reads several header lines joined by fetch as one list', () => {
    const headers = new Headers();
    headers.append('www-authenticate', 'Basic realm="a, b"');
    headers.append('www-authenticate', 'Bearer resource_metadata="https://x.example/prm", scope="read"');
    assert.deepEqual(parseWwwAuthenticate(headers.get('www-authenticate')!), [
      ch('basic', { realm: 'a, b' }),
      ch('bearer', { resource_metadata: 'https://x.example/prm', scope: 'read' }),
    ]);
  });

  it('tolerates garbage: returns what it can parse and never throws', () => {
    assert.deepEqual(parseWwwAuthenticate(''), []);
    assert.deepEqual(parseWwwAuthenticate('"unterminated'), []);
    assert.deepEqual(parseWwwAuthenticate('=,=,=='), []);
    assert.deepEqual(parseWwwAuthenticate('Bearer realm="unterminated'), [ch('bearer', { realm: 'unterminated' })]);
    assert.deepEqual(parseWwwAuthenticate('realm="no scheme", Bearer scope="x"'), [ch('bearer', { scope: 'x' })]);
    assert.deepEqual(parseWwwAuthenticate('Bearer realm="x" junk here, scope=y'), [
      ch('bearer', { realm: 'x', scope: 'y' }),
    ]);
    assert.deepEqual(parseWwwAuthenticate('Bearer;x, Basic'), [ch('basic')]);
    assert.deepEqual(parseWwwAuthenticate(undefined as unknown as string), []);
  });

  it('does not let a parameter named __proto__ change the prototype', () => {
    const [c] = parseWwwAuthenticate('Bearer __proto__="x", constructor=y');
    assert.equal(Object.getPrototypeOf(c!.params), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(c!.params, '__proto__')?.value, 'x');
    assert.equal(c!.params['constructor'], 'y');
  });
});

describe('parseWwwAuthenticate (properties)', () => {
  const tokenArb = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
  const token68Arb = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,16}={0,2}$/);
  const ows = fc.constantFrom('', ' ', '\t', '  ');
  const listSep = fc.constantFrom(',', ', ', ' ,', ' , ', ',,', ', , ', ',\t');
  const valueArb = fc.oneof(
    fc.record({ quoted: fc.constant(false), value: tokenArb }),
    fc.record({ quoted: fc.constant(true), value: fc.string({ unit: 'binary', maxLength: 20 }) }),
    fc.record({
      quoted: fc.constant(true),
      value: fc.string({ unit: fc.constantFrom('"', '\\', ',', '=', ' ', 'a') }),
    }),
  );
  const paramsArb = fc.uniqueArray(fc.record({ name: tokenArb, value: valueArb, before: ows, after: ows }), {
    selector: (p) => p.name.toLowerCase(),
    maxLength: 5,
  });
  const challengeArb = fc.record({
    scheme: tokenArb,
    spaces: fc.constantFrom(' ', '  ', ' \t'),
    body: fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.record({ kind: fc.constant('token68' as const), token68: token68Arb }),
      fc.record({
        kind: fc.constant('params' as const),
        params: paramsArb,
        seps: fc.array(listSep, { minLength: 5, maxLength: 5 }),
      }),
    ),
  });

  type Gen = typeof challengeArb extends fc.Arbitrary<infer T> ? T : never;

  const quote = (value: string) => `"${value.replace(/[\\"]/g, '\\$&')}"`;
  function serialize(c: Gen): string {
    const { body } = c;
    if (body.kind === 'none') return c.scheme;
    if (body.kind === 'token68') return `${c.scheme}${c.spaces}${body.token68}`;
    if (body.params.length === 0) return c.scheme;
    const params = body.params.map(
      (p) => `${p.name}${p.before}=${p.after}${p.value.quoted ? quote(p.value.value) : p.value.value}`,
    );
    return `${c.scheme}${c.spaces}${params.map((p, i) => (i === 0 ? p : `${body.seps[i % 5]}${p}`)).join('')}`;
  }
  function expected(c: Gen): AuthChallenge {
    const { body } = c;
    if (body.kind === 'token68') return ch(c.scheme.toLowerCase(), {}, body.token68);
    if (body.kind === 'none') return ch(c.scheme.toLowerCase());
    return ch(
      c.scheme.toLowerCase(),
      Object.fromEntries(body.params.map((p) => [p.name.toLowerCase(), p.value.value])),
    );
  }

  it('serialized challenges parse back exactly', () => {
    fc.assert(
      fc.property(fc.array(challengeArb, { minLength: 1, maxLength: 4 }), listSep, (challenges, sep) => {
        const header = challenges.map(serialize).join(sep);
        assert.deepEqual(parseWwwAuthenticate(header), challenges.map(expected));
      }),
      { numRuns: 500 },
    );
  });

  // Header values are bytes without NUL, CR or LF (Headers refuses anything else).
  const headerSafe = challengeArb.filter((c) =>
    [...serialize(c)].every((ch) => {
      const code = ch.codePointAt(0)!;
      return code !== 0 && code !== 10 && code !== 13 && code <= 0xff;
    }),
  );

  it('header lines joined with ", " parse as the concatenation of their challenges', () => {
    fc.assert(
      fc.property(
        fc.array(headerSafe, { minLength: 1, maxLength: 3 }),
        fc.array(headerSafe, { minLength: 1, maxLength: 3 }),
        (a, b) => {
          const headers = new Headers();
          headers.append('www-authenticate', a.map(serialize).join(', '));
          headers.append('www-authenticate', b.map(serialize).join(', '));
          assert.deepEqual(parseWwwAuthenticate(headers.get('www-authenticate')!), [...a, ...b].map(expected));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws, whatever the input', () => {
    const alphabet = fc.constantFrom('B', 'e', 'a', 'r', ' ', '\t', ',', '=', '"', '\\', '/', '+', 'x', '(', ';');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: alphabet, maxLength: 60 })), (input) => {
        const result = parseWwwAuthenticate(input);
        assert.ok(Array.isArray(result));
        for (const c of result) {
          assert.match(c.scheme, /^[!#$%&'*+\-.^_`|~0-9a-z]+$/);
          assert.equal(typeof c.params, 'object');
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('bearerChallengeFrom', () => {
  it('reads error, description, scopes and resource_metadata of the Bearer challenge', () => {
    const response = new Response(null, {
      status: 401,
      headers: {
        'www-authenticate':
          'Basic realm="x", Bearer error="insufficient_scope", error_description="need \\"write\\"", ' +
          'scope="files:read  files:write", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", realm="mcp"',
      },
    });
    assert.deepEqual(bearerChallengeFrom(response), {
      error: 'insufficient_scope',
      errorDescription: 'need "write"',
      scope: ['files:read', 'files:write'],
      resourceMetadata: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
      realm: 'mcp',
    });
  });

  it('finds a Bearer challenge on a second header line', () => {
    const headers = new Headers();
    headers.append('WWW-Authenticate', 'DPoP algs="ES256"');
    headers.append('WWW-Authenticate', 'bearer scope="a"');
    assert.deepEqual(bearerChallengeFrom(new Response(null, { status: 401, headers })), { scope: ['a'] });
  });

  it('is undefined without a header or a Bearer challenge', () => {
    assert.equal(bearerChallengeFrom(new Response(null, { status: 401 })), undefined);
    assert.equal(
      bearerChallengeFrom(new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } })),
      undefined,
    );
  });

  it('gives a bare Bearer challenge as an empty object', () => {
    assert.deepEqual(
      bearerChallengeFrom(new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer' } })),
      {},
    );
  });
});
