import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as oauth from 'oauth4webapi';
import { clientSecretBasic } from '../../../../src/auth/engine/client-auth.ts';
import { clientCredentialsGrant, refreshGrant } from '../../../../src/auth/engine/grants.ts';
import { type FetchLike, oauth4webapiOptions } from '../../../../src/auth/hardened-fetch.ts';

const as: oauth.AuthorizationServer = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' };

function contextWith(respond: (request: { url: string; body: URLSearchParams; headers: Headers }) => Response) {
  const seen: URLSearchParams[] = [];
  const fetch: FetchLike = async (input, init) => {
    const body = new URLSearchParams(String(init?.body ?? ''));
    seen.push(body);
    return respond({ url: String(input), body, headers: new Headers(init?.headers) });
  };
  return {
    seen,
    ctx: {
      as,
      client: { client_id: 'svc' },
      clientAuth: clientSecretBasic('s3cret'),
      resource: 'https://mcp.example/mcp',
      requestOptions: (url: URL | string | undefined, signal?: AbortSignal) =>
        oauth4webapiOptions(url, { fetch, ...(signal && { signal }) }),
    },
  };
}

const json = (body: unknown, status = 200) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

describe('token endpoint responses', () => {
  it('sends resource and scope with client credentials and parses a good response', async () => {
    const { ctx, seen } = contextWith(() => json({ access_token: 'at', token_type: 'Bearer', expires_in: 60 }));
    const result = await clientCredentialsGrant(ctx, ['mcp:tools']);
    assert.equal(result.access_token, 'at');
    assert.equal(seen[0]?.get('resource'), 'https://mcp.example/mcp');
    assert.equal(seen[0]?.get('scope'), 'mcp:tools');
    assert.equal(seen[0]?.get('grant_type'), 'client_credentials');
  });

  it('reports malformed JSON as TOKEN_REQUEST_FAILED without echoing the body', async () => {
    const { ctx } = contextWith(() => json('{"access_token": "leaked-value", '));
    await assert.rejects(clientCredentialsGrant(ctx, undefined), (e: any) => {
      assert.equal(e.code, 'TOKEN_REQUEST_FAILED');
      assert.doesNotMatch(e.message, /leaked-value/);
      return true;
    });
  });

  it('reports a response without access_token as TOKEN_REQUEST_FAILED', async () => {
    const { ctx } = contextWith(() => json({ token_type: 'Bearer' }));
    await assert.rejects(clientCredentialsGrant(ctx, undefined), { code: 'TOKEN_REQUEST_FAILED' });
  });

  it('refuses an oversized token response', async () => {
    const big = JSON.stringify({ access_token: 'x'.repeat(2 * 1024 * 1024), token_type: 'Bearer' });
    const { ctx } = contextWith(() => json(big));
    await assert.rejects(clientCredentialsGrant(ctx, undefined), (e: any) => {
      assert.ok(['INVALID_RESPONSE', 'TOKEN_REQUEST_FAILED'].includes(e.code), e.code);
      return true;
    });
  });

  it('maps invalid_grant on refresh to INVALID_GRANT with the server text quoted', async () => {
    const { ctx, seen } = contextWith(() =>
      json({ error: 'invalid_grant', error_description: 'refresh token "reused"' }, 400),
    );
    await assert.rejects(refreshGrant(ctx, 'rt-value'), (e: any) => {
      assert.equal(e.code, 'INVALID_GRANT');
      assert.match(e.message, /"invalid_grant"/);
      assert.doesNotMatch(e.message, /rt-value/);
      return true;
    });
    assert.equal(seen[0]?.get('resource'), 'https://mcp.example/mcp');
  });
});
