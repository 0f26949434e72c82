import { readableDuration } from '../../checks/messages.js';
import { StoreLockedError } from '../../errors/codes.js';
import { summarizeError } from '../../errors/format.js';
import type { Redactor } from '../../errors/redact.js';
import type { Log } from '../../log/log.js';
import type { Clock, ClockTimer } from '../../util/clock.js';
import { envelopeFacts, envelopeToResend } from './envelope-bytes.js';
import type { Envelope } from './envelope-bytes.js';
import { MemoryOutboxQueue } from './outbox-queue.js';
import type {
  ClaimedEnvelope,
  DeliveryState,
  Evicted,
  NewEnvelope,
  NewReference,
  OutboxLimits,
  OutboxQueue,
  Settlement,
  StoredReference,
} from './outbox-queue.js';
import { RateLimits, rateLimitsOf } from './rate-limits.js';
import type { RateLimitHeaders } from './rate-limits.js';

/** What the SDK's transport answers for one request (no status when it held the envelope back itself). */
export interface SendResponse {
  readonly statusCode?: number;
  readonly headers?: RateLimitHeaders;
}

export interface OutboxSettings {
  /** The destination (a hash of the DSN): a file shared by bots of other projects holds their envelopes apart. */
  readonly target: string;
  /** This process's id on its leases. */
  readonly owner: string;
  /** Requests to Sentry at a time while it answers. */
  readonly concurrency: number;
  /** How long a claimed envelope is this process's before another may take it over (it died). */
  readonly leaseMs: number;
  /** An attempt not answered by then counts as failed (a server trickling bytes defeats the request's idle timeout). */
  readonly attemptTimeoutMs: number;
  /** The first wait after a failure; it doubles per failed attempt, with jitter, up to `retryMaxMs`. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** How often the log says delivery is still failing. */
  readonly summaryIntervalMs: number;
  readonly limits: OutboxLimits;
  readonly log: Log;
  readonly redactor: Redactor;
  /** Where the summary's timer runs: the bot's clock. */
  readonly clock: Clock;
  /** The SDK's own transport: sends one envelope, throws on a network error. */
  readonly send: (envelope: Envelope) => PromiseLike<SendResponse>;
  /** An envelope of this destination was dropped by the bounds: one per category of its items (Sentry's client reports). */
  readonly dropped: (category: string) => void;
}

/** A failure episode: from the first failed attempt to the backlog it left being delivered. */
interface Episode {
  readonly since: number;
  reason: string;
  /** Set once an attempt succeeds again; the episode ends when the backlog is delivered. */
  recovered: boolean;
  deliveredLate: number;
  summary: ClockTimer | undefined;
}

interface Staged {
  envelopes: NewEnvelope[];
  references: NewReference[];
  settlements: Settlement[];
  state: Partial<DeliveryState> | undefined;
  /** Resolved once what was staged with them is written. */
  written: (() => void)[];
}

/** How long a write waits before trying again when another process holds the file's lock. */
const LOCKED_RETRY_MS = 25;
/** How long a held-back envelope (the SDK's own rate limit) waits before it is tried again. */
const HELD_BACK_RETRY_MS = 1000;
/** How long closing waits for the requests under way to end (they are aborted first). */
const CLOSE_SETTLE_MS = 1000;
/** Answers after which Sentry will not take the envelope however often it is sent. */
const REFUSED_FOR_GOOD = new Set([400, 413]);

const plural = (count: number, word: string) => `${String(count)} ${word}${count === 1 ? '' : 's'}`;
const duration = (ms: number) => readableDuration(ms, 'en-US');

/**
 * The Sentry outbox: every envelope is written to a queue (a SQLite file, or memory) before it is first sent, and
 * leaves it only once Sentry took it (2xx) or refused it for good (400, 413: kept aside as a dead letter). Writes
 * are batched per turn of the event loop, off the user's path. A delivery loop sends the oldest envelopes first, a
 * few at a time; a network error, a timeout or a 5xx pauses it with a backoff (doubling, with jitter, capped) while
 * a single envelope probes, and a 429 holds back what it covers for as long as Sentry asks. It says in the log when
 * delivery starts failing, every few minutes while it fails, and when the backlog has been delivered.
 */
