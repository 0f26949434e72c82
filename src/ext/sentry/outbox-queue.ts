/**
 * Where the Sentry outbox keeps its envelopes: tables of their own in a Lantern file (the local error store's, or
 * `.lantern/outbox.db`), shared by every process that opens it, or a queue in memory when no file can be used. No
 * Sentry SDK here: the `lantern` CLI reads the same tables.
 */
import { resolve } from 'node:path';
import { openLanternFile, partVersion } from '../local/file.js';
import type { FilePart } from '../local/file.js';
import { storeError } from '../local/sqlite.js';
import type { Database, Statement } from '../local/sqlite.js';

/** The outbox's tables, as a part of a Lantern file (see `FilePart`). */
export const OUTBOX_PART: FilePart = {
  name: 'sentry-outbox',
  migrations: [
    `
    -- One row per envelope waiting for Sentry, oldest first. target: a hash of the DSN it is for (never the DSN).
    -- categories: Sentry's rate-limit categories of its items. owner and lease_until: the process sending it now.
    CREATE TABLE outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      target TEXT NOT NULL,
      event_id TEXT,
      categories TEXT NOT NULL,
      body BLOB NOT NULL,
      bytes INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL DEFAULT 0,
      lease_until INTEGER NOT NULL DEFAULT 0,
      owner TEXT,
      last_error TEXT
    );
    CREATE INDEX outbox_target ON outbox (target, id);
    CREATE INDEX outbox_owner ON outbox (owner) WHERE owner IS NOT NULL;
    CREATE INDEX outbox_created ON outbox (created_at);

    -- Kept by triggers, so every process reads the totals the bounds apply to without counting.
    CREATE TABLE outbox_totals (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL, bytes INTEGER NOT NULL);
    INSERT INTO outbox_totals (id, count, bytes) VALUES (1, 0, 0);
    CREATE TRIGGER outbox_added AFTER INSERT ON outbox BEGIN
      UPDATE outbox_totals SET count = count + 1, bytes = bytes + NEW.bytes WHERE id = 1;
    END;
    CREATE TRIGGER outbox_removed AFTER DELETE ON outbox BEGIN
      UPDATE outbox_totals SET count = count - 1, bytes = bytes - OLD.bytes WHERE id = 1;
    END;

    -- Envelopes Sentry refused for good (400, 413), kept aside for a developer to look at; the latest few only.
    CREATE TABLE outbox_dead (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      target TEXT NOT NULL,
      event_id TEXT,
      body BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      failed_at INTEGER NOT NULL,
      status INTEGER NOT NULL,
      reason TEXT NOT NULL
    );

    CREATE TABLE outbox_state (
      target TEXT PRIMARY KEY,
      failing_since INTEGER,
      last_error TEXT,
      last_error_at INTEGER,
      last_delivered_at INTEGER
    ) WITHOUT ROWID;

    -- day: the local date, YYYY-MM-DD.
    CREATE TABLE outbox_days (
      day TEXT NOT NULL,
      target TEXT NOT NULL,
      delivered INTEGER NOT NULL DEFAULT 0,
      late INTEGER NOT NULL DEFAULT 0,
      dropped INTEGER NOT NULL DEFAULT 0,
      dead INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (day, target)
    ) WITHOUT ROWID;

    -- Who was handed which reference, so only they can report on it, once, also after a restart.
    CREATE TABLE sentry_references (
      event_id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      reported_at INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX sentry_references_created ON sentry_references (created_at);
    `,
  ],
};

/** Dead letters kept: enough to see what Sentry refuses, never a growing pile. */
const MAX_DEAD_LETTERS = 100;
/** Rows removed per statement when the outbox is past its bounds. */
const EVICT_CHUNK = 500;
/** How often writing also drops envelopes past their age: a range delete, not worth doing per batch. */
const AGE_PRUNE_INTERVAL_MS = 60_000;
const DAYS_KEPT = 30;

/** How much the outbox keeps; past any of them the oldest envelopes go first. */
export interface OutboxLimits {
  readonly maxEnvelopes: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  /** How long a user's reference is remembered for feedback. */
  readonly referenceMaxAgeMs: number;
}

