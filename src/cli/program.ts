import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LanternError } from '../errors/lantern-error.js';
import { DEFAULT_LIMITS, DEFAULT_PATH, ErrorStore, ISSUE_SORTS, ISSUE_STATUSES, SHARDS_LISTED } from '../ext/local/store.js';
import { readOutboxStatus } from '../ext/sentry/outbox-queue.js';
import type { OutboxStatus } from '../ext/sentry/outbox-queue.js';
import type { IssueSort, IssueStatus, IssueSummary, StoreLimits } from '../ext/local/store.js';
import { addServeCommand } from '../web/serve.js';
import { ago, count, cut, displayPath, megabytes, statusWord, table, terminalOutput } from './output.js';
import type { Output } from './output.js';
import { printIssue } from './show.js';

/** What scripts can branch on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const TITLE_MIN = 20;
const DEFAULT_WAIT_MS = 5000;
const WAIT_HELP = 'how long to wait for a bot holding the write lock';
/** Without a terminal to fit, titles are cut here (the JSON output has them whole). */
const TITLE_PIPED = 100;

/** A failure the CLI explains in one line and exits 1 for: a reference that matches nothing, or more than one issue. */
class NotFound extends Error {}

interface Io {
  readonly out: Output;
  readonly err: (text: string) => void;
  readonly now: () => number;
}

