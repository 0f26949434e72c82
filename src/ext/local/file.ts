import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreAccessError, StoreCorruptError, StoreNotFoundError, StoreVersionError } from '../../errors/codes.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { loadSqlite, openDatabase, storeError } from './sqlite.js';
import type { Database } from './sqlite.js';

/** Pages the write-ahead log takes before they are folded into the file (SQLite's default is 1000, about 4 MiB). */
const WAL_CHECKPOINT_PAGES = 256;
/** The log is cut back to this after a checkpoint, so it cannot keep a storm's worth of pages. */
const WAL_SIZE_LIMIT = 1024 * 1024;

/**
 * Tables another part of Lantern keeps in a Lantern file beside the error store's (the Sentry outbox), with
 * migrations of their own: `migrations[n]` takes the part from version `n` to `n + 1`, recorded in `lantern_parts`,
 * so the part changes apart from the store's schema (`PRAGMA user_version`). Entries are appended, never edited.
 */
export interface FilePart {
  readonly name: string;
  readonly migrations: readonly string[];
}

export interface LanternFileOptions {
  readonly readonly: boolean;
  /** Create the file and its folder when missing. */
  readonly create: boolean;
  readonly busyTimeoutMs: number;
  /** Parts whose tables are created or migrated too (not when `readonly`). */
  readonly parts?: readonly FilePart[];
}

/**
 * Opens a Lantern file (an error store, and the tables of the parts that share it), creating it and its folder when
 * asked, and migrating it. One this Lantern cannot use is refused untouched: newer (StoreVersionError), damaged or not
 * Lantern's (StoreCorruptError), unreadable (StoreAccessError).
 */
export async function openLanternFile(file: string, options: LanternFileOptions): Promise<Database> {
  const Sqlite = await loadSqlite();
  if (!existsSync(file)) {
    if (!options.create) throw new StoreNotFoundError(file);
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (error) {
      throw new StoreAccessError(file, `cannot be created: its folder cannot be made (${(error as Error).message})`, { cause: error });
    }
  }
  const db = openDatabase(Sqlite, file, { readonly: options.readonly, fileMustExist: !options.create, timeout: options.busyTimeoutMs });
  try {
    prepareFile(db, file, options.readonly);
    if (!options.readonly) for (const part of options.parts ?? []) migratePart(db, file, part);
    return db;
  } catch (error) {
    db.close();
    throw storeError(error, file, options.busyTimeoutMs);
  }
}

/** The version of `part` in the file: 0 when it has never been there. */
export function partVersion(db: Database, name: string): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lantern_parts'").get();
  if (table === undefined) return 0;
  return (db.prepare('SELECT version FROM lantern_parts WHERE name = ?').get(name) as { version: number } | undefined)?.version ?? 0;
}

/**
 * Checks the file is an error store this Lantern can use before anything is written to it, then sets the
 * connection up (WAL, normal sync, foreign keys) and migrates it.
 */
function prepareFile(db: Database, path: string, readonly: boolean): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) throw new StoreVersionError(path, version, SCHEMA_VERSION);
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) throw new StoreCorruptError(path, 'is a SQLite file of another program');
  if (version === 0 && (db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n > 0)
    throw new StoreCorruptError(path, 'is a SQLite database but not an error store');
  db.pragma('foreign_keys = ON');
  if (readonly) {
    // An empty file is one a store is being created in (or was never made in): there is no store to read yet.
    if (version === 0) throw new StoreNotFoundError(path);
    if (version < SCHEMA_VERSION)
      throw new StoreAccessError(path, 'needs an upgrade, which a read-only open cannot make: open it once for writing');
    return;
  }
  // Only takes effect on a new, empty file, before anything (even switching to WAL) writes its first page; from then
  // on pruning can give pages back to the file system.
  if (version === 0) db.pragma('auto_vacuum = INCREMENTAL');
  if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`journal_size_limit = ${String(WAL_SIZE_LIMIT)}`);
  db.pragma(`wal_autocheckpoint = ${String(WAL_CHECKPOINT_PAGES)}`);
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Another process may have migrated it while this one waited for the lock.
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) throw new StoreVersionError(path, current, SCHEMA_VERSION);
    for (let next = current; next < SCHEMA_VERSION; next++) db.exec(MIGRATIONS[next] as string);
    db.pragma(`application_id = ${String(APPLICATION_ID)}`);
    db.pragma(`user_version = ${String(SCHEMA_VERSION)}`);
  }).immediate();
}

/** Brings one part's tables to its latest version; a part newer than this Lantern knows is refused untouched. */
function migratePart(db: Database, path: string, part: FilePart): void {
  const known = part.migrations.length;
  const version = partVersion(db, part.name);
  if (version > known) throw new StoreVersionError(path, version, known);
  if (version === known) return;
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS lantern_parts (name TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID');
    // Another process may have migrated it while this one waited for the lock.
    const current = partVersion(db, part.name);
    if (current > known) throw new StoreVersionError(path, current, known);
    for (let next = current; next < known; next++) db.exec(part.migrations[next] as string);
    db.prepare('INSERT INTO lantern_parts (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version').run(
      part.name,
      known,
    );
  }).immediate();
}