export interface NewEnvelope {
  readonly target: string;
  readonly eventId: string | undefined;
  readonly categories: readonly string[];
  readonly body: Uint8Array;
  readonly createdAt: number;
}

export interface ClaimedEnvelope {
  readonly id: number;
  readonly eventId: string | undefined;
  readonly categories: readonly string[];
  readonly body: Uint8Array;
  readonly createdAt: number;
  /** Attempts so far, this one included. */
  readonly attempts: number;
}

/** What became of a claimed envelope. */
export type Settlement =
  | { readonly kind: 'delivered'; readonly id: number; readonly late: boolean }
  /** `attempted: false` gives the attempt back (it was held for a rate limit, never sent). */
  | { readonly kind: 'retry'; readonly id: number; readonly at: number; readonly error: string; readonly attempted: boolean }
  | { readonly kind: 'dead'; readonly id: number; readonly status: number; readonly reason: string };

export interface NewReference {
  readonly eventId: string;
  readonly userId: string;
  readonly createdAt: number;
}

export interface StoredReference {
  readonly userId: string;
  readonly createdAt: number;
  readonly reportedAt: number | undefined;
}

export interface DeliveryState {
  readonly failingSince: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly lastDeliveredAt: number | null;
}

/** Everything one process writes in one go (one transaction in a file). */
export interface WriteBatch {
  readonly target: string;
  readonly owner: string;
  readonly envelopes: readonly NewEnvelope[];
  readonly references: readonly NewReference[];
  readonly settlements: readonly Settlement[];
  readonly state: Partial<DeliveryState> | undefined;
}

/** An envelope the bounds removed before it was delivered. */
export interface Evicted {
  readonly target: string;
  readonly categories: readonly string[];
  readonly reason: 'full' | 'age';
}

export interface QueueTotals {
  readonly count: number;
  readonly bytes: number;
  /** When the oldest waiting envelope was queued. */
  readonly oldest: number | undefined;
}

/** The outbox's storage; every call is synchronous. A file's failures come out as the store's errors (StoreLockedError...). */
export interface OutboxQueue {
  /** The file's path, or `memory`. */
  readonly location: string;
  readonly durable: boolean;
  write(batch: WriteBatch, now: number): Evicted[];
  /** Leases up to `limit` of the oldest envelopes for `target` that are due and not leased by a live process. */
  claim(target: string, owner: string, limit: number, now: number, leaseUntil: number): ClaimedEnvelope[];
  /** Holds back the envelopes of `target` with an item of one of `categories` (all of them when `undefined`) until `until`. */
  defer(target: string, categories: readonly string[] | undefined, until: number): void;
  /** When the next envelope of `target` can be claimed (`now` or earlier when one is due), `undefined` when there is none. */
  nextAttemptAt(target: string): number | undefined;
  /** Envelopes waiting for `target`. */
  pending(target: string): number;
  totals(): QueueTotals;
  /** Gives back every lease `owner` holds, so another process (or the next start) sends them at once. */
  release(owner: string): void;
  reference(eventId: string): StoredReference | undefined;
  /** Marks the reference reported, if it is `userId`'s, not reported yet and not older than `notBefore`; `true` when it did. */
  markReported(eventId: string, userId: string, notBefore: number, at: number): boolean;
  close(): void;
}

interface ClaimRow {
  id: number;
  event_id: string | null;
  categories: string;
  body: Buffer;
  created_at: number;
  attempts: number;
}

type Statements = ReturnType<typeof prepare>;

/**
 * The outbox in a Lantern file: WAL mode, so shards write it at once and the CLI reads it meanwhile. A process
 * claims envelopes with a lease (its id and an expiry), so two never send one envelope at the same time, and one
 * that died has its leases taken over once they expire.
 */
export class SqliteOutboxQueue implements OutboxQueue {
  readonly location: string;
  readonly durable = true;
  readonly #db: Database;
  readonly #s: Statements;
  readonly #limits: OutboxLimits;
  readonly #busyTimeoutMs: number;
  #lastAgePrune = 0;

