import type { MCPClient, MCPClientOptions } from './client.ts';
import type { ServerInfo } from './server-info.ts';
import { createClient } from './transports.ts';

/** A counted reference to a shared client. `release()` is idempotent. */
export interface ClientLease {
  readonly client: MCPClient;
  release(): Promise<void>;
}

interface Entry {
  client: MCPClient;
  refs: number;
}

const entries = new Map<string, Entry>();

/**
 * Take a reference to the one client of `serverInfo` in this process, creating it on first use. Server infos
 * with the same identity (serialized configuration plus resolved secrets, see `connectionKey()`) share one
 * connection and one set of credentials. The last `release()` closes the connection. The options of the
 * first holder (timeout, logger, fetch) configure the shared client.
 */
export function acquireClient(serverInfo: ServerInfo, options: MCPClientOptions = {}): ClientLease {
  const key = serverInfo.connectionKey();
  let entry = entries.get(key);
  if (!entry) {
    entry = { client: createClient(serverInfo, options), refs: 0 };
    entries.set(key, entry);
  }
  entry.refs++;
  const held = entry;
  let released = false;
  return {
    client: held.client,
    async release() {
      if (released) return;
      released = true;
      held.refs--;
      if (held.refs === 0) {
        if (entries.get(key) === held) entries.delete(key);
        await held.client.close();
      }
    },
  };
}

/** How many shared clients are open in this process (for tests and diagnostics). */
export function sharedClientCount(): number {
  return entries.size;
}
