// The baseline of the `cli` bench section: list the tools of a stdio server with the bare SDK v2 client, as
// `mcptool tools --stdio "<command>"` does. Usage: node bench/list-tools-sdk.mjs <command> [args...]
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const [command, ...args] = process.argv.slice(2);
const client = new Client({ name: 'bench-baseline', version: '1.0.0' });
await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
const tools = [];
let cursor;
do {
  const page = await client.listTools(cursor === undefined ? {} : { cursor });
  tools.push(...page.tools);
  cursor = page.nextCursor;
} while (cursor !== undefined);
process.stdout.write(`${tools.map((t) => t.name).join('\n')}\n`);
await client.close();
