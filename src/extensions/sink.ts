import { summarizeError } from '../errors/format.js';
import type { Bot } from '../interactions/bot.js';
import type { Teardown } from './extension.js';

/**
 * A sink: one small part of a tracker or reporter with one job (capture errors, record breadcrumbs, keep the
 * interaction's scope, close the client), as Sentry's integrations are. `setup` attaches it to the bot (a listener,
 * a wrapper, a REST hook) and returns what detaches it. An extension is a list of sinks set up in order and torn down
 * in the reverse order, so the last one attached (usually the one that feeds the others) is the first to stop.
 */
export interface Sink {
  /** How the sink is named in warnings (`sentry capture`, `local store`). */
  readonly name: string;
  setup(bot: Bot): Teardown | undefined;
}

/** A sink set up, with what detaches it. */
interface Attached {
  readonly name: string;
  readonly teardown: Teardown;
}

/**
 * Sets the sinks up in order and returns one teardown that runs theirs in reverse; a teardown that throws does not
 * keep the others from running (the first error is thrown once all have run, each later one is logged with its
 * sink's name). When a sink's setup throws, the sinks set up before it are torn down and its error is thrown; a
 * teardown failing then is logged, as nothing awaits it.
 */
export function setupSinks(bot: Bot, sinks: readonly Sink[]): Teardown {
  const attached: Attached[] = [];
  let current: Sink | undefined;
  try {
    for (current of sinks) {
      const teardown = current.setup(bot);
      if (teardown) attached.push({ name: current.name, teardown });
    }
  } catch (error) {
    const failed = current?.name ?? 'a sink';
    tearDown(bot, attached).catch((teardownError: unknown) => {
      bot.log.warn(`Tearing down the sinks set up before ${failed} failed too: ${summarizeError(teardownError, bot.redactor)}`);
    });
    throw error;
  }
  return () => tearDown(bot, attached);
}

async function tearDown(bot: Bot, attached: readonly Attached[]): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const { name, teardown } of [...attached].reverse()) {
    try {
      await teardown();
    } catch (error) {
      // Only the first is thrown: the others would be lost without a line of their own.
      if (failure) bot.log.warn(`Tearing down ${name} failed too: ${summarizeError(error, bot.redactor)}`);
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
