import { ClientOptionsError, toError } from '../errors/codes.js';
import { summarizeError } from '../errors/format.js';
import type { Redactor } from '../errors/redact.js';
import { STORM_WINDOW_MS, StormControl } from '../errors/storm.js';
import { groupError } from '../errors/grouping.js';
import type { Clock, ClockTimer } from '../util/clock.js';
import { errorEntry, LOG_STACKS } from './entry.js';
import type { LogStack } from './entry.js';
import type { Log } from './log.js';

/** How many times per minute one error is logged in full unless the bot says otherwise. */
export const DEFAULT_ERROR_LOG_LIMIT = 5;
/** Repeats counted at once, at most; past it the oldest count is written early, so memory stays bounded. */
const MAX_COUNTED = 1000;
/** Ids in a grouping key (a snowflake in a frame, say): the same error about another user is the same error. */
const IDS = /\d{15,21}/g;

/** Repeats of one logged line that were counted instead of written, and how to say so. */
interface Repeats {
  readonly level: 'error' | 'warn';
  /** `Error in /lookup`: what the summary line starts with, as the full line did. */
  readonly head: string;
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

/** Checks the `logStack` client option. */
export function validateLogStack(stack: unknown): asserts stack is LogStack {
  if (!LOG_STACKS.includes(stack as LogStack))
    throw new ClientOptionsError('logStack', `must be 'compact' or 'full' (got ${JSON.stringify(stack)})`);
}

/**
 * The log lines of the default `Error` listener, and of the failures to tell a user about one. Each error is
 * written as one entry (its title, then its stack, compact by default), but one that repeats (a command failing in
 * a loop) only `limit` times a minute; the repeats after that are counted, and one line says how many there were
 * once the minute is over. "Repeats" are told apart as a tracker groups errors: by source and Discord-aware
 * fingerprint (a Discord error's code and route, else the type and the frame that threw), not by message, so an
 * error whose message names a user or an id is still one error. A storm of 100,000 failures costs a counter, not
 * 100,000 stack traces formatted, redacted and written.
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
    private readonly stack: LogStack = 'compact',
  ) {
    this.#storm = new StormControl(limit, () => clock.now());
  }

  /** Logs a failure in `source`; `preface` (an explanation such as a missing permission) goes under its title. */
  error(source: string, error: unknown, reference: string | undefined, preface: string | undefined): void {
    const head = `Error in ${source}`;
    // Another preface (another missing permission) is another thing to fix, so it is written in full.
    if (this.#counted(`error ${source} ${fingerprint(source, error)} ${preface ?? ''}`, 'error', head, error, reference)) return;
    const [title = '', ...body] = errorEntry(error, this.redactor, this.stack).split('\n');
    const lines = [`${head}${reference ? ` (reference ${reference})` : ''}: ${title}`, ...(preface ? [`  ${preface}`] : []), ...body];
    this.log.error(lines.join('\n'));
  }

  /**
   * Logs that the user of `source` could not be told about its error (the interaction expired, a permission is
   * missing); `explanation` replaces the error's summary when there is one. Counted like errors: thirty expired
   * interactions are five lines and a count, not thirty.
   */
  answerFailed(source: string, error: unknown, explanation: string | undefined): void {
    const head = `Could not tell the user about the error in ${source}`;
    if (this.#counted(`answer ${source} ${fingerprint(source, error)}`, 'warn', head, error, undefined)) return;
    this.log.warn(`${head}: ${explanation ?? summarizeError(error, this.redactor)}`);
  }

  /** Writes every count still open; the bot has stopped. */
  flush(): void {
    this.#flushed = true;
    for (const key of [...this.#repeats.keys()]) this.#writeRepeats(key);
  }

  /** Whether this occurrence is only counted; when it goes through, the count held for its key is written first. */
  #counted(key: string, level: Repeats['level'], head: string, error: unknown, reference: string | undefined): boolean {
    if (!this.#flushed && !this.#storm.admit(key, undefined).send) {
      this.#count(key, level, head, error, reference);
      return true;
    }
    this.#writeRepeats(key);
    return false;
  }

  #count(key: string, level: Repeats['level'], head: string, error: unknown, reference: string | undefined): void {
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
      level,
      head,
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
    const { level, head, title, since, count, latestReference } = repeats;
    const times = count === 1 ? 'once more' : `${count.toLocaleString('en')} more times`;
    const what = level === 'error' ? 'error' : 'failure';
    this.log[level](
      `${head}: the same ${what} ${times} since ${new Date(since).toISOString()}, not ` +
        `logged in full (${title}${latestReference ? `; latest reference ${latestReference}` : ''})`,
    );
  }
}

/** The tracker's grouping key, with ids taken out. */
function fingerprint(source: string, error: unknown): string {
  return groupError(source, toError(error)).key.replace(IDS, ':id');
}