  private constructor(db: Database, path: string, limits: OutboxLimits, busyTimeoutMs: number) {
    this.#db = db;
    this.location = path;
    this.#limits = limits;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#s = prepare(db);
  }

  /** Opens (or creates) the file and the outbox's tables in it; throws the store's errors when it cannot. */
  static async open(path: string, limits: OutboxLimits, busyTimeoutMs: number): Promise<SqliteOutboxQueue> {
    const file = resolve(path);
    const db = await openLanternFile(file, { readonly: false, create: true, busyTimeoutMs, parts: [OUTBOX_PART] });
    return new SqliteOutboxQueue(db, file, limits, busyTimeoutMs);
  }

  write(batch: WriteBatch, now: number): Evicted[] {
    return this.#write(() => {
      const s = this.#s;
      const counts = { delivered: 0, late: 0, dropped: 0, dead: 0 };
      for (const envelope of batch.envelopes)
        s.insert.run(
          envelope.target,
          envelope.eventId ?? null,
          envelope.categories.join(','),
          envelope.body,
          envelope.body.byteLength,
          envelope.createdAt,
          envelope.createdAt,
        );
      for (const reference of batch.references) s.remember.run(reference.eventId, reference.userId, reference.createdAt);
      for (const settlement of batch.settlements) {
        const key = { id: settlement.id, owner: batch.owner };
        if (settlement.kind === 'delivered') {
          if (s.remove.run(key).changes === 0) continue;
          counts.delivered++;
          if (settlement.late) counts.late++;
        } else if (settlement.kind === 'retry') {
          s.retry.run({ ...key, at: settlement.at, error: settlement.error, back: settlement.attempted ? 0 : 1 });
        } else if (s.bury.run({ ...key, at: now, status: settlement.status, reason: settlement.reason }).changes > 0) {
          s.remove.run(key);
          counts.dead++;
        }
      }
      if (counts.dead > 0) s.pruneDead.run(MAX_DEAD_LETTERS);
      const evicted = this.#evict(now);
      for (const gone of evicted) if (gone.target === batch.target) counts.dropped++;
      if (Object.values(counts).some((count) => count > 0)) s.addDay.run({ day: dayOf(now), target: batch.target, ...counts });
      const others = new Map<string, number>();
      for (const gone of evicted) if (gone.target !== batch.target) others.set(gone.target, (others.get(gone.target) ?? 0) + 1);
      for (const [target, dropped] of others) s.addDay.run({ day: dayOf(now), target, delivered: 0, late: 0, dropped, dead: 0 });
      if (batch.state) this.#setState(batch.target, batch.state);
      return evicted;
    });
  }

  claim(target: string, owner: string, limit: number, now: number, leaseUntil: number): ClaimedEnvelope[] {
    const rows = this.#write(() => this.#s.claim.all({ target, owner, limit, now, until: leaseUntil }));
    return rows.sort((a, b) => a.id - b.id).map(toClaimed);
  }

  defer(target: string, categories: readonly string[] | undefined, until: number): void {
    this.#write(() => {
      if (categories === undefined) this.#s.deferAll.run(until, target, until);
      else for (const category of categories) this.#s.deferCategory.run(until, target, `%,${category},%`, until);
    });
  }

  nextAttemptAt(target: string): number | undefined {
    return this.#read(() => this.#s.nextAttempt.get(target)?.at ?? undefined);
  }

  pending(target: string): number {
    return this.#read(() => this.#s.pending.get(target)?.n ?? 0);
  }

  totals(): QueueTotals {
    return this.#read(() => {
      const totals = this.#s.totals.get();
      return { count: totals?.count ?? 0, bytes: totals?.bytes ?? 0, oldest: this.#s.oldest.get()?.at ?? undefined };
    });
  }

  release(owner: string): void {
    this.#write(() => this.#s.release.run(owner));
  }

  reference(eventId: string): StoredReference | undefined {
    const row = this.#read(() => this.#s.reference.get(eventId));
    return row && { userId: row.user_id, createdAt: row.created_at, reportedAt: row.reported_at ?? undefined };
  }

  markReported(eventId: string, userId: string, notBefore: number, at: number): boolean {
    return this.#write(() => this.#s.markReported.run(at, eventId, userId, notBefore).changes === 1);
  }

  close(): void {
    if (!this.#db.open) return;
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Housekeeping; another process may hold the log.
    }
    this.#db.close();
  }

  /** Past a bound, the oldest envelopes go, whichever process queued them; by age once a minute. */
  #evict(now: number): Evicted[] {
    const s = this.#s;
    const evicted: Evicted[] = [];
    const take = (rows: { target: string; categories: string }[], reason: Evicted['reason']) => {
      for (const row of rows) evicted.push({ target: row.target, categories: splitCategories(row.categories), reason });
    };
    if (now - this.#lastAgePrune >= AGE_PRUNE_INTERVAL_MS) {
      this.#lastAgePrune = now;
      take(s.removeOlderThan.all(now - this.#limits.maxAgeMs), 'age');
      s.forgetReferences.run(now - this.#limits.referenceMaxAgeMs);
      s.pruneDays.run(dayOf(now - DAYS_KEPT * 86_400_000));
    }
    for (;;) {
      const totals = s.totals.get();
      if (!totals) break;
      const overCount = totals.count - this.#limits.maxEnvelopes;
      const overBytes = totals.bytes - this.#limits.maxBytes;
      if (overCount <= 0 && overBytes <= 0) break;
      // As many as the excess count, or as the excess bytes at the average size; a few more rounds if that falls short.
      const bySize = overBytes > 0 ? Math.ceil(overBytes / Math.max(1, totals.bytes / Math.max(1, totals.count))) : 0;
      const rows = s.removeOldest.all(Math.min(EVICT_CHUNK, Math.max(1, overCount, bySize)));
      if (rows.length === 0) break;
      take(rows, 'full');
    }
    return evicted;
  }

  #setState(target: string, state: Partial<DeliveryState>): void {
    const current = this.#s.state.get(target);
    this.#s.setState.run({
      target,
      failingSince: 'failingSince' in state ? state.failingSince : (current?.failing_since ?? null),
      lastError: 'lastError' in state ? state.lastError : (current?.last_error ?? null),
      lastErrorAt: 'lastErrorAt' in state ? state.lastErrorAt : (current?.last_error_at ?? null),
      lastDeliveredAt: 'lastDeliveredAt' in state ? state.lastDeliveredAt : (current?.last_delivered_at ?? null),
    });
  }

  #write<T>(work: () => T): T {
    try {
      return this.#db.transaction(work).immediate();
    } catch (error) {
      throw storeError(error, this.location, this.#busyTimeoutMs);
    }
  }

  #read<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storeError(error, this.location, this.#busyTimeoutMs);
    }
  }
}

