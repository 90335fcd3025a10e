import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { type AuthorizationServer, startAuthorizationServer } from '../../../demo/authorization-server.ts';
import { runDeviceAuthorization } from '../../../src/auth/interactive/device.ts';

const RESOURCE = 'http://127.0.0.1:9/mcp';
let server: AuthorizationServer;
let metadata: oauth.AuthorizationServer;
let client: oauth.Client;

before(async () => {
  server = await startAuthorizationServer();
  const issuer = new URL(server.issuer);
  metadata = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }),
  );
  const registration = await fetch(server.endpoints.registration, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      application_type: 'native',
      client_name: 'device test',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
    }),
  });
  assert.equal(registration.status, 201);
  const body = (await registration.json()) as { client_id: string };
  client = { client_id: body.client_id, token_endpoint_auth_method: 'none' };
});
after(() => server.close());

/** The user: reads the code shown, and approves or denies it at the authorization server. */
function user(decide: (userCode: string) => Promise<void>) {
  const shown: string[] = [];
  return {
    shown,
    ui: {
      show(message: string) {
        shown.push(message);
        const code = /user_code=([\w-]+)/.exec(message)?.[1];
        if (code) setTimeout(() => void decide(decodeURIComponent(code)), 100);
      },
    },
  };
}

describe("device authorization grant against oidc-provider's device flow", () => {
  it('approved: polls with the server interval and returns tokens for the resource; denied: ACCESS_DENIED', async () => {
    const approving = user((code) => server.approveDevice(code));
    const denying = user((code) => server.denyDevice(code));
    const [tokens, denied] = await Promise.allSettled([
      runDeviceAuthorization(metadata, client, oauth.None(), {
        scope: 'mcp:tools',
        resource: RESOURCE,
        ui: approving.ui,
      }),
      runDeviceAuthorization(metadata, client, oauth.None(), {
        scope: 'mcp:tools',
        resource: RESOURCE,
        ui: denying.ui,
      }),
    ]);
    assert.equal(tokens.status, 'fulfilled', tokens.status === 'rejected' ? String(tokens.reason) : '');
    const response = (tokens as PromiseFulfilledResult<oauth.TokenEndpointResponse>).value;
    assert.ok(response.access_token);
    const claims = JSON.parse(Buffer.from(response.access_token.split('.')[1] ?? '', 'base64url').toString());
    assert.equal(claims.aud, RESOURCE);
    assert.match(approving.shown.join('\n'), /To sign in, open/);
    assert.equal(denied.status, 'rejected');
    assert.equal((denied as PromiseRejectedResult).reason.code, 'ACCESS_DENIED');
    assert.equal(
      server.stats.grantErrors['urn:ietf:params:oauth:grant-type:device_code'] ?? 0,
      1,
      'no slow_down, no extra polls',
    );
  });
});
