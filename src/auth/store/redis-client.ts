/** The node-redis client a `RedisTokenStore` creates for itself when it is given none. */
import { InvalidOptionError, quote } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { OAuthError } from '../errors.ts';
import type { RedisClientLike } from './redis.ts';

/** A client this store created: it also closes it. */
export interface OwnedClient extends RedisClientLike {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  connect(): Promise<unknown>;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  destroy?(): unknown;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

export function checkRedisUrl(url: string, field: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new InvalidOptionError(field, 'is not a valid URL', { cause });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidOptionError(field, `must use redis: or rediss:, got ${quote(parsed.protocol)}`);
  }
  return parsed;
}

/** Drop a client's socket; a client that is already closed throws, which does not matter here. */
export function destroyQuietly(client: OwnedClient): void {
  try {
    client.destroy?.();
  } catch {
    // already closed
  }
}

/**
 * A connected node-redis client (the optional peer dependency `redis`, imported only now). It fails fast rather
 * than hang: the first connection is not retried, later ones are (with backoff), and commands issued while
 * disconnected fail instead of queueing. Client errors are logged, never thrown.
 * @throws OAuthError `STORE_FAILED` when `redis` is not installed or the server cannot be reached.
 */
export async function createOwnedClient(options: {
  url: string | undefined;
  password: string | undefined;
  logger: Logger;
}): Promise<OwnedClient> {
  let createClient: (options: Record<string, unknown>) => OwnedClient;
  try {
    ({ createClient } = (await import('redis')) as unknown as {
      createClient: (options: Record<string, unknown>) => OwnedClient;
    });
  } catch (cause) {
    throw new OAuthError(
      'STORE_FAILED',
      'RedisTokenStore needs the optional peer dependency "redis" (node-redis): install it with `npm install redis`, ' +
        'or pass options.client',
      { cause },
    );
  }
  const { url, logger } = options;
  if (url !== undefined) checkRedisUrl(url, 'options.url');
  const clientOptions: Record<string, unknown> = {};
  if (url !== undefined) clientOptions['url'] = url;
  if (options.password !== undefined) clientOptions['password'] = options.password;
  // Fail fast rather than hang: the first connection is not retried, later ones are (with backoff), and
  // commands issued while disconnected fail (STORE_FAILED) instead of queueing.
  let connected = false;
  clientOptions['disableOfflineQueue'] = true;
  clientOptions['socket'] = {
    connectTimeout: 5000,
    reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(50 * 2 ** retries, 2000) : cause),
  };
  const client = createClient(clientOptions);
  client.on('error', (error) => {
    logger.warn('Redis token store: client error', {
      code: (error as { code?: string }).code,
      message: error instanceof Error ? error.message : String(error),
    });
  });
  try {
    await client.connect();
    connected = true;
  } catch (cause) {
    destroyQuietly(client);
    throw new OAuthError(
      'STORE_FAILED',
      `Redis token store: could not connect to ${url === undefined ? 'the default server' : quote(redactUrl(url))}`,
      { cause },
    );
  }
  return client;
}
