import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { StoreAccessError, StoreOptionsError } from '../../errors/codes.js';
import type { TrackedEvent } from '../../tracking/tracked-event.js';
import { openLanternFile } from './file.js';
import { storeError } from './sqlite.js';
import type { Database, Statement } from './sqlite.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How often writing also prunes by age: pruning is a few index range deletes, not worth doing per batch. */
const AGE_PRUNE_INTERVAL_MS = HOUR;
/** Pruning by size goes down to this share of the limit, so it does not run again at the next batch. */
const SIZE_PRUNE_TARGET = 0.9;
/** Rows deleted per statement while pruning by size. */
const PRUNE_CHUNK = 500;
/** Shards listed per issue (its details, `lantern issues --json`): a sharded bot's every shard, up to a size few bots pass. */
export const SHARDS_LISTED = 64;
/** Where the store is when no path is given, under the working directory: the extension's default and the CLI's. */
export const DEFAULT_PATH = '.lantern/errors.db';

export type IssueStatus = 'open' | 'resolved' | 'ignored';
export const ISSUE_STATUSES: readonly IssueStatus[] = ['open', 'resolved', 'ignored'];
/** What an issue remembers it hit, each bounded by `maxValuesPerIssue`. A shard is its id as text (`'1'`). */
export type ValueKind = 'user' | 'guild' | 'release' | 'command' | 'shard';

/** How much the store keeps. The defaults suit a small VPS: a storm or a year of errors stays a few megabytes. */
export interface StoreLimits {
  /** Full events kept per issue, the newest; occurrences past it are still counted. Default 100. */
  readonly maxEventsPerIssue: number;
  /** Events, counts, feedback and issues not seen for longer than this many days go. Default 30. */
  readonly maxAgeDays: number;
  /** When the data passes this many bytes, the oldest events go first, then the issues seen longest ago. Default 50 MiB. */
  readonly maxFileBytes: number;
  /** Users, guilds, releases, commands and shards remembered per issue (each); past it an issue counts on without them. Default 1000. */
  readonly maxValuesPerIssue: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
  maxEventsPerIssue: 100,
  maxAgeDays: 30,
  maxFileBytes: 50 * 1024 * 1024,
  maxValuesPerIssue: 1000,
};

export interface StoreOptions extends Partial<StoreLimits> {
  /** Only read (the CLI's read commands, a page): nothing is written, not even a migration. */
  readonly readonly?: boolean;
  /** Create the file and its folder when missing. Default `true`, `false` when `readonly`. */
  readonly create?: boolean;
  /** How long a statement waits for another process's write lock before failing with StoreLockedError. Default 5000. */
  readonly busyTimeoutMs?: number;
}

/**
 * An occurrence that is only counted (storm control held it back): it adds to its issue's counts, hours, users and
 * guilds, but no event is stored for it. `like` is its group's latest full event, which the issue is made from if
 * the file has not seen the group yet.
 */
export interface CountedOccurrence {
  readonly like: TrackedEvent;
  readonly timestamp: number;
  readonly user: TrackedEvent['user'];
  readonly guildId: string | undefined;
  readonly command: string | undefined;
  readonly release: string | undefined;
  /** The shard it happened on (its id as text, as the `shard_id` tag has it), when the bot runs more than one. */
  readonly shardId?: string | undefined;
}

/** What `record` takes: a full event, or an occurrence only counted. */
export type Occurrence = TrackedEvent | CountedOccurrence;

export interface RecordResult {
  /** Occurrences counted (duplicates of a stored event id are not). */
  readonly counted: number;
  /** Full events written. */
  readonly stored: number;
  /** Issues seen for the first time. */
  readonly newIssues: number;
  /** Resolved issues that came back in a later release and were reopened. */
  readonly regressions: number;
}

export interface IssueSummary {
  /** The short id the CLI and the page show (`lantern show 12`): assigned once, never reused in this file. */
  readonly id: number;
  /** 16 hex digits, the same for the same error in every file and process. */
  readonly fingerprint: string;
  readonly groupingKey: readonly string[];
  readonly title: string;
  readonly culprit: string;
  /** The source of its latest event: `/divide`, `button delete:{id}`, `task digest`. */
  readonly source: string;
  readonly level: TrackedEvent['level'];
  readonly status: IssueStatus;
  /** Reopened because it came back after it was resolved. */
  readonly regression: boolean;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Every occurrence, stored or only counted. */
  readonly count: number;
  /** Full events kept. */
  readonly stored: number;
  /** Users it hit (at most `maxValuesPerIssue` are remembered). */
  readonly users: number;
  readonly guilds: number;
  readonly firstRelease: string | undefined;
  readonly lastRelease: string | undefined;
  /** The latest full event's id. */
  readonly lastEventId: string | undefined;
  readonly statusChangedAt: number | undefined;
  /** The release it was resolved in: events of releases seen before the resolution leave it resolved. */
  readonly resolvedInRelease: string | undefined;
}

export interface StoredEvent {
  /** Grows with every event written to the file: `eventsSince(seq)` reads what came after. */
  readonly seq: number;
  readonly issueId: number;
  readonly event: TrackedEvent;
}

export type IssueSort = 'last-seen' | 'first-seen' | 'count' | 'users';
export const ISSUE_SORTS: readonly IssueSort[] = ['last-seen', 'first-seen', 'count', 'users'];

export interface IssueFilter {
  readonly status?: IssueStatus | readonly IssueStatus[];
  /** A command (`/admin ban`), or a parent of some (`/admin`), or another source (`task digest`). */
  readonly command?: string;
  readonly release?: string;
  readonly guild?: string;
  readonly user?: string;
  /** Hit on this shard (its id). */
  readonly shard?: number;
  /** Seen at or after this time (ms since the epoch). */
  readonly since?: number;
  /** Text in the title, culprit or source, or the start of the fingerprint. */
  readonly search?: string;
  /** Default `last-seen`; every sort is newest or largest first. */
  readonly sort?: IssueSort;
  readonly limit?: number;
  readonly offset?: number;
}