/** Runs `lantern <args>` and resolves with the exit code; never throws. */
export async function runCli(args: readonly string[], io: Io = defaultIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    if (error instanceof NotFound || error instanceof LanternError) {
      io.err(`lantern: ${error.message}`);
      return EXIT.failed;
    }
    io.err(`lantern: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.failed;
  }
}

function defaultIo(): Io {
  return {
    out: terminalOutput(),
    err: (text) => {
      process.stderr.write(`${text}\n`);
    },
    now: () => Date.now(),
  };
}

function buildProgram(io: Io): Command {
  const program = new Command('lantern')
    .description("Reads and manages the errors lantern/ext/local keeps (the bot's .lantern/errors.db by default).")
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => {
        io.out.raw(text);
      },
      writeErr: (text) => {
        io.err(text.trimEnd());
      },
    });
  const command = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)')
      .option('--db <path>', 'the store file', DEFAULT_PATH);

  command('issues', 'list issues, newest first (open ones unless --status says otherwise)')
    .addOption(new Option('--status <status>', 'open, resolved, ignored or all').choices([...ISSUE_STATUSES, 'all']).default('open'))
    .option('--command <command>', 'only issues hit by this command (or its subcommands, or another source)')
    .option('--release <release>', 'only issues seen in this release')
    .option('--guild <id>', 'only issues seen in this guild')
    .option('--user <id>', 'only issues that hit this user')
    .option('--shard <id>', 'only issues seen on this shard', wholeNumber(0))
    .option('--since <when>', 'only issues seen since: 30m, 24h, 7d, 2w or a date', since(io))
    .option('--search <text>', 'text in the title, culprit or source, or the start of a fingerprint')
    .addOption(new Option('--sort <order>', 'last-seen, first-seen, count or users').choices([...ISSUE_SORTS]).default('last-seen'))
    .option('--limit <n>', 'at most this many', wholeNumber(1), 50)
    .option('--json', 'print JSON')
    .action(
      async (options: {
        db: string;
        status: IssueStatus | 'all';
        command?: string;
        release?: string;
        guild?: string;
        user?: string;
        shard?: number;
        since?: number;
        search?: string;
        sort: IssueSort;
        limit: number;
        json?: boolean;
      }) => {
        const store = await openForReading(options.db);
        try {
          const filter = {
            status: options.status === 'all' ? undefined : options.status,
            command: options.command,
            release: options.release,
            guild: options.guild,
            user: options.user,
            shard: options.shard,
            since: options.since,
            search: options.search,
            sort: options.sort,
          };
          const issues = store.listIssues({ ...filter, limit: options.limit });
          const total = store.countIssues(filter);
          if (options.json) {
            const shards = store.valuesFor(
              issues.map((issue) => issue.id),
              'shard',
              SHARDS_LISTED,
            );
            const withShards = issues.map((issue) => ({ ...issue, shards: shards.get(issue.id) ?? [] }));
            io.out.raw(`${JSON.stringify({ total, issues: withShards }, null, 2)}\n`);
          } else printIssues(issues, total, options.status, store, io);
        } finally {
          store.close();
        }
      },
    );

  command('show', 'one issue: its stack with your frames first, tags, contexts, breadcrumbs, feedback, latest events')
    .argument('<ref>', 'an issue id (12), an event id or a user\u2019s error reference, or the start of a fingerprint')
    .option('--events <n>', 'latest events listed', wholeNumber(1), 5)
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { db: string; events: number; json?: boolean }) => {
      const store = await openForReading(options.db);
      try {
        const match = findOne(store, ref);
        const details = store.details(match.issue.id, { eventId: match.event?.event.eventId, events: options.events, now: io.now() });
        if (!details) throw new NotFound(`no issue or event matches ${ref}`);
        if (options.json) io.out.raw(`${JSON.stringify(details, null, 2)}\n`);
        else printIssue(details, io.out, io.now());
      } finally {
        store.close();
      }
    });

  const statusCommand = (name: string, status: IssueStatus, description: string) =>
    command(name, description)
      .argument('<issue>', 'an issue id, an event id or reference, or the start of a fingerprint')
      .option('--wait <ms>', WAIT_HELP, wholeNumber(0), DEFAULT_WAIT_MS)
      .action(async (ref: string, options: { db: string; release?: string; wait: number }) => {
        const store = await openForWriting(options.db, options.wait);
        try {
          const match = findOne(store, ref);
          const updated = store.setStatus(match.issue.id, status, { now: io.now(), release: options.release });
          if (!updated) throw new NotFound(`no issue or event matches ${ref}`);
          const inRelease = updated.status === 'resolved' && updated.resolvedInRelease ? ` (in release ${updated.resolvedInRelease})` : '';
          io.out.line(`#${String(updated.id)} ${statusWord(updated, io.out.colors)}${inRelease}: ${updated.title}`);
        } finally {
          store.close();
        }
      });
  statusCommand('resolve', 'resolved', 'mark an issue resolved: it reopens as a regression if it comes back in a later release').option(
    '--release <release>',
    'the release that fixes it (default: the latest it was seen in)',
  );
  statusCommand('ignore', 'ignored', 'mark an issue ignored: still counted, no longer listed as open');
  statusCommand('reopen', 'open', 'mark an issue open again');

  command('tail', 'print new events as they are written (until interrupted)')
    .option('--interval <ms>', 'how often the file is read', wholeNumber(50), 1000)
    .option('--last <n>', 'first print this many of the latest events', wholeNumber(0), 0)
    .option('--json', 'print one JSON object a line')
    .action(async (options: { db: string; interval: number; last: number; json?: boolean }) => {
      const store = await openForReading(options.db);
      await tail(store, options, io);
    });

  command('prune', 'apply the limits now: old events and issues go, then the oldest events past the size limit')
    .option('--max-age-days <days>', 'keep this many days', positiveNumber, DEFAULT_LIMITS.maxAgeDays)
    .option('--max-events-per-issue <n>', 'full events kept per issue', wholeNumber(1), DEFAULT_LIMITS.maxEventsPerIssue)
    .option('--max-file-mb <mb>', 'size the data is brought under', positiveNumber, DEFAULT_LIMITS.maxFileBytes / 1024 / 1024)
    .option('--wait <ms>', WAIT_HELP, wholeNumber(0), DEFAULT_WAIT_MS)
    .option('--json', 'print JSON')
    .action(
      async (options: { db: string; maxAgeDays: number; maxEventsPerIssue: number; maxFileMb: number; wait: number; json?: boolean }) => {
        const limits: Partial<StoreLimits> = {
          maxAgeDays: options.maxAgeDays,
          maxEventsPerIssue: options.maxEventsPerIssue,
          maxFileBytes: Math.round(options.maxFileMb * 1024 * 1024),
        };
        const store = await openForWriting(options.db, options.wait, limits);
        try {
          const result = store.prune(io.now());
          const bytes = store.summary().fileBytes;
          if (options.json) io.out.raw(`${JSON.stringify({ ...result, fileBytes: bytes })}\n`);
          else io.out.line(`Pruned ${count(result.events)} events and ${count(result.issues)} issues; the store is ${megabytes(bytes)}`);
        } finally {
          store.close();
        }
      },
    );

  command('export', 'print the stored events as NDJSON (one {seq, issueId, event} a line), oldest first')
    .option('--issue <ref>', 'only this issue\u2019s events')
    .option('--since <when>', 'only events since: 30m, 24h, 7d, 2w or a date', since(io))
    .action(async (options: { db: string; issue?: string; since?: number }) => {
      const store = await openForReading(options.db);
      try {
        const issueId = options.issue === undefined ? undefined : findOne(store, options.issue).issue.id;
        for (const stored of store.exportEvents({ issueId, since: options.since })) io.out.raw(`${JSON.stringify(stored)}\n`);
      } finally {
        store.close();
      }
    });

  command('status', "what the store holds (issues by status, events counted and kept, size, limits) and the Sentry outbox's state")
    .option('--json', 'print JSON')
    .action(async (options: { db: string; json?: boolean }) => {
      const store = await openForReading(options.db);
      try {
        const summary = store.summary();
        const outbox = await readOutboxStatus(store.path, io.now());
        if (options.json) {
          io.out.raw(`${JSON.stringify(outbox ? { ...summary, outbox } : summary, null, 2)}\n`);
          return;
        }
        const c = io.out.colors;
        const now = io.now();
        const { issues, events, limits } = summary;
        const rows = [
          ['store', `${displayPath(summary.path)} (schema ${String(summary.schemaVersion)}, ${megabytes(summary.fileBytes)})`],
          [
            'issues',
            `${count(issues.open)} open${summary.regressions > 0 ? ` (${count(summary.regressions)} regressed)` : ''}, ` +
              `${count(issues.resolved)} resolved, ${count(issues.ignored)} ignored`,
          ],
          ['events', `${count(events.counted)} counted, ${count(events.stored)} stored`],
          ['feedback', count(summary.feedback)],
          [
            'seen',
            summary.lastSeen === undefined
              ? 'nothing yet'
              : `first ${ago(summary.firstSeen ?? summary.lastSeen, now)}, last ${ago(summary.lastSeen, now)}`,
          ],
          [
            'limits',
            `${count(limits.maxEventsPerIssue)} events per issue, ${String(limits.maxAgeDays)} days, ${megabytes(limits.maxFileBytes)}`,
          ],
        ];
        if (outbox) rows.push(...outboxRows(outbox, now));
        for (const [name, value] of rows) io.out.line(`${c.bold((name ?? '').padEnd(9))}${value ?? ''}`);
      } finally {
        store.close();
      }
    });
  addServeCommand(program, (line) => {
    io.out.line(line);
  });
  return program;
}

