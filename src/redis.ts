/**
 * `mcptool/redis`: the Redis token store, a separate entry point so that the package root never loads node-redis
 * (an optional peer dependency, imported only when a `RedisTokenStore` is created without a client).
 * Importing this module also registers `mcptool.RedisTokenStore` for `OAuthConfig.fromDict`.
 */
export type { RedisClientLike, RedisTokenStoreOptions } from './auth/store/redis.ts';
export { RedisTokenStore } from './auth/store/redis.ts';