function prepare(db: Database) {
  const statement = <Params extends unknown[], Row = unknown>(sql: string): Statement<Params, Row> => db.prepare<Params, Row>(sql);
  return {
    insert: statement<[string, string | null, string, Uint8Array, number, number, number]>(
      'INSERT INTO outbox (target, event_id, categories, body, bytes, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    claim: statement<[{ target: string; owner: string; limit: number; now: number; until: number }], ClaimRow>(
      `UPDATE outbox SET lease_until = @until, owner = @owner, attempts = attempts + 1
       WHERE id IN (SELECT id FROM outbox WHERE target = @target AND next_attempt_at <= @now AND lease_until < @now
                    ORDER BY id LIMIT @limit)
       RETURNING id, event_id, categories, body, created_at, attempts`,
    ),
    remove: statement<[{ id: number; owner: string }]>('DELETE FROM outbox WHERE id = @id AND owner = @owner'),
    retry: statement<[{ id: number; owner: string; at: number; error: string; back: number }]>(
      `UPDATE outbox SET lease_until = 0, owner = NULL, next_attempt_at = @at, last_error = @error, attempts = attempts - @back
       WHERE id = @id AND owner = @owner`,
    ),
    bury: statement<[{ id: number; owner: string; at: number; status: number; reason: string }]>(
      `INSERT INTO outbox_dead (target, event_id, body, created_at, failed_at, status, reason)
       SELECT target, event_id, body, created_at, @at, @status, @reason FROM outbox WHERE id = @id AND owner = @owner`,
    ),
    pruneDead: statement<[number]>('DELETE FROM outbox_dead WHERE id <= (SELECT id FROM outbox_dead ORDER BY id DESC LIMIT 1 OFFSET ?)'),
    deferAll: statement<[number, string, number]>('UPDATE outbox SET next_attempt_at = ? WHERE target = ? AND next_attempt_at < ?'),
    deferCategory: statement<[number, string, string, number]>(
      "UPDATE outbox SET next_attempt_at = ? WHERE target = ? AND ',' || categories || ',' LIKE ? AND next_attempt_at < ?",
    ),
    nextAttempt: statement<[string], { at: number | null }>(
      'SELECT min(max(next_attempt_at, lease_until)) AS at FROM outbox WHERE target = ?',
    ),
    pending: statement<[string], { n: number }>('SELECT count(*) AS n FROM outbox WHERE target = ?'),
    totals: statement<[], { count: number; bytes: number }>('SELECT count, bytes FROM outbox_totals WHERE id = 1'),
    oldest: statement<[], { at: number | null }>('SELECT min(created_at) AS at FROM outbox'),
    removeOldest: statement<[number], { target: string; categories: string }>(
      'DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?) RETURNING target, categories',
    ),
    removeOlderThan: statement<[number], { target: string; categories: string }>(
      'DELETE FROM outbox WHERE created_at < ? RETURNING target, categories',
    ),
    release: statement<[string]>('UPDATE outbox SET lease_until = 0, owner = NULL WHERE owner = ?'),
    state: statement<
      [string],
      { failing_since: number | null; last_error: string | null; last_error_at: number | null; last_delivered_at: number | null }
    >('SELECT failing_since, last_error, last_error_at, last_delivered_at FROM outbox_state WHERE target = ?'),
    setState: statement<[Record<string, unknown>]>(
      `INSERT INTO outbox_state (target, failing_since, last_error, last_error_at, last_delivered_at)
       VALUES (@target, @failingSince, @lastError, @lastErrorAt, @lastDeliveredAt)
       ON CONFLICT (target) DO UPDATE SET failing_since = excluded.failing_since, last_error = excluded.last_error,
         last_error_at = excluded.last_error_at, last_delivered_at = excluded.last_delivered_at`,
    ),
    addDay: statement<[{ day: string; target: string; delivered: number; late: number; dropped: number; dead: number }]>(
      `INSERT INTO outbox_days (day, target, delivered, late, dropped, dead) VALUES (@day, @target, @delivered, @late, @dropped, @dead)
       ON CONFLICT (day, target) DO UPDATE SET delivered = delivered + excluded.delivered, late = late + excluded.late,
         dropped = dropped + excluded.dropped, dead = dead + excluded.dead`,
    ),
    pruneDays: statement<[string]>('DELETE FROM outbox_days WHERE day < ?'),
    remember: statement<[string, string, number]>(
      'INSERT OR IGNORE INTO sentry_references (event_id, user_id, created_at) VALUES (?, ?, ?)',
    ),
    reference: statement<[string], { user_id: string; created_at: number; reported_at: number | null }>(
      'SELECT user_id, created_at, reported_at FROM sentry_references WHERE event_id = ?',
    ),
    markReported: statement<[number, string, string, number]>(
      'UPDATE sentry_references SET reported_at = ? WHERE event_id = ? AND user_id = ? AND reported_at IS NULL AND created_at >= ?',
    ),
    forgetReferences: statement<[number]>('DELETE FROM sentry_references WHERE created_at < ?'),
  };
}