/** The Sentry outbox kept in the same file: what waits, whether delivery fails and why, what today brought. */
function outboxRows(outbox: OutboxStatus, now: number): string[][] {
  const { today } = outbox;
  const waiting =
    outbox.queued === 0
      ? 'nothing waiting for Sentry'
      : `${count(outbox.queued)} waiting for Sentry (${megabytes(outbox.bytes)}), the oldest queued ${ago(outbox.oldest ?? now, now)}`;
  const delivery =
    outbox.failingSince !== undefined
      ? `failing (it started ${ago(outbox.failingSince, now)}): ${outbox.lastError ?? 'unknown'}`
      : outbox.lastError !== undefined && outbox.lastErrorAt !== undefined
        ? `working (last error ${ago(outbox.lastErrorAt, now)}: ${outbox.lastError})`
        : 'working';
  const late = today.late > 0 ? ` (${count(today.late)} late)` : '';
  const dropped = today.dropped > 0 ? `, ${count(today.dropped)} dropped by the outbox's bounds` : '';
  const refused = outbox.deadLetters > 0 ? `, ${count(outbox.deadLetters)} refused by Sentry kept aside` : '';
  return [
    ['outbox', waiting],
    ['delivery', delivery],
    ['today', `${count(today.delivered)} delivered${late}${dropped}${refused}`],
  ];
}