/** What an issue hit: a user (with their name), a guild, a release, a command, a shard, and how often. */
export interface IssueValue {
  readonly value: string;
  readonly label: string | undefined;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface IssueCounts {
  /** The last 24 hours, oldest first; the last entry is the current hour. */
  readonly hourly: readonly number[];
  /** The last 14 days as 24-hour windows ending with the current hour, oldest first. */
  readonly daily: readonly number[];
}

export interface Feedback {
  readonly id: number;
  readonly eventId: string;
  readonly issueId: number | undefined;
  readonly message: string;
  readonly user: { readonly id: string; readonly username: string | undefined } | undefined;
  readonly timestamp: number;
}

export interface StatusChange {
  readonly id: number;
  readonly issueId: number;
  readonly status: IssueStatus;
  readonly previous: IssueStatus;
  readonly at: number;
  readonly release: string | undefined;
  /** `user` (the CLI, the page) or `regression` (it came back). */
  readonly reason: 'user' | 'regression';
}

/** Everything about one issue a detail view shows. */
export interface IssueDetails {
  readonly issue: IssueSummary;
  /** The event the reference named, else the latest stored one. */
  readonly event: StoredEvent | undefined;
  /** The newest stored events, newest first. */
  readonly latest: readonly StoredEvent[];
  readonly counts: IssueCounts;
  readonly users: readonly IssueValue[];
  readonly guilds: readonly IssueValue[];
  readonly releases: readonly IssueValue[];
  readonly commands: readonly IssueValue[];
  /** The shards its occurrences came from (`value` is the shard's id), most often first; empty for a bot not sharded. */
  readonly shards: readonly IssueValue[];
  readonly feedback: readonly Feedback[];
  readonly statusChanges: readonly StatusChange[];
}

export interface PruneResult {
  readonly events: number;
  readonly issues: number;
}

export interface StoreSummary {
  readonly path: string;
  readonly schemaVersion: number;
  /** The file and its write-ahead log. */
  readonly fileBytes: number;
  readonly issues: Readonly<Record<IssueStatus, number>>;
  readonly regressions: number;
  /** Every occurrence counted, and the full events kept. */
  readonly events: { readonly counted: number; readonly stored: number };
  readonly feedback: number;
  readonly firstSeen: number | undefined;
  readonly lastSeen: number | undefined;
  readonly lastSeq: number;
  /** The limits the last process that wrote the file applies (its own, for a store that has not written yet). */
  readonly limits: StoreLimits;
}

export interface RefMatch {
  readonly issue: IssueSummary;
  /** Set when the reference named an event that is still stored. */
  readonly event: StoredEvent | undefined;
}

interface IssueRow {
  id: number;
  fingerprint: string;
  grouping_key: string;
  title: string;
  culprit: string;
  source: string;
  level: TrackedEvent['level'];
  status: IssueStatus;
  regression: number;
  first_seen: number;
  last_seen: number;
  event_count: number;
  stored_count: number;
  user_count: number;
  guild_count: number;
  first_release: string | null;
  last_release: string | null;
  last_event_id: string | null;
  status_changed_at: number | null;
  resolved_in_release: string | null;
}

interface EventRow {
  seq: number;
  issue_id: number;
  payload: string;
}

/** One occurrence's facts, whether it came as a full event or only counted. */
interface Facts {
  readonly timestamp: number;
  readonly release: string | undefined;
  readonly values: readonly (readonly [ValueKind, string, string | undefined])[];
  /** The full event, when there is one to store. */
  readonly event: TrackedEvent | undefined;
  /** The full event, or the one it is counted like. */
  readonly like: TrackedEvent;
}

type Statements = ReturnType<typeof prepare>;

interface Totals {
  counted: number;
  stored: number;
  newIssues: number;
  regressions: number;
}

/**
 * The local error store: one SQLite file of issues, their events and counts, shared by every process that opens it
 * (WAL mode and a busy timeout: shards and bots write while the CLI and the page read). Writes come in batches, one
 * transaction each; reads are plain queries. Every call is synchronous (better-sqlite3); SQLite's failures come out
 * as StoreLockedError, StoreCorruptError and StoreAccessError. It stores what it is given: give it redacted data
 * (`buildTrackedEvent` redacts).
 */
export class ErrorStore {
  readonly path: string;
  readonly limits: StoreLimits;
  readonly readonly: boolean;
  readonly #db: Database;
  readonly #busyTimeoutMs: number;
  readonly #s: Statements;
  #lastAgePrune = 0;

  private constructor(db: Database, path: string, limits: StoreLimits, readonly: boolean, busyTimeoutMs: number) {
    this.#db = db;
    this.path = path;
    this.limits = limits;
    this.readonly = readonly;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#s = prepare(db);
  }

  /**
   * Opens (or creates) the store at `path`, migrating an older file. A file of a newer schema is refused with a
   * StoreVersionError, one that is damaged or not an error store with a StoreCorruptError; neither is changed.
   */
  static async open(path: string, options: StoreOptions = {}): Promise<ErrorStore> {
    const limits = validateLimits({ ...DEFAULT_LIMITS, ...definedOnly(options) });
    const readonly = options.readonly ?? false;
    const create = options.create ?? !readonly;
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0)
      throw new StoreOptionsError('busyTimeoutMs', 'must be a whole number, 0 or more');
    const file = resolve(path);
    const db = await openLanternFile(file, { readonly, create, busyTimeoutMs });
    return new ErrorStore(db, file, limits, readonly, busyTimeoutMs);
  }

