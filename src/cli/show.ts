import type { IssueDetails, IssueValue, StoredEvent } from '../ext/local/store.js';
import type { TrackedFrame } from '../tracking/tracked-event.js';
import { ago, count, cut, sparkline, statusWord, table } from './output.js';
import type { Output } from './output.js';

/** Frames of Lantern, Node and packages shown under the bot's own; the rest are counted. */
const OTHER_FRAMES_SHOWN = 8;
const VALUE_WIDTH = 100;

/** One issue as `lantern show` prints it: the summary, the event's stack with the bot's frames first, then the rest. */
export function printIssue(details: IssueDetails, out: Output, now: number): void {
  const { issue, event, counts } = details;
  const c = out.colors;
  out.line(`${c.bold(`#${String(issue.id)}`)}  ${c.bold(issue.title)}`);
  out.line(
    `    ${statusWord(issue, c)} · ${count(issue.count)} event${issue.count === 1 ? '' : 's'} (${count(issue.stored)} stored) · ` +
      `${count(issue.users)} user${issue.users === 1 ? '' : 's'} · ${count(issue.guilds)} guild${issue.guilds === 1 ? '' : 's'}`,
  );
  out.line(
    `    first seen ${ago(issue.firstSeen, now)}${issue.firstRelease ? ` in ${issue.firstRelease}` : ''} · ` +
      `last seen ${ago(issue.lastSeen, now)}${issue.lastRelease ? ` in ${issue.lastRelease}` : ''}`,
  );
  out.line(`    ${issue.source} · ${issue.culprit} · fingerprint ${issue.fingerprint}`);
  out.line(`    last 24 h ${c.cyan(sparkline(counts.hourly))}   last 14 days ${c.cyan(sparkline(counts.daily))}`);
  if (issue.status === 'resolved' && issue.resolvedInRelease) out.line(`    resolved in ${issue.resolvedInRelease}`);

  if (event) printEvent(event, details, out, now);
  else out.line(`\n${c.dim('No event of this issue is stored any more (only its counts).')}`);

  printValues('Users', details.users, out, (value) => (value.label ? `${value.label} (${value.value})` : value.value));
  printValues('Guilds', details.guilds, out, (value) => value.value);
  printValues('Releases', details.releases, out, (value) => value.value);
  printValues('Commands', details.commands, out, (value) => value.value);
  printValues('Shards', details.shards, out, (value) => `shard ${value.value}`);

  if (details.feedback.length > 0) {
    heading('Feedback', out);
    for (const feedback of details.feedback) {
      const who = feedback.user ? (feedback.user.username ?? feedback.user.id) : 'someone';
      out.line(`  ${who}, ${ago(feedback.timestamp, now)} (event ${feedback.eventId.slice(0, 8)}): ${JSON.stringify(feedback.message)}`);
    }
  }
  if (details.latest.length > 0) {
    heading('Latest events', out);
    const rows = details.latest.map(({ event: latest }) => [
      latest.eventId,
      ago(latest.timestamp, now),
      latest.release ?? '',
      latest.user ? latest.user.username : '',
      latest.source,
    ]);
    out.line(
      indent(
        table(
          ['EVENT', 'WHEN', 'RELEASE', 'USER', 'SOURCE'].map((h) => c.dim(h)),
          rows,
          ['left', 'left', 'left', 'left', 'left'],
        ),
      ),
    );
  }
  if (details.statusChanges.length > 0) {
    heading('Status changes', out);
    for (const change of details.statusChanges) {
      const why = change.reason === 'regression' ? `came back${change.release ? ` in ${change.release}` : ''}` : 'by hand';
      const byHandIn = change.reason === 'user' && change.release ? `, in ${change.release}` : '';
      out.line(`  ${ago(change.at, now)}: ${change.previous} → ${change.status} (${why}${byHandIn})`);
    }
  }
}

function printEvent({ event, seq }: StoredEvent, details: IssueDetails, out: Output, now: number): void {
  const c = out.colors;
  const latest = details.latest[0]?.seq === seq;
  const when = new Date(event.timestamp).toISOString().replace('T', ' ').slice(0, 19);
  out.line();
  out.line(
    c.bold(`Event ${event.eventId}`) +
      `  ${latest ? 'the latest, ' : ''}${when} UTC (${ago(event.timestamp, now)})` +
      `${event.release ? ` · ${event.release}` : ''}${event.environment ? ` · ${event.environment}` : ''}`,
  );
  out.line();
  out.line(`  ${c.red(event.title)}`);
  const own = event.error.frames.filter((frame) => frame.inApp);
  const others = event.error.frames.filter((frame) => !frame.inApp);
  if (own.length > 0) {
    out.line(`  ${c.bold('Your code:')}`);
    for (const frame of own) out.line(`    ${c.cyan(frameText(frame))}`);
  }
  if (others.length > 0) {
    out.line(`  ${c.dim(`Other frames (${String(others.length)}):`)}`);
    for (const frame of others.slice(0, OTHER_FRAMES_SHOWN)) out.line(`    ${c.dim(frameText(frame))}`);
    if (others.length > OTHER_FRAMES_SHOWN) out.line(`    ${c.dim(`… ${String(others.length - OTHER_FRAMES_SHOWN)} more`)}`);
  }
  for (const cause of event.error.causes) out.line(`  ${c.yellow('Caused by:')} ${cause.type}: ${cut(cause.message, VALUE_WIDTH)}`);

  heading('Tags', out);
  const tagRows = Object.entries(event.tags).map(([key, value]) => [c.dim(key), value]);
  if (tagRows.length > 0) out.line(indent(table(['', ''], tagRows, ['left', 'left']).split('\n').slice(1).join('\n')));
  if (event.user) out.line(`  ${c.dim('user')}  ${event.user.username} (${event.user.id})`);

  heading('Contexts', out);
  for (const [name, context] of Object.entries(event.contexts)) {
    out.line(`  ${c.bold(name)}`);
    for (const [key, value] of Object.entries(context))
      out.line(`    ${c.dim(key)}: ${cut(typeof value === 'string' ? value : JSON.stringify(value), VALUE_WIDTH)}`);
  }

  heading('Breadcrumbs', out);
  if (event.breadcrumbs.length === 0) out.line(`  ${c.dim('none')}`);
  for (const breadcrumb of event.breadcrumbs) {
    const time = new Date(breadcrumb.timestamp).toISOString().slice(11, 19);
    const level = breadcrumb.level === 'info' ? '' : ` ${c.yellow(breadcrumb.level)}`;
    out.line(`  ${c.dim(time)}  ${breadcrumb.category.padEnd(20)}${level} ${breadcrumb.message}`);
  }
}

function frameText(frame: TrackedFrame): string {
  const column = frame.column === undefined ? '' : `:${String(frame.column)}`;
  const where = `${frame.file}${frame.line === undefined ? '' : `:${String(frame.line)}${column}`}`;
  return frame.function ? `${where} in ${frame.function}` : where;
}

function printValues(title: string, values: readonly IssueValue[], out: Output, name: (value: IssueValue) => string): void {
  if (values.length === 0) return;
  heading(title, out);
  out.line(`  ${values.map((value) => `${name(value)} ×${count(value.count)}`).join(', ')}`);
}

function heading(title: string, out: Output): void {
  out.line();
  out.line(out.colors.bold(title));
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
