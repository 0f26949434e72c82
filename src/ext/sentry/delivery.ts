import { createHash, randomUUID } from 'node:crypto';
import type { NodeClient } from '@sentry/node';
import { summarizeError } from '../../errors/format.js';
import type { ErrorEvent } from '../../events/types.js';
import type { Sink } from '../../extensions/sink.js';
import type { Bot } from '../../interactions/bot.js';
import { localStoreOf } from '../local/shared.js';
import type { Sdk } from './client.js';
import type { Envelope } from './envelope-bytes.js';
import { SentryOutboxOptionsError } from './errors.js';
import { feedbackSink } from './feedback.js';
import type { ReferenceBook, UserReport } from './feedback.js';
import { Outbox } from './outbox.js';
import type { SendResponse } from './outbox.js';
import { OutboxFile } from './outbox-file.js';
import { MemoryOutboxQueue } from './outbox-queue.js';
import type { OutboxLimits } from './outbox-queue.js';
import { outboxTransport } from './outbox-transport.js';

const HOUR = 3_600_000;

/** The outbox's place and bounds. The defaults suit a small VPS: a day-long outage of a busy bot fits in 50 MiB. */
export interface OutboxOptions {
  /** The SQLite file; default the local store's file when `lantern/ext/local` is loaded, else `.lantern/outbox.db`. */
  path?: string;
  /** Envelopes kept at most (every process sharing the file together); past it the oldest go first. Default 10000. */
  maxEnvelopes?: number;
  /** Bytes of envelopes kept at most; past it the oldest go first. Default 50 MiB. */
  maxBytes?: number;
  /** Envelopes older than this many hours are dropped undelivered. Default 72. */
  maxAgeHours?: number;
  /** Requests to Sentry at a time while it answers. Default 8. */
  concurrency?: number;
  /** The longest pause between attempts while Sentry is down (it grows from 1 s, doubling). Default 60000. */
  maxRetryDelayMs?: number;
  /** How often the log says delivery is still failing. Default 300000 (5 minutes), on the bot's clock. */
  summaryIntervalMs?: number;
}

export interface FeedbackOptions {
  /** How many hours after the error its user may still report on it. Default 24. */
  maxAgeHours?: number;
}

type OutboxSettings = Required<Omit<OutboxOptions, 'path'>> & Pick<OutboxOptions, 'path'>;
type FeedbackSettings = Required<FeedbackOptions>;

const OUTBOX_DEFAULTS: Required<Omit<OutboxOptions, 'path'>> = {
  maxEnvelopes: 10_000,
  maxBytes: 50 * 1024 * 1024,
  maxAgeHours: 72,
  concurrency: 8,
  maxRetryDelayMs: 60_000,
  summaryIntervalMs: 300_000,
};
const FEEDBACK_DEFAULTS: FeedbackSettings = { maxAgeHours: 24 };
/** What a lease lasts beyond the longest attempt: room for the settlement to be written. */
const LEASE_MARGIN_MS = 2000;
/** The first pause after a failure, doubling per failed attempt up to `maxRetryDelayMs`. */
const RETRY_INITIAL_MS = 1000;

/** The `outbox` option checked and completed; `undefined` when it is off. */
export function outboxOptions(option: boolean | OutboxOptions): OutboxSettings | undefined {
  if (option === false) return undefined;
  const given: unknown = option === true ? {} : option;
  if (typeof given !== 'object' || given === null) throw new SentryOutboxOptionsError('outbox', 'must be true, false or an object');
  const settings = { ...OUTBOX_DEFAULTS, ...definedOnly(given as OutboxOptions) };
  if (settings.path !== undefined && (typeof settings.path !== 'string' || settings.path === ''))
    throw new SentryOutboxOptionsError('outbox.path', 'must be a file path');
  for (const name of ['maxEnvelopes', 'maxBytes', 'concurrency', 'maxRetryDelayMs', 'summaryIntervalMs'] as const)
    if (!Number.isInteger(settings[name]) || settings[name] < 1)
      throw new SentryOutboxOptionsError(`outbox.${name}`, `must be a whole number, at least 1 (got ${String(settings[name])})`);
  positive('outbox.maxAgeHours', settings.maxAgeHours);
  return settings;
}

/** The `feedback` option checked and completed; `undefined` when it is off. */
export function feedbackOptions(option: boolean | FeedbackOptions): FeedbackSettings | undefined {
  if (option === false) return undefined;
  const given: unknown = option === true ? {} : option;
  if (typeof given !== 'object' || given === null) throw new SentryOutboxOptionsError('feedback', 'must be true, false or an object');
  const settings = { ...FEEDBACK_DEFAULTS, ...definedOnly(given as FeedbackOptions) };
  positive('feedback.maxAgeHours', settings.maxAgeHours);
  return settings;
}

export interface DeliverySettings {
  readonly dsn: string;
  readonly tunnel: string | undefined;
  readonly requestTimeoutMs: number;
  readonly outbox: OutboxSettings | undefined;
  readonly feedback: FeedbackSettings | undefined;
}

