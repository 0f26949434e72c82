/** The window a group's limit counts in. */
export const STORM_WINDOW_MS = 60_000;
/** Groups remembered at most; past it the oldest is forgotten, so a storm of distinct errors cannot grow memory. */
const MAX_GROUPS = 1000;

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

export type Admission =
  { readonly send: true; readonly suppressedBefore: number } | { readonly send: false; readonly lastEventId: string | undefined };

/**
 * Storm control: at most `limit` occurrences per group per minute go on (to Sentry, to the log). Later ones are
 * only counted, and the count rides along with the group's next occurrence, so a command failing in a loop costs a
 * counter increment, not an event built, serialised and sent, nor a stack trace written.
 */
export class StormControl<Occurrence> {
  readonly #groups = new Map<string, Group<Occurrence>>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  /** Whether this occurrence of the group goes to Sentry; if so, how many were held back before it. */
  admit(key: string, occurrence: Occurrence): Admission {
    const now = this.now();
    let group = this.#groups.get(key);
    if (!group) {
      if (this.#groups.size >= MAX_GROUPS) this.#groups.delete(this.#groups.keys().next().value as string);
      group = { windowStart: now, sentInWindow: 0, suppressed: 0, latestSuppressed: undefined, lastEventId: undefined };
      this.#groups.set(key, group);
    }
    if (now - group.windowStart >= STORM_WINDOW_MS) {
      group.windowStart = now;
      group.sentInWindow = 0;
    }
    if (group.sentInWindow >= this.limit) {
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

  /** Records the id Sentry gave the occurrence just admitted. */
  sent(key: string, eventId: string): void {
    const group = this.#groups.get(key);
    if (group) group.lastEventId = eventId;
  }

  /** Takes, per group with held-back occurrences, the latest one and how many were held back before it. */
  drain(): { key: string; occurrence: Occurrence; suppressedBefore: number }[] {
    const held = [];
    for (const [key, group] of this.#groups) {
      if (group.latestSuppressed !== undefined)
        held.push({ key, occurrence: group.latestSuppressed, suppressedBefore: group.suppressed - 1 });
    }
    this.#groups.clear();
    return held;
  }
}
