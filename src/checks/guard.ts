import type { InteractionContext } from '../interactions/context.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import { DiscordLimits } from '../util/limits.js';
import { BUCKET_TYPES, bucketKey } from './bucket.js';
import type { BucketSubject, BucketType } from './bucket.js';
import { checks as builtinChecks, runCheck } from './check.js';
import type { Check } from './check.js';
import { ConcurrencyLimiter } from './concurrency.js';
import type { ConcurrencyOptions, Release } from './concurrency.js';
import { CooldownTracker } from './cooldown.js';
import type { CooldownOptions } from './cooldown.js';
import { CommandOnCooldown, GuardDefinitionError, MaxConcurrencyReached } from './errors.js';
import { StoreHealth, UNAVAILABLE } from './store.js';
import type { GuardReporter, GuardStore } from './store.js';

/** What a command, a component, an extension or the whole bot may put in front of its handlers. */
export interface GuardOptions {
  /** Run in order; the first refusal stops the rest. */
  checks?: readonly Check[];
  cooldown?: CooldownOptions;
  maxConcurrency?: ConcurrencyOptions;
}

/** One level's guards; `key` names whose cooldown and concurrency state this is (a command path, a component id). */
export interface GuardLayer extends GuardOptions {
  readonly key: string;
}

export interface GuardRunOptions {
  /**
   * Called when a run has to queue for a concurrency slot (mode `wait`); acknowledge the interaction here (defer)
   * or Discord gives up on it after 3 s. If it throws, the run leaves the queue and the error propagates.
   */
  onWait?: () => unknown;
}

/**
 * The checks, cooldowns and concurrency limits in front of every handler. One instance per bot: it holds the
 * cooldown and concurrency state for all handlers, keyed by each layer's `key`.
 */
export class Guards {
  readonly cooldowns: CooldownTracker;
  readonly concurrency: ConcurrencyLimiter;
  readonly #clock: Clock;
  readonly #stores: StoreHealth;
  /** Runs polling a store for a slot, woken to give up when the bot stops. */
  readonly #polling = new Set<() => void>();
  #stopped = false;

  /** `reporter` hears of a store that fails and comes back; without one, the guards fall back silently. */
  constructor(clock: Clock = systemClock, reporter?: GuardReporter) {
    this.cooldowns = new CooldownTracker(clock);
    this.concurrency = new ConcurrencyLimiter(clock);
    this.#clock = clock;
    this.#stores = new StoreHealth(reporter);
  }

