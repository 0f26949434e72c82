import type { NodeClient, Scope } from '@sentry/node';
import type { Sink } from '../../extensions/sink.js';
import { settlesWithin } from '../../util/settle.js';
import type { TimedHttp } from './transport.js';

/**
 * Closes the bot's Sentry client on unload (and so on `bot.stop()`), waiting at most `flushTimeoutMs` for delivery.
 * Requests still open after that are ended, so nothing of Sentry's keeps the process alive; the process-wide scope
 * is given back if this client held it. Last torn down: the other sinks have handed it their events by then.
 */
export function closeClient(client: NodeClient, http: TimedHttp, flushTimeoutMs: number, processScope: Scope | undefined): Sink {
  return {
    name: 'sentry client',
    setup(bot) {
      return async () => {
        const closing = Promise.resolve(client.close(flushTimeoutMs)).catch(() => false);
        const delivered = (await settlesWithin(closing, flushTimeoutMs)) && (await closing);
        http.abortAll();
        if (processScope?.getClient() === client) processScope.setClient(undefined);
        if (!delivered) bot.log.warn(`Sentry: not every event was delivered within ${String(flushTimeoutMs)} ms; the rest are lost`);
      };
    },
  };
}
