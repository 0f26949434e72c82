import type { NodeClient, Scope } from '@sentry/node';
import type { Sink } from '../../extensions/sink.js';
import { settlesWithin } from '../../util/settle.js';
import type { TimedHttp } from './transport.js';

/** The outbox as closing sees it: chosen and opened first, so flushing has somewhere to deliver from, closed last. */
export interface ClosingOutbox {
  ready(): Promise<void>;
  stopDelivery(): void;
  close(): Promise<unknown>;
}

/**
 * Closes the bot's Sentry client on unload (and so on `bot.stop()`), waiting at most `flushTimeoutMs` for delivery.
 * Requests still open after that are ended, so nothing of Sentry's keeps the process alive; the process-wide scope
 * is given back if this client held it. Last torn down: the other sinks have handed it their events by then. With
 * an outbox, what is left stays in it (the outbox says how many) instead of being lost.
 */
export function closeClient(
  client: NodeClient,
  http: TimedHttp,
  flushTimeoutMs: number,
  processScope: Scope | undefined,
  outbox: ClosingOutbox | undefined,
): Sink {
  return {
    name: 'sentry client',
    setup(bot) {
      return async () => {
        const started = performance.now();
        await outbox?.ready();
        const left = Math.max(0, flushTimeoutMs - (performance.now() - started));
        const closing = Promise.resolve(client.close(left)).catch(() => false);
        const delivered = (await settlesWithin(closing, left)) && (await closing);
        outbox?.stopDelivery();
        http.abortAll();
        await outbox?.close();
        if (processScope?.getClient() === client) processScope.setClient(undefined);
        if (!delivered && !outbox)
          bot.log.warn(`Sentry: not every event was delivered within ${String(flushTimeoutMs)} ms; the rest are lost`);
      };
    },
  };
}