interface MemoryRow {
  readonly id: number;
  readonly envelope: NewEnvelope;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number;
  owner: string | undefined;
}

/** The outbox when no file can be used: the same bounds and order, gone with the process. */
export class MemoryOutboxQueue implements OutboxQueue {
  readonly location = 'memory';
  readonly durable = false;
  /** Oldest first. */
  #rows: MemoryRow[] = [];
  #bytes = 0;
  #nextId = 1;
  readonly #references = new Map<string, { userId: string; createdAt: number; reportedAt: number | undefined }>();

  constructor(private readonly limits: OutboxLimits) {}

  write(batch: WriteBatch, now: number): Evicted[] {
    for (const envelope of batch.envelopes) {
      this.#rows.push({ id: this.#nextId++, envelope, attempts: 0, nextAttemptAt: envelope.createdAt, leaseUntil: 0, owner: undefined });
      this.#bytes += envelope.body.byteLength;
    }
    for (const reference of batch.references)
      if (!this.#references.has(reference.eventId))
        this.#references.set(reference.eventId, { userId: reference.userId, createdAt: reference.createdAt, reportedAt: undefined });
    const settled = new Map(batch.settlements.map((settlement) => [settlement.id, settlement]));
    if (settled.size > 0) {
      const kept: MemoryRow[] = [];
      for (const row of this.#rows) {
        const settlement = settled.get(row.id);
        if (settlement?.kind === 'retry') {
          row.leaseUntil = 0;
          row.owner = undefined;
          row.nextAttemptAt = settlement.at;
          if (!settlement.attempted) row.attempts--;
        }
        if (settlement && settlement.kind !== 'retry') this.#bytes -= row.envelope.body.byteLength;
        else kept.push(row);
      }
      this.#rows = kept;
    }
    return this.#evict(now);
  }

  claim(target: string, owner: string, limit: number, now: number, leaseUntil: number): ClaimedEnvelope[] {
    const claimed: ClaimedEnvelope[] = [];
    for (const row of this.#rows) {
      if (claimed.length >= limit) break;
      if (row.envelope.target !== target || row.nextAttemptAt > now || row.leaseUntil >= now) continue;
      row.leaseUntil = leaseUntil;
      row.owner = owner;
      row.attempts++;
      const { eventId, categories, body, createdAt } = row.envelope;
      claimed.push({ id: row.id, eventId, categories, body, createdAt, attempts: row.attempts });
    }
    return claimed;
  }

  defer(target: string, categories: readonly string[] | undefined, until: number): void {
    for (const row of this.#rows)
      if (row.envelope.target === target && (categories === undefined || row.envelope.categories.some((c) => categories.includes(c))))
        row.nextAttemptAt = Math.max(row.nextAttemptAt, until);
  }

  nextAttemptAt(target: string): number | undefined {
    let next: number | undefined;
    for (const row of this.#rows)
      if (row.envelope.target === target) next = Math.min(next ?? Infinity, Math.max(row.nextAttemptAt, row.leaseUntil));
    return next;
  }

  pending(target: string): number {
    return this.#rows.filter((row) => row.envelope.target === target).length;
  }

  totals(): QueueTotals {
    return { count: this.#rows.length, bytes: this.#bytes, oldest: this.#rows[0]?.envelope.createdAt };
  }

  release(owner: string): void {
    for (const row of this.#rows)
      if (row.owner === owner) {
        row.owner = undefined;
        row.leaseUntil = 0;
      }
  }

  reference(eventId: string): StoredReference | undefined {
    return this.#references.get(eventId);
  }

  markReported(eventId: string, userId: string, notBefore: number, at: number): boolean {
    const reference = this.#references.get(eventId);
    if (!reference || reference.userId !== userId || reference.reportedAt !== undefined || reference.createdAt < notBefore) return false;
    reference.reportedAt = at;
    return true;
  }

  close(): void {
    this.#rows = [];
    this.#bytes = 0;
    this.#references.clear();
  }

  #evict(now: number): Evicted[] {
    const evicted: Evicted[] = [];
    const cutoff = now - this.limits.maxAgeMs;
    while (this.#rows.length > 0) {
      const oldest = this.#rows[0] as MemoryRow;
      const tooOld = oldest.envelope.createdAt < cutoff;
      if (!tooOld && this.#rows.length <= this.limits.maxEnvelopes && this.#bytes <= this.limits.maxBytes) break;
      this.#rows.shift();
      this.#bytes -= oldest.envelope.body.byteLength;
      evicted.push({ target: oldest.envelope.target, categories: oldest.envelope.categories, reason: tooOld ? 'age' : 'full' });
    }
    const referenceCutoff = now - this.limits.referenceMaxAgeMs;
    for (const [eventId, reference] of this.#references) {
      if (reference.createdAt >= referenceCutoff) break;
      this.#references.delete(eventId);
    }
    return evicted;
  }
}

/** What `lantern status` shows of a file's outbox. */
export interface OutboxStatus {
  readonly path: string;
  /** Envelopes waiting, and their size. */
  readonly queued: number;
  readonly bytes: number;
  /** When the oldest waiting envelope was queued (ms since the epoch). */
  readonly oldest: number | undefined;
  /** Since when delivery has been failing, if it is. */
  readonly failingSince: number | undefined;
  readonly lastError: string | undefined;
  readonly lastErrorAt: number | undefined;
  readonly lastDeliveredAt: number | undefined;
  /** Today's (local date) counts: delivered (of which late, after waiting in the outbox), dropped by the bounds, refused for good. */
  readonly today: { readonly delivered: number; readonly late: number; readonly dropped: number; readonly dead: number };
  /** Envelopes Sentry refused for good that are kept aside. */
  readonly deadLetters: number;
}

/**
 * Reads the state of the Sentry outbox kept in a Lantern file (the local store's, or `.lantern/outbox.db`) without
 * changing it; `undefined` when the file has no outbox. Throws the store's errors (StoreNotFoundError...) for a
 * file that cannot be read.
 */
export async function readOutboxStatus(path: string, now = Date.now()): Promise<OutboxStatus | undefined> {
  const file = resolve(path);
  const db = await openLanternFile(file, { readonly: true, create: false, busyTimeoutMs: 1000 });
  try {
    if (partVersion(db, OUTBOX_PART.name) === 0) return undefined;
    const get = (sql: string, ...params: unknown[]): unknown => db.prepare(sql).get(...params);
    const totals = get('SELECT count, bytes FROM outbox_totals WHERE id = 1') as { count: number; bytes: number } | undefined;
    const oldest = get('SELECT min(created_at) AS at FROM outbox') as { at: number | null } | undefined;
    const failing = get('SELECT min(failing_since) AS at FROM outbox_state') as { at: number | null } | undefined;
    const lastError = get(
      'SELECT last_error AS error, last_error_at AS at FROM outbox_state WHERE last_error IS NOT NULL ORDER BY last_error_at DESC LIMIT 1',
    ) as { error: string; at: number } | undefined;
    const delivered = get('SELECT max(last_delivered_at) AS at FROM outbox_state') as { at: number | null } | undefined;
    const today = get(
      'SELECT sum(delivered) AS delivered, sum(late) AS late, sum(dropped) AS dropped, sum(dead) AS dead FROM outbox_days WHERE day = ?',
      dayOf(now),
    ) as { delivered: number | null; late: number | null; dropped: number | null; dead: number | null } | undefined;
    const dead = get('SELECT count(*) AS n FROM outbox_dead') as { n: number } | undefined;
    return {
      path: file,
      queued: totals?.count ?? 0,
      bytes: totals?.bytes ?? 0,
      oldest: oldest?.at ?? undefined,
      failingSince: failing?.at ?? undefined,
      lastError: lastError?.error,
      lastErrorAt: lastError?.at,
      lastDeliveredAt: delivered?.at ?? undefined,
      today: { delivered: today?.delivered ?? 0, late: today?.late ?? 0, dropped: today?.dropped ?? 0, dead: today?.dead ?? 0 },
      deadLetters: dead?.n ?? 0,
    };
  } catch (error) {
    throw storeError(error, file, 1000);
  } finally {
    db.close();
  }
}

function toClaimed(row: ClaimRow): ClaimedEnvelope {
  return {
    id: row.id,
    eventId: row.event_id ?? undefined,
    categories: splitCategories(row.categories),
    body: row.body,
    createdAt: row.created_at,
    attempts: row.attempts,
  };
}

function splitCategories(text: string): string[] {
  return text === '' ? [] : text.split(',');
}

/** The local date, `YYYY-MM-DD`: "delivered today" as the machine's owner reads it. */
function dayOf(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(date.getFullYear())}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
