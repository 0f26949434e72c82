import type { InteractionContext } from '../interactions/context.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import { BUCKET_TYPES } from './bucket.js';
import { checks as builtinChecks, runCheck } from './check.js';
import type { Check } from './check.js';
import { ConcurrencyLimiter } from './concurrency.js';
import type { ConcurrencyOptions, Release } from './concurrency.js';
import { CooldownTracker } from './cooldown.js';
import type { CooldownOptions } from './cooldown.js';
import { GuardDefinitionError } from './errors.js';

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

  constructor(clock: Clock = systemClock) {
    this.cooldowns = new CooldownTracker(clock);
    this.concurrency = new ConcurrencyLimiter(clock);
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
    const refund = this.cooldowns.take(ctx, layers);
    const releases: Release[] = [];
    try {
      for (const { key, maxConcurrency } of layers) {
        if (maxConcurrency) releases.push(await this.concurrency.acquire(key, maxConcurrency, ctx, options.onWait));
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
  }
  if (maxConcurrency !== undefined) {
    validateBucket(maxConcurrency.bucket, 'maxConcurrency', fail);
    if (!isWhole(maxConcurrency.limit) || maxConcurrency.limit < 1)
      fail(`maxConcurrency.limit must be a whole number of at least 1 (got ${String(maxConcurrency.limit)})`);
    // Read as unknown: definitions also come from plain JavaScript.
    const mode: unknown = maxConcurrency.mode ?? 'refuse';
    if (mode !== 'refuse' && mode !== 'wait') fail(`maxConcurrency.mode must be 'refuse' or 'wait' (got ${JSON.stringify(mode)})`);
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
