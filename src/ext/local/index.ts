/**
 * `lantern/ext/local`: errors kept in a local SQLite file, grouped into issues, read with the `lantern` CLI.
 *
 * ```ts
 * await bot.loadExtension('lantern/ext/local'); // .lantern/errors.db under the working directory
 * ```
 */
import { relative, resolve } from 'node:path';
import type { Client } from '../../client/client.js';
import { SqliteMissingError, StoreLockedError, StoreOptionsError } from '../../errors/codes.js';
import { summarizeError } from '../../errors/format.js';
import { defineExtension } from '../../extensions/extension.js';
import { BreadcrumbTrail } from '../../tracking/breadcrumbs.js';
import { defaultEnvironment, defaultRelease } from '../../tracking/release.js';
import type { Clock } from '../../util/clock.js';
import { LocalRecorder } from './recorder.js';
import { announceLocalStore } from './shared.js';
import { DEFAULT_PATH, ErrorStore } from './store.js';
import type { StoreLimits } from './store.js';
import { StoreWriter } from './writer.js';

export { ErrorStore, DEFAULT_LIMITS, DEFAULT_PATH, ISSUE_SORTS, ISSUE_STATUSES } from './store.js';
export type {
  CountedOccurrence,
  Feedback,
  IssueCounts,
  IssueDetails,
  IssueFilter,
  IssueSort,
  IssueStatus,
  IssueSummary,
  IssueValue,
  Occurrence,
  PruneResult,
  RecordResult,
  RefMatch,
  StatusChange,
  StoreLimits,
  StoreOptions,
  StoreSummary,
  StoredEvent,
  ValueKind,
} from './store.js';
export {
  SqliteMissingError,
  StoreAccessError,
  StoreCorruptError,
  StoreLockedError,
  StoreNotFoundError,
  StoreOptionsError,
  StoreVersionError,
} from '../../errors/codes.js';
export type { TrackedBreadcrumb, TrackedError, TrackedEvent, TrackedFrame } from '../../tracking/tracked-event.js';

export interface LocalOptions extends Partial<StoreLimits> {
  /** The SQLite file; its folder is created. Default `.lantern/errors.db` under the working directory. */
  path?: string;
  /** The release events are recorded under: `SENTRY_RELEASE`, a CI commit variable, or npm's `name@version` by default. */
  release?: string;
  /** Default `SENTRY_ENVIRONMENT`, else `production`. */
  environment?: string;
  /** Also record expected errors (failed checks, cooldowns, concurrency limits), at level `info`. Default `false`. */
  recordExpected?: boolean;
  /** Storm control: full events per issue per minute; later occurrences are only counted. Default 20. */
  eventsPerIssuePerMinute?: number;
  /**
   * Storm control over all issues: full events per minute, a tenth of them at once; past it occurrences of issues
   * already seen are only counted, so a storm of distinct errors costs counters, not an event written each. Default 600.
   */
  eventsPerMinute?: number;
  /** Occurrences waiting to be written at most; past it new ones are dropped and counted. Default 1000. */
  maxQueue?: number;
  /** How long a write keeps waiting (with timers, not blocking) for another process's lock. Default 5000. */
  lockTimeoutMs?: number;
  /** How long unloading (and so `bot.stop()`) waits to write what is queued. Default 2000. */
  flushTimeoutMs?: number;
  /** Where event times and storm control read the time; the bot's `clock` by default. */
  clock?: Pick<Clock, 'now'>;
}

const DEFAULTS = { eventsPerIssuePerMinute: 20, eventsPerMinute: 600, maxQueue: 1000, lockTimeoutMs: 5000, flushTimeoutMs: 2000 };
/**
 * SQLite's own wait for a lock, on the event loop: kept short, since a write that finds the lock taken is retried
 * with timers (up to `lockTimeoutMs`) instead.
 */
const STATEMENT_BUSY_TIMEOUT_MS = 10;

