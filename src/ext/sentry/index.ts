/**
 * `lantern/ext/sentry`: error tracking with Sentry, as interactions.py's `interactions.ext.sentry`.
 *
 * ```ts
 * await bot.loadExtension('lantern/ext/sentry', { dsn: process.env.SENTRY_DSN }); // first, so it sees the others fail
 * ```
 */
import type { Bot } from '../../interactions/bot.js';
import { defineExtension } from '../../extensions/extension.js';
import { setupSinks } from '../../extensions/sink.js';
import type { Clock } from '../../util/clock.js';
import { createClient } from './client.js';
import type { Sdk, SentryClientOptions, SentryFilter } from './client.js';
import { SentryMissingError, SentryOptionsError } from './errors.js';
import { checkDsn } from './dsn.js';
import { discordBreadcrumbs } from './breadcrumbs.js';
import { SentryCapture } from './capture.js';
import { closeClient } from './close.js';
import { deliveryParts, feedbackOptions, outboxOptions } from './delivery.js';
import type { FeedbackOptions, OutboxOptions } from './delivery.js';
import { InteractionScopes } from './scopes.js';

export { SentryDsnError, SentryMissingError, SentryOptionsError, SentryOutboxOptionsError } from './errors.js';
export type { SentryClientOptions, SentryFilter, SentryFilterHint } from './client.js';
export type { FeedbackOptions, OutboxOptions } from './delivery.js';
export { DEFAULT_OUTBOX_PATH } from './outbox-file.js';
export { readOutboxStatus } from './outbox-queue.js';
export type { OutboxStatus } from './outbox-queue.js';

export interface SentryOptions extends SentryClientOptions {
  /** The project's DSN (`https://<key>@<host>/<project>`); `SENTRY_DSN` when omitted. With neither, nothing is tracked. */
  dsn?: string;
  /** Like interactions.py's `filter`: gets each event and its hint, returns the event to send (changed or not) or `null`. */
  filter?: SentryFilter;
  /** Also send expected errors (failed checks, cooldowns, concurrency limits). Default `false`. */
  captureExpected?: boolean;
  /** A request to Sentry with no activity for this long is abandoned, so a hung server frees its slot. Default 5000. */
  requestTimeoutMs?: number;
  /** How long unloading (and so `bot.stop()`) waits for pending events to be delivered. Default 2000. */
  flushTimeoutMs?: number;
  /** Storm control: events per group (same fingerprint) per minute; later ones are counted, not sent. Default 20. */
  eventsPerGroupPerMinute?: number;
  /**
   * Storm control over all groups: events per minute, a tenth of them at once in a burst; past it occurrences are
   * held back and sent, with their counts, as the budget refills. Default 600.
   */
  eventsPerMinute?: number;
  /** Where storm control reads the time; the bot's `clock` by default. */
  clock?: Pick<Clock, 'now'>;
  /**
   * The durable outbox every envelope goes through (on by default): in the local store's file when `lantern/ext/local`
   * is loaded, else `.lantern/outbox.db`. `{ path, ...bounds }` to change it, `false` to send straight to Sentry.
   */
  outbox?: boolean | OutboxOptions;
  /** A "Report this" button under the friendly error answer; what the user writes goes to Sentry with the event. Default `false`. */
  feedback?: boolean | FeedbackOptions;
}

const DEFAULTS = { requestTimeoutMs: 5000, flushTimeoutMs: 2000, eventsPerGroupPerMinute: 20, eventsPerMinute: 600 };

/**
 * Captures every `Error` event of the bot with its interaction's tags, user and context, redacted, grouped the
 * Discord way and storm-controlled, and gives the user the event id as a reference. Unloading (or `bot.stop()`)
 * flushes and closes the client.
 */
