/** Sentry's wait when a 429 says nothing of how long (the SDK's own default). */
export const DEFAULT_RATE_LIMIT_MS = 60_000;

/** One window Sentry asked for: the categories it covers (every one when `undefined`) and when it ends. */
export interface RateLimit {
  readonly categories: readonly string[] | undefined;
  readonly until: number;
}

export interface RateLimitHeaders {
  readonly 'retry-after'?: string | null;
  readonly 'x-sentry-rate-limits'?: string | null;
}

/**
 * The windows a response asks the client to stay silent for, as the SDK reads them: `X-Sentry-Rate-Limits`
 * (`seconds:categories:scope:reason:namespaces`, comma separated; no categories means all of them) first, else
 * `Retry-After` (seconds or an HTTP date) for everything, else 60 s for a bare 429. Empty for any other answer.
 */
export function rateLimitsOf(statusCode: number | undefined, headers: RateLimitHeaders | undefined, now: number): RateLimit[] {
  const header = headers?.['x-sentry-rate-limits'];
  if (header) {
    return header
      .split(',')
      .filter((limit) => limit.trim() !== '')
      .map((limit) => {
        const [seconds = '', categories = ''] = limit.trim().split(':', 2);
        const delay = Number.parseInt(seconds, 10);
        return {
          categories: categories === '' ? undefined : categories.split(';').filter((category) => category !== ''),
          until: now + (Number.isNaN(delay) ? DEFAULT_RATE_LIMIT_MS : delay * 1000),
        };
      });
  }
  const retryAfter = headers?.['retry-after'];
  if (retryAfter) return [{ categories: undefined, until: now + retryAfterMs(retryAfter, now) }];
  if (statusCode === 429) return [{ categories: undefined, until: now + DEFAULT_RATE_LIMIT_MS }];
  return [];
}

function retryAfterMs(header: string, now: number): number {
  const seconds = Number.parseInt(header, 10);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? DEFAULT_RATE_LIMIT_MS : Math.max(0, date - now);
}

/** The windows in force, per category and for all, forgotten once over. */
export class RateLimits {
  #all = 0;
  readonly #byCategory = new Map<string, number>();

  add(limits: readonly RateLimit[]): void {
    for (const limit of limits) {
      if (limit.categories === undefined) this.#all = Math.max(this.#all, limit.until);
      else
        for (const category of limit.categories) this.#byCategory.set(category, Math.max(this.#byCategory.get(category) ?? 0, limit.until));
    }
  }

  /** Until when an envelope with items of `categories` must wait; `now` or earlier when it may go. */
  until(categories: readonly string[]): number {
    let until = this.#all;
    for (const category of categories) until = Math.max(until, this.#byCategory.get(category) ?? 0);
    return until;
  }

  /** Until when everything must wait. */
  get all(): number {
    return this.#all;
  }
}
