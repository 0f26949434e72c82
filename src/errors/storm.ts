/** The window a group's limit counts in. */
export const STORM_WINDOW_MS = 60_000;
/** Groups remembered at most; past it the oldest is forgotten, so a storm of distinct errors cannot grow memory. */
const MAX_GROUPS = 1000;
/** The overall budget's bucket holds this share of a window's occurrences: a burst may spend it at once, the rest comes evenly. */
const BURST_SHARE = 0.1;

interface Group<Occurrence> {
  windowStart: number;
  sentInWindow: number;
  /** Occurrences not sent since the last one that was. */
  suppressed: number;
  /** The latest occurrence not sent, sent at the end with the count. */
  latestSuppressed: Occurrence | undefined;
  /** The event id of the last occurrence sent: the reference a suppressed occurrence's user is given. */
  lastEventId: string | undefined;
}

/** A held-back occurrence handed over with how many of its group were held back before it. */
export interface Held<Occurrence> {
  readonly key: string;
  readonly occurrence: Occurrence;
  readonly suppressedBefore: number;
}

export type Admission =
  { readonly send: true; readonly suppressedBefore: number } | { readonly send: false; readonly lastEventId: string | undefined };

/**
 * Storm control: at most `limit` occurrences per group per minute go on (to Sentry, to the log). Later ones are
 * only counted, and the count rides along with the group's next occurrence, so a command failing in a loop costs a
 * counter increment, not an event built, serialised and sent, nor a stack trace written.
 *
 * `total` bounds the occurrences of all groups together per minute, for a storm of distinct errors: a bucket that
 * holds a tenth of it and refills evenly. An occurrence past it is held back like a repeat, and `release` hands the
 * held-back ones on as the budget refills, so every group still reaches the tracker, with its count.
 */
export class StormControl<Occurrence> {
  readonly #groups = new Map<string, Group<Occurrence>>();
  readonly #bucketSize: number;
  readonly #refillPerMs: number;
  #tokens: number;
  #refilledAt: number;

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
    total = Number.POSITIVE_INFINITY,
  ) {
    this.#bucketSize = Math.max(1, Math.ceil(total * BURST_SHARE));
    this.#refillPerMs = total / STORM_WINDOW_MS;
    this.#tokens = this.#bucketSize;
    this.#refilledAt = now();
  }

  /** Whether this occurrence of the group goes to Sentry; if so, how many were held back before it. */
  admit(key: string, occurrence: Occurrence): Admission {
    const now = this.now();
    let group = this.#groups.get(key);
    if (!group) {
      if (this.#groups.size >= MAX_GROUPS) this.#groups.delete(this.#groups.keys().next().value as string);
      group = { windowStart: now, sentInWindow: 0, suppressed: 0, latestSuppressed: undefined, lastEventId: undefined };
      this.#groups.set(key, group);
    }
    this.#startWindow(group, now);
    if (group.sentInWindow >= this.limit || !this.#spend(now)) {
      group.suppressed++;
      group.latestSuppressed = occurrence;
      return { send: false, lastEventId: group.lastEventId };
    }
    group.sentInWindow++;
    const suppressedBefore = group.suppressed;
    group.suppressed = 0;
    group.latestSuppressed = undefined;
    return { send: true, suppressedBefore };
  }

  /**
   * Takes, oldest group first, the latest held-back occurrence of each group that may go on now (its window has
   * room again, and the overall budget too), as if it had just been admitted. A group that went quiet in a storm
   * reaches the tracker a window later with its count, not only at the drain.
   */
  release(): Held<Occurrence>[] {
    const now = this.now();
    const released: Held<Occurrence>[] = [];
    for (const [key, group] of this.#groups) {
      if (group.latestSuppressed === undefined) continue;
      this.#startWindow(group, now);
      if (group.sentInWindow >= this.limit) continue;
      if (!this.#spend(now)) break;
      group.sentInWindow++;
      released.push({ key, occurrence: group.latestSuppressed, suppressedBefore: group.suppressed - 1 });
      group.suppressed = 0;
      group.latestSuppressed = undefined;
    }
    return released;
  }

  /** Records the id Sentry gave the occurrence just admitted. */
  sent(key: string, eventId: string): void {
    const group = this.#groups.get(key);
    if (group) group.lastEventId = eventId;
  }

  /** Takes, per group with held-back occurrences, the latest one and how many were held back before it. */
  drain(): Held<Occurrence>[] {
    const held = [];
    for (const [key, group] of this.#groups) {
      if (group.latestSuppressed !== undefined)
        held.push({ key, occurrence: group.latestSuppressed, suppressedBefore: group.suppressed - 1 });
    }
    this.#groups.clear();
    return held;
  }

  #startWindow(group: Group<Occurrence>, now: number): void {
    if (now - group.windowStart < STORM_WINDOW_MS) return;
    group.windowStart = now;
    group.sentInWindow = 0;
  }

  /** Takes one occurrence's worth of the overall budget, if there is one. */
  #spend(now: number): boolean {
    if (this.#refillPerMs === Number.POSITIVE_INFINITY) return true;
    this.#tokens = Math.min(this.#bucketSize, this.#tokens + (now - this.#refilledAt) * this.#refillPerMs);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }
}
