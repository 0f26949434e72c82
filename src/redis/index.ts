/**
 * `lantern/redis`: cooldowns and concurrency limits shared by every process of a bot, through Redis (`ioredis`, an
 * optional peer dependency).
 *
 * ```ts
 * import { Redis } from 'ioredis';
 * import { redisStore } from 'lantern/redis';
 *
 * const store = redisStore(new Redis(process.env.REDIS_URL));
 * command({ name: 'spin', cooldown: { bucket: 'global', uses: 2, windowMs: 30_000, store }, run });
 * ```
 */
export { RedisStore, redisStore } from './store.js';
export type { RedisClient, RedisStoreOptions } from './store.js';
export { RedisMissingError, RedisStoreOptionsError } from './errors.js';
export { GuardStoreUnavailable } from '../checks/errors.js';
export type { CooldownTake, GuardStore, StoredCooldown, StoredSlot } from '../checks/store.js';