export class Outbox {
  #queue: OutboxQueue | undefined;
  #staged: Staged = emptyStaged();
  #writeScheduled = false;
  #writeRetry: NodeJS.Timeout | undefined;
  #pumpScheduled = false;
  #wake: NodeJS.Timeout | undefined;
  #wakeAt = Infinity;
  readonly #inFlight = new Set<Promise<void>>();
  #pausedUntil = 0;
  #backoffMs = 0;
  readonly #rateLimits = new RateLimits();
  #episode: Episode | undefined;
  /** Envelopes the bounds dropped that the log has not told of yet, and when it last did. */
  #droppedUnlogged = 0;
  #droppedLoggedAt = -Infinity;
  #writeFailureLogged = false;
  /** Set while closing: the client's flush hands over what it builds, and delivery is waited for apart. */
  #flushOnlyWrites = false;
  #stopped = false;
  #closed = false;

  constructor(private readonly settings: OutboxSettings) {}

  /** Where envelopes are kept (a path or `memory`); `undefined` until the file is chosen. */
  get location(): string | undefined {
    return this.#queue?.location;
  }

  get durable(): boolean {
    return this.#queue?.durable ?? false;
  }

  /** Starts using `queue`: what was staged meanwhile is written, and delivery (of earlier runs' envelopes too) begins. */
  attach(queue: OutboxQueue): void {
    if (this.#closed) {
      queue.close();
      return;
    }
    this.#queue = queue;
    this.#scheduleWrite();
    this.#kick();
  }

  /** Queues a serialized envelope; resolves once it is written (durably, for a file). Never rejects. */
  enqueue(body: Uint8Array): Promise<void> {
    if (this.#closed) {
      this.settings.log.warn('Sentry: an envelope came after the outbox was closed and is lost');
      return Promise.resolve();
    }
    let facts;
    try {
      facts = envelopeFacts(body);
    } catch {
      // Not something the SDK makes; sent as it is, once, with nothing to hold it back by.
      facts = { eventId: undefined, categories: [] };
    }
    const { target } = this.settings;
    this.#staged.envelopes.push({ target, eventId: facts.eventId, categories: facts.categories, body, createdAt: Date.now() });
    const written = new Promise<void>((resolve) => this.#staged.written.push(resolve));
    this.#scheduleWrite();
    return written;
  }

  /** Remembers that `userId` was handed the reference `eventId` (for feedback), with the next write. */
  remember(eventId: string, userId: string): void {
    if (this.#closed) return;
    this.#staged.references.push({ eventId, userId, createdAt: Date.now() });
    this.#scheduleWrite();
  }

  /** Who got the reference and whether they reported on it; `undefined` when it is unknown or forgotten. */
  reference(eventId: string): StoredReference | undefined {
    const staged = this.#staged.references.find((reference) => reference.eventId === eventId);
    if (staged) return { userId: staged.userId, createdAt: staged.createdAt, reportedAt: undefined };
    return this.#queue?.reference(eventId);
  }

  /** Marks the reference reported by `userId` (once, across processes); `false` when it is not theirs, too old or reported. */
  markReported(eventId: string, userId: string, notBefore: number): boolean {
    this.#writeStaged();
    return this.#queue?.markReported(eventId, userId, notBefore, Date.now()) ?? false;
  }

  /** The client's flush (`Sentry.flush()`, or its close): waits for delivery, as `deliverWithin`, unless closing. */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.#flushOnlyWrites) {
      this.#writeStaged();
      return true;
    }
    return this.deliverWithin(timeoutMs);
  }

  /** From now on `flush` (the client's, while it closes) writes what is staged and does not wait for delivery. */
  writeOnlyFlush(): void {
    this.#flushOnlyWrites = true;
  }

