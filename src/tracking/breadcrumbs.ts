import type { Bot } from '../interactions/bot.js';
import { routeTemplate } from '../errors/grouping.js';
import type { TrackedBreadcrumb } from './tracked-event.js';

/** Breadcrumbs kept: what happened to the bot lately, not its history. */
const DEFAULT_LIMIT = 20;

/**
 * What the bot went through lately outside any one interaction: shards connecting, dropping and resuming, and the
 * rate limits discord.js hit, the newest `limit` of them. Each is cheap (no REST response is cloned, no async
 * context is tracked), so it costs the bot nothing on its interactions' path.
 */
export class BreadcrumbTrail {
  readonly #crumbs: TrackedBreadcrumb[] = [];

  constructor(
    private readonly now: () => number,
    private readonly limit = DEFAULT_LIMIT,
  ) {}

  add(breadcrumb: Omit<TrackedBreadcrumb, 'timestamp'>): void {
    this.#crumbs.push({ timestamp: this.now(), ...breadcrumb });
    if (this.#crumbs.length > this.limit) this.#crumbs.shift();
  }

  /** The breadcrumbs, oldest first (a copy). */
  recent(): TrackedBreadcrumb[] {
    return [...this.#crumbs];
  }

  /** Records the bot's gateway events and rate limits; returns what stops it. */
  follow(bot: Bot): () => void {
    const gateway = (message: string, level: TrackedBreadcrumb['level'] = 'info') => {
      this.add({ category: 'discord.gateway', message, level });
    };
    const removers = [
      bot.listen('shardReady', (shard) => {
        gateway(`shard ${String(shard)} ready`);
      }),
      bot.listen('shardDisconnect', (event, shard) => {
        gateway(`shard ${String(shard)} disconnected (close code ${String(event.code)})`, 'warning');
      }),
      bot.listen('shardReconnecting', (shard) => {
        gateway(`shard ${String(shard)} reconnecting`, 'warning');
      }),
      bot.listen('shardResume', (shard, replayed) => {
        gateway(`shard ${String(shard)} resumed (${String(replayed)} events replayed)`);
      }),
    ];
    const onRateLimited = (info: { method: string; route: string; timeToReset: number; global: boolean }) => {
      this.add({
        category: 'discord.rest',
        level: 'warning',
        message: `rate limited${info.global ? ' (global)' : ''}: ${info.method.toUpperCase()} ${routeTemplate(info.route)}`,
        data: { retry_after_ms: info.timeToReset },
      });
    };
    const { rest } = bot.discord;
    rest.on('rateLimited', onRateLimited);
    return () => {
      rest.off('rateLimited', onRateLimited);
      for (const remove of removers) remove();
    };
  }
}
