import { randomUUID } from 'node:crypto';
import type { NodeClient } from '@sentry/node';
import { redactedCopy } from '../../errors/redacted-error.js';
import { StormControl } from '../../errors/storm.js';
import type { ErrorEvent } from '../../events/types.js';
import type { Sink } from '../../extensions/sink.js';
import type { Bot } from '../../interactions/bot.js';
import type { InteractionContext } from '../../interactions/context.js';
import type { Log } from '../../log/log.js';
import { describeEvent } from '../../tracking/event-data.js';
import { groupError } from '../../errors/grouping.js';
import type { Grouping } from '../../errors/grouping.js';
import type { Sdk, SentryFilterHint } from './client.js';
import type { InteractionScopes } from './scopes.js';

/** Sources whose errors nothing in the bot caught: Sentry marks them unhandled. */
const UNHANDLED_SOURCES = new Set(['unhandled rejection', 'uncaught exception']);
/**
 * Captures waiting to be built and sent. Past this many, new ones are dropped and counted: a storm of distinct
 * errors faster than the bot can build events must slow neither the users' answers nor grow memory.
 */
const MAX_PENDING_CAPTURES = 100;

/** One failure held back by storm control, with what is needed to send it later. */
interface Occurrence {
  readonly event: ErrorEvent;
  readonly ctx: InteractionContext | undefined;
  readonly grouping: Grouping;
}

export interface CaptureSettings {
  readonly captureExpected: boolean;
  readonly eventsPerGroupPerMinute: number;
  readonly now: () => number;
  readonly log: Log;
}

/**
 * The `Error` listener that sends events to Sentry: filters, groups the Discord way, storm-checks and prepares the
 * capture, and sets the event's reference. Capture is synchronous and cheap; the SDK builds, redacts and sends the
 * event in a later turn of the event loop, so the user's answer never waits for it.
 */
export class SentryCapture {
  readonly #storm: StormControl<Occurrence>;
  /** Captures prepared on the error's path, sent one per turn of the event loop after it. */
  readonly #pending: (() => void)[] = [];
  #dropped = 0;
  #closed = false;

  constructor(
    private readonly bot: Bot,
    private readonly sdk: Sdk,
    private readonly client: NodeClient,
    private readonly scopes: InteractionScopes,
    private readonly settings: CaptureSettings,
  ) {
    this.#storm = new StormControl(settings.eventsPerGroupPerMinute, settings.now);
  }

  readonly onError = (event: ErrorEvent): void => {
    if (this.#closed || (event.expected && !this.settings.captureExpected)) return;
    const ctx = event.ctx ?? (event.task ? undefined : this.scopes.current());
    const grouping = groupError(event.source, event.error);
    const admission = this.#storm.admit(grouping.key, { event, ctx, grouping });
    if (!admission.send) {
      // The group's last event stands for this one: same issue, and an id Sentry has.
      event.reference ??= admission.lastEventId;
      return;
    }
    if (this.#pending.length >= MAX_PENDING_CAPTURES) {
      this.#drop();
      return;
    }
    const capture = this.#prepare({ event, ctx, grouping }, admission.suppressedBefore);
    this.#storm.sent(grouping.key, capture.eventId);
    event.reference ??= capture.eventId;
    this.#pending.push(capture.send);
    if (this.#pending.length === 1) setImmediate(this.#sendNext);
  };

  /** The sink: listens to `Error`; its teardown sends what is pending and each storm group's held-back count. */
  readonly sink: Sink = {
    name: 'sentry capture',
    setup: (bot) => {
      const unlisten = bot.listen('Error', this.onError);
      return () => {
        unlisten();
        this.#flush();
      };
    },
  };

  /** Sends the oldest pending capture, then leaves the event loop to I/O (interactions) before the next. */
  readonly #sendNext = (): void => {
    this.#pending.shift()?.();
    if (this.#pending.length > 0) setImmediate(this.#sendNext);
    else this.#reportDropped();
  };

  #flush(): void {
    this.#closed = true;
    for (const send of this.#pending.splice(0)) send();
    this.#reportDropped();
    for (const { occurrence, suppressedBefore } of this.#storm.drain()) this.#prepare(occurrence, suppressedBefore).send();
  }

  #drop(): void {
    this.#dropped++;
    this.client.recordDroppedEvent('queue_overflow', 'error');
  }

  #reportDropped(): void {
    if (this.#dropped === 0) return;
    this.settings.log.warn(
      `Sentry: ${String(this.#dropped)} error${this.#dropped === 1 ? ' was' : 's were'} not sent: ` +
        `they came faster than events could be built (at most ${String(MAX_PENDING_CAPTURES)} wait)`,
    );
    this.#dropped = 0;
  }

  /** Builds the capture's scope now (what was true when it failed); `send` hands it to the SDK under the id given. */
  #prepare({ event, ctx, grouping }: Occurrence, suppressedBefore: number): { eventId: string; send: () => void } {
    const { sdk } = this;
    const data = describeEvent(this.bot, event, ctx);
    const isolation = (ctx && this.scopes.scopeOf(ctx)) ?? this.scopes.background;
    // Captured within its interaction (the usual case), the event builds on the interaction's current scope, which
    // holds its trace and span when tracing is on.
    const scope = isolation === sdk.getIsolationScope() ? sdk.getCurrentScope().clone() : new sdk.Scope();
    // What Sentry.init would have put on the process's scope, which this client does not own.
    scope.update(this.client.getOptions().initialScope);
    // Outside interactions the app's own isolation scope (its `Sentry.setTag`s and `setUser`) still applies.
    if (isolation === this.scopes.background) scope.update(sdk.getIsolationScope());
    scope.setTags({ ...data.tags, ...grouping.tags });
    if (data.user) scope.setUser(data.user);
    for (const [name, context] of Object.entries(data.contexts)) scope.setContext(name, context);
    if (grouping.discord) scope.setContext('discord', grouping.discord);
    if (grouping.fingerprint) scope.setFingerprint(grouping.fingerprint);
    if (suppressedBefore > 0)
      scope.setContext('storm', { suppressed_before: suppressedBefore, limit_per_minute: this.settings.eventsPerGroupPerMinute });
    // Sentry's own format: 32 hex digits, which the SDK keeps when the hint carries it.
    const eventId = randomUUID().replaceAll('-', '');
    // The SDK cuts the message (`maxValueLength`) before any hook of ours runs, and a secret cut in two could no
    // longer be found: it gets a copy redacted beforehand. `hint.lantern.error` is still the original.
    const error = redactedCopy(event.error, this.bot.redactor);
    const hint: SentryFilterHint = {
      event_id: eventId,
      originalException: error,
      mechanism: { type: 'lantern', handled: !UNHANDLED_SOURCES.has(event.source) },
      lantern: event,
    };
    // The interaction goes on (its answer adds breadcrumbs) before the event is built from this copy.
    const isolationNow = isolation.clone();
    return {
      eventId,
      send: () => {
        sdk.withIsolationScope(isolationNow, () => this.client.captureException(error, hint, scope));
      },
    };
  }
}
