import type BetterSqlite3 from 'better-sqlite3';
import { SqliteMissingError, StoreAccessError, StoreCorruptError, StoreLockedError } from '../../errors/codes.js';

export type Database = BetterSqlite3.Database;
export type Statement<Params extends unknown[] = unknown[], Row = unknown> = BetterSqlite3.Statement<Params, Row>;
type DatabaseConstructor = typeof BetterSqlite3;

let loading: Promise<DatabaseConstructor> | undefined;

/**
 * better-sqlite3, imported on first use: it is an optional peer dependency, so a bot that never opens a store
 * does not need it. Its absence, or a native part that failed to build, is a SqliteMissingError naming the install.
 */
export function loadSqlite(): Promise<DatabaseConstructor> {
  loading ??= import('better-sqlite3').then(
    (module) => module.default,
    (error: unknown) => {
      loading = undefined;
      if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw new SqliteMissingError({ cause: error });
      throw error;
    },
  );
  return loading;
}

/** Opens the file; the native part loads here, and its failure to (no prebuilt binary, no compiler) says what to install. */
export function openDatabase(Sqlite: DatabaseConstructor, path: string, options: BetterSqlite3.Options): Database {
  try {
    return new Sqlite(path, options);
  } catch (error) {
    if (error instanceof Error && /bindings file|better_sqlite3\.node|NODE_MODULE_VERSION/i.test(error.message))
      throw new SqliteMissingError({ cause: error });
    throw storeError(error, path, options.timeout ?? 0);
  }
}

/**
 * SQLite's failures as Lantern's: a lock held past the busy timeout, a damaged file (or one that is not a
 * database), a file or folder that cannot be read or written. Anything else is returned as it is.
 */
export function storeError(error: unknown, path: string, busyTimeoutMs: number): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return error;
  const options = { cause: error };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new StoreLockedError(path, busyTimeoutMs, options);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
    return new StoreCorruptError(path, `is damaged or not a database (${(error as Error).message})`, options);
  if (code.startsWith('SQLITE_READONLY')) return new StoreAccessError(path, 'cannot be written: it or its folder is read-only', options);
  if (code === 'SQLITE_FULL') return new StoreAccessError(path, 'cannot be written: the disk is full', options);
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH')
    return new StoreAccessError(path, 'cannot be opened: check that it and its folder can be read and written', options);
  if (code.startsWith('SQLITE_IOERR')) return new StoreAccessError(path, `could not be read or written (${code})`, options);
  return error;
}
