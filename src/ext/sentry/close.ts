import type { NodeClient, Scope } from '@sentry/node';
import type { Sink } from '../../extensions/sink.js';
import { settlesWithin } from '../../util/settle.js';
import type { TimedHttp } from './transport.js';

/** The outbox as closing sees it: chosen and opened first, delivered from after the client is closed, closed last. */
export interface ClosingOutbox {
  ready(): Promise<void>;
  /** From now on the client's flush only writes what it hands over, and does not wait for delivery. */
  writeOnlyFlush(): void;
  /** Waits at most `timeoutMs` for what is queued to be delivered. */
  deliver(timeoutMs: number): Promise<boolean>;
  stopDelivery(): void;
  close(): Promise<unknown>;
}

/**
 * Closes the bot's Sentry client on unload (and so on `bot.stop()`), waiting at most `flushTimeoutMs` for delivery.
 * Requests still open after that are ended, so nothing of Sentry's keeps the process alive; the process-wide scope
 * is given back if this client held it. Last torn down: the other sinks have handed it their events by then. With
 * an outbox, closing the client puts every event it is still building into the outbox; then the outbox delivers for
 * what is left of `flushTimeoutMs`, and what is left stays in it (the outbox says how many) instead of being lost.
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
        const left = () => Math.max(0, flushTimeoutMs - (performance.now() - started));
        await outbox?.ready();
        outbox?.writeOnlyFlush();
        const closing = Promise.resolve(client.close(left())).catch(() => false);
        let delivered = (await settlesWithin(closing, left())) && (await closing);
        if (outbox) delivered = await outbox.deliver(left());
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
