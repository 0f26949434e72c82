import type { Clock } from '../util/clock.js';
import { bucketKey } from './bucket.js';
import type { BucketSubject, BucketType } from './bucket.js';
import { CommandOnCooldown } from './errors.js';
import type { GuardStore } from './store.js';

/** At most `uses` runs in any `windowMs` milliseconds, counted per `bucket`. */
export interface CooldownOptions {
  bucket: BucketType;
  uses: number;
  windowMs: number;
  /** Where the uses are counted: this process's memory by default, or a store every process shares (`redisStore`). */
  store?: GuardStore;
}

/** A cooldown and the handler (command, component) whose state it is. */
export interface CooldownLayer {
  readonly key: string;
  readonly cooldown?: CooldownOptions | undefined;
}

interface UseLog {
  /** When each use in the window happened, oldest first; never more than `uses` of them. */
  readonly stamps: number[];
  windowMs: number;
}

/** Expired logs are swept at least this often while uses keep coming. */
const SWEEP_INTERVAL_MS = 60_000;
/** ... and whenever the map has doubled since the last sweep, so a burst of new keys cannot outgrow it. */
const MIN_SWEEP_SIZE = 1024;

/**
 * Cooldown state for every handler and bucket. A sliding window: a use is refused while `uses` uses happened in the
 * last `windowMs`, and allowed again when the oldest of them leaves the window. Unlike a fixed window, it never lets
 * 2 × `uses` through around a window boundary, and `retryAfterMs` is exact; it keeps at most `uses` timestamps a key.
 *
 * Memory stays bounded without a timer per key (or any timer): a key's log is pruned when it is read, and the whole
 * map is swept of expired logs on use, at most every minute or when it has doubled. Nothing keeps the process alive.
 */
export class CooldownTracker {
  readonly #logs = new Map<string, UseLog>();
  readonly #clock: Clock;
  #nextSweepAt: number;
  #sweepAtSize = MIN_SWEEP_SIZE;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#nextSweepAt = clock.now() + SWEEP_INTERVAL_MS;
  }

  /** How many (handler, bucket) logs are kept. */
  get size(): number {
    return this.#logs.size;
  }

  /**
   * Records one use in every layer's cooldown, or none: when any is exhausted it throws a `CommandOnCooldown` for the
   * longest wait (the user must wait for all of them). Returns a refund that takes the uses back. Cooldowns with a
   * store are left to it, unless `storesDown` (their store does not answer, and this process counts for it).
   */
  take(ctx: BucketSubject, layers: readonly CooldownLayer[], storesDown = false): () => void {
    const now = this.#clock.now();
    this.#maybeSweep(now);
    const logs: UseLog[] = [];
    let longest: CommandOnCooldown | undefined;
    for (const { key, cooldown } of layers) {
      if (!cooldown || (cooldown.store && !storesDown)) continue;
      const log = this.#log(`${key}\0${cooldown.bucket}\0${bucketKey(cooldown.bucket, ctx)}`, cooldown.windowMs, now);
      // Undefined while fewer than `uses` uses are logged: the index is negative then.
      const oldest = log.stamps[log.stamps.length - cooldown.uses];
      if (oldest !== undefined) {
        const retryAfterMs = oldest + cooldown.windowMs - now;
        if (!longest || retryAfterMs > longest.retryAfterMs) longest = new CommandOnCooldown({ retryAfterMs, ...cooldown });
      }
      logs.push(log);
    }
    if (longest) throw longest;
    for (const log of logs) log.stamps.push(now);
    let refunded = false;
    return () => {
      if (refunded) return;
      refunded = true;
      for (const log of logs) {
        const at = log.stamps.lastIndexOf(now);
        if (at !== -1) log.stamps.splice(at, 1);
      }
    };
  }

  /** The key's log with expired uses dropped (created when missing). */
  #log(id: string, windowMs: number, now: number): UseLog {
    let log = this.#logs.get(id);
    if (!log) {
      log = { stamps: [], windowMs };
      this.#logs.set(id, log);
      return log;
    }
    // A redefined handler (extension reload) may change the window; the newest definition counts.
    log.windowMs = windowMs;
    const expired = log.stamps.findIndex((stamp) => stamp + windowMs > now);
    log.stamps.splice(0, expired === -1 ? log.stamps.length : expired);
    return log;
  }

  #maybeSweep(now: number): void {
    if (now < this.#nextSweepAt && this.#logs.size < this.#sweepAtSize) return;
    for (const [id, log] of this.#logs) {
      const newest = log.stamps.at(-1);
      if (newest === undefined || newest + log.windowMs <= now) this.#logs.delete(id);
    }
    this.#nextSweepAt = now + SWEEP_INTERVAL_MS;
    this.#sweepAtSize = Math.max(MIN_SWEEP_SIZE, this.#logs.size * 2);
  }
}