  /** The bot is stopping: queued and polling runs are refused as busy, and failed stores are no longer probed. */
  stop(): void {
    this.#stopped = true;
    this.concurrency.refuseWaiting();
    for (const wake of [...this.#polling]) wake();
    this.#stores.stop();
  }

  /**
   * Runs `handler` behind the layers (global → extension → command): every check of every layer first, then the
   * cooldowns (so a refused check costs no use), then a concurrency slot per layer held until the handler settles.
   * Throws `CheckFailure`, `CommandOnCooldown` or `MaxConcurrencyReached` when refused (a concurrency refusal gives
   * the cooldown uses back: the user did not get to run); anything a check or the handler throws propagates as is.
   */
  async run(
    ctx: InteractionContext,
    layers: readonly GuardLayer[],
    handler: () => Promise<void>,
    options: GuardRunOptions = {},
  ): Promise<void> {
    for (const layer of layers) {
      for (const check of layer.checks ?? []) await runCheck(check, ctx);
    }
    // In memory, at once, as before stores existed; a store is awaited only by the layers that name one.
    let refund = this.cooldowns.take(ctx, layers);
    if (layers.some((layer) => layer.cooldown?.store)) refund = await this.#takeStored(ctx, layers, refund);
    const releases: Release[] = [];
    try {
      for (const { key, maxConcurrency } of layers) {
        if (!maxConcurrency) continue;
        releases.push(
          maxConcurrency.store
            ? await this.#acquireStored(key, maxConcurrency, maxConcurrency.store, ctx, options.onWait)
            : await this.concurrency.acquire(key, maxConcurrency, ctx, options.onWait),
        );
      }
    } catch (error) {
      releaseAll(releases);
      refund();
      throw error;
    }
    try {
      await handler();
    } finally {
      releaseAll(releases);
    }
  }

  /**
   * Takes the uses of the cooldowns kept in stores, all of one store's in one atomic call, after the memory ones
   * (`memoryRefund` gives those back). A refusal or failure on the way gives back everything taken before it. A
   * store that does not answer is counted for in memory, by this process alone.
   */
  async #takeStored(ctx: BucketSubject, layers: readonly GuardLayer[], memoryRefund: () => void): Promise<() => void> {
    type Stored = { key: string; cooldown: CooldownOptions };
    // Never empty: a store is listed with the first cooldown it keeps.
    const byStore = new Map<GuardStore, [Stored, ...Stored[]]>();
    for (const { key, cooldown } of layers) {
      if (cooldown?.store) byStore.set(cooldown.store, [...(byStore.get(cooldown.store) ?? []), { key, cooldown }]);
    }
    const refunds = [memoryRefund];
    const refundAll = () => {
      for (const refund of refunds.toReversed()) refund();
    };
    try {
      for (const [store, group] of byStore) {
        const uses = group.map(({ key, cooldown }) => ({
          key: storeKey(key, cooldown.bucket, ctx),
          uses: cooldown.uses,
          windowMs: cooldown.windowMs,
        }));
        const take = await this.#stores.attempt(store, () => store.takeCooldowns(uses));
        if (take === UNAVAILABLE) {
          refunds.push(this.cooldowns.take(ctx, group, true));
          continue;
        }
        if (!take.refused) {
          refunds.push(take.refund);
          continue;
        }
        // A store that names no cooldown of the group is wrong; the first one stands for the refusal then.
        const { bucket, uses: allowed, windowMs } = (group[take.index] ?? group[0]).cooldown;
        throw new CommandOnCooldown({ retryAfterMs: take.retryAfterMs, bucket, uses: allowed, windowMs });
      }
    } catch (error) {
      refundAll();
      throw error;
    }
    return refundAll;
  }

  /**
   * A slot from the store, or from memory while it does not answer. With `wait`, a full bucket is asked again after
   * 50 ms, then twice as long each time up to a second, until the wait runs out (`timeoutMs`, and never past the
   * interaction's lifetime); there is no queue across processes, so the order is not first come, first served.
   */
  async #acquireStored(
    key: string,
    options: ConcurrencyOptions,
    store: GuardStore,
    ctx: BucketSubject & { readonly receivedAt: number },
    onWait: (() => unknown) | undefined,
  ): Promise<Release> {
    const id = storeKey(key, options.bucket, ctx);
    const slot = await this.#stores.attempt(store, () => store.acquireSlot(id, options.limit));
    if (slot === UNAVAILABLE) return this.concurrency.acquire(key, options, ctx, onWait);
    // Guards.run gives each slot back exactly once.
    if (slot)
      return () => {
        slot.release();
      };
    const full = (timedOut: boolean) => new MaxConcurrencyReached({ limit: options.limit, bucket: options.bucket, timedOut });
    if (options.mode !== 'wait') throw full(false);
    const waitMs = Math.min(options.timeoutMs ?? Infinity, DiscordLimits.interactionLifetimeMs - (performance.now() - ctx.receivedAt));
    // Read afresh after each wait: the bot may have stopped meanwhile.
    const stopped = () => this.#stopped;
    if (stopped() || waitMs <= 0) throw full(true);
    // Measured on the guards' clock, as a wait in memory is: a FakeClock runs a stored wait out too.
    const deadline = this.#clock.now() + waitMs;
    await onWait?.();
    for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 1000)) {
      const leftMs = deadline - this.#clock.now();
      if (leftMs <= 0 || stopped()) throw full(true);
      await this.#sleep(Math.min(delayMs, leftMs));
      if (stopped()) throw full(true);
      const next = await this.#stores.attempt(store, () => store.acquireSlot(id, options.limit));
      if (next === UNAVAILABLE)
        return this.concurrency.acquire(key, { ...options, timeoutMs: Math.max(1, deadline - this.#clock.now()) }, ctx);
      if (next)
        return () => {
          next.release();
        };
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#clock.clearTimeout(timer);
        this.#polling.delete(wake);
        resolve();
      };
      const timer = this.#clock.setTimeout(wake, ms);
      this.#polling.add(wake);
    });
  }
}

/** A handler's bucket as every process names it: what a store keys its counts by. */
function storeKey(key: string, bucket: BucketType, ctx: BucketSubject): string {
  return `${key}:${bucket}:${bucketKey(bucket, ctx)}`;
}

