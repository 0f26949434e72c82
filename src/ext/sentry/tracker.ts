import { randomUUID } from 'node:crypto';
import type { Breadcrumb, NodeClient, Scope } from '@sentry/node';
import type { Client } from '../../client/client.js';
import type { ErrorEvent } from '../../events/types.js';
import type { InteractionContext } from '../../interactions/context.js';
import type { Log } from '../../log/log.js';
import { settlesWithin } from '../../util/settle.js';
import type { Sdk, SentryFilterHint } from './client.js';
import { describeEvent } from '../../tracking/event-data.js';
import { groupError, routeTemplate } from '../../tracking/grouping.js';
import type { Grouping } from '../../tracking/grouping.js';
import { StormControl } from '../../errors/storm.js';
import { redactedCopy } from '../../errors/redacted-error.js';
import type { TimedHttp } from './transport.js';

/** Sources whose errors nothing in the bot caught: Sentry marks them unhandled. */
const UNHANDLED_SOURCES = new Set(['unhandled rejection', 'uncaught exception']);
const DEFAULT_MAX_BREADCRUMBS = 100;
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

export interface TrackerSettings {
  readonly captureExpected: boolean;
  readonly eventsPerGroupPerMinute: number;
  readonly flushTimeoutMs: number;
  readonly now: () => number;
  readonly log: Log;
}

/**
 * Sends one bot's `Error` events to its Sentry client. Each interaction runs in an isolation scope of its own
 * (its breadcrumbs, and whatever its handler sets with `Sentry.setTag`), found again from the event's context,
 * so concurrent interactions never mix; failures outside interactions use the bot's background scope. Capture
 * is synchronous and never waits for delivery: the user's answer does not wait on Sentry.
 */
export class SentryTracker {
  readonly #interactionScopes = new WeakMap<InteractionContext, Scope>();
  readonly #interactionOf = new WeakMap<Scope, InteractionContext>();
  /** Breadcrumbs and capture scope for what happens outside any interaction (listeners, sync, gateway). */
  readonly #background: Scope;
  readonly #storm: StormControl<Occurrence>;
  readonly #tracing: boolean;
  /** Captures prepared on the error's path, sent one per turn of the event loop after it. */
  readonly #pending: (() => void)[] = [];
  #dropped = 0;
  #closed = false;

  constructor(
    private readonly bot: Client,
    private readonly sdk: Sdk,
    private readonly client: NodeClient,
    private readonly http: TimedHttp,
    private readonly settings: TrackerSettings,
  ) {
    this.#background = new sdk.Scope();
    this.#storm = new StormControl(settings.eventsPerGroupPerMinute, settings.now);
    const options = client.getOptions();
    this.#tracing = options.tracesSampleRate !== undefined || options.tracesSampler !== undefined;
    // Sentry's automatic breadcrumbs (console, HTTP) made outside an interaction go to the background scope.
    client.on('beforeAddBreadcrumb', (breadcrumb) => {
      if (!this.#interactionOf.has(sdk.getIsolationScope())) this.#background.addBreadcrumb(breadcrumb, this.#maxBreadcrumbs());
    });
  }

  /** Runs an interaction's handling in its own isolation scope, where this bot's client is the current one. */
  readonly aroundInteraction = (ctx: InteractionContext, next: () => Promise<void>): Promise<void> => {
    if (this.#closed) return next();
    const { sdk } = this;
    // From the app's own isolation scope (its `Sentry.setTag`s at start), without anybody else's breadcrumbs.
    const scope = sdk.getIsolationScope().clone();
    scope.clearBreadcrumbs();
    this.#interactionScopes.set(ctx, scope);
    this.#interactionOf.set(scope, ctx);
    return sdk.withIsolationScope(scope, () => {
      sdk.getCurrentScope().setClient(this.client);
      this.#breadcrumb({
        category: 'interaction',
        message: `${ctx.source} (${ctx.kind}) from user ${ctx.user.id}`,
        data: { id: ctx.interaction.id, guild_id: ctx.guildId, channel_id: ctx.channelId },
      });
      if (!this.#tracing) return next();
      return sdk.startNewTrace(() => sdk.startSpan({ name: ctx.source, op: 'discord.interaction' }, next));
    });
  };

  /**
   * The `Error` listener: filters, groups, storm-checks and prepares the capture; sets the event's reference.
   * Synchronous and cheap: what the scope holds is taken now, but the SDK builds, redacts and sends the event in a
   * later turn of the event loop, so the user's answer never waits for it.
   */
  readonly onError = (event: ErrorEvent): void => {
    if (this.#closed || (event.expected && !this.settings.captureExpected)) return;
    // An error reported without a context from inside an interaction's handling still belongs to that interaction.
    const ctx = event.ctx ?? (event.task ? undefined : this.#interactionOf.get(this.sdk.getIsolationScope()));
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

  /** Sends the oldest pending capture, then leaves the event loop to I/O (interactions) before the next. */
  readonly #sendNext = (): void => {
    this.#pending.shift()?.();
    if (this.#pending.length > 0) setImmediate(this.#sendNext);
    else this.#reportDropped();
  };

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

  /** A REST call discord.js made, as a breadcrumb: method, route template (no ids, no tokens), status. */
  readonly onRestResponse = (request: { method: string; path: string }, response: { status: number }): void => {
    this.#breadcrumb({
      type: 'http',
      category: 'discord.rest',
      data: { method: request.method.toUpperCase(), url: routeTemplate(request.path), status_code: response.status },
    });
  };

  readonly onRateLimited = (info: { method: string; route: string; timeToReset: number; global: boolean }): void => {
    this.#breadcrumb({
      category: 'discord.rest',
      level: 'warning',
      message:
        `rate limited${info.global ? ' (global)' : ''}: ${info.method.toUpperCase()} ` +
        `${routeTemplate(info.route)} for ${String(info.timeToReset)} ms`,
    });
  };

