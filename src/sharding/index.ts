/**
 * `lantern/sharding`: discord.js's ShardingManager with Lantern's error tracking in the manager's process.
 *
 * ```ts
 * const manager = new ShardManager('./bot.js', { totalShards: 'auto', token: process.env.DISCORD_TOKEN });
 * await manager.loadExtension('lantern/ext/sentry', { dsn: process.env.SENTRY_DSN });
 * await manager.spawn();
 * ```
 */
export { ShardManager } from './manager.js';
export type { ShardManagerOptions } from './manager.js';
export { ShardDied, ShardManagerOptionsError, ShardNotReady, ShardRespawned, ShardRespawnFailed } from './errors.js';
export type { ShardExit } from './errors.js';
export { deserializeError, serializeError } from '../errors/serialize.js';
export type { SerializedCause, SerializedError } from '../errors/serialize.js';
