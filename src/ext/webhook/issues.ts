import { createHash } from 'node:crypto';
import type { ErrorEvent } from '../../events/types.js';
import { groupError } from '../../errors/grouping.js';
import type { IssueStatus, ReporterStore, StatusChange } from './store.js';

/** Issues kept in memory; past it the one seen least recently (and not waiting to be posted) is forgotten. */
const MAX_ISSUES = 1000;
/**
 * New issues waiting for their own post. A burst of distinct errors past it is not posted one by one: those issues
 * appear in the next digest, marked new, so the posts stay within the budget.
 */
const MAX_WAITING_ANNOUNCEMENTS = 30;

/** What an issue's first post shows, read from its first event when it happened (redacted). */
export interface IssueSnapshot {
  /** What failed (`/divide`, `task import`). */
  readonly source: string;
  /** `Type: first line of the message`. */
  readonly title: string;
  /** The whole message. */
  readonly message: string;
  /** The whole traceback, causes included, as the log shows it. */
  readonly traceback: string;
  /** `command`, `guild_id`, `channel_id`, `shard_id`, ... as trackers tag the event. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface Issue {
  /** 16 hex digits of the grouping key's SHA-256: in custom ids, in the store, in digest lines. */
  readonly id: string;
  readonly source: string;
  readonly title: string;
  readonly firstSeen: number;
  lastSeen: number;
  /** Occurrences since it was first seen (while this reporter runs). */
  total: number;
  /** Occurrences a message has accounted for; a digest lists `total - reported`, and an issue without any is quiet. */
  reported: number;
  status: IssueStatus;
  /** Set while it waits for its own post (new, or back after being resolved). */
  announcement: Announcement | undefined;
  /** New, but not posted on its own (too many were waiting): the digest says it is new. */
  unannounced: boolean;
}

export interface Announcement {
  readonly since: number;
  readonly snapshot: IssueSnapshot;
  /** Kept until the post is built, so the reference a tracker loaded earlier gave the user is on it. */
  readonly event: ErrorEvent;
  /** It had been resolved and happened again. */
  readonly regression: boolean;
}

/** An issue taken for its own post, with how many times it has happened by now. */
export interface AnnouncedIssue {
  readonly issue: Issue;
  readonly announcement: Announcement;
  readonly count: number;
}

export interface DigestEntry {
  readonly issue: Issue;
  /** Occurrences since the last message that mentioned it. */
  readonly count: number;
  readonly isNew: boolean;
}

export interface Digest {
  readonly from: number;
  readonly to: number;
  /** The issues that happened in the window, most frequent first. */
  readonly entries: readonly DigestEntry[];
  /** Occurrences of issues forgotten meanwhile (past MAX_ISSUES), counted so the totals stay true. */
  readonly untracked: number;
}

export interface IssueBookSettings {
  readonly now: () => number;
  readonly store: ReporterStore;
  /** What a new issue's post shows, from its first event. */
  readonly snapshot: (event: ErrorEvent) => IssueSnapshot;
  /** Called with the first failure of the store, so it is logged once. */
  readonly storeFailed: (error: unknown) => void;
}