  /** A gateway event (a shard connecting, dropping, resuming) as a background breadcrumb. */
  gatewayBreadcrumb(message: string): void {
    this.#breadcrumb({ category: 'discord.gateway', message });
  }

  /**
   * Stops capturing, sends each storm group's held-back count with its latest occurrence, then closes the client,
   * waiting at most `flushTimeoutMs` for delivery. Requests still open after that are ended, so nothing of
   * Sentry's keeps the process alive. Resolves whether everything was delivered.
   */
  async close(): Promise<boolean> {
    this.#closed = true;
    for (const send of this.#pending.splice(0)) send();
    this.#reportDropped();
    for (const { occurrence, suppressedBefore } of this.#storm.drain()) this.#prepare(occurrence, suppressedBefore).send();
    let delivered = false;
    const closing = Promise.resolve(this.client.close(this.settings.flushTimeoutMs)).then(
      (allSent) => (delivered = allSent),
      () => undefined,
    );
    await settlesWithin(closing, this.settings.flushTimeoutMs);
    this.http.abortAll();
    return delivered;
  }

  /** Builds the capture's scope now (what was true when it failed); `send` hands it to the SDK under the id given. */
  #prepare({ event, ctx, grouping }: Occurrence, suppressedBefore: number): { eventId: string; send: () => void } {
    const { sdk } = this;
    const data = describeEvent(this.bot, event, ctx);
    const isolation = (ctx && this.#interactionScopes.get(ctx)) ?? this.#background;
    // Captured within its interaction (the usual case), the event builds on the interaction's current scope, which
    // holds its trace and span when tracing is on.
    const scope = isolation === sdk.getIsolationScope() ? sdk.getCurrentScope().clone() : new sdk.Scope();
    // What Sentry.init would have put on the process's scope, which this client does not own.
    scope.update(this.client.getOptions().initialScope);
    // Outside interactions the app's own isolation scope (its `Sentry.setTag`s and `setUser`) still applies.
    if (isolation === this.#background) scope.update(sdk.getIsolationScope());
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

  /** Adds a breadcrumb to the current interaction's scope, or the background one; the user's `beforeBreadcrumb` applies. */
  #breadcrumb(breadcrumb: Breadcrumb): void {
    const { beforeBreadcrumb } = this.client.getOptions();
    const kept = beforeBreadcrumb ? beforeBreadcrumb(breadcrumb) : breadcrumb;
    if (!kept) return;
    const isolation = this.sdk.getIsolationScope();
    const target = this.#interactionOf.has(isolation) ? isolation : this.#background;
    target.addBreadcrumb(kept, this.#maxBreadcrumbs());
  }

  #maxBreadcrumbs(): number {
    return this.client.getOptions().maxBreadcrumbs ?? DEFAULT_MAX_BREADCRUMBS;
  }
}
