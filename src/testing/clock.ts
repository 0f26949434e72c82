import type { Clock, ClockTimer } from '../util/clock.js';

interface FakeTimer {
  readonly at: number;
  /** Timers due at the same moment fire in the order they were set, as Node's do. */
  readonly order: number;
  readonly callback: () => void;
}

/**
 * A `Clock` whose time moves only when a test moves it: pass it as the bot's `clock` option and a task that runs
 * every hour (or a cooldown of 30 s) runs in milliseconds, at exactly the simulated times.
 *
 * ```ts
 * const clock = new FakeClock(Date.parse('2025-01-01T00:10:00Z'));
 * const bot = new Client({ clock });
 * bot.task({ name: 'digest', cron: '0 * * * *', timezone: 'UTC', run: sendDigest });
 * await bot.start();
 * await clock.advance(2 * 60 * 60 * 1000); // 02:10: the digest ran at 01:00 and 02:00
 * await bot.idle();                        // and whatever it awaited over the network has finished
 * ```
 *
 * `advance` fires the timers that fall due in time order and lets the promise chains they start settle before
 * the next one (an iteration that awaits other promises completes first). Work waiting on real I/O may still be
 * under way when it returns; `bot.idle()` waits for that.
 */
export class FakeClock implements Clock {
  #now: number;
  #order = 0;
  #advancing = false;
  readonly #timers = new Set<FakeTimer>();

  /** Starts at `startMs` (ms since the epoch), or at the real time now. */
  constructor(startMs: number = Date.now()) {
    if (!Number.isFinite(startMs)) throw new RangeError(`FakeClock needs a finite start time in milliseconds, got ${String(startMs)}`);
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): ClockTimer {
    const timer: FakeTimer = { at: this.#now + (delayMs > 0 ? delayMs : 0), order: this.#order++, callback };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.#timers.delete(timer as FakeTimer);
  }

  /** Timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way (also those set meanwhile). */
  async advance(ms: number): Promise<void> {
    if (!(Number.isFinite(ms) && ms >= 0))
      throw new RangeError(`FakeClock.advance needs a finite number of milliseconds >= 0, got ${String(ms)}`);
    await this.#runUntil(this.#now + ms);
  }

  /** Moves time forward to `time` (a Date or ms since the epoch); time never goes back. */
  async advanceTo(time: Date | number): Promise<void> {
    const target = typeof time === 'number' ? time : time.getTime();
    if (!(target >= this.#now))
      throw new RangeError(
        `FakeClock cannot go back from ${new Date(this.#now).toISOString()} to ${String(time instanceof Date ? time.toISOString() : time)}`,
      );
    await this.#runUntil(target);
  }

  async #runUntil(target: number): Promise<void> {
    if (this.#advancing) throw new Error('FakeClock is already advancing; await each advance() before the next');
    this.#advancing = true;
    try {
      for (let timer = this.#firstDue(target); timer; timer = this.#firstDue(target)) {
        this.#timers.delete(timer);
        this.#now = timer.at;
        timer.callback();
        // Every promise reaction queued by the callback runs before an immediate does.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      this.#now = target;
    } finally {
      this.#advancing = false;
    }
  }

  #firstDue(target: number): FakeTimer | undefined {
    let first: FakeTimer | undefined;
    for (const timer of this.#timers) {
      if (timer.at > target) continue;
      if (!first || timer.at < first.at || (timer.at === first.at && timer.order < first.order)) first = timer;
    }
    return first;
  }
}