  /**
   * Waits until every envelope of this destination has been delivered, at most `timeoutMs`: `false` when some are
   * left, at once when delivery is paused (an outage, a rate limit) past the deadline.
   */
  async deliverWithin(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#writeStaged();
      const queue = this.#queue;
      if (queue && this.#staged.envelopes.length === 0 && this.#inFlight.size === 0) {
        const next = this.#guard(() => queue.nextAttemptAt(this.settings.target), Infinity);
        if (next === undefined) return true;
        if (next > deadline) return false;
      }
      const left = deadline - Date.now();
      if (left <= 0 || (this.#inFlight.size === 0 && Math.max(this.#pausedUntil, this.#rateLimits.all) > deadline)) return false;
      this.#kick();
      await new Promise((resolve) => setTimeout(resolve, Math.min(20, left)));
    }
  }

  /** Stops delivering: no new request starts (those under way finish, or fail when their connections are ended). */
  stopDelivery(): void {
    this.#stopped = true;
    clearTimeout(this.#wake);
    this.#wake = undefined;
  }

  /**
   * Writes what is staged, gives back the leases this process holds and closes the queue; says in the log how many
   * envelopes are left (on disk for the next start, or lost with an in-memory queue). Returns that count.
   */
  async close(): Promise<number> {
    this.stopDelivery();
    await Promise.race([Promise.allSettled(this.#inFlight), new Promise((resolve) => setTimeout(resolve, CLOSE_SETTLE_MS).unref())]);
    this.#closed = true;
    clearTimeout(this.#writeRetry);
    this.#endEpisodeTimer();
    const queue = this.#queue;
    if (!queue) return 0;
    this.#writeStaged();
    this.#logDropped(true);
    const { target, owner, log } = this.settings;
    const left = this.#guard(() => {
      queue.release(owner);
      return queue.pending(target);
    }, this.#staged.envelopes.length);
    if (left > 0 && queue.durable)
      log.warn(`Sentry: ${plural(left, 'event')} wait in the outbox (${queue.location}); they are sent when the bot starts again`);
    else if (left > 0) log.warn(`Sentry: ${plural(left, 'event')} could not be delivered and are lost (the outbox was in memory)`);
    for (const resolve of this.#staged.written.splice(0)) resolve();
    try {
      queue.close();
    } catch {
      // Closing a file that cannot be written any more has nothing left to lose.
    }
    return left;
  }

  // ---- writing ----

  #scheduleWrite(): void {
    if (this.#writeScheduled || !this.#queue) return;
    this.#writeScheduled = true;
    // One write per turn of the event loop: a burst is one transaction, and the user's answer has gone out first.
    setImmediate(() => {
      this.#writeScheduled = false;
      this.#writeStaged();
    });
  }

  #writeStaged(): void {
    const queue = this.#queue;
    const staged = this.#staged;
    if (!queue || isEmpty(staged)) return;
    this.#staged = emptyStaged();
    const { target, owner } = this.settings;
    let evicted: Evicted[];
    try {
      evicted = queue.write({ target, owner, ...staged }, Date.now());
    } catch (error) {
      this.#writeFailed(error, staged);
      return;
    }
    for (const resolve of staged.written) resolve();
    this.#onEvicted(evicted);
    if (staged.envelopes.length > 0) this.#kick();
  }

  /** A lock held by another process is waited out; any other failure is one warning, and the outbox goes on in memory. */
  #writeFailed(error: unknown, staged: Staged): void {
    this.#staged = mergeStaged(staged, this.#staged);
    if (error instanceof StoreLockedError && !this.#closed) {
      clearTimeout(this.#writeRetry);
      this.#writeRetry = setTimeout(() => {
        this.#writeStaged();
      }, LOCKED_RETRY_MS).unref();
      return;
    }
    if (!this.#writeFailureLogged) {
      this.#writeFailureLogged = true;
      this.settings.log.warn(
        `Sentry: the outbox (${this.#queue?.location ?? '?'}) cannot be written (${summarizeError(error, this.settings.redactor)}); ` +
          'events are kept in memory from now on',
      );
    }
    // Settlements name the file's rows; its leases expire and another process (or the next start) sends them.
    this.#staged.settlements = [];
    this.#queue = new MemoryOutboxQueue(this.settings.limits);
    this.#writeStaged();
  }

  #onEvicted(evicted: readonly Evicted[]): void {
    let mine = 0;
    for (const gone of evicted) {
      if (gone.target !== this.settings.target) continue;
      mine++;
      for (const category of gone.categories) this.settings.dropped(category);
    }
    if (mine === 0) return;
    this.#droppedUnlogged += mine;
    this.#logDropped(false);
  }

  /** Dropped envelopes are told at once, then at most once per summary interval (and at close). */
  #logDropped(force: boolean): void {
    if (this.#droppedUnlogged === 0) return;
    const now = Date.now();
    if (!force && now - this.#droppedLoggedAt < this.settings.summaryIntervalMs) return;
    const { maxEnvelopes, maxBytes, maxAgeMs } = this.settings.limits;
    this.settings.log.warn(
      `Sentry: the outbox reached its bounds (${String(maxEnvelopes)} events, ${mebibytes(maxBytes)}, ${duration(maxAgeMs)}), ` +
        `so its ${plural(this.#droppedUnlogged, 'oldest event')} ${this.#droppedUnlogged === 1 ? 'was' : 'were'} dropped`,
    );
    this.#droppedUnlogged = 0;
    this.#droppedLoggedAt = now;
  }

  // ---- delivery ----

  #kick(): void {
    if (this.#pumpScheduled || this.#stopped || !this.#queue) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #wakeUpAt(at: number): void {
    if (this.#stopped || at >= this.#wakeAt) return;
    clearTimeout(this.#wake);
    this.#wakeAt = at;
    this.#wake = setTimeout(
      () => {
        this.#wakeAt = Infinity;
        this.#wake = undefined;
        this.#kick();
      },
      Math.max(0, at - Date.now()),
    ).unref();
  }

  #pump(): void {
    const queue = this.#queue;
    if (this.#stopped || !queue) return;
    const now = Date.now();
    const pausedUntil = Math.max(this.#pausedUntil, this.#rateLimits.all);
    if (now < pausedUntil) {
      this.#wakeUpAt(pausedUntil);
      return;
    }
    // While failing, one envelope at a time finds out whether Sentry is back.
    const probing = this.#episode !== undefined && !this.#episode.recovered;
    const room = probing ? 1 - this.#inFlight.size : this.settings.concurrency - this.#inFlight.size;
    if (room <= 0) return;
    this.#writeStaged();
    const { target, owner, leaseMs } = this.settings;
    const claimed = this.#guard(() => queue.claim(target, owner, room, now, now + leaseMs), undefined);
    if (claimed === undefined) {
      this.#wakeUpAt(now + LOCKED_RETRY_MS);
      return;
    }
    if (claimed.length === 0) {
      if (this.#inFlight.size > 0) return;
      const next = this.#guard(() => queue.nextAttemptAt(target), now + LOCKED_RETRY_MS);
      if (next === undefined) this.#drained();
      else this.#wakeUpAt(Math.max(next, now + 1));
      return;
    }
    for (const envelope of claimed) {
      const delivery = this.#deliver(queue, envelope).finally(() => {
        this.#inFlight.delete(delivery);
        this.#kick();
      });
      this.#inFlight.add(delivery);
    }
  }

  async #deliver(queue: OutboxQueue, envelope: ClaimedEnvelope): Promise<void> {
    const heldUntil = this.#rateLimits.until(envelope.categories);
    if (heldUntil > Date.now()) {
      this.#settle(queue, { kind: 'retry', id: envelope.id, at: heldUntil, error: 'rate limited', attempted: false });
      this.#wakeUpAt(heldUntil);
      return;
    }
    const late = envelope.attempts > 1 || this.#episode !== undefined;
    let response: SendResponse;
    try {
      response = await withDeadline(this.settings.send(envelopeToResend(envelope.body, new Date())), this.settings.attemptTimeoutMs);
    } catch (error) {
      this.#failed(queue, envelope, networkReason(error, this.settings.redactor));
      return;
    }
    const now = Date.now();
    const status = response.statusCode;
    const limits = rateLimitsOf(status, response.headers, now);
    this.#rateLimits.add(limits);
    if (status === undefined) {
      // The SDK's transport held it back under a rate limit of its own: nothing was sent.
      this.#settle(queue, { kind: 'retry', id: envelope.id, at: now + HELD_BACK_RETRY_MS, error: 'held back', attempted: false });
    } else if (status >= 200 && status < 300) {
      this.#settle(queue, { kind: 'delivered', id: envelope.id, late });
      this.#succeeded(late);
    } else if (status === 429) {
      for (const limit of limits)
        this.#guard(() => {
          queue.defer(this.settings.target, limit.categories, limit.until);
        }, undefined);
      const until = Math.max(this.#rateLimits.until(envelope.categories), now + 1000);
      const reason = `rate limited by Sentry for ${duration(until - now)}`;
      this.#settle(queue, { kind: 'retry', id: envelope.id, at: until, error: reason, attempted: true });
      this.#startFailing(reason);
      this.#wakeUpAt(until);
    } else if (REFUSED_FOR_GOOD.has(status)) {
      const reason = status === 413 ? 'too large' : 'a payload Sentry cannot read';
      this.#settle(queue, { kind: 'dead', id: envelope.id, status, reason });
      this.settings.log.warn(
        `Sentry refused ${envelope.eventId ? `event ${envelope.eventId}` : 'an envelope'} for good (${String(status)}: ${reason}); ` +
          'it is kept aside in the outbox (outbox_dead) and not sent again',
      );
    } else {
      this.#failed(queue, envelope, `Sentry answered ${String(status)}${status < 500 ? ' (check the DSN)' : ''}`);
    }
  }

  #settle(queue: OutboxQueue, settlement: Settlement): void {
    // A queue replaced meanwhile (the file failed) does not know the row.
    if (queue !== this.#queue) return;
    this.#staged.settlements.push(settlement);
    this.#scheduleWrite();
  }

  /** A network error, a timeout or an answer worth retrying: delivery pauses, the pause doubling per failed probe. */
  #failed(queue: OutboxQueue, envelope: ClaimedEnvelope, reason: string): void {
    const now = Date.now();
    if (this.#pausedUntil <= now) {
      const { retryInitialMs, retryMaxMs } = this.settings;
      this.#backoffMs = this.#backoffMs === 0 ? retryInitialMs : Math.min(this.#backoffMs * 2, retryMaxMs);
      // Half fixed, half random: processes sharing a file do not all come back at the same moment.
      this.#pausedUntil = Math.round(now + this.#backoffMs / 2 + Math.random() * (this.#backoffMs / 2));
    }
    this.#settle(queue, { kind: 'retry', id: envelope.id, at: this.#pausedUntil, error: reason, attempted: true });
    this.#startFailing(reason);
    this.#wakeUpAt(this.#pausedUntil);
  }

  #succeeded(late: boolean): void {
    this.#backoffMs = 0;
    this.#pausedUntil = 0;
    const now = Date.now();
    this.#stage({ lastDeliveredAt: now });
    const episode = this.#episode;
    if (!episode) return;
    if (late) episode.deliveredLate++;
    if (!episode.recovered) {
      episode.recovered = true;
      this.#stage({ failingSince: null });
    }
  }

