import type { Dispatcher as DispatcherType } from 'undici';
import { isLoopbackHost } from '../core/url.ts';

/** The variables that name an HTTP(S) proxy, in the spellings curl and most tools accept. */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] as const;

/** The first of `names` set to something other than blanks in `env`. */
function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** Whether `env` names a proxy for outgoing HTTP(S) requests. */
export function namesProxy(env: NodeJS.ProcessEnv): boolean {
  return firstSet(env, PROXY_VARIABLES) !== undefined;
}

/** Whether `NO_PROXY` (curl's syntax: `*`, `host`, `.domain` or `domain` for it and its subdomains, `host:port`) exempts `url`. */
function exempted(url: URL, noProxy: string): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (match === null) continue;
    const [, name = '', entryPort] = match;
    if (entryPort !== undefined && entryPort !== port) continue;
    const domain = name.replace(/^\*?\.?/, '').replace(/^\[|\]$/g, '');
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/**
 * The proxy URL a request to `url` goes through under `env`, or undefined for a direct connection: loopback hosts
 * always directly (they are this machine), hosts `NO_PROXY` lists directly, `https:` through `HTTPS_PROXY` (else
 * `HTTP_PROXY`), `http:` through `HTTP_PROXY`. Lower-case spellings win, as in curl.
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  if (isLoopbackHost(url.hostname)) return undefined;
  const names = url.protocol === 'https:' ? PROXY_VARIABLES : PROXY_VARIABLES.slice(2);
  const proxy = firstSet(env, names);
  if (proxy === undefined) return undefined;
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY']);
  return noProxy !== undefined && exempted(url, noProxy) ? undefined : proxy;
}

/**
 * For the `mcptool` process: send every `fetch` (MCP transports, discovery, token requests) through the proxy that
 * `HTTPS_PROXY` / `HTTP_PROXY` name, as {@link proxyFor} decides. Node 20's built-in `fetch` ignores these variables;
 * undici, which implements that `fetch`, routes it through a process-wide dispatcher, set here. Nothing is loaded when
 * no proxy is named, so start-up stays as fast as before.
 *
 * Library users choose for themselves (`setGlobalDispatcher(new EnvHttpProxyAgent())` from `undici`); only the CLI
 * does it on its own.
 */
export async function useEnvironmentProxy(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!namesProxy(env)) return;
  const { Agent, Dispatcher, ProxyAgent, setGlobalDispatcher } = await import('undici');
  const direct = new Agent();
  const agents = new Map<string, DispatcherType>();

  /** Each request to the dispatcher its origin calls for: direct, or the `ProxyAgent` of its proxy (one per proxy). */
  class EnvironmentProxyDispatcher extends Dispatcher {
    override dispatch(options: DispatcherType.DispatchOptions, handler: DispatcherType.DispatchHandlers): boolean {
      const proxy = options.origin === undefined ? undefined : proxyFor(new URL(String(options.origin)), env);
      if (proxy === undefined) return direct.dispatch(options, handler);
      let agent = agents.get(proxy);
      if (agent === undefined) {
        agent = new ProxyAgent(proxy);
        agents.set(proxy, agent);
      }
      return agent.dispatch(options, handler);
    }

    override async close(): Promise<void> {
      await Promise.all([direct, ...agents.values()].map((agent) => agent.close()));
    }

    override async destroy(): Promise<void> {
      await Promise.all([direct, ...agents.values()].map((agent) => agent.destroy()));
    }
  }
  setGlobalDispatcher(new EnvironmentProxyDispatcher());
}
