import type { RESTOptions } from 'discord.js';
import type { Sink } from '../../extensions/sink.js';
import { routeTemplate } from '../../errors/grouping.js';
import type { InteractionScopes } from './scopes.js';

/**
 * What the bot did on Discord as breadcrumbs: each REST call (method, route template without ids or tokens,
 * status), each rate limit, and the gateway's shards connecting, dropping and resuming.
 */
export function discordBreadcrumbs(scopes: InteractionScopes): Sink {
  const onResponse = (method: string, url: string, status: number): void => {
    // Primitives only: no request or response is kept alive by a breadcrumb that may never be made.
    scopes.deferredBreadcrumb(() => ({
      type: 'http',
      category: 'discord.rest',
      data: { method: method.toUpperCase(), url: routeTemplate(url), status_code: status },
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
      const unwrap = observeResponses(rest.options, onResponse);
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
        unwrap();
        rest.off('rateLimited', onRateLimited);
        for (const off of unlisten) off();
      };
    },
  };
}

/**
 * Sees every response of the bot's REST client by wrapping its `makeRequest` (the app's own, if it set one), not
 * by listening to its `response` event: while anyone listens, discord.js copies each response for the event, which
 * measured as the largest part of what Sentry cost a successful interaction (`npm run bench`). The wrapper runs in
 * the async context of whoever made the request, so a call lands in its interaction's scope.
 */
function observeResponses(rest: RESTOptions, seen: (method: string, url: string, status: number) => void): () => void {
  // Held as a plain function property: discord.js calls it on the options object, and so does the wrapper.
  const options = rest as {
    makeRequest: (this: RESTOptions, ...args: Parameters<RESTOptions['makeRequest']>) => ReturnType<RESTOptions['makeRequest']>;
  };
  const original = options.makeRequest;
  let observing = true;
  const wrapped: typeof original = async (url, init) => {
    const response = await original.call(rest, url, init);
    if (observing) seen(init.method ?? 'GET', url, response.status);
    return response;
  };
  options.makeRequest = wrapped;
  return () => {
    observing = false;
    // Put back unless someone wrapped it again since; then ours stays in their chain, passing calls through.
    if (options.makeRequest === wrapped) options.makeRequest = original;
  };
}