/** The issue's id: the same for the same grouping key, in every process and after every restart. */
export function issueIdOf(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * The reporter's issues: every `Error` event counted into its issue (grouped as the trackers group), new ones
 * queued for a post of their own, repeats left for the next digest. Cheap on the error's path: a grouping, a
 * lookup and a counter; only an issue's first event is described.
 */
export class IssueBook {
  /** In the order they were last seen, oldest first (each occurrence moves its issue to the end). */
  readonly #issues = new Map<string, Issue>();
  readonly #waiting: Issue[] = [];
  #untracked = 0;
  #windowStart: number;
  #storeFailed = false;

  constructor(private readonly settings: IssueBookSettings) {
    this.#windowStart = settings.now();
  }

  get(issueId: string): Issue | undefined {
    return this.#issues.get(issueId);
  }

  record(event: ErrorEvent): void {
    const now = this.settings.now();
    const id = issueIdOf(groupError(event.source, event.error).key);
    const known = this.#issues.get(id);
    if (known) {
      this.#issues.delete(id);
      this.#issues.set(id, known);
      known.total++;
      known.lastSeen = now;
      if (known.status.state === 'resolved') this.#reopen(known, event, now);
      return;
    }
    const snapshot = this.settings.snapshot(event);
    const issue: Issue = {
      id,
      source: snapshot.source,
      title: snapshot.title,
      firstSeen: now,
      lastSeen: now,
      total: 1,
      reported: 0,
      status: this.#storedStatus(id, now),
      announcement: undefined,
      unannounced: false,
    };
    this.#issues.set(id, issue);
    this.#forgetBeyondLimit();
    if (issue.status.state === 'resolved') this.#reopen(issue, event, now, snapshot);
    else if (issue.status.state === 'open') this.#announce(issue, { since: now, snapshot, event, regression: false });
  }

  /** Whether the oldest new issue has waited `delayMs`, so a post of new issues is due. */
  announcementsDue(delayMs: number): boolean {
    const oldest = this.#waiting[0]?.announcement;
    return oldest !== undefined && this.settings.now() - oldest.since >= delayMs;
  }

  get waitingAnnouncements(): number {
    return this.#waiting.length;
  }

  /** Takes up to `max` waiting new issues for a post; from now on they count as reported. */
  takeAnnouncements(max: number): AnnouncedIssue[] {
    return this.#waiting.splice(0, max).flatMap((issue) => {
      const { announcement } = issue;
      if (!announcement) return [];
      issue.announcement = undefined;
      issue.reported = issue.total;
      return [{ issue, announcement, count: issue.total }];
    });
  }

  /** At stop: the new issues still waiting for a post of their own are listed in the digest instead, marked new. */
  demoteAnnouncements(): void {
    for (const issue of this.#waiting.splice(0)) {
      issue.announcement = undefined;
      issue.unannounced = true;
    }
  }

  /** Whether the window that started at the last digest is `windowMs` old. */
  digestDue(windowMs: number): boolean {
    return this.settings.now() - this.#windowStart >= windowMs;
  }

  /**
   * Closes the window: the issues that happened in it (not waiting for their own post, not muted), most frequent
   * first, now reported. A muted issue's occurrences are passed over, so it comes back with its next window's count.
   */
  takeDigest(): Digest {
    const now = this.settings.now();
    const from = this.#windowStart;
    this.#windowStart = now;
    const entries: DigestEntry[] = [];
    for (const issue of this.#issues.values()) {
      if (issue.announcement || issue.total === issue.reported) continue;
      issue.status = this.#storedStatus(issue.id, now, issue.status);
      const count = issue.total - issue.reported;
      issue.reported = issue.total;
      if (issue.status.state === 'muted') continue;
      entries.push({ issue, count, isNew: issue.unannounced });
      issue.unannounced = false;
    }
    entries.sort((a, b) => b.count - a.count);
    const untracked = this.#untracked;
    this.#untracked = 0;
    return { from, to: now, entries, untracked };
  }

  /** Sets an issue's status (an owner's button), here and in the store. */
  setStatus(issueId: string, status: IssueStatus, change: StatusChange): void {
    const issue = this.#issues.get(issueId);
    if (issue) issue.status = status;
    this.#useStore(() => {
      this.settings.store.setStatus(issueId, status, change);
    }, undefined);
  }

  /** Its page in the store, if the store serves one. */
  linkFor(issueId: string): string | undefined {
    return this.#useStore(() => this.settings.store.linkFor?.(issueId), undefined);
  }

  #reopen(issue: Issue, event: ErrorEvent, now: number, snapshot = this.settings.snapshot(event)): void {
    const open: IssueStatus = { state: 'open' };
    this.setStatus(issue.id, open, { title: issue.title, userId: undefined, at: now });
    this.#announce(issue, { since: now, snapshot, event, regression: true });
  }

  #announce(issue: Issue, announcement: Announcement): void {
    if (this.#waiting.length >= MAX_WAITING_ANNOUNCEMENTS) {
      issue.unannounced = true;
      return;
    }
    issue.announcement = announcement;
    this.#waiting.push(issue);
  }

  /** The stored status, with a mute that has run out read as open. */
  #storedStatus(issueId: string, now: number, fallback: IssueStatus = { state: 'open' }): IssueStatus {
    const status = this.#useStore(() => this.settings.store.status(issueId), fallback) ?? { state: 'open' };
    return status.state === 'muted' && status.until <= now ? { state: 'open' } : status;
  }

  #forgetBeyondLimit(): void {
    if (this.#issues.size <= MAX_ISSUES) return;
    for (const issue of this.#issues.values()) {
      if (issue.announcement) continue;
      this.#issues.delete(issue.id);
      this.#untracked += issue.total - issue.reported;
      return;
    }
  }

  #useStore<T>(use: () => T, fallback: T): T {
    try {
      return use();
    } catch (error) {
      if (!this.#storeFailed) this.settings.storeFailed(error);
      this.#storeFailed = true;
      return fallback;
    }
  }
}