  #startFailing(reason: string): void {
    const now = Date.now();
    this.#stage({ lastError: reason, lastErrorAt: now });
    const episode = this.#episode;
    if (episode) {
      episode.reason = reason;
      if (episode.recovered) {
        episode.recovered = false;
        this.#stage({ failingSince: episode.since });
      }
      return;
    }
    this.#episode = { since: now, reason, recovered: false, deliveredLate: 0, summary: undefined };
    this.#stage({ failingSince: now });
    this.settings.log.warn(
      `Sentry: delivery is failing (${reason}); events wait in the outbox (${this.#queue?.location ?? 'memory'}) and are retried`,
    );
    this.#scheduleSummary();
  }

  /** The backlog is delivered: the episode, if one was going on, ends with a line saying how it went. */
  #drained(): void {
    const episode = this.#episode;
    if (!episode?.recovered) return;
    this.#endEpisodeTimer();
    this.#episode = undefined;
    this.settings.log.warn(
      `Sentry: delivery works again after ${duration(Date.now() - episode.since)} of failures; ` +
        `${plural(episode.deliveredLate, 'event')} ${episode.deliveredLate === 1 ? 'was' : 'were'} delivered late`,
    );
  }

  #scheduleSummary(): void {
    const { clock, summaryIntervalMs } = this.settings;
    const episode = this.#episode;
    if (!episode || this.#closed) return;
    episode.summary = clock.setTimeout(() => {
      episode.summary = undefined;
      if (this.#episode !== episode || this.#closed) return;
      this.#summarise(episode);
      this.#scheduleSummary();
    }, summaryIntervalMs);
  }

  #summarise(episode: Episode): void {
    const queue = this.#queue;
    if (!queue) return;
    const { target, log } = this.settings;
    const waiting = this.#guard(() => queue.pending(target), undefined);
    const oldest = this.#guard(() => queue.totals().oldest, undefined);
    const age = oldest === undefined ? '' : ` (the oldest for ${duration(Date.now() - oldest)})`;
    const backlog = waiting === undefined ? '' : `${plural(waiting, 'event')} wait in the outbox${age}`;
    this.#logDropped(true);
    const since = duration(Date.now() - episode.since);
    if (episode.recovered)
      log.warn(
        `Sentry: delivering the backlog of ${since} of failures: ${String(episode.deliveredLate)} delivered late so far; ${backlog}`,
      );
    else log.warn(`Sentry: delivery has been failing for ${since} (${episode.reason}); ${backlog}`);
  }

  #endEpisodeTimer(): void {
    const summary = this.#episode?.summary;
    if (!summary || !this.#episode) return;
    this.settings.clock.clearTimeout(summary);
    this.#episode.summary = undefined;
  }

  #stage(state: Partial<DeliveryState>): void {
    this.#staged.state = { ...this.#staged.state, ...state };
    this.#scheduleWrite();
  }

  /** A read or claim that found the file locked (or failing) gives `fallback`; writing says the rest. */
  #guard<T, F>(work: () => T, fallback: F): T | F {
    try {
      return work();
    } catch {
      return fallback;
    }
  }
}

