import type { Breadcrumb, NodeClient, Scope } from '@sentry/node';
import type { Sink } from '../../extensions/sink.js';
import type { InteractionContext } from '../../interactions/context.js';
import type { Sdk } from './client.js';

const DEFAULT_MAX_BREADCRUMBS = 100;

/** A breadcrumb of an interaction kept as the data to make it: most interactions never fail, and need none made. */
interface Deferred {
  readonly timestamp: number;
  readonly make: () => Breadcrumb;
}

/** What the scopes know of one interaction's isolation scope. */
interface Trail {
  readonly ctx: InteractionContext;
  readonly deferred: Deferred[];
}

/**
 * Each interaction's isolation scope (its breadcrumbs, and whatever its handler sets with `Sentry.setTag`), found
 * again from the event's context, so concurrent interactions never mix; what happens outside interactions (listeners,
 * sync, gateway) goes to the bot's background scope. The other sinks read and write scopes through this.
 *
 * The breadcrumbs Lantern itself makes for an interaction (its start, its REST calls) are deferred: kept as their
 * data, and made (through `beforeBreadcrumb`) into the scope of an event only when one is built.
 */
export class InteractionScopes {
  readonly #scopes = new WeakMap<InteractionContext, Scope>();
  readonly #trails = new WeakMap<Scope, Trail>();
  /** Breadcrumbs and capture scope for what happens outside any interaction. */
  readonly background: Scope;
  readonly #tracing: boolean;

  constructor(
    private readonly sdk: Sdk,
    private readonly client: NodeClient,
  ) {
    this.background = new sdk.Scope();
    const options = client.getOptions();
    this.#tracing = options.tracesSampleRate !== undefined || options.tracesSampler !== undefined;
  }

  /** The isolation scope of the interaction `ctx`, if it ran in one. */
  scopeOf(ctx: InteractionContext): Scope | undefined {
    return this.#scopes.get(ctx);
  }

  /** The interaction whose handling is running now, if any (an error reported without a context still belongs to it). */
  current(): InteractionContext | undefined {
    return this.#trails.get(this.sdk.getIsolationScope())?.ctx;
  }

  /** Adds a breadcrumb to the current interaction's scope, or the background one; the user's `beforeBreadcrumb` applies. */
  breadcrumb(breadcrumb: Breadcrumb): void {
    const kept = this.#filtered(breadcrumb);
    if (!kept) return;
    const isolation = this.sdk.getIsolationScope();
    const target = this.#trails.has(isolation) ? isolation : this.background;
    target.addBreadcrumb(kept, this.maxBreadcrumbs());
  }

  /**
   * A breadcrumb of the current interaction, made only if an event of it is built; outside interactions it is made
   * and added to the background scope at once.
   */
  deferredBreadcrumb(make: () => Breadcrumb): void {
    const trail = this.#trails.get(this.sdk.getIsolationScope());
    if (!trail) {
      this.breadcrumb(make());
      return;
    }
    const max = this.maxBreadcrumbs();
    if (max <= 0) return;
    if (trail.deferred.length >= max) trail.deferred.shift();
    trail.deferred.push({ timestamp: Date.now() / 1000, make });
  }

  /** The breadcrumb as the client's `beforeBreadcrumb` (Lantern's redaction, then the app's) leaves it, or `null`. */
  #filtered(breadcrumb: Breadcrumb): Breadcrumb | null {
    const { beforeBreadcrumb } = this.client.getOptions();
    return beforeBreadcrumb ? beforeBreadcrumb(breadcrumb) : breadcrumb;
  }

  maxBreadcrumbs(): number {
    return this.client.getOptions().maxBreadcrumbs ?? DEFAULT_MAX_BREADCRUMBS;
  }

  /**
   * A copy of `isolation` as it is now, for an event: with the interaction's deferred breadcrumbs made and put among
   * the others in time order, the newest `maxBreadcrumbs` kept.
   */
  snapshot(isolation: Scope): Scope {
    const copy = isolation.clone();
    const trail = this.#trails.get(isolation);
    if (!trail || trail.deferred.length === 0) return copy;
    const made: Breadcrumb[] = [];
    for (const { timestamp, make } of trail.deferred) {
      const kept = this.#filtered({ timestamp, ...make() });
      if (kept) made.push(kept);
    }
    const max = this.maxBreadcrumbs();
    const all = [...made, ...copy.getScopeData().breadcrumbs].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    copy.clearBreadcrumbs();
    for (const breadcrumb of all.slice(-max)) copy.addBreadcrumb(breadcrumb, max);
    return copy;
  }

  /** Runs an interaction's handling in its own isolation scope, where this bot's client is the current one. */
  readonly aroundInteraction = (ctx: InteractionContext, next: () => Promise<void>): Promise<void> => {
    const { sdk } = this;
    // From the app's own isolation scope (its `Sentry.setTag`s at start), without anybody else's breadcrumbs.
    const scope = sdk.getIsolationScope().clone();
    scope.clearBreadcrumbs();
    this.#scopes.set(ctx, scope);
    this.#trails.set(scope, { ctx, deferred: [] });
    return sdk.withIsolationScope(scope, () => {
      sdk.getCurrentScope().setClient(this.client);
      this.deferredBreadcrumb(() => ({
        category: 'interaction',
        message: `${ctx.source} (${ctx.kind}) from user ${ctx.user.id}`,
        data: { id: ctx.interaction.id, guild_id: ctx.guildId, channel_id: ctx.channelId },
      }));
      if (!this.#tracing) return next();
      return sdk.startNewTrace(() => sdk.startSpan({ name: ctx.source, op: 'discord.interaction' }, next));
    });
  };

  /** The sink: wraps every interaction, and routes Sentry's automatic breadcrumbs made outside one to the background. */
  readonly sink: Sink = {
    name: 'sentry interaction scopes',
    setup: (bot) => {
      const unwrap = bot.aroundInteraction(this.aroundInteraction);
      const offBreadcrumbs = this.client.on('beforeAddBreadcrumb', (breadcrumb) => {
        if (!this.#trails.has(this.sdk.getIsolationScope())) this.background.addBreadcrumb(breadcrumb, this.maxBreadcrumbs());
      });
      // Both are gone for whatever starts after teardown: an interaction takes its wrappers when it arrives.
      return () => {
        unwrap();
        offBreadcrumbs();
      };
    },
  };
}
