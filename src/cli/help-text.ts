/** Help texts shared by the commands that take a target. */

export const TARGET_HELP = `Target:
  <url>                    an http(s) URL of a Streamable HTTP MCP server
  <url> --sse              an http(s) URL of an HTTP+SSE MCP server
  --stdio "<command line>" start a local server and speak stdio (in place of <target>; no shell is used)
  <name> --config FILE     a server from an "mcpServers" config file (the format desktop MCP clients use)`;

export const COMMON_HELP = `Options:
  --json                   machine-readable output on stdout
  --timeout SECONDS        connection and invocation timeout (default 30)
  -v, --verbose            trace each HTTP request on stderr: method, URL (query values hidden), status,
                           time; never a header, token or body (also MCPTOOL_DEBUG=http)
  -h, --help               show this help`;

export const OAUTH_HELP = `OAuth (HTTP targets only; secrets are never accepted on the command line):
  --flow auto|authorization_code|client_credentials
  --client-id ID           a pre-registered client id
  --client-secret-env VAR  read the client secret from the environment variable VAR
  --private-key-file FILE  a PEM/JWK private key for private_key_jwt
  --client-metadata-url URL   an https Client ID Metadata Document URL
  --scope "A B"            scopes to request
  --callback-port PORT     port of the loopback redirect (default: any free port)
  --no-browser             print the sign-in URL and accept the pasted redirect URL or code
  --token-store DIR        where tokens are kept (default: $MCPTOOL_HOME, else the user data dir)`;

export const EXIT_HELP = `Exit codes: 0 ok, 1 the tool reported an error, 2 usage (including an unknown tool name),
  3 authorization failed, 4 connection failed.`;
