import type { Clock } from '../../core/clock.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { redactingLogger } from '../../core/redact.ts';
import { OAuthConfig } from '../config.ts';
import type { FetchLike } from '../hardened-fetch.ts';
import { createDefaultAuthorizationHandler } from '../interactive/handler.ts';
import { FileTokenStore } from '../store/file.ts';
import type { TokenStore } from '../store/types.ts';
import { createAuthServices } from './default-services.ts';
import { OAuthEngine } from './engine.ts';

/** Which engine to use: the server, its OAuth configuration, and what the engine is built with on first use. */
export interface EngineRequest {
  /** The MCP server URL. */
  serverUrl: URL;
  /** `undefined`: automatic OAuth with defaults on a 401; `false`: OAuth off (no engine). */
  oauth: OAuthConfig | false | undefined;
  fetch?: FetchLike;
  logger?: Logger;
  clock?: Clock;
}

/**
 * The OAuth engines of one scope (by default the whole process, {@link defaultEngineRegistry}): one engine per
 * (server URL, `OAuthConfig` object), or per server URL for connections without a configuration, so that every
 * connection, tool and toolset of that scope using the same server and configuration shares one set of credentials
 * and one in-flight renewal. Also holds the scope's default token store (a `FileTokenStore` in `$MCPTOOL_HOME` or
 * the user data dir), created on first use by a configuration without a `tokenStore`.
 *
 * A test or an embedder that wants engines of its own (credentials held in memory not shared with the rest of the
 * process) creates a new registry and passes it where the `engines` option is taken.
 */
export class EngineRegistry {
  /** The configuration with defaults that each server URL without an `OAuthConfig` uses. */
  readonly #defaultConfigs = new Map<string, OAuthConfig>();
  readonly #engines = new WeakMap<OAuthConfig, Map<string, OAuthEngine>>();
  #defaultStore: TokenStore | undefined;

  /**
   * The engine of `request.serverUrl` with `request.oauth`, built on first use with the request's fetch, logger
   * and clock; `undefined` when OAuth is off (`oauth: false`).
   * @param request The server and configuration; `fetch`, `logger` and `clock` apply only when the engine is built.
   * @returns The shared engine, or `undefined` for `oauth: false`.
   * @internal
   */
  engineFor(request: EngineRequest): OAuthEngine | undefined {
    if (request.oauth === false) return undefined;
    const href = request.serverUrl.href;
    let config = request.oauth;
    if (config === undefined) {
      config = this.#defaultConfigs.get(href) ?? new OAuthConfig();
      this.#defaultConfigs.set(href, config);
    }
    let byServer = this.#engines.get(config);
    if (!byServer) {
      byServer = new Map();
      this.#engines.set(config, byServer);
    }
    let engine = byServer.get(href);
    if (!engine) {
      engine = this.#build(request, config);
      byServer.set(href, engine);
    }
    return engine;
  }

  #build(request: EngineRequest, config: OAuthConfig): OAuthEngine {
    const logger = redactingLogger(request.logger ?? silentLogger);
    return new OAuthEngine({
      serverUrl: request.serverUrl,
      config,
      services: createAuthServices({ fetch: request.fetch, logger, requestTimeoutMs: config.requestTimeoutMs }),
      store: config.tokenStore ?? this.#defaultTokenStore(logger),
      handler: () =>
        config.authorizationHandler ??
        createDefaultAuthorizationHandler({
          callback: config.callback === 'device' ? 'auto' : config.callback,
          redirect: config.redirect,
          timeoutMs: config.authorizationTimeoutMs,
          logger,
        }),
      logger,
      clock: request.clock ?? config.clock,
    });
  }

  #defaultTokenStore(logger: Logger): TokenStore {
    this.#defaultStore ??= new FileTokenStore({ logger });
    return this.#defaultStore;
  }
}

/** The engines of this process: what every connection uses unless it is given a registry of its own. */
export const defaultEngineRegistry = new EngineRegistry();