/**
 * Records every `Error` event of the bot in the store: built once, redacted, grouped into issues the Discord-aware
 * way, written in batches after the user's answer. With no other tracker giving one, the user's reference is the
 * event's id (`lantern show <id>` finds it); with Sentry loaded first, both record Sentry's id. A file that cannot
 * be used (read-only, damaged, from a newer Lantern) is one warning and the bot runs on without the store.
 */
export default defineExtension<LocalOptions>({
  name: 'local',
  async setup(bot, options = {}) {
    const settings = { ...DEFAULTS, ...definedOnly(options) };
    for (const name of ['eventsPerIssuePerMinute', 'eventsPerMinute', 'maxQueue'] as const) wholeNumber(name, settings[name], 1);
    for (const name of ['lockTimeoutMs', 'flushTimeoutMs'] as const) wholeNumber(name, settings[name], 0);
    const path = resolve(options.path ?? DEFAULT_PATH);
    const store = await openStore(bot, path, options, settings.lockTimeoutMs);
    if (!store) return undefined;
    const clock = options.clock ?? bot.clock;
    const writer = new StoreWriter({
      store,
      maxQueue: settings.maxQueue,
      lockTimeoutMs: settings.lockTimeoutMs,
      log: bot.log,
      redactor: bot.redactor,
    });
    const trail = new BreadcrumbTrail(() => clock.now());
    const stopFollowing = trail.follow(bot);
    const recorder = new LocalRecorder(bot, {
      writer,
      trail,
      recordExpected: options.recordExpected ?? false,
      eventsPerIssuePerMinute: settings.eventsPerIssuePerMinute,
      eventsPerMinute: settings.eventsPerMinute,
      release: options.release ?? defaultRelease(),
      environment: options.environment ?? defaultEnvironment(),
      now: () => clock.now(),
    });
    bot.listen('Error', recorder.onError);
    // The Sentry extension keeps its outbox in this file, and users' feedback beside its issues.
    const withdraw = announceLocalStore(bot, store);
    bot.log.info(`Local error tracking is on: ${displayPath(path)} (read it with npx lantern issues)`);
    return async () => {
      withdraw();
      recorder.close();
      stopFollowing();
      await writer.close(settings.flushTimeoutMs);
    };
  },
});

/**
 * The store, or `undefined` (after one warning) when its file cannot be used: the bot must run without it. A lock
 * held by another process opening the file at the same moment is waited for; a missing better-sqlite3 is thrown.
 */
async function openStore(bot: Client, path: string, options: LocalOptions, lockTimeoutMs: number): Promise<ErrorStore | undefined> {
  const deadline = performance.now() + lockTimeoutMs;
  for (let wait = 20; ; wait *= 2) {
    try {
      const store = await ErrorStore.open(path, { ...limitsOf(options), busyTimeoutMs: STATEMENT_BUSY_TIMEOUT_MS });
      try {
        store.saveLimits();
      } catch (error) {
        store.close();
        throw error;
      }
      return store;
    } catch (error) {
      if (error instanceof SqliteMissingError || error instanceof StoreOptionsError) throw error;
      if (error instanceof StoreLockedError && performance.now() + wait < deadline) {
        await new Promise((done) => setTimeout(done, wait));
        continue;
      }
      bot.log.warn(
        `Local error store: ${summarizeError(error, bot.redactor)}. Errors are not recorded locally this run (they are still logged)`,
      );
      return undefined;
    }
  }
}

function limitsOf(options: LocalOptions): Partial<StoreLimits> {
  const { maxEventsPerIssue, maxAgeDays, maxFileBytes, maxValuesPerIssue } = options;
  return { maxEventsPerIssue, maxAgeDays, maxFileBytes, maxValuesPerIssue };
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function wholeNumber(option: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum)
    throw new StoreOptionsError(option, `must be a whole number, at least ${String(minimum)} (got ${String(value)})`);
}

function displayPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside.startsWith('..') ? path : inside;
}
