import type { Clock, ClockTimer } from '../util/clock.js';
import { bucketKey } from './bucket.js';
import type { BucketSubject, BucketType } from './bucket.js';
import { MaxConcurrencyReached } from './errors.js';
import type { GuardStore } from './store.js';
import { DiscordLimits } from '../util/limits.js';

/**
 * At most `limit` runs at once per `bucket`. When full, `refuse` (the default) fails at once; `wait` queues the run
 * (first come, first served) until a slot frees, for at most `timeoutMs` and never past the interaction's lifetime.
 */
export interface ConcurrencyOptions {
  bucket: BucketType;
  limit: number;
  mode?: 'refuse' | 'wait';
  /** With `wait`: give up after this long with `MaxConcurrencyReached` (`timedOut: true`). */
  timeoutMs?: number;
  /**
   * Where the running count is kept: this process's memory by default, or a store every process shares
   * (`redisStore`). With a store, `wait` asks it again and again (with backoff) instead of queueing in order.
   */
  store?: GuardStore;
}

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

/** A queued run: `turn` resolves when a slot passes to it, or rejects when it gives up. */
class Waiter {
  readonly turn: Promise<void>;
  granted = false;
  timer: ClockTimer | undefined;
  /** Leaves the queue refused, as when its wait runs out. */
  giveUp: () => void = () => undefined;
  #resolve: () => void = () => undefined;
  #reject: (error: Error) => void = () => undefined;

  constructor() {
    this.turn = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // It may give up while the run is still in `onWait`, before anyone awaits `turn`: not an unhandled rejection.
    this.turn.catch(() => undefined);
  }

  grant(): void {
    this.granted = true;
    this.#resolve();
  }

  fail(error: Error): void {
    this.#reject(error);
  }
}

interface Slots {
  active: number;
  readonly queue: Waiter[];
}

/**
 * Running counts per handler and bucket. An entry exists only while something runs or waits in it, so memory
 * follows the work in progress. A freed slot passes straight to the first waiter, so a newcomer never jumps the queue.
 */
export class ConcurrencyLimiter {
  readonly #slots = new Map<string, Slots>();
  readonly #clock: Clock;
  /** Set once the bot stops: a run reaching its slot later is refused instead of queueing. */
  #refusingWaits = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** How many (handler, bucket) entries have runs going or waiting. */
  get size(): number {
    return this.#slots.size;
  }

  /**
   * Takes a slot for `key` in the interaction's bucket, or throws `MaxConcurrencyReached`. With `wait` it queues;
   * `onWait` runs once the run is queued (the router acknowledges the interaction there, so Discord does not give up
   * on it after 3 s), and if it throws the run leaves the queue and the error propagates.
   */
  async acquire(
    key: string,
    options: ConcurrencyOptions,
    ctx: BucketSubject & { readonly receivedAt: number },
    onWait?: () => unknown,
  ): Promise<Release> {
    const id = `${key}\0${options.bucket}\0${bucketKey(options.bucket, ctx)}`;
    let slots = this.#slots.get(id);
    if (!slots) {
      slots = { active: 0, queue: [] };
      this.#slots.set(id, slots);
    }
    if (slots.active < options.limit && slots.queue.length === 0) {
      slots.active += 1;
      return this.#releaser(id, slots);
    }
    const full = (timedOut: boolean) => new MaxConcurrencyReached({ limit: options.limit, bucket: options.bucket, timedOut });
    if (options.mode !== 'wait') throw full(false);
    if (this.#refusingWaits) throw full(true);

    const lifetimeLeftMs = DiscordLimits.interactionLifetimeMs - (performance.now() - ctx.receivedAt);
    const waitMs = Math.min(options.timeoutMs ?? Infinity, lifetimeLeftMs);
    if (waitMs <= 0) throw full(true);
    const queue = slots.queue;
    const waiter = new Waiter();
    queue.push(waiter);
    const leaveQueue = () => {
      const at = queue.indexOf(waiter);
      if (at !== -1) queue.splice(at, 1);
      this.#dropIfIdle(id);
    };
    waiter.giveUp = () => {
      this.#cancelTimer(waiter);
      leaveQueue();
      waiter.fail(full(true));
    };
    waiter.timer = this.#clock.setTimeout(waiter.giveUp, waitMs);
    const release = this.#releaser(id, slots);
    try {
      await onWait?.();
    } catch (error) {
      if (waiter.granted) release();
      else {
        this.#cancelTimer(waiter);
        leaveQueue();
      }
      throw error;
    }
    await waiter.turn;
    return release;
  }

  /**
   * Refuses every queued run, as if its wait had run out (the bot is stopping), and every run that would queue from
   * now on: their users get the "busy" answer now instead of a wait that could outlast the process.
   */
  refuseWaiting(): void {
    this.#refusingWaits = true;
    for (const { queue } of [...this.#slots.values()]) for (const waiter of [...queue]) waiter.giveUp();
  }

  #releaser(id: string, slots: Slots): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slots.queue.shift();
      if (next) {
        this.#cancelTimer(next);
        next.grant();
        return;
      }
      slots.active -= 1;
      this.#dropIfIdle(id);
    };
  }

  #cancelTimer(waiter: Waiter): void {
    if (waiter.timer !== undefined) this.#clock.clearTimeout(waiter.timer);
    waiter.timer = undefined;
  }

  #dropIfIdle(id: string): void {
    const slots = this.#slots.get(id);
    if (slots && slots.active === 0 && slots.queue.length === 0) this.#slots.delete(id);
  }
}
