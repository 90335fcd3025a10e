/**
 * The client that `@modelcontextprotocol/conformance` drives: `npx tsx conformance/client.ts <server-url>`, with
 * `MCP_CONFORMANCE_SCENARIO` (and, for some scenarios, `MCP_CONFORMANCE_CONTEXT`) set by the runner.
 * It uses only the public library API. The scenarios' authorization servers auto-approve, so the authorization
 * handler below "is the user": it follows the authorization URL's redirect and hands back the callback URL.
 * Exit code 0 when the scenario's flow completed, 1 otherwise (some scenarios expect the client to refuse).
 */
import {
  type AuthorizationHandler,
  MCPToolset,
  MemoryTokenStore,
  OAuthConfig,
  type OAuthConfigOptions,
  Secret,
  StreamableHttpServerInfo,
} from '../src/index.ts';

const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';
const REDIRECT_URI = 'http://localhost:3000/callback';

/** An authorization handler for auto-approving servers: follow the one redirect and return its target. */
const followRedirect: AuthorizationHandler = {
  async open() {
    return {
      redirectUri: REDIRECT_URI,
      async waitForCallback(authorizationUrl: URL) {
        const response = await fetch(authorizationUrl, { redirect: 'manual' });
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (!location) throw new TypeError(`authorization endpoint answered ${response.status} without a redirect`);
        return new URL(location, authorizationUrl);
      },
      async close() {},
    };
  },
};

function context(): Record<string, string> {
  const raw = process.env['MCP_CONFORMANCE_CONTEXT'];
  return raw ? (JSON.parse(raw) as Record<string, string>) : {};
}

function oauthFor(scenario: string): OAuthConfigOptions {
  const ctx = context();
  const base: OAuthConfigOptions = { tokenStore: new MemoryTokenStore() };
  switch (scenario) {
    case 'auth/client-credentials-basic':
      return {
        ...base,
        flow: 'client_credentials',
        clientId: ctx['client_id'] as string,
        clientSecret: Secret.fromToken(ctx['client_secret'] as string),
      };
    case 'auth/client-credentials-jwt':
      return {
        ...base,
        flow: 'client_credentials',
        clientId: ctx['client_id'] as string,
        privateKey: Secret.fromToken(ctx['private_key_pem'] as string),
        ...(ctx['signing_algorithm'] !== undefined && { privateKeyAlg: ctx['signing_algorithm'] }),
      };
    case 'auth/pre-registration':
      return {
        ...base,
        flow: 'authorization_code',
        clientId: ctx['client_id'] as string,
        clientSecret: Secret.fromToken(ctx['client_secret'] as string),
        authorizationHandler: followRedirect,
      };
    case 'auth/cross-app-access-complete-flow':
      return {
        ...base,
        clientId: ctx['client_id'] as string,
        clientSecret: Secret.fromToken(ctx['client_secret'] as string),
        tokenEndpointAuthMethod: 'client_secret_basic',
        enterprise: {
          idToken: Secret.fromToken(ctx['idp_id_token'] as string),
          ...(ctx['idp_issuer'] !== undefined && { idpIssuer: ctx['idp_issuer'] }),
          ...(ctx['idp_token_endpoint'] !== undefined && { idpTokenEndpoint: ctx['idp_token_endpoint'] }),
          ...(ctx['idp_client_id'] !== undefined && { idpClientId: ctx['idp_client_id'] }),
        },
      };
    default:
      return { ...base, clientMetadataUrl: CLIENT_METADATA_URL, authorizationHandler: followRedirect };
  }
}

async function main(): Promise<number> {
  const url = process.argv[2];
  const scenario = process.env['MCP_CONFORMANCE_SCENARIO'] ?? '';
  if (!url) {
    process.stderr.write('usage: conformance/client.ts <server-url>\n');
    return 2;
  }
  const oauth = scenario.startsWith('auth/') ? new OAuthConfig(oauthFor(scenario)) : undefined;
  const debug = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    process.stderr.write(`[${level}] ${message} ${fields ? JSON.stringify(fields) : ''}\n`);
  const toolset = new MCPToolset({
    ...(process.env['MCPTOOL_DEBUG'] && {
      logger: { debug: debug('debug'), info: debug('info'), warn: debug('warn'), error: debug('error') },
    }),
    serverInfo: new StreamableHttpServerInfo({ url, ...(oauth && { oauth }) }),
    // The elicitation scenario: accept with no values, so the form's defaults apply.
    elicitationHandler: async () => ({ action: 'accept', content: {} }),
  });
  try {
    await toolset.warmUp();
    for (const tool of toolset.tools) {
      if (['test-tool', 'test_tool', 'test_client_elicitation_defaults', 'test_reconnection'].includes(tool.name)) {
        await tool.invoke({});
      }
    }
    if (scenario === 'tools_call') {
      const add = toolset.tools.find((t) => t.name === 'add_numbers');
      await add?.invoke({ a: 5, b: 3 });
    }
    return 0;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    process.stderr.write(`conformance client: ${e.code ?? 'ERROR'}: ${e.message ?? String(error)}\n`);
    return 1;
  } finally {
    await toolset.close();
  }
}

process.exitCode = await main();