  close(): void {
    if (!this.#db.open) return;
    try {
      // The last writer out folds the log into the file and truncates it; if another process still has it, no harm.
      if (!this.readonly) this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A checkpoint is housekeeping; closing goes on.
    }
    this.#db.close();
  }

  // ---- writing ----

  /**
   * Records a batch in one transaction: each occurrence counts towards its issue (made from it when new), its
   * hour, users, guilds, releases and commands; full events are stored, the newest `maxEventsPerIssue` per issue.
   * A resolved issue that comes back in a release it was not seen in before it was resolved (or when nobody
   * knew the release) is reopened and flagged as a regression. An event id already stored is not counted again.
   * Then the file is pruned by size when it has grown past `maxFileBytes`, and by age once an hour.
   */
  record(batch: readonly Occurrence[], now = Date.now()): RecordResult {
    const groups = new Map<string, Facts[]>();
    for (const occurrence of batch) {
      const facts = factsOf(occurrence);
      const group = groups.get(facts.like.fingerprint);
      if (group) group.push(facts);
      else groups.set(facts.like.fingerprint, [facts]);
    }
    const totals: Totals = { counted: 0, stored: 0, newIssues: 0, regressions: 0 };
    this.#write(() => {
      for (const [fingerprint, facts] of groups) this.#recordGroup(fingerprint, facts, totals);
    });
    this.#housekeeping(now);
    return totals;
  }

  /**
   * Sets an issue's status (from the CLI or the page). Resolving remembers the release it is resolved in (the one
   * given, else the issue's latest): its events from releases seen before stay quiet, a later release reopens it.
   */
  setStatus(issueId: number, status: IssueStatus, options: { now?: number; release?: string } = {}): IssueSummary | undefined {
    return this.#write(() => {
      const row = this.#s.issueById.get(issueId);
      if (!row) return undefined;
      if (row.status !== status) {
        const at = options.now ?? Date.now();
        const release = status === 'resolved' ? (options.release ?? row.last_release) : null;
        this.#s.setStatus.run(status, at, release, issueId);
        this.#s.addStatusChange.run(issueId, status, row.status, at, release, 'user');
      }
      return toIssue(this.#s.issueById.get(issueId) as IssueRow);
    });
  }

  /**
   * Keeps what a user said about an error (a later feature asks for it after the error answer); linked to the
   * issue of the event when the store knows it. Give it redacted text. Returns the feedback's id.
   */
  addFeedback(feedback: { eventId: string; message: string; user?: { id: string; username?: string }; timestamp?: number }): number {
    return this.#write(() => {
      const issueId = this.#issueOfEvent(feedback.eventId);
      const { lastInsertRowid } = this.#s.addFeedback.run(
        feedback.eventId,
        issueId ?? null,
        feedback.message,
        feedback.user?.id ?? null,
        feedback.user?.username ?? null,
        feedback.timestamp ?? Date.now(),
      );
      return Number(lastInsertRowid);
    });
  }

  /** Notes this store's limits in the file as the ones that apply (the bot's), for readers to show. */
  saveLimits(): void {
    this.#write(() => this.#s.setMeta.run('limits', JSON.stringify(this.limits)));
  }

  /** Applies the limits now: by age, then events past `maxEventsPerIssue`, then by size. */
  prune(now = Date.now()): PruneResult {
    const byAge = this.#pruneByAge(now);
    const overflow = this.#write(() => {
      const { changes } = this.#s.pruneOverflow.run(this.limits.maxEventsPerIssue);
      if (changes > 0) this.#s.recountStored.run();
      return changes;
    });
    const bySize = this.#pruneBySize();
    return { events: byAge.events + overflow + bySize.events, issues: byAge.issues + bySize.issues };
  }

  // ---- reading ----

  listIssues(filter: IssueFilter = {}): IssueSummary[] {
    const { where, params } = issueWhere(filter);
    const order = SORT_COLUMNS[filter.sort ?? 'last-seen'];
    const sql = `SELECT i.* FROM issues i ${where} ORDER BY ${order} DESC, i.id DESC LIMIT ? OFFSET ?`;
    return this.#read(() =>
      this.#db
        .prepare<unknown[], IssueRow>(sql)
        .all(...params, filter.limit ?? -1, filter.offset ?? 0)
        .map(toIssue),
    );
  }

  countIssues(filter: IssueFilter = {}): number {
    const { where, params } = issueWhere(filter);
    return this.#read(
      () => this.#db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM issues i ${where}`).get(...params)?.n ?? 0,
    );
  }

  issue(issueId: number): IssueSummary | undefined {
    return this.#read(() => {
      const row = this.#s.issueById.get(issueId);
      return row && toIssue(row);
    });
  }

  /**
   * What a reference names: an issue id (`12`, `#12`), an event id or a user's reference (32 hex digits, dashes
   * allowed), or the start of a fingerprint (4 to 16 hex digits). More than one match means the prefix is ambiguous.
   */
  find(ref: string): RefMatch[] {
    const text = ref.trim().toLowerCase().replace(/^#/, '');
    return this.#read(() => {
      const matches: RefMatch[] = [];
      if (/^\d{1,15}$/.test(text)) {
        const row = this.#s.issueById.get(Number(text));
        if (row) matches.push({ issue: toIssue(row), event: undefined });
      }
      const hex = text.replaceAll('-', '');
      if (/^[0-9a-f]{32}$/.test(hex)) {
        const event = this.#s.eventById.get(hex);
        const row = event ? this.#s.issueById.get(event.issue_id) : this.#s.issueByLastEvent.get(hex);
        if (row) matches.push({ issue: toIssue(row), event: event && toStoredEvent(event) });
      }
      if (matches.length === 0 && /^[0-9a-f]{4,16}$/.test(text))
        for (const row of this.#s.issuesByFingerprintPrefix.all(`${text}%`)) matches.push({ issue: toIssue(row), event: undefined });
      return matches;
    });
  }

  event(eventId: string): StoredEvent | undefined {
    return this.#read(() => {
      const row = this.#s.eventById.get(eventId);
      return row && toStoredEvent(row);
    });
  }

  /** The issue's newest stored events, newest first. */
  latestEvents(issueId: number, limit = 10): StoredEvent[] {
    return this.#read(() => this.#s.latestEvents.all(issueId, limit).map(toStoredEvent));
  }

  /** Events written after `seq`, oldest first: what a live view polls for (start from `lastSeq()`). */
  eventsSince(seq: number, limit = 100): StoredEvent[] {
    return this.#read(() => this.#s.eventsSince.all(seq, limit).map(toStoredEvent));
  }

  lastSeq(): number {
    return this.#read(() => this.#s.lastSeq.get()?.seq ?? 0);
  }

  /** Stored events, oldest first, of one issue or all, from a time on: for `lantern export`. */
  *exportEvents(options: { issueId?: number; since?: number } = {}): Generator<StoredEvent> {
    const page = this.#db.prepare<[{ issue: number | null; since: number | null; after: number }], EventRow>(
      `SELECT seq, issue_id, payload FROM events WHERE (@issue IS NULL OR issue_id = @issue) AND (@since IS NULL OR ts >= @since)
       AND seq > @after ORDER BY seq LIMIT ${String(PRUNE_CHUNK)}`,
    );
    // In pages, so no statement stays open across the caller's work.
    let after = 0;
    for (;;) {
      const rows = this.#read(() => page.all({ issue: options.issueId ?? null, since: options.since ?? null, after }));
      for (const row of rows) yield toStoredEvent(row);
      const last = rows.at(-1);
      if (!last || rows.length < PRUNE_CHUNK) return;
      after = last.seq;
    }
  }

  /** Per-hour counts of the last 24 hours and per-day of the last 14, ending with the hour `now` is in. */
  counts(issueId: number, now = Date.now()): IssueCounts {
    return this.countsFor([issueId], now).get(issueId) ?? emptyCounts();
  }

  /** `counts` for several issues at once (a list's sparklines). */
  countsFor(issueIds: readonly number[], now = Date.now()): Map<number, IssueCounts> {
    const current = Math.floor(now / HOUR);
    const result = new Map<number, { hourly: number[]; daily: number[] }>();
    for (const id of issueIds) result.set(id, emptyCounts());
    if (issueIds.length === 0) return result;
    const placeholders = issueIds.map(() => '?').join(',');
    const rows = this.#read(() =>
      this.#db
        .prepare<unknown[], { issue_id: number; hour: number; count: number }>(
          `SELECT issue_id, hour, count FROM issue_hourly WHERE hour > ? AND hour <= ? AND issue_id IN (${placeholders})`,
        )
        .all(current - 14 * 24, current, ...issueIds),
    );
    for (const row of rows) {
      const counts = result.get(row.issue_id);
      if (!counts) continue;
      const ago = current - row.hour;
      if (ago < 24) counts.hourly[23 - ago] = (counts.hourly[23 - ago] ?? 0) + row.count;
      const day = 13 - Math.floor(ago / 24);
      counts.daily[day] = (counts.daily[day] ?? 0) + row.count;
    }
    return result;
  }

  /** An issue with its event (the one given, else the latest), latest events, counts, values, feedback and history. */
  details(issueId: number, options: { eventId?: string; events?: number; values?: number; now?: number } = {}): IssueDetails | undefined {
    const issue = this.issue(issueId);
    if (!issue) return undefined;
    const latest = this.latestEvents(issueId, options.events ?? 10);
    const chosen = options.eventId === undefined ? undefined : this.event(options.eventId);
    const limit = options.values ?? 10;
    return {
      issue,
      event: chosen?.issueId === issueId ? chosen : latest[0],
      latest,
      counts: this.counts(issueId, options.now),
      users: this.values(issueId, 'user', limit),
      guilds: this.values(issueId, 'guild', limit),
      releases: this.values(issueId, 'release', limit),
      commands: this.values(issueId, 'command', limit),
      shards: this.values(issueId, 'shard', Math.max(limit, SHARDS_LISTED)),
      feedback: this.feedback(issueId),
      statusChanges: this.statusChanges(issueId),
    };
  }

  /** The users, guilds, releases, commands or shards the issue hit, most often first. */
  values(issueId: number, kind: ValueKind, limit = 20): IssueValue[] {
    return this.#read(() => this.#s.values.all(issueId, kind, limit).map(toValue));
  }

  /** `values` of one kind for several issues at once (a list's shards), each issue's most often first. */
  valuesFor(issueIds: readonly number[], kind: ValueKind, limit = 20): Map<number, IssueValue[]> {
    const result = new Map<number, IssueValue[]>(issueIds.map((id) => [id, []]));
    if (issueIds.length === 0) return result;
    const rows = this.#read(() =>
      this.#db
        .prepare<unknown[], ValueRow & { issue_id: number }>(
          `SELECT issue_id, value, label, count, first_seen, last_seen FROM issue_values
           WHERE kind = ? AND issue_id IN (${issueIds.map(() => '?').join(',')}) ORDER BY count DESC, last_seen DESC`,
        )
        .all(kind, ...issueIds),
    );
    for (const row of rows) {
      const values = result.get(row.issue_id);
      if (values && values.length < limit) values.push(toValue(row));
    }
    return result;
  }

  /** Feedback on the issue's events, newest first. */
  feedback(issueId: number, limit = 50): Feedback[] {
    return this.#read(() => this.#s.feedbackOfIssue.all(issueId, limit).map(toFeedback));
  }

  feedbackForEvent(eventId: string): Feedback[] {
    return this.#read(() => this.#s.feedbackOfEvent.all(eventId).map(toFeedback));
  }

  /** The issue's status changes, oldest first. */
  statusChanges(issueId: number): StatusChange[] {
    return this.#read(() =>
      this.#s.statusChanges.all(issueId).map((row) => ({
        id: row.id,
        issueId: row.issue_id,
        status: row.status,
        previous: row.previous,
        at: row.at,
        release: row.release ?? undefined,
        reason: row.reason,
      })),
    );
  }

  summary(): StoreSummary {
    return this.#read(() => {
      const byStatus = { open: 0, resolved: 0, ignored: 0 };
      for (const row of this.#s.issuesByStatus.all()) byStatus[row.status] = row.n;
      const totals = this.#s.totals.get();
      return {
        path: this.path,
        schemaVersion: this.#db.pragma('user_version', { simple: true }) as number,
        fileBytes: fileSize(this.path) + fileSize(`${this.path}-wal`),
        issues: byStatus,
        regressions: totals?.regressions ?? 0,
        events: { counted: totals?.counted ?? 0, stored: this.#s.storedEvents.get()?.n ?? 0 },
        feedback: this.#s.feedbackCount.get()?.n ?? 0,
        firstSeen: totals?.first_seen ?? undefined,
        lastSeen: totals?.last_seen ?? undefined,
        lastSeq: this.#s.lastSeq.get()?.seq ?? 0,
        limits: this.#writersLimits(),
      };
    });
  }

  // ---- internals ----

  #recordGroup(fingerprint: string, all: readonly Facts[], totals: Totals): void {
    const s = this.#s;
    const ordered = [...all].sort((a, b) => a.timestamp - b.timestamp);
    const first = ordered[0] as Facts;
    const last = ordered[ordered.length - 1] as Facts;
    const row = s.issueByFingerprint.get(fingerprint) ?? this.#newIssue(fingerprint, first, last, totals);
    const issueId = row.id;

    // The newest full events are written first: an id already stored (a retry, a second delivery) is not counted again.
    const fulls = all.filter((f) => f.event);
    const kept = new Set(fulls.slice(-this.limits.maxEventsPerIssue));
    const duplicates = new Set<Facts>();
    const seen = new Set<string>();
    let stored = 0;
    for (const f of fulls) {
      const event = f.event as TrackedEvent;
      if (seen.has(event.eventId)) duplicates.add(f);
      else if (kept.has(f)) {
        if (this.#insertEvent(issueId, event)) stored++;
        else duplicates.add(f);
      } else if (s.eventExists.get(event.eventId)) duplicates.add(f);
      seen.add(event.eventId);
    }
    const facts = duplicates.size === 0 ? ordered : ordered.filter((f) => !duplicates.has(f));
    if (facts.length === 0) return;
    const pruned = stored > 0 ? s.pruneIssueOverflow.run(issueId, issueId, this.limits.maxEventsPerIssue).changes : 0;

    let { status, regression, status_changed_at: statusChangedAt } = row;
    for (const f of facts) {
      if (status !== 'resolved' || f.timestamp <= (statusChangedAt ?? 0)) continue;
      if (this.#seenBeforeResolution(issueId, f.release, row)) continue;
      s.addStatusChange.run(issueId, 'open', status, f.timestamp, f.release ?? null, 'regression');
      status = 'open';
      regression = 1;
      statusChangedAt = f.timestamp;
      totals.regressions++;
    }

    const hours = new Map<number, number>();
    for (const f of facts) {
      const hour = Math.floor(f.timestamp / HOUR);
      hours.set(hour, (hours.get(hour) ?? 0) + 1);
    }
    for (const [hour, count] of hours) s.addHourly.run(issueId, hour, count);

    const values = this.#addValues(issueId, facts, row.event_count === 0);
    const latestFull = facts.findLast((f) => f.event)?.event;
    const model = latestFull ?? (facts[facts.length - 1] as Facts).like;
    s.updateIssue.run({
      id: issueId,
      title: model.title,
      culprit: model.culprit,
      source: model.source,
      level: model.level,
      first: (facts[0] as Facts).timestamp,
      last: (facts[facts.length - 1] as Facts).timestamp,
      count: facts.length,
      lastRelease: (facts[facts.length - 1] as Facts).release ?? null,
      lastEventId: latestFull?.eventId ?? null,
      status,
      regression,
      statusChangedAt,
      users: values.user,
      guilds: values.guild,
      stored: row.stored_count + stored - pruned,
    });
    totals.counted += facts.length;
    totals.stored += stored;
  }

  #newIssue(fingerprint: string, first: Facts, last: Facts, totals: Totals): IssueRow {
    const model = last.event ?? last.like;
    const row = this.#s.insertIssue.get(
      fingerprint,
      JSON.stringify(model.groupingKey),
      model.title,
      model.culprit,
      model.source,
      model.level,
      first.timestamp,
      last.timestamp,
      first.release ?? null,
    );
    if (!row) throw new Error(`The issue ${fingerprint} could not be created`);
    totals.newIssues++;
    return row;
  }

  /** Writes a full event; `false` when its id is already stored. */
  #insertEvent(issueId: number, event: TrackedEvent): boolean {
    return (
      this.#s.insertEvent.run(
        event.eventId,
        issueId,
        event.timestamp,
        event.level,
        event.source,
        event.release ?? null,
        event.environment ?? null,
        shardOf(event.tags.shard_id),
        event.tags.guild_id ?? null,
        event.tags.channel_id ?? null,
        event.tags.command ?? null,
        event.user?.id ?? null,
        JSON.stringify(event),
      ).changes > 0
    );
  }

  /** Whether an event of `release` is one of an issue's releases from before it was resolved (so no regression). */
  #seenBeforeResolution(issueId: number, release: string | undefined, row: IssueRow): boolean {
    if (row.resolved_in_release === null || release === undefined) return false;
    const seen = this.#s.valueOf.get(issueId, 'release', release);
    return seen !== undefined && seen.first_seen <= (row.status_changed_at ?? 0);
  }

  /**
   * Adds the group's users, guilds, releases, commands and shards, each kind bounded by `maxValuesPerIssue`: while an issue
   * has room, one upsert a value; once full, only values it already has are counted. Returns how many of each it has.
   */
  #addValues(issueId: number, facts: readonly Facts[], isNew: boolean): Record<ValueKind, number> {
    const s = this.#s;
    const merged = new Map<
      string,
      { kind: ValueKind; value: string; label: string | undefined; count: number; first: number; last: number }
    >();
    for (const f of facts) {
      for (const [kind, value, label] of f.values) {
        const key = `${kind}\n${value}`;
        const entry = merged.get(key);
        if (entry) {
          entry.count++;
          entry.last = f.timestamp;
          entry.label = label ?? entry.label;
        } else merged.set(key, { kind, value, label, count: 1, first: f.timestamp, last: f.timestamp });
      }
    }
    const counts: Record<ValueKind, number> = { user: 0, guild: 0, release: 0, command: 0, shard: 0 };
    if (!isNew) for (const { kind, n } of s.countValuesByKind.all(issueId)) counts[kind] = n;
    const cap = this.limits.maxValuesPerIssue;
    for (const entry of merged.values()) {
      const label = entry.label ?? null;
      if (counts[entry.kind] >= cap) {
        s.bumpValue.run(entry.count, entry.last, label, issueId, entry.kind, entry.value);
        continue;
      }
      const after = s.upsertValue.get(issueId, entry.kind, entry.value, label, entry.count, entry.first, entry.last);
      // A row that holds only this batch's count was new.
      if (after?.count === entry.count) counts[entry.kind]++;
    }
    return counts;
  }

  #writersLimits(): StoreLimits {
    const saved = this.#s.meta.get('limits')?.value;
    if (saved === undefined) return this.limits;
    try {
      return { ...this.limits, ...(JSON.parse(saved) as Partial<StoreLimits>) };
    } catch {
      return this.limits;
    }
  }

  #issueOfEvent(eventId: string): number | undefined {
    return this.#s.eventById.get(eventId)?.issue_id ?? this.#s.issueByLastEvent.get(eventId)?.id;
  }

  #housekeeping(now: number): void {
    if (now - this.#lastAgePrune >= AGE_PRUNE_INTERVAL_MS) this.#pruneByAge(now);
    if (this.#usedBytes() > this.limits.maxFileBytes) this.#pruneBySize();
  }

  #pruneByAge(now: number): PruneResult {
    this.#lastAgePrune = now;
    const cutoff = now - this.limits.maxAgeDays * DAY;
    return this.#write(() => {
      const s = this.#s;
      const events = s.pruneEventsBefore.run(cutoff).changes;
      const issues = s.pruneIssuesBefore.run(cutoff).changes;
      s.pruneHourlyBefore.run(Math.floor(cutoff / HOUR));
      s.pruneFeedbackBefore.run(cutoff);
      if (events > 0) s.recountStored.run();
      return { events, issues };
    });
  }

  /** The oldest events go until the data is under the limit; if events alone are not enough, the issues seen longest ago. */
  #pruneBySize(): PruneResult {
    const target = this.limits.maxFileBytes * SIZE_PRUNE_TARGET;
    let events = 0;
    let issues = 0;
    const eventBytes = Math.max(1, this.#s.averageEventBytes.get()?.bytes ?? 1);
    for (let used = this.#usedBytes(); used > target; used = this.#usedBytes()) {
      // As many of the oldest events as should free the excess; a few more rounds if the estimate falls short.
      const count = Math.min(PRUNE_CHUNK, Math.max(1, Math.ceil((used - target) / eventBytes)));
      const removed = this.#write(() => this.#s.pruneOldestEvents.run(count).changes);
      if (removed > 0) {
        events += removed;
        continue;
      }
      const gone = this.#write(() => this.#s.pruneOldestIssues.run(Math.ceil(PRUNE_CHUNK / 10)).changes);
      if (gone === 0) break;
      issues += gone;
    }
    if (events + issues > 0) {
      this.#write(() => this.#s.recountStored.run());
      // Hands the freed pages back to the file system, so the file shrinks rather than only stops growing.
      this.#write(() => this.#db.pragma('incremental_vacuum'));
    }
    return { events, issues };
  }

  #usedBytes(): number {
    const pages = this.#db.pragma('page_count', { simple: true }) as number;
    const free = this.#db.pragma('freelist_count', { simple: true }) as number;
    const size = this.#db.pragma('page_size', { simple: true }) as number;
    return (pages - free) * size;
  }

  #write<T>(work: () => T): T {
    if (this.readonly) throw new StoreAccessError(this.path, 'was opened read-only');
    try {
      return this.#db.transaction(work).immediate();
    } catch (error) {
      throw storeError(error, this.path, this.#busyTimeoutMs);
    }
  }

  #read<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storeError(error, this.path, this.#busyTimeoutMs);
    }
  }
}

