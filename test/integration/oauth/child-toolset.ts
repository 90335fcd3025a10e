/**
 * A separate process for the "restart" tests: `node --import tsx child-toolset.ts <spec-json>` opens a toolset on
 * `spec.url` with the token store of `$MCPTOOL_HOME` (the library's default store), calls `whoami` and prints
 * `{ whoami, fetches }` as JSON on stdout, where `fetches` lists every request it made (method and URL, no query).
 * Its authorization handler fails: the process must not need a sign-in.
 */
import { MCPToolset, OAuthConfig, StreamableHttpServerInfo } from '../../../src/index.ts';

const spec = JSON.parse(process.argv[2] ?? '{}') as { url: string; clientId?: string };
const fetches: string[] = [];
const recording: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  fetches.push(`${init?.method ?? 'GET'} ${url.origin}${url.pathname}`);
  return fetch(input, init);
};
const oauth = new OAuthConfig({
  flow: 'authorization_code',
  ...(spec.clientId !== undefined && { clientId: spec.clientId }),
  authorizationHandler: {
    async open() {
      throw new Error('the restarted process asked for an interactive sign-in');
    },
  },
});
const toolset = new MCPToolset({
  serverInfo: new StreamableHttpServerInfo({ url: spec.url, oauth }),
  fetch: recording,
});
try {
  await toolset.warmUp();
  const result = await toolset.getTool('whoami').invoke({});
  process.stdout.write(`${JSON.stringify({ whoami: result.structuredContent, fetches })}\n`);
} finally {
  await toolset.close();
}
