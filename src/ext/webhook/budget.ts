/** The first pause after a 429 or a failed post; each failure in a row doubles it, up to BACKOFF_MAX_MS. */
const BACKOFF_START_MS = 30_000;
const BACKOFF_MAX_MS = 15 * 60_000;

/** The rate-limit headers of an answer, as discord.js's response exposes them. */
export interface RateLimitHeaders {
  get(name: string): string | null;
}

/**
 * When the reporter may post next: at most `perMinute` requests a minute (evenly spaced, so a burst of errors
 * cannot become a burst of requests), never while Discord says the webhook's bucket is empty, and after a 429 or
 * a failure not before a back-off that doubles with each one in a row. Times are read on the bot's clock.
 */
export class RequestBudget {
  readonly #spacingMs: number;
  #lastStart = Number.NEGATIVE_INFINITY;
  #holdUntil = Number.NEGATIVE_INFINITY;
  #backoffMs = 0;

  constructor(
    perMinute: number,
    private readonly now: () => number,
  ) {
    this.#spacingMs = 60_000 / perMinute;
  }

  /** When the next request may start (ms since the epoch). */
  get nextAt(): number {
    return Math.max(this.#lastStart + this.#spacingMs, this.#holdUntil);
  }

  ready(): boolean {
    return this.now() >= this.nextAt;
  }

  started(): void {
    this.#lastStart = this.now();
  }

  /**
   * Reads an answer's `X-RateLimit-Remaining` and `X-RateLimit-Reset-After`: an empty bucket holds the next request
   * until it refills, whatever the spacing allows (Discord's limits are not all known in advance).
   */
  observe(headers: RateLimitHeaders): void {
    const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
    const resetAfterS = Number(headers.get('x-ratelimit-reset-after') ?? Number.NaN);
    if (remaining === 0 && Number.isFinite(resetAfterS)) this.hold(resetAfterS * 1000);
  }

  /** A post went through: the back-off starts from the beginning next time. */
  succeeded(): void {
    this.#backoffMs = 0;
  }

  /** A 429 (`retryAfterMs` from its header) or a failed post: waits the longer of that and the back-off. Returns the wait. */
  backOff(retryAfterMs = 0): number {
    this.#backoffMs = this.#backoffMs === 0 ? BACKOFF_START_MS : Math.min(this.#backoffMs * 2, BACKOFF_MAX_MS);
    const wait = Math.max(retryAfterMs, this.#backoffMs);
    this.hold(wait);
    return wait;
  }

  /** No request for `ms` from now (discord.js is itself waiting for the bucket, say). */
  hold(ms: number): void {
    this.#holdUntil = Math.max(this.#holdUntil, this.now() + ms);
  }
}