/** `work`, or a rejection once `ms` pass first (the work goes on, its outcome ignored). */
async function withDeadline<T>(work: PromiseLike<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`Sentry did not answer within ${String(ms)} ms`));
        }, ms).unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function emptyStaged(): Staged {
  return { envelopes: [], references: [], settlements: [], state: undefined, written: [] };
}

function isEmpty(staged: Staged): boolean {
  return staged.envelopes.length + staged.references.length + staged.settlements.length === 0 && staged.state === undefined;
}

/** `earlier` then `later`: a batch that failed to write goes back in front of what was staged meanwhile. */
function mergeStaged(earlier: Staged, later: Staged): Staged {
  return {
    envelopes: [...earlier.envelopes, ...later.envelopes],
    references: [...earlier.references, ...later.references],
    settlements: [...earlier.settlements, ...later.settlements],
    state: earlier.state || later.state ? { ...earlier.state, ...later.state } : undefined,
    written: [...earlier.written, ...later.written],
  };
}

/** Why a request failed, in words: never the DSN or the request's URL. */
function networkReason(error: unknown, redactor: Redactor): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return "Sentry's host name could not be resolved";
    case 'ETIMEDOUT':
    case 'ECONNABORTED':
      return 'the connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to Sentry';
  }
  const message = error instanceof Error ? error.message : '';
  if (/did not answer within/.test(message)) return redactor.redact(message);
  return summarizeError(error, redactor);
}

function mebibytes(bytes: number): string {
  return `${String(Math.round((bytes / 1024 / 1024) * 10) / 10)} MiB`;
}
