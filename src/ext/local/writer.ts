import { summarizeError } from '../../errors/format.js';
import { StoreLockedError } from '../../errors/codes.js';
import type { Redactor } from '../../errors/redact.js';
import type { Log } from '../../log/log.js';
import type { ErrorStore, Occurrence } from './store.js';

/** How long occurrences gather before they are written: the answer to the user goes out first, a burst is one transaction. */
const FLUSH_DELAY_MS = 25;
/** Occurrences per transaction at most; more wait for the next turn of the event loop, so interactions are not held up. */
const MAX_BATCH = 500;
const MIN_BATCH = 10;
/**
 * How long one turn of the event loop should spend writing: each batch is sized from the pace of the last one. A
 * batch of many distinct issues costs far more per occurrence than one of repeats (measured: 500 distinct new issues
 * held the loop for 1.5 s, and answers waiting behind it missed Discord's 3 s window).
 */
const TURN_BUDGET_MS = 10;
/** First wait before writing again when another process holds the lock; it doubles up to the lock timeout. */
const FIRST_RETRY_MS = 20;
/** While writes keep failing, the count of what was lost is logged at most this often. */
const SUMMARY_INTERVAL_MS = 3_600_000;

const STATE_NOTES = { recovered: '; writing works again', failing: '; writing still fails', closing: '' };

export interface WriterSettings {
  readonly store: ErrorStore;
  /** Occurrences waiting to be written at most; past it new ones are dropped and counted. */
  readonly maxQueue: number;
  /** How long a batch keeps being retried while another process holds the write lock. */
  readonly lockTimeoutMs: number;
  readonly log: Log;
  readonly redactor: Redactor;
}

/**
 * Writes occurrences to the store off the user's path: they are queued in memory (bounded) and written in batched
 * transactions shortly after, each batch in its own turn of the event loop. A lock held by another process is
 * waited for with timers, never by blocking the event loop; a write that fails anyway (a read-only or full disk, a
 * damaged file, a lock held past `lockTimeoutMs`) drops its batch and is one warning, and what is lost after it is
 * counted and summarised (when writing works again, hourly, and at close). Nothing here throws into the bot.
 */
export class StoreWriter {
  readonly #queue: Occurrence[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** When the batch at the queue's head first found the lock taken. */
  #lockedSince: number | undefined;
  #retryMs = FIRST_RETRY_MS;
  #warned = false;
  #lost = 0;
  #lostSince = 0;
  #lastSummary = 0;
  #dropped = 0;
  #batchSize = MAX_BATCH;
  #closed = false;

  constructor(private readonly settings: WriterSettings) {}

  /** Queues an occurrence; `false` when the queue is full and it was dropped (counted). */
  add(occurrence: Occurrence): boolean {
    if (this.#closed) return false;
    if (this.#queue.length >= this.settings.maxQueue) {
      this.#dropped++;
      return false;
    }
    this.#queue.push(occurrence);
    this.#timer ??= setTimeout(this.#flushSoon, FLUSH_DELAY_MS).unref();
    return true;
  }

  /** Writes what is queued, waiting at most `timeoutMs` for a lock; then closes the store. */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const deadline = performance.now() + timeoutMs;
    while (this.#queue.length > 0) {
      const outcome = this.#writeBatch();
      if (outcome === 'locked') {
        if (performance.now() + this.#retryMs > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, this.#retryMs));
      }
    }
    if (this.#queue.length > 0) this.#lose(this.#queue.splice(0).length);
    this.#summarise('closing');
    try {
      this.settings.store.close();
    } catch {
      // Closing a store that cannot be written any more has nothing left to lose.
    }
  }

  readonly #flushSoon = (): void => {
    this.#timer = undefined;
    const outcome = this.#writeBatch();
    if (this.#queue.length === 0) return;
    if (outcome === 'locked') {
      this.#timer = setTimeout(this.#flushSoon, this.#retryMs).unref();
      return;
    }
    // More than a batch was waiting: the rest goes in a later turn, after whatever I/O came in meanwhile.
    this.#timer = setTimeout(this.#flushSoon, 0).unref();
  };

  #writeBatch(): 'written' | 'locked' | 'failed' {
    const batch = this.#queue.slice(0, this.#batchSize);
    try {
      const started = performance.now();
      this.settings.store.record(batch);
      const tookMs = Math.max(performance.now() - started, 0.01);
      this.#batchSize = Math.round(Math.min(MAX_BATCH, Math.max(MIN_BATCH, (batch.length * TURN_BUDGET_MS) / tookMs)));
      this.#queue.splice(0, batch.length);
      this.#lockedSince = undefined;
      this.#retryMs = FIRST_RETRY_MS;
      if (this.#lost > 0) this.#summarise('recovered');
      return 'written';
    } catch (error) {
      if (error instanceof StoreLockedError) {
        const now = performance.now();
        this.#lockedSince ??= now;
        if (now - this.#lockedSince < this.settings.lockTimeoutMs) {
          this.#retryMs = Math.min(this.#retryMs * 2, this.settings.lockTimeoutMs);
          return 'locked';
        }
      }
      this.#queue.splice(0, batch.length);
      this.#lockedSince = undefined;
      this.#retryMs = FIRST_RETRY_MS;
      this.#failed(error, batch.length);
      return 'failed';
    }
  }

  #failed(error: unknown, count: number): void {
    if (!this.#warned) {
      this.#warned = true;
      this.#lastSummary = Date.now();
      this.settings.log.warn(
        `Local error store: ${String(count)} error${count === 1 ? '' : 's'} could not be written to ${this.settings.store.path} ` +
          `(${summarizeError(error, this.settings.redactor)}); the bot goes on, errors are still logged, and later failures are ` +
          'counted and summarised',
      );
      return;
    }
    this.#lose(count);
    if (Date.now() - this.#lastSummary >= SUMMARY_INTERVAL_MS) this.#summarise('failing');
  }

  #lose(count: number): void {
    if (this.#lost === 0) this.#lostSince = Date.now();
    this.#lost += count;
  }

  /** One line with what was lost since the last summary, and whether writing works now. */
  #summarise(state: 'recovered' | 'failing' | 'closing'): void {
    this.#lastSummary = Date.now();
    if (this.#dropped > 0) {
      this.settings.log.warn(
        `Local error store: ${String(this.#dropped)} error${this.#dropped === 1 ? ' was' : 's were'} not recorded: they came ` +
          `faster than they could be written (at most ${String(this.settings.maxQueue)} wait)`,
      );
      this.#dropped = 0;
    }
    if (this.#lost === 0) return;
    const minutes = Math.max(1, Math.round((Date.now() - this.#lostSince) / 60_000));
    this.settings.log.warn(
      `Local error store: ${String(this.#lost)} more error${this.#lost === 1 ? ' was' : 's were'} not written in the last ` +
        `${String(minutes)} minute${minutes === 1 ? '' : 's'}${STATE_NOTES[state]}`,
    );
    this.#lost = 0;
  }
}
