import { silentLogger } from '../core/logger.ts';
import type { MCPClient, MCPClientOptions } from './client.ts';
import { objectId } from './identity.ts';
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

/**
 * The part of a connection's identity that its client options make: every option of {@link MCPClientOptions} is
 * connection-relevant, because the client and its transport are built with it. Numbers compare by value
 * (`connectionTimeout`), objects and functions by reference (`logger`, `fetch`: the same object, not an equal one).
 */
function optionsIdentity(options: MCPClientOptions): string {
  const entries: [string, string | number | boolean][] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const identity =
      (typeof value === 'object' && value !== null) || typeof value === 'function'
        ? `object#${objectId(value as object)}`
        : (value as string | number | boolean);
    entries.push([key, identity]);
  }
  return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The shared clients of a process. Tools and toolsets share one client (one connection, one set of credentials)
 * when their connections would be configured alike:
 *
 * - the server info has the same `connectionKey()` (its serialized configuration with the secrets resolved, and
 *   the same `OAuthConfig` token store and authorization handler objects), and
 * - the client options are equal: the same `connectionTimeout`, the same `logger` object and the same `fetch`
 *   (a toolset with its own logger or fetch gets a connection of its own, which uses them).
 *
 * What a holder keeps for itself does not split the connection: `invocationTimeout`, `onProgress`, `onLog` and
 * `elicitationHandler` are per holder (see `ConnectionHolder`). The last `release()` closes the connection.
 */
export class ClientRegistry {
  readonly #entries = new Map<string, Entry>();

  /** Take a reference to the client of `serverInfo` with these options, creating it on first use. */
  acquire(serverInfo: ServerInfo, options: MCPClientOptions = {}): ClientLease {
    const normalized: MCPClientOptions = { ...options, logger: options.logger ?? silentLogger };
    const key = `${serverInfo.connectionKey()}\n${optionsIdentity(normalized)}`;
    const entries = this.#entries;
    let entry = entries.get(key);
    if (!entry) {
      entry = { client: createClient(serverInfo, normalized), refs: 0 };
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

  /** How many shared clients are open (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }
}

/** The registry of this process, used by `MCPTool` and `MCPToolset`. */
export const defaultClientRegistry = new ClientRegistry();

/** {@link ClientRegistry.acquire} on the process's default registry. */
export function acquireClient(serverInfo: ServerInfo, options: MCPClientOptions = {}): ClientLease {
  return defaultClientRegistry.acquire(serverInfo, options);
}

/** How many shared clients are open in this process (for tests and diagnostics). */
export function sharedClientCount(): number {
  return defaultClientRegistry.size;
}
