import { randomUUID } from 'node:crypto';
import type { NodeClient, Scope } from '@sentry/node';
import { redactedCopy } from '../../errors/redacted-error.js';
import { StormControl } from '../../errors/storm.js';
import type { ErrorEvent } from '../../events/types.js';
import type { Sink } from '../../extensions/sink.js';
import type { Bot } from '../../interactions/bot.js';
import type { InteractionContext } from '../../interactions/context.js';
import { describeEvent } from '../../tracking/event-data.js';
import { groupError } from '../../errors/grouping.js';
import type { Grouping } from '../../errors/grouping.js';
import type { Sdk, SentryFilterHint } from './client.js';
import type { InteractionScopes } from './scopes.js';

/** Sources whose errors nothing in the bot caught: Sentry marks them unhandled. */
const UNHANDLED_SOURCES = new Set(['unhandled rejection', 'uncaught exception']);
/**
 * How long one turn of the event loop hands prepared captures to the SDK before it leaves the loop to I/O
 * (interactions, the outbox's writes): a burst of distinct errors is built in slices, never dropped.
 */
const SLICE_MS = 4;
/**
 * Captures waiting past this many are handed to the SDK on the error's own path instead: a storm of distinct errors
 * faster than events can be built slows the failing interactions down rather than growing memory or losing events.
 */
const MAX_PENDING_CAPTURES = 100;
/** How often held-back occurrences are looked at, to send those the budget and their group's window allow again. */
const RELEASE_INTERVAL_MS = 1000;
/** Event ids promised to users of groups that have no event yet; as many as storm control remembers groups. */
const MAX_RESERVED_IDS = 1000;

/** One failure held back by storm control, with what is needed to send it later. */
interface Occurrence {
  readonly event: ErrorEvent;
  readonly ctx: InteractionContext | undefined;
  readonly grouping: Grouping;
  /** The isolation scope current when it failed: outside interactions, the app's own. */
  readonly reportedIn: Scope;
}

export interface CaptureSettings {
  readonly captureExpected: boolean;
  readonly eventsPerGroupPerMinute: number;
  readonly eventsPerMinute: number;
  readonly now: () => number;
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
  /** The events whose reference is the id of their own Sentry event (not a storm repeat's group id). */
  readonly #captured = new WeakSet<ErrorEvent>();
  /**
   * The id of the event each group will have, handed to the users of occurrences held back by the overall budget
   * before the group had any event: its held-back occurrence is later sent under that id.
   */
  readonly #reserved = new Map<string, string>();
  #nextReleaseAt = 0;
  #closed = false;

  constructor(
    private readonly bot: Bot,
    private readonly sdk: Sdk,
    private readonly client: NodeClient,
    private readonly scopes: InteractionScopes,
    private readonly settings: CaptureSettings,
  ) {
    this.#storm = new StormControl(settings.eventsPerGroupPerMinute, settings.now, settings.eventsPerMinute);
  }