function prepare(db: Database) {
  const statement = <Params extends unknown[], Row = unknown>(sql: string): Statement<Params, Row> => db.prepare<Params, Row>(sql);
  return {
    issueById: statement<[number], IssueRow>('SELECT * FROM issues WHERE id = ?'),
    issueByFingerprint: statement<[string], IssueRow>('SELECT * FROM issues WHERE fingerprint = ?'),
    issueByLastEvent: statement<[string], IssueRow>('SELECT * FROM issues WHERE last_event_id = ?'),
    issuesByFingerprintPrefix: statement<[string], IssueRow>('SELECT * FROM issues WHERE fingerprint LIKE ? ORDER BY id LIMIT 10'),
    insertIssue: statement<[string, string, string, string, string, string, number, number, string | null], IssueRow>(
      `INSERT INTO issues (fingerprint, grouping_key, title, culprit, source, level, first_seen, last_seen, first_release)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ),
    updateIssue: statement<[Record<string, unknown>]>(
      `UPDATE issues SET title = @title, culprit = @culprit, source = @source, level = @level,
         first_seen = min(first_seen, @first), last_seen = max(last_seen, @last), event_count = event_count + @count,
         last_release = CASE WHEN @last >= last_seen THEN coalesce(@lastRelease, last_release) ELSE last_release END,
         first_release = coalesce(first_release, @lastRelease),
         last_event_id = coalesce(@lastEventId, last_event_id), status = @status, regression = @regression,
         status_changed_at = @statusChangedAt, user_count = @users, guild_count = @guilds,
         stored_count = @stored
       WHERE id = @id`,
    ),
    setStatus: statement<[IssueStatus, number, string | null, number]>(
      'UPDATE issues SET status = ?, regression = 0, status_changed_at = ?, resolved_in_release = ? WHERE id = ?',
    ),
    addStatusChange: statement<[number, IssueStatus, IssueStatus, number, string | null, 'user' | 'regression']>(
      'INSERT INTO status_changes (issue_id, status, previous, at, release, reason) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    statusChanges: statement<
      [number],
      {
        id: number;
        issue_id: number;
        status: IssueStatus;
        previous: IssueStatus;
        at: number;
        release: string | null;
        reason: 'user' | 'regression';
      }
    >('SELECT * FROM status_changes WHERE issue_id = ? ORDER BY id'),
    addHourly: statement<[number, number, number]>(
      'INSERT INTO issue_hourly (issue_id, hour, count) VALUES (?, ?, ?) ' +
        'ON CONFLICT (issue_id, hour) DO UPDATE SET count = count + excluded.count',
    ),
    bumpValue: statement<[number, number, string | null, number, ValueKind, string]>(
      `UPDATE issue_values SET count = count + ?, last_seen = max(last_seen, ?), label = coalesce(?, label)
       WHERE issue_id = ? AND kind = ? AND value = ?`,
    ),
    countValuesByKind: statement<[number], { kind: ValueKind; n: number }>(
      'SELECT kind, count(*) AS n FROM issue_values WHERE issue_id = ? GROUP BY kind',
    ),
    upsertValue: statement<[number, ValueKind, string, string | null, number, number, number], { count: number }>(
      `INSERT INTO issue_values (issue_id, kind, value, label, count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (issue_id, kind, value) DO UPDATE SET count = count + excluded.count, last_seen = max(last_seen, excluded.last_seen),
         label = coalesce(excluded.label, label)
       RETURNING count`,
    ),
    valueOf: statement<[number, ValueKind, string], { first_seen: number }>(
      'SELECT first_seen FROM issue_values WHERE issue_id = ? AND kind = ? AND value = ?',
    ),
    values: statement<[number, ValueKind, number], ValueRow>(
      'SELECT value, label, count, first_seen, last_seen FROM issue_values WHERE issue_id = ? AND kind = ? ' +
        'ORDER BY count DESC, last_seen DESC LIMIT ?',
    ),
    eventExists: statement<[string], { one: number }>('SELECT 1 AS one FROM events WHERE event_id = ?'),
    insertEvent: statement<
      [
        string,
        number,
        number,
        string,
        string,
        string | null,
        string | null,
        number | null,
        string | null,
        string | null,
        string | null,
        string | null,
        string,
      ]
    >(
      `INSERT OR IGNORE INTO events
       (event_id, issue_id, ts, level, source, release, environment, shard_id, guild_id, channel_id, command, user_id, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    pruneIssueOverflow: statement<[number, number, number]>(
      'DELETE FROM events WHERE issue_id = ? AND seq <= (SELECT seq FROM events WHERE issue_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)',
    ),
    eventById: statement<[string], EventRow>('SELECT seq, issue_id, payload FROM events WHERE event_id = ?'),
    latestEvents: statement<[number, number], EventRow>(
      'SELECT seq, issue_id, payload FROM events WHERE issue_id = ? ORDER BY seq DESC LIMIT ?',
    ),
    eventsSince: statement<[number, number], EventRow>('SELECT seq, issue_id, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    lastSeq: statement<[], { seq: number }>('SELECT max(seq) AS seq FROM events'),
    addFeedback: statement<[string, number | null, string, string | null, string | null, number]>(
      'INSERT INTO feedback (event_id, issue_id, message, user_id, username, ts) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    feedbackOfIssue: statement<[number, number], FeedbackRow>('SELECT * FROM feedback WHERE issue_id = ? ORDER BY id DESC LIMIT ?'),
    feedbackOfEvent: statement<[string], FeedbackRow>('SELECT * FROM feedback WHERE event_id = ? ORDER BY id DESC'),
    feedbackCount: statement<[], { n: number }>('SELECT count(*) AS n FROM feedback'),
    issuesByStatus: statement<[], { status: IssueStatus; n: number }>('SELECT status, count(*) AS n FROM issues GROUP BY status'),
    totals: statement<[], { counted: number | null; regressions: number | null; first_seen: number | null; last_seen: number | null }>(
      'SELECT sum(event_count) AS counted, sum(regression) AS regressions, ' +
        'min(first_seen) AS first_seen, max(last_seen) AS last_seen FROM issues',
    ),
    storedEvents: statement<[], { n: number }>('SELECT count(*) AS n FROM events'),
    averageEventBytes: statement<[], { bytes: number | null }>('SELECT avg(length(payload)) AS bytes FROM events'),
    pruneEventsBefore: statement<[number]>('DELETE FROM events WHERE ts < ?'),
    pruneIssuesBefore: statement<[number]>('DELETE FROM issues WHERE last_seen < ?'),
    pruneHourlyBefore: statement<[number]>('DELETE FROM issue_hourly WHERE hour < ?'),
    pruneFeedbackBefore: statement<[number]>('DELETE FROM feedback WHERE ts < ?'),
    pruneOverflow: statement<[number]>(
      `DELETE FROM events WHERE seq IN (
         SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY issue_id ORDER BY seq DESC) AS n FROM events) WHERE n > ?)`,
    ),
    pruneOldestEvents: statement<[number]>('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY ts LIMIT ?)'),
    pruneOldestIssues: statement<[number]>('DELETE FROM issues WHERE id IN (SELECT id FROM issues ORDER BY last_seen LIMIT ?)'),
    meta: statement<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: statement<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    recountStored: statement<[]>('UPDATE issues SET stored_count = (SELECT count(*) FROM events WHERE issue_id = issues.id)'),
  };
}

interface ValueRow {
  value: string;
  label: string | null;
  count: number;
  first_seen: number;
  last_seen: number;
}

interface FeedbackRow {
  id: number;
  event_id: string;
  issue_id: number | null;
  message: string;
  user_id: string | null;
  username: string | null;
  ts: number;
}

const SORT_COLUMNS: Record<IssueSort, string> = {
  'last-seen': 'i.last_seen',
  'first-seen': 'i.first_seen',
  count: 'i.event_count',
  users: 'i.user_count',
};

function issueWhere(filter: IssueFilter): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const statuses = filter.status === undefined ? [] : typeof filter.status === 'string' ? [filter.status] : filter.status;
  if (statuses.length > 0) {
    clauses.push(`i.status IN (${statuses.map(() => '?').join(',')})`);
    params.push(...statuses);
  }
  if (filter.since !== undefined) {
    clauses.push('i.last_seen >= ?');
    params.push(filter.since);
  }
  const hasValue = (kind: ValueKind, value: string, orChildren = false) => {
    const orChild = orChildren ? " OR v.value LIKE ? ESCAPE '\\'" : '';
    clauses.push(`EXISTS (SELECT 1 FROM issue_values v WHERE v.issue_id = i.id AND v.kind = ? AND (v.value = ?${orChild}))`);
    params.push(kind, value, ...(orChildren ? [`${escapeLike(value)} %`] : []));
  };
  if (filter.command !== undefined) hasValue('command', filter.command, true);
  if (filter.release !== undefined) hasValue('release', filter.release);
  if (filter.guild !== undefined) hasValue('guild', filter.guild);
  if (filter.user !== undefined) hasValue('user', filter.user);
  if (filter.shard !== undefined) hasValue('shard', String(filter.shard));
  if (filter.search !== undefined && filter.search !== '') {
    const like = `%${escapeLike(filter.search)}%`;
    clauses.push(
      "(i.title LIKE ? ESCAPE '\\' OR i.culprit LIKE ? ESCAPE '\\' OR i.source LIKE ? ESCAPE '\\' OR i.fingerprint LIKE ? ESCAPE '\\')",
    );
    params.push(like, like, like, `${escapeLike(filter.search.toLowerCase())}%`);
  }
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function factsOf(occurrence: Occurrence): Facts {
  if ('like' in occurrence) {
    const { like, user, guildId, command, release, shardId } = occurrence;
    return {
      timestamp: occurrence.timestamp,
      release,
      values: valuesOf(user, guildId, release, command, shardOf(shardId)),
      event: undefined,
      like,
    };
  }
  const event = occurrence;
  return {
    timestamp: event.timestamp,
    release: event.release,
    // A bot of one shard tags every event shard 0; only a sharded bot's (tagged `shard_count` too) say which shard it hit.
    values: valuesOf(
      event.user,
      event.tags.guild_id,
      event.release,
      event.tags.command ?? event.source,
      event.tags.shard_count === undefined ? null : shardOf(event.tags.shard_id),
    ),
    event,
    like: event,
  };
}

function valuesOf(
  user: TrackedEvent['user'],
  guildId: string | undefined,
  release: string | undefined,
  command: string | undefined,
  shard: number | null,
): [ValueKind, string, string | undefined][] {
  const values: [ValueKind, string, string | undefined][] = [];
  if (user) values.push(['user', user.id, user.username]);
  if (guildId) values.push(['guild', guildId, undefined]);
  if (release) values.push(['release', release, undefined]);
  if (command) values.push(['command', command, undefined]);
  if (shard !== null) values.push(['shard', String(shard), undefined]);
  return values;
}

/** A `shard_id` tag as a shard's id; `null` when there is none or it is not one (a tag anyone could set). */
function shardOf(tag: string | undefined): number | null {
  const shard = Number(tag);
  return tag !== undefined && tag.trim() !== '' && Number.isSafeInteger(shard) && shard >= 0 ? shard : null;
}

function toIssue(row: IssueRow): IssueSummary {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    groupingKey: JSON.parse(row.grouping_key) as string[],
    title: row.title,
    culprit: row.culprit,
    source: row.source,
    level: row.level,
    status: row.status,
    regression: row.regression === 1,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    count: row.event_count,
    stored: row.stored_count,
    users: row.user_count,
    guilds: row.guild_count,
    firstRelease: row.first_release ?? undefined,
    lastRelease: row.last_release ?? undefined,
    lastEventId: row.last_event_id ?? undefined,
    statusChangedAt: row.status_changed_at ?? undefined,
    resolvedInRelease: row.resolved_in_release ?? undefined,
  };
}

function toStoredEvent(row: EventRow): StoredEvent {
  return { seq: row.seq, issueId: row.issue_id, event: JSON.parse(row.payload) as TrackedEvent };
}

function toValue(row: ValueRow): IssueValue {
  return { value: row.value, label: row.label ?? undefined, count: row.count, firstSeen: row.first_seen, lastSeen: row.last_seen };
}

function toFeedback(row: FeedbackRow): Feedback {
  return {
    id: row.id,
    eventId: row.event_id,
    issueId: row.issue_id ?? undefined,
    message: row.message,
    user: row.user_id === null ? undefined : { id: row.user_id, username: row.username ?? undefined },
    timestamp: row.ts,
  };
}

function emptyCounts(): { hourly: number[]; daily: number[] } {
  return { hourly: new Array<number>(24).fill(0), daily: new Array<number>(14).fill(0) };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function definedOnly(options: StoreOptions): Partial<StoreLimits> {
  const limits: Partial<Record<keyof StoreLimits, number>> = {};
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof StoreLimits)[]) if (options[key] !== undefined) limits[key] = options[key];
  return limits;
}

function validateLimits(limits: StoreLimits): StoreLimits {
  for (const key of ['maxEventsPerIssue', 'maxValuesPerIssue', 'maxFileBytes'] as const) {
    const value = limits[key];
    if (!Number.isInteger(value) || value < 1)
      throw new StoreOptionsError(key, `must be a whole number, at least 1 (got ${String(value)})`);
  }
  if (!Number.isFinite(limits.maxAgeDays) || limits.maxAgeDays <= 0)
    throw new StoreOptionsError('maxAgeDays', `must be a number of days above 0 (got ${String(limits.maxAgeDays)})`);
  return limits;
}
