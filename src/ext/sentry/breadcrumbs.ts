import type { Sink } from '../../extensions/sink.js';
import { routeTemplate } from '../../errors/grouping.js';
import type { InteractionScopes } from './scopes.js';

/**
 * What the bot did on Discord as breadcrumbs: each REST call (method, route template without ids or tokens,
 * status), each rate limit, and the gateway's shards connecting, dropping and resuming.
 */
export function discordBreadcrumbs(scopes: InteractionScopes): Sink {
  const onResponse = (request: { method: string; path: string }, response: { status: number }): void => {
    // Primitives only: the request and response objects are not kept alive by a breadcrumb that may never be made.
    const { method, path } = request;
    const { status } = response;
    scopes.deferredBreadcrumb(() => ({
      type: 'http',
      category: 'discord.rest',
      data: { method: method.toUpperCase(), url: routeTemplate(path), status_code: status },
    }));
  };
  const onRateLimited = (info: { method: string; route: string; timeToReset: number; global: boolean }): void => {
    scopes.breadcrumb({
      category: 'discord.rest',
      level: 'warning',
      message:
        `rate limited${info.global ? ' (global)' : ''}: ${info.method.toUpperCase()} ` +
        `${routeTemplate(info.route)} for ${String(info.timeToReset)} ms`,
    });
  };
  const gateway = (message: string): void => {
    scopes.breadcrumb({ category: 'discord.gateway', message });
  };
  return {
    name: 'sentry discord breadcrumbs',
    setup(bot) {
      const { rest } = bot.discord;
      rest.on('response', onResponse);
      rest.on('rateLimited', onRateLimited);
      const unlisten = [
        bot.listen('shardReady', (shard) => {
          gateway(`shard ${String(shard)} ready`);
        }),
        bot.listen('shardDisconnect', (event, shard) => {
          gateway(`shard ${String(shard)} disconnected (close code ${String(event.code)})`);
        }),
        bot.listen('shardResume', (shard, replayed) => {
          gateway(`shard ${String(shard)} resumed (${String(replayed)} events replayed)`);
        }),
      ];
      return () => {
        rest.off('response', onResponse);
        rest.off('rateLimited', onRateLimited);
        for (const off of unlisten) off();
      };
    },
  };
}
