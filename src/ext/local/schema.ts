/**
 * The error store's schema, as migrations: `MIGRATIONS[n]` takes a file from version `n` to `n + 1` (`PRAGMA
 * user_version`). A later change is a new entry at the end, never an edit of one that shipped. A file whose version
 * is past the end was written by a newer Lantern and is refused untouched.
 *
 * Issues follow Bugsink's model: an issue counts every occurrence (`event_count`) but keeps at most a few full
 * events (`stored_count`); per-hour counts, and the users, guilds, releases and commands it hit (bounded), sit in
 * tables of their own, so a storm of one error adds counters, not rows.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE issues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL UNIQUE,
    grouping_key TEXT NOT NULL,
    title TEXT NOT NULL,
    culprit TEXT NOT NULL,
    source TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'ignored')),
    regression INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    event_count INTEGER NOT NULL DEFAULT 0,
    stored_count INTEGER NOT NULL DEFAULT 0,
    user_count INTEGER NOT NULL DEFAULT 0,
    guild_count INTEGER NOT NULL DEFAULT 0,
    first_release TEXT,
    last_release TEXT,
    last_event_id TEXT,
    status_changed_at INTEGER,
    resolved_in_release TEXT
  );
  CREATE INDEX issues_last_seen ON issues (last_seen);

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    ts INTEGER NOT NULL,
    level TEXT NOT NULL,
    source TEXT NOT NULL,
    release TEXT,
    environment TEXT,
    shard_id INTEGER,
    guild_id TEXT,
    channel_id TEXT,
    command TEXT,
    user_id TEXT,
    payload TEXT NOT NULL
  );
  CREATE INDEX events_issue ON events (issue_id, seq);
  CREATE INDEX events_ts ON events (ts);

  CREATE TABLE issue_hourly (
    issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (issue_id, hour)
  ) WITHOUT ROWID;

  -- kind: user, guild, release, command. label: a user's name.
  CREATE TABLE issue_values (
    issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    label TEXT,
    count INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (issue_id, kind, value)
  ) WITHOUT ROWID;

  CREATE TABLE status_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    previous TEXT NOT NULL,
    at INTEGER NOT NULL,
    release TEXT,
    reason TEXT NOT NULL
  );
  CREATE INDEX status_changes_issue ON status_changes (issue_id, id);

  -- Kept apart from events (which are pruned first): what a user said about an error outlives its stored event.
  CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    issue_id INTEGER REFERENCES issues (id) ON DELETE SET NULL,
    message TEXT NOT NULL,
    user_id TEXT,
    username TEXT,
    ts INTEGER NOT NULL
  );
  CREATE INDEX feedback_event ON feedback (event_id);
  CREATE INDEX feedback_issue ON feedback (issue_id, id);
  `,
  // key `limits`: the limits the last process that wrote the file applies (a reader shows them, not its own defaults).
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** `PRAGMA application_id` of an error store ('LNTN'): a SQLite file of some other program is never taken for one. */
export const APPLICATION_ID = 0x4c4e544e;