function releaseAll(releases: readonly Release[]): void {
  for (const release of releases.toReversed()) release();
}

/**
 * Throws a `GuardDefinitionError` naming `where` (a command path, an extension) for options no run could use, so a
 * mistake shows when the bot starts rather than on a user's first run.
 */
export function validateGuards(options: GuardOptions, where: string): void {
  const fail = (problem: string): never => {
    throw new GuardDefinitionError(where, problem);
  };
  const { checks, cooldown, maxConcurrency } = options;
  if (checks !== undefined) {
    if (!Array.isArray(checks)) fail('checks must be an array of check functions');
    checks.forEach((check, i) => {
      if (typeof check !== 'function') fail(`checks[${i}] is not a function`);
      const factory = Object.entries(builtinChecks).find(([, make]) => make === check)?.[0];
      if (factory) fail(`checks[${i}] is checks.${factory} itself; call it: checks.${factory}(${PARAMETERLESS.has(factory) ? '' : '...'})`);
    });
  }
  if (cooldown !== undefined) {
    validateBucket(cooldown.bucket, 'cooldown', fail);
    if (!isWhole(cooldown.uses) || cooldown.uses < 1)
      fail(`cooldown.uses must be a whole number of at least 1 (got ${String(cooldown.uses)})`);
    if (!Number.isFinite(cooldown.windowMs) || cooldown.windowMs <= 0)
      fail(`cooldown.windowMs must be a positive number of milliseconds (got ${String(cooldown.windowMs)})`);
    validateStore(cooldown.store, 'cooldown', fail);
  }
  if (maxConcurrency !== undefined) {
    validateBucket(maxConcurrency.bucket, 'maxConcurrency', fail);
    if (!isWhole(maxConcurrency.limit) || maxConcurrency.limit < 1)
      fail(`maxConcurrency.limit must be a whole number of at least 1 (got ${String(maxConcurrency.limit)})`);
    // Read as unknown: definitions also come from plain JavaScript.
    const mode: unknown = maxConcurrency.mode ?? 'refuse';
    if (mode !== 'refuse' && mode !== 'wait') fail(`maxConcurrency.mode must be 'refuse' or 'wait' (got ${JSON.stringify(mode)})`);
    validateStore(maxConcurrency.store, 'maxConcurrency', fail);
    const { timeoutMs } = maxConcurrency;
    if (timeoutMs !== undefined) {
      if (mode !== 'wait') fail("maxConcurrency.timeoutMs only applies with mode 'wait'");
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
        fail(`maxConcurrency.timeoutMs must be a positive number of milliseconds (got ${String(timeoutMs)})`);
    }
  }
}

/** The built-in check factories that take nothing, for the hint in an error. */
const PARAMETERLESS: ReadonlySet<string> = new Set(['guildOnly', 'dmOnly', 'ownerOnly']);

function validateBucket(bucket: unknown, field: string, fail: (problem: string) => never): void {
  if (!(BUCKET_TYPES as readonly unknown[]).includes(bucket))
    fail(`${field}.bucket must be one of ${BUCKET_TYPES.map((b) => `'${b}'`).join(', ')} (got ${JSON.stringify(bucket)})`);
}

function validateStore(store: unknown, field: string, fail: (problem: string) => never): void {
  if (store === undefined) return;
  const { takeCooldowns, acquireSlot, ping, name } = (store ?? {}) as Partial<Record<keyof GuardStore, unknown>>;
  if (typeof takeCooldowns !== 'function' || typeof acquireSlot !== 'function' || typeof ping !== 'function' || typeof name !== 'string')
    fail(`${field}.store must be a guard store, such as redisStore(redis) from lantern/redis`);
}

function isWhole(value: unknown): value is number {
  return Number.isInteger(value);
}

/**
 * The layer for `options` under `key`, or `undefined` when they guard nothing: most handlers have no guards, and
 * skipping empty layers keeps their path free of guard work.
 */
export function guardLayer(key: string, options: GuardOptions | undefined): GuardLayer | undefined {
  if (!options || (options.checks === undefined && options.cooldown === undefined && options.maxConcurrency === undefined))
    return undefined;
  return { key, checks: options.checks, cooldown: options.cooldown, maxConcurrency: options.maxConcurrency };
}
