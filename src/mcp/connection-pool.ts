import type { EngineRegistry } from '../auth/engine/registry.ts';
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
 * (`connectionTimeoutMs`), objects and functions by reference (`logger`, `fetch`: the same object, not an equal one).
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

/** Options of a {@link ConnectionPool}. */
export interface ConnectionPoolOptions {
  /**
   * The OAuth engines the pool's HTTP connections use; default: the process's. A pool of its own with engines of
   * its own shares no connection and no credentials held in memory with the rest of the process.
   */
  engines?: EngineRegistry;
}

/**
 * Shared clients. Tools and toolsets of one pool (by default the process's, {@link defaultConnectionPool}) share
 * one client (one connection, one set of credentials) when their connections would be configured alike:
 *
 * - the server info has the same `connectionKey()` (its serialized configuration with the secrets resolved, and
 *   the same `OAuthConfig` token store and authorization handler objects), and
 * - the client options are equal: the same `connectionTimeoutMs`, the same `logger` object and the same `fetch`
 *   (a toolset with its own logger or fetch gets a connection of its own, which uses them).
 *
 * What a holder keeps for itself does not split the connection: `invocationTimeoutMs`, `onProgress`, `onLog` and
 * `elicitationHandler` are per holder (see `ConnectionHolder`). The last `release()` closes the connection.
 */
export class ConnectionPool {
  readonly #entries = new Map<string, Entry>();
  readonly #engines: EngineRegistry | undefined;

  /** @param options The engines of the pool's connections (default: the process's). */
  constructor(options: ConnectionPoolOptions = {}) {
    this.#engines = options.engines;
  }

  /**
   * Take a reference to the client of `serverInfo` with these options, creating it on first use.
   * @param serverInfo The server to connect to.
   * @param options The client options; connections with different options are not shared.
   * @returns A lease on the shared client; its last `release()` closes the client.
   * @internal
   */
  acquire(serverInfo: ServerInfo, options: MCPClientOptions = {}): ClientLease {
    const normalized: MCPClientOptions = {
      ...options,
      logger: options.logger ?? silentLogger,
      ...(this.#engines && { engines: this.#engines }),
    };
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

/** The pool of this process, used by `MCPTool` and `MCPToolset` unless they are given one. */
export const defaultConnectionPool = new ConnectionPool();