export default defineExtension<SentryOptions>({
  name: 'sentry',
  async setup(bot, options = {}) {
    const {
      dsn: givenDsn = process.env.SENTRY_DSN,
      filter,
      captureExpected = false,
      requestTimeoutMs = DEFAULTS.requestTimeoutMs,
      flushTimeoutMs = DEFAULTS.flushTimeoutMs,
      eventsPerGroupPerMinute = DEFAULTS.eventsPerGroupPerMinute,
      eventsPerMinute = DEFAULTS.eventsPerMinute,
      clock = bot.clock,
      outbox: outboxOption = true,
      feedback: feedbackOption = false,
      ...sentry
    } = options;
    stormLimit('eventsPerGroupPerMinute', eventsPerGroupPerMinute);
    stormLimit('eventsPerMinute', eventsPerMinute);
    const outboxSettings = outboxOptions(outboxOption);
    const feedbackSettings = feedbackOptions(feedbackOption);
    assertSdkInstalled();
    if (!givenDsn?.trim()) {
      bot.log.warn('Sentry: no DSN (the `dsn` option or SENTRY_DSN), so errors are not sent to Sentry');
      return undefined;
    }
    const dsn = registerDsn(bot, givenDsn);
    const sdk = await importSdk();
    const delivery = deliveryParts(bot, sdk, {
      dsn,
      tunnel: sentry.tunnel,
      requestTimeoutMs,
      outbox: outboxSettings,
      feedback: feedbackSettings,
    });
    const { client, http } = createClient(sdk, {
      dsn,
      sentry,
      filter,
      requestTimeoutMs,
      redactor: bot.redactor,
      log: bot.log,
      wrapTransport: delivery.wrapTransport,
    });
    // The first bot's client also serves the app's own `Sentry.captureException` calls, as after Sentry.init; it is
    // registered before init, as Sentry.init does, so integrations set up against it.
    const processScope = sdk.getCurrentScope();
    const processWide = processScope.getClient() === undefined;
    if (processWide) processScope.setClient(client);
    client.init();
    client.startClientReportTracking();
    if (client.getOptions().enableOpenTelemetrySetup) sdk.initOpenTelemetry(client);

    const scopes = new InteractionScopes(sdk, client);
    const capture = new SentryCapture(bot, sdk, client, scopes, {
      captureExpected,
      eventsPerGroupPerMinute,
      eventsPerMinute,
      now: () => clock.now(),
    });
    const outbox = delivery.start(client);
    // Torn down in reverse: feedback and capture stop (capture hands over what it holds), then scopes and breadcrumbs,
    // then the client and its outbox.
    const teardown = setupSinks(bot, [
      closeClient(client, http, flushTimeoutMs, processWide ? processScope : undefined, outbox),
      scopes.sink,
      discordBreadcrumbs(scopes),
      capture.sink,
      ...delivery.feedback(client, capture),
    ]);
    const { environment, release } = client.getOptions();
    bot.log.info(
      `Sentry error tracking is on${environment ? ` (environment ${environment}${release ? `, release ${release}` : ''})` : ''}`,
    );
    return teardown;
  },
});

/** A storm limit lets at least one event a minute through; `Infinity` turns it off. */
function stormLimit(option: string, value: unknown): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 1)
    throw new SentryOptionsError(option, `must be a number of events, at least 1, or Infinity (got ${String(value)})`);
}

/** Checked before the DSN, so a deployment without the package fails at once, not the day a DSN is set. */
function assertSdkInstalled(): void {
  try {
    import.meta.resolve('@sentry/node');
  } catch (error) {
    throw new SentryMissingError({ cause: error });
  }
}

async function importSdk(): Promise<Sdk> {
  try {
    return await import('@sentry/node');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw new SentryMissingError({ cause: error });
    throw error;
  }
}

/**
 * Checks the DSN as the SDK will (a typo would silently send nothing) and registers it and its keys as secrets: the
 * public key alone is enough to send events to the project, so it is hidden on its own. Returns it trimmed, as the
 * SDK must be given it.
 */
function registerDsn(bot: Bot, raw: string): string {
  const { dsn, publicKey, secretKey } = checkDsn(raw);
  bot.addSecret(dsn, 'SENTRY DSN');
  for (const key of [publicKey, secretKey]) if (key.length >= 6) bot.addSecret(key, 'SENTRY KEY');
  return dsn;
}