/**
 * The outbox and feedback, put together for one bot's client: `wrapTransport` for the client's options, `start` once
 * the client is initialised (the file is chosen and delivery begins; what closing needs is returned), `feedback` for
 * the feedback sink. With `outbox: false` the client sends as the SDK does, and references live in memory.
 */
export function deliveryParts(bot: Bot, sdk: Sdk, settings: DeliverySettings) {
  const { outbox: options, feedback } = settings;
  const limits: OutboxLimits = {
    maxEnvelopes: options?.maxEnvelopes ?? OUTBOX_DEFAULTS.maxEnvelopes,
    maxBytes: options?.maxBytes ?? OUTBOX_DEFAULTS.maxBytes,
    maxAgeMs: (options?.maxAgeHours ?? OUTBOX_DEFAULTS.maxAgeHours) * HOUR,
    // References are remembered as long as feedback is taken on them.
    referenceMaxAgeMs: (feedback ?? FEEDBACK_DEFAULTS).maxAgeHours * HOUR,
  };
  let client: NodeClient | undefined;
  let send: ((envelope: Envelope) => PromiseLike<SendResponse>) | undefined;
  const outbox =
    options &&
    new Outbox({
      target: createHash('sha256')
        .update(`${settings.dsn}\n${settings.tunnel ?? ''}`)
        .digest('hex')
        .slice(0, 16),
      owner: randomUUID(),
      concurrency: options.concurrency,
      // Longer than any attempt lasts (the outbox gives one up after twice the request timeout), so a lease only
      // passes to another process when its owner is gone; short, so a restart after a crash soon sends it again.
      leaseMs: settings.requestTimeoutMs * 2 + LEASE_MARGIN_MS,
      attemptTimeoutMs: settings.requestTimeoutMs * 2,
      retryInitialMs: Math.min(RETRY_INITIAL_MS, options.maxRetryDelayMs),
      retryMaxMs: options.maxRetryDelayMs,
      summaryIntervalMs: options.summaryIntervalMs,
      limits,
      log: bot.log,
      redactor: bot.redactor,
      clock: bot.clock,
      send: (envelope) => {
        if (!send) throw new Error('the Sentry client has no transport yet');
        return send(envelope);
      },
      dropped: (category) => {
        client?.recordDroppedEvent('queue_overflow', category as Parameters<NodeClient['recordDroppedEvent']>[1]);
      },
    });
  const file = outbox && new OutboxFile(bot, outbox, options.path, limits);

  return {
    wrapTransport:
      outbox &&
      ((inner: Parameters<typeof outboxTransport>[1]) =>
        outboxTransport(sdk, inner, outbox, (innerSend) => {
          send = innerSend;
        })),

    start(initialised: NodeClient): OutboxFile | undefined {
      client = initialised;
      file?.start();
      return file;
    },

    /** The feedback sink, when `feedback` is on. */
    feedback(initialised: NodeClient, capture: { ownsReference(event: ErrorEvent): boolean }): Sink[] {
      if (!feedback) return [];
      return [
        feedbackSink({
          references: outbox ?? memoryReferences(limits),
          maxAgeMs: limits.referenceMaxAgeMs,
          ownsReference: (event) => capture.ownsReference(event),
          send: (report) => {
            sendReport(bot, sdk, initialised, report);
          },
        }),
      ];
    },
  };
}

/**
 * A user's report goes to Sentry twice, linked to the event: as feedback (`captureFeedback`), and as the older
 * `user_report` item, which is what Sentry's issue page shows today; both through the client, so they are redacted
 * and go through the outbox. With `lantern/ext/local` loaded it is also kept beside the issue in the local store.
 */
function sendReport(bot: Bot, sdk: Sdk, client: NodeClient, report: UserReport): void {
  const scope = new sdk.Scope();
  scope.setClient(client);
  sdk.captureFeedback({ message: report.message, name: report.name, associatedEventId: report.eventId }, {}, scope);
  const userReport = { event_id: report.eventId, name: report.name, email: '', comments: report.message };
  const envelope = [{ event_id: report.eventId, sent_at: new Date().toISOString() }, [[{ type: 'user_report' }, userReport]]];
  void client.sendEnvelope(envelope as unknown as Envelope);
  const store = localStoreOf(bot);
  if (!store) return;
  try {
    store.addFeedback({ eventId: report.eventId, message: report.message, user: { id: report.userId, username: report.name } });
  } catch (error) {
    bot.log.warn(`Sentry feedback: the local store could not keep a report (${summarizeError(error, bot.redactor)})`);
  }
}

/** Who got which reference, when there is no outbox to keep it in: forgotten at restart. */
function memoryReferences(limits: OutboxLimits): ReferenceBook {
  const queue = new MemoryOutboxQueue(limits);
  return {
    remember(eventId, userId) {
      const now = Date.now();
      queue.write(
        { target: '', owner: '', envelopes: [], references: [{ eventId, userId, createdAt: now }], settlements: [], state: undefined },
        now,
      );
    },
    reference: (eventId) => queue.reference(eventId),
    markReported: (eventId, userId, notBefore) => queue.markReported(eventId, userId, notBefore, Date.now()),
  };
}

function positive(option: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new SentryOutboxOptionsError(option, `must be a number above 0 (got ${String(value)})`);
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