function printIssues(issues: readonly IssueSummary[], total: number, status: string, store: ErrorStore, io: Io): void {
  const { out } = io;
  const c = out.colors;
  if (issues.length === 0) {
    out.line(total === 0 && status === 'open' ? 'No open issues.' : 'No issues match.');
    return;
  }
  const now = io.now();
  const rows = issues.map((issue) => [
    String(issue.id),
    statusWord(issue, c),
    count(issue.count),
    count(issue.users),
    ago(issue.lastSeen, now),
    issue.title,
    issue.source,
  ]);
  // The title takes what the other columns leave of the terminal.
  const others = [0, 1, 2, 3, 4, 6].reduce((sum, column) => sum + Math.max(...rows.map((row) => visibleLength(row[column] ?? ''))), 0);
  const titleWidth = out.width === undefined ? TITLE_PIPED : Math.max(TITLE_MIN, out.width - others - 2 * 6 - 5);
  for (const row of rows) row[5] = cut(row[5] ?? '', titleWidth);
  const head = ['ID', 'STATUS', 'COUNT', 'USERS', 'LAST SEEN', 'TITLE', 'SOURCE'].map((name) => c.dim(name));
  out.line(table(head, rows, ['right', 'left', 'right', 'right', 'left', 'left', 'left']));
  out.line();
  out.line(
    c.dim(
      `${count(issues.length)} of ${count(total)} ${status === 'all' ? '' : `${status} `}issue${total === 1 ? '' : 's'} in ` +
        `${displayPath(store.path)} · lantern show <id> for one`,
    ),
  );
}

async function tail(store: ErrorStore, options: { interval: number; last: number; json?: boolean }, io: Io): Promise<void> {
  const c = io.out.colors;
  let seq = Math.max(0, store.lastSeq() - options.last);
  const print = (events: ReturnType<ErrorStore['eventsSince']>) => {
    for (const stored of events) {
      if (options.json) {
        io.out.raw(`${JSON.stringify(stored)}\n`);
        continue;
      }
      const { event } = stored;
      const time = new Date(event.timestamp).toISOString().replace('T', ' ').slice(0, 19);
      const who = event.user ? ` ${c.dim('user')} ${event.user.username}` : '';
      io.out.line(
        `${c.dim(time)}  ${c.bold(`#${String(stored.issueId)}`)}  ${event.title}  ${c.dim(event.source)}${who}  ${c.dim(event.eventId)}`,
      );
    }
  };
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // Occurrences storm control only counted have no event to print: how many came is said in a line of its own.
  let counted = store.summary().events.counted;
  try {
    for (;;) {
      let printed = 0;
      let batch = store.eventsSince(seq);
      while (batch.length > 0) {
        print(batch);
        printed += batch.length;
        seq = (batch.at(-1) as { seq: number }).seq;
        batch = store.eventsSince(seq);
      }
      const now = store.summary().events.counted;
      const unprinted = now - counted - printed;
      counted = now;
      if (unprinted > 0 && !options.json) io.out.line(c.dim(`… and ${count(unprinted)} more occurrences, counted without their events`));
      const woke = await Promise.race([
        stopped.then(() => 'stop'),
        new Promise((resolve) => setTimeout(resolve, options.interval, 'poll')),
      ]);
      if (woke === 'stop') return;
    }
  } finally {
    store.close();
  }
}

function findOne(store: ErrorStore, ref: string) {
  const matches = store.find(ref);
  const [match] = matches;
  if (!match) throw new NotFound(`no issue or event matches ${ref}`);
  if (matches.length > 1) {
    const listed = matches.map((m) => `#${String(m.issue.id)} ${m.issue.fingerprint}`).join(', ');
    throw new NotFound(`${ref} matches ${String(matches.length)} issues (${listed}); ` + 'give more of the fingerprint, or the issue id');
  }
  return match;
}

function openForReading(path: string): Promise<ErrorStore> {
  return ErrorStore.open(path, { readonly: true });
}

function openForWriting(path: string, waitMs: number, limits: Partial<StoreLimits> = {}): Promise<ErrorStore> {
  return ErrorStore.open(path, { ...limits, create: false, busyTimeoutMs: waitMs });
}

const DURATION = /^(\d+(?:\.\d+)?)(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `24h`, `7d`, `2w` back from now, or a date or date-time: a time in milliseconds since the epoch. */
function since(io: Io): (value: string) => number {
  return (value) => {
    const duration = DURATION.exec(value.trim());
    if (duration) return io.now() - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
    const date = Date.parse(value);
    if (Number.isNaN(date)) throw new InvalidArgumentError('give a duration (30m, 24h, 7d, 2w) or a date (2026-03-01)');
    return date;
  };
}

function wholeNumber(minimum: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < minimum) throw new InvalidArgumentError(`give a whole number, at least ${String(minimum)}`);
    return number;
  };
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('give a number above 0');
  return number;
}

// eslint-disable-next-line no-control-regex -- the escape character starts every colour code
const ANSI = /\u001b\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return version;
}
