/**
 * `lantern/ext/webhook`: the bot's errors in a Discord channel, through a webhook, without the damage posting each
 * error to a channel does.
 *
 * ```ts
 * await bot.loadExtension('lantern/ext/webhook', { url: process.env.ERRORS_WEBHOOK_URL });
 * ```
 */
import { defineExtension } from '../../extensions/extension.js';
import { setupSinks } from '../../extensions/sink.js';
import { issueButtons } from './buttons.js';
import { WebhookOptionsError } from './errors.js';
import { WebhookReporter } from './reporter.js';
import { MemoryReporterStore } from './store.js';
import type { ReporterStore } from './store.js';
import { parseWebhookTarget } from './target.js';

export { WebhookOptionsError, WebhookUrlError } from './errors.js';
export { MemoryReporterStore } from './store.js';
export type { IssueStatus, PendingMessage, PendingReport, ReporterStore, StatusChange } from './store.js';
export { issueIdOf } from './issues.js';

export interface WebhookOptions {
  /** The webhook's URL, as Discord's channel settings copy it. With neither it nor `id` and `token`, nothing is posted. */
  url?: string;
  /** The webhook's id and token, instead of `url`. */
  id?: string;
  token?: string;
  /** How long a digest window lasts: repeats are listed once per window. Default 5 minutes. */
  windowMs?: number;
  /** How long a new issue waits for others to share its post. Default 2000. */
  batchDelayMs?: number;
  /** At most this many requests a minute, evenly spaced (Discord allows about 30 a minute per channel). Default 5. */
  maxRequestsPerMinute?: number;
  /** Also report expected errors (failed checks, cooldowns, concurrency limits). Default `false`. */
  reportExpected?: boolean;
  /** "Resolve" and "Mute for 24 h" buttons, when the webhook belongs to the bot's application. Default `true`. */
  buttons?: boolean;
  /** How long unloading (and so `bot.stop()`) may take to post what is pending. Default 5000. */
  flushTimeoutMs?: number;
  /** The release shown on each new issue; `SENTRY_RELEASE` by default. */
  release?: string;
  /** Where issue statuses (and, if it can, messages unposted at stop) are kept; in memory by default. */
  store?: ReporterStore;
}

const DEFAULTS = { windowMs: 5 * 60_000, batchDelayMs: 2000, maxRequestsPerMinute: 5, flushTimeoutMs: 5000 };
/** Discord's limit for a channel's webhooks, about 30 messages a minute: the budget must stay under it. */
const DISCORD_WEBHOOK_PER_MINUTE = 30;
const KNOWN_OPTIONS = new Set<string>([
  'url',
  'id',
  'token',
  'windowMs',
  'batchDelayMs',
  'maxRequestsPerMinute',
  'reportExpected',
  'buttons',
  'flushTimeoutMs',
  'release',
  'store',
]);

/**
 * Posts each new issue (grouped as the trackers group) to the webhook within seconds, with its traceback, and a
 * digest of the repeats per window, within a small budget of requests; see the README's "Reporting to a Discord
 * channel". Load it after a tracker (Sentry) to show the tracker's reference on each post.
 */
export default defineExtension<WebhookOptions>({
  name: 'webhook',
  setup(bot, options = {}) {
    const unknown = Object.keys(options).filter((key) => !KNOWN_OPTIONS.has(key));
    if (unknown.length > 0)
      throw new WebhookOptionsError(unknown.join(', '), `is not an option (the options are ${[...KNOWN_OPTIONS].join(', ')})`);
    const {
      url,
      id,
      token,
      windowMs = DEFAULTS.windowMs,
      batchDelayMs = DEFAULTS.batchDelayMs,
      maxRequestsPerMinute = DEFAULTS.maxRequestsPerMinute,
      reportExpected = false,
      buttons = true,
      flushTimeoutMs = DEFAULTS.flushTimeoutMs,
      release = process.env.SENTRY_RELEASE,
      store = new MemoryReporterStore(),
    } = options;
    positive('windowMs', windowMs, 1000);
    positive('batchDelayMs', batchDelayMs, 0);
    positive('flushTimeoutMs', flushTimeoutMs, 1);
    positive('maxRequestsPerMinute', maxRequestsPerMinute, 1);
    if (maxRequestsPerMinute > DISCORD_WEBHOOK_PER_MINUTE)
      throw new WebhookOptionsError(
        'maxRequestsPerMinute',
        `${String(maxRequestsPerMinute)} is over Discord's ${String(DISCORD_WEBHOOK_PER_MINUTE)} a minute for a channel's webhooks`,
      );
    if (!url && id === undefined && token === undefined) {
      bot.log.warn('Error webhook: no webhook (the `url` option, or `id` and `token`), so errors are not posted to a channel');
      return undefined;
    }
    const target = parseWebhookTarget({ url: url || undefined, id, token });
    bot.addSecret(target.token, 'WEBHOOK TOKEN');
    const reporter = new WebhookReporter(bot, {
      target,
      windowMs,
      batchDelayMs,
      maxRequestsPerMinute,
      reportExpected,
      buttons,
      flushTimeoutMs,
      release,
      store,
    });
    const interactive = issueButtons(reporter.book, () => bot.clock.now());
    reporter.useButtons(interactive.customId);
    // Torn down in reverse: intake stops counting, delivery posts what is pending, then the buttons go.
    const teardown = setupSinks(bot, [interactive.sink, reporter.delivery, reporter.intake]);
    bot.log.info(
      `Errors are posted to a Discord webhook: new issues within seconds, repeats in a digest every ${String(windowMs / 60_000)} min`,
    );
    return teardown;
  },
});

/** Checks a numeric option: a finite number of at least `min`. */
function positive(option: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
    throw new WebhookOptionsError(option, `must be a number of at least ${String(min)}, got ${String(value)}`);
}