  readonly onError = (event: ErrorEvent): void => {
    if (this.#closed || (event.expected && !this.settings.captureExpected)) return;
    const ctx = event.ctx ?? (event.task ? undefined : this.scopes.current());
    const grouping = groupError(event.source, event.error);
    const occurrence = { event, ctx, grouping, reportedIn: this.sdk.getIsolationScope() };
    const admission = this.#storm.admit(grouping.key, occurrence);
    if (!admission.send) {
      // The group's last event stands for this one (same issue, an id Sentry has), or the one it will have.
      event.reference ??= admission.lastEventId ?? this.#reserve(grouping.key);
      this.#releaseWhenDue();
      return;
    }
    const eventId = this.#enqueue(occurrence, admission.suppressedBefore);
    if (event.reference === undefined) {
      event.reference = eventId;
      this.#captured.add(event);
    }
    this.#releaseWhenDue();
  };

  /** Whether the event's reference names the Sentry event made from it (so its user may report on it). */
  ownsReference(event: ErrorEvent): boolean {
    return this.#captured.has(event);
  }

  /** The sink: listens to `Error`; its teardown sends what is pending and each storm group's held-back count. */
  readonly sink: Sink = {
    name: 'sentry capture',
    setup: (bot) => {
      const unlisten = bot.listen('Error', this.onError);
      const releasing = setInterval(this.#release, RELEASE_INTERVAL_MS).unref();
      return () => {
        unlisten();
        clearInterval(releasing);
        this.#flush();
      };
    },
  };

  /** Prepares the capture, records its id with storm control and queues it; returns the event's id. */
  #enqueue(occurrence: Occurrence, suppressedBefore: number): string {
    const capture = this.#prepare(occurrence, suppressedBefore);
    this.#storm.sent(occurrence.grouping.key, capture.eventId);
    this.#pending.push(capture.send);
    if (this.#pending.length === 1) setImmediate(this.#sendNext);
    else if (this.#pending.length > MAX_PENDING_CAPTURES) this.#pending.shift()?.();
    return capture.eventId;
  }

  #reserve(key: string): string {
    let eventId = this.#reserved.get(key);
    if (eventId === undefined) {
      if (this.#reserved.size >= MAX_RESERVED_IDS) this.#reserved.delete(this.#reserved.keys().next().value as string);
      eventId = newEventId();
      this.#reserved.set(key, eventId);
    }
    return eventId;
  }

  /** On the error's path too, on the storm's clock (a fake one in tests): held-back groups go on once allowed. */
  #releaseWhenDue(): void {
    const now = this.settings.now();
    if (now < this.#nextReleaseAt) return;
    this.#nextReleaseAt = now + RELEASE_INTERVAL_MS;
    this.#release();
  }

  // Never runs after teardown: its timer is cleared first, and its other caller, `onError`, checks for it.
  readonly #release = (): void => {
    for (const { occurrence, suppressedBefore } of this.#storm.release()) this.#enqueue(occurrence, suppressedBefore);
  };

  /** Sends the oldest pending captures for a slice of time, then leaves the event loop to I/O before the next slice. */
  readonly #sendNext = (): void => {
    const end = performance.now() + SLICE_MS;
    do this.#pending.shift()?.();
    while (this.#pending.length > 0 && performance.now() < end);
    if (this.#pending.length > 0) setImmediate(this.#sendNext);
  };

  #flush(): void {
    this.#closed = true;
    for (const send of this.#pending.splice(0)) send();
    for (const { occurrence, suppressedBefore } of this.#storm.drain()) this.#prepare(occurrence, suppressedBefore).send();
    this.#reserved.clear();
  }

  /** Builds the capture's scope now (what was true when it failed); `send` hands it to the SDK under the id given. */
  #prepare({ event, ctx, grouping, reportedIn }: Occurrence, suppressedBefore: number): { eventId: string; send: () => void } {
    const { sdk } = this;
    const data = describeEvent(this.bot, event, ctx);
    const isolation = (ctx && this.scopes.scopeOf(ctx)) ?? this.scopes.background;
    // Captured within its interaction (the usual case), the event builds on the interaction's current scope, which
    // holds its trace and span when tracing is on.
    const scope = isolation === sdk.getIsolationScope() ? sdk.getCurrentScope().clone() : new sdk.Scope();
    // What Sentry.init would have put on the process's scope, which this client does not own.
    scope.update(this.client.getOptions().initialScope);
    // Outside interactions the app's own isolation scope (its `Sentry.setTag`s and `setUser`) still applies: the one
    // it failed in, not that of an interaction whose error sends it later, once storm control lets it go.
    if (isolation === this.scopes.background) scope.update(reportedIn);
    scope.setTags({ ...data.tags, ...grouping.tags });
    if (data.user) scope.setUser(data.user);
    for (const [name, context] of Object.entries(data.contexts)) scope.setContext(name, context);
    if (grouping.discord) scope.setContext('discord', grouping.discord);
    if (grouping.fingerprint) scope.setFingerprint(grouping.fingerprint);
    if (suppressedBefore > 0)
      scope.setContext('storm', { suppressed_before: suppressedBefore, limit_per_minute: this.settings.eventsPerGroupPerMinute });
    const eventId = this.#reserved.get(grouping.key) ?? newEventId();
    this.#reserved.delete(grouping.key);
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
    const isolationNow = this.scopes.snapshot(isolation);
    return {
      eventId,
      send: () => {
        sdk.withIsolationScope(isolationNow, () => this.client.captureException(error, hint, scope));
      },
    };
  }
}

/** Sentry's own format: 32 hex digits, which the SDK keeps when the hint carries it. */
function newEventId(): string {
  return randomUUID().replaceAll('-', '');
}
