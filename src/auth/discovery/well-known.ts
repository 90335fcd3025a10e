/**
 * Well-known metadata URLs and the canonical resource URI of an MCP server. Pure functions, no I/O.
 */

const PRM_SUFFIX = '/.well-known/oauth-protected-resource';
const OAUTH_AS_SUFFIX = '/.well-known/oauth-authorization-server';
const OIDC_SUFFIX = '/.well-known/openid-configuration';

/**
 * Where to look for the protected resource metadata of an MCP server, in order (RFC 9728 §3.1; MCP
 * 2025-11-25 "Protected Resource Metadata Discovery Requirements"):
 *
 * 1. the path-inserted URL `{origin}/.well-known/oauth-protected-resource{path}`;
 * 2. the root URL `{origin}/.well-known/oauth-protected-resource`.
 *
 * When the server URL has no path (or only `/`), the two are the same and only one is returned. The path is
 * kept as is, including a terminating slash (RFC 9728 §3.1 removes only the slash that directly follows the
 * host). The query and fragment are not carried over: the MCP specification builds these URLs from the path.
 */
export function protectedResourceMetadataUrls(serverUrl: string | URL): string[] {
  const url = new URL(String(serverUrl));
  const root = `${url.origin}${PRM_SUFFIX}`;
  const path = url.pathname === '/' ? '' : url.pathname;
  return path === '' ? [root] : [`${url.origin}${PRM_SUFFIX}${path}`, root];
}

/**
 * Where to look for the metadata of an authorization server with the given issuer, in the order of MCP
 * 2025-11-25 "Authorization Server Metadata Discovery":
 *
 * - issuer with a path (e.g. `https://auth.example.com/tenant1`):
 *   1. `{origin}/.well-known/oauth-authorization-server{path}` (RFC 8414 §3.1),
 *   2. `{origin}/.well-known/openid-configuration{path}` (OpenID Connect Discovery, path-inserted),
 *   3. `{origin}{path}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4, appended);
 * - issuer without a path:
 *   1. `{origin}/.well-known/oauth-authorization-server`,
 *   2. `{origin}/.well-known/openid-configuration`.
 *
 * Terminating slashes of the issuer's path are removed first (RFC 8414 §3.1); the query and fragment, which
 * an issuer must not have (RFC 8414 §2), are ignored.
 */
export function authorizationServerMetadataUrls(issuer: string | URL): string[] {
  const url = new URL(String(issuer));
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') return [`${url.origin}${OAUTH_AS_SUFFIX}`, `${url.origin}${OIDC_SUFFIX}`];
  return [
    `${url.origin}${OAUTH_AS_SUFFIX}${path}`,
    `${url.origin}${OIDC_SUFFIX}${path}`,
    `${url.origin}${path}${OIDC_SUFFIX}`,
  ];
}

/**
 * The metadata URL of the 2025-03-26 back-compat path: the MCP server's origin is the authorization server
 * (the path is discarded), its RFC 8414 metadata at `{origin}/.well-known/oauth-authorization-server`
 * (MCP 2025-03-26 "Server Metadata Discovery").
 */
export function legacyAuthorizationServerMetadataUrl(serverUrl: string | URL): string {
  return `${new URL(String(serverUrl)).origin}${OAUTH_AS_SUFFIX}`;
}

/**
 * The canonical URI of an MCP server, used as the RFC 8707 `resource` parameter (MCP 2025-11-25 "Canonical
 * Server URI"): lowercase scheme and host and no default port (as the WHATWG URL parser gives them), no
 * fragment (RFC 8707 §2), no user info (it would be sent to the authorization server), and the path kept as
 * configured except that a path consisting of a lone `/` is dropped (`https://mcp.example.com/` becomes
 * `https://mcp.example.com`), the form the MCP specification recommends. A trailing slash after a longer path
 * is kept, as it may be significant to the server. The query, if any, is kept: it is part of what the user
 * configured to identify the server.
 */
export function canonicalResourceUri(serverUrl: string | URL): string {
  const url = new URL(String(serverUrl));
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.protocol}//${url.host}${path}${url.search}`;
}

/**
 * Whether the `resource` of protected resource metadata identifies the MCP server at `serverUrl`
 * (RFC 9728 §3.3 and §7.3; MCP 2025-11-25 "Protected Resource Metadata Discovery"). It does when it is the
 * same origin and its path is the server's path or a parent of it on a segment boundary; a terminating slash
 * makes no difference. So for `https://a.example/mcp`: `https://a.example/mcp`, `https://a.example/mcp/` and
 * `https://a.example` (what RFC 9728 §3.3 requires of the root metadata URL) are accepted;
 * `https://a.example/mcpx`, `https://a.example/mcp/sub`, `https://b.example/mcp` and `http://a.example/mcp`
 * are not. A resource with a fragment, or with a query that the server URL does not have exactly, is refused.
 */
export function resourceIdentifiesServer(resource: string, serverUrl: string | URL): boolean {
  let res: URL;
  try {
    res = new URL(resource);
  } catch {
    return false;
  }
  const server = new URL(String(serverUrl));
  if (res.hash !== '' || res.username !== '' || res.password !== '') return false;
  if (res.origin !== server.origin || res.origin === 'null') return false;
  if (res.search !== '' && res.search !== server.search) return false;
  const resourcePath = res.pathname.replace(/\/+$/, '');
  const serverPath = server.pathname.replace(/\/+$/, '');
  if (res.search !== '') return resourcePath === serverPath;
  return serverPath === resourcePath || serverPath.startsWith(`${resourcePath}/`);
}
