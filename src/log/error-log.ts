import { ClientOptionsError } from '../errors/codes.js';
import { errorText, relativePaths, summarizeError } from '../errors/format.js';
import type { Redactor } from '../errors/redact.js';
import { STORM_WINDOW_MS, StormControl } from '../errors/storm.js';
import type { Clock, ClockTimer } from '../util/clock.js';
import type { Log } from './log.js';

/** How many times per minute one error is logged in full unless the bot says otherwise. */
export const DEFAULT_ERROR_LOG_LIMIT = 5;
/** Repeats counted at once, at most; past it the oldest count is written early, so memory stays bounded. */
const MAX_COUNTED = 1000;

/** Repeats of one logged error that were counted instead of written. */
interface Repeats {
  readonly source: string;
  readonly title: string;
  readonly since: number;
  count: number;
  latestReference: string | undefined;
  readonly timer: ClockTimer;
}

/** Checks the `errorLogLimit` client option: a whole number of lines per minute, at least 1, or `Infinity`. */
export function validateErrorLogLimit(limit: number): void {
  if (limit !== Infinity && !(Number.isInteger(limit) && limit >= 1)) {
    throw new ClientOptionsError(
      'errorLogLimit',
      `must be a whole number of times per minute, at least 1, or Infinity (got ${String(limit)})`,
    );
  }
}

/**
 * The log lines of the default `Error` listener. Each error is written in full (its stack and causes), but one
 * that repeats (the same source, message and stack: a command failing in a loop) only `limit` times a minute; the
 * repeats after that are counted, and one line says how many there were once the minute is over. A storm of
 * 100,000 identical failures costs a counter, not 100,000 stack traces formatted, redacted and written.
 */
export class ErrorLog {
  readonly #storm: StormControl<undefined>;
  readonly #repeats = new Map<string, Repeats>();
  /** After `flush` (the bot stopped) every error is written in full: no timer may outlive the bot. */
  #flushed = false;

  constructor(
    private readonly log: Log,
    private readonly redactor: Redactor,
    private readonly clock: Clock,
    limit: number,
  ) {
    this.#storm = new StormControl(limit, () => clock.now());
  }

  /** Logs a failure in `source`; `preface` (an explanation such as a missing permission) goes before the stack. */
  error(source: string, error: unknown, reference: string | undefined, preface: string | undefined): void {
    const text = errorText(error);
    const key = `${source}\n${preface ?? ''}\n${text}`;
    if (!this.#flushed && !this.#storm.admit(key, undefined).send) {
      this.#count(key, source, error, reference);
      return;
    }
    this.#writeRepeats(key);
    this.log.error(
      `Error in ${source}${reference ? ` (reference ${reference})` : ''}: ${preface ? `${preface}\n` : ''}${relativePaths(text)}`,
    );
  }

  /** Writes every count still open; the bot has stopped. */
  flush(): void {
    this.#flushed = true;
    for (const key of [...this.#repeats.keys()]) this.#writeRepeats(key);
  }

  #count(key: string, source: string, error: unknown, reference: string | undefined): void {
    const repeats = this.#repeats.get(key);
    if (repeats) {
      repeats.count++;
      repeats.latestReference = reference ?? repeats.latestReference;
      return;
    }
    if (this.#repeats.size >= MAX_COUNTED) this.#writeRepeats(this.#repeats.keys().next().value as string);
    const timer = this.clock.setTimeout(() => {
      this.#writeRepeats(key);
    }, STORM_WINDOW_MS);
    this.#repeats.set(key, {
      source,
      title: summarizeError(error, this.redactor),
      since: this.clock.now(),
      count: 1,
      latestReference: reference,
      timer,
    });
  }

  #writeRepeats(key: string): void {
    const repeats = this.#repeats.get(key);
    if (!repeats) return;
    this.#repeats.delete(key);
    this.clock.clearTimeout(repeats.timer);
    const { source, title, since, count, latestReference } = repeats;
    const times = count === 1 ? 'once more' : `${count.toLocaleString('en')} more times`;
    this.log.error(
      `Error in ${source}: the same error ${times} since ${new Date(since).toISOString()}, not ` +
        `logged in full (${title}${latestReference ? `; latest reference ${latestReference}` : ''})`,
    );
  }
}
