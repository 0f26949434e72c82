import type {
  Feedback,
  IssueCounts,
  IssueDetails,
  IssueSort,
  IssueStatus,
  IssueSummary,
  IssueValue,
  StatusChange,
} from '../ext/local/store.js';
import type { OutboxStatus } from '../ext/sentry/outbox-queue.js';
import type { TrackedBreadcrumb, TrackedEvent, TrackedFrame } from '../tracking/tracked-event.js';
import { LOGO_SVG, SCRIPT, STYLE } from './assets.js';
import { ago, count } from '../cli/output.js';
import { fullTime, plural, shortCount } from './format.js';
import { Html, html, scriptJson } from './html.js';
import { outboxCard } from './outbox.js';
import { barChart } from './sparkline.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type StatusFilter = IssueStatus | 'all';

export interface ListQuery {
  readonly status: StatusFilter;
  readonly command: string | undefined;
  readonly release: string | undefined;
  readonly search: string | undefined;
  readonly sort: IssueSort;
  readonly page: number;
}

export interface PageFrame {
  readonly nonce: string;
  /** The store's newest sequence number when the page was made: live updates start after it. */
  readonly seq: number;
  readonly storePath: string;
  readonly now: number;
  /** Only the part live updates replace (`#live-region`), for the page's script to swap in. */
  readonly regionOnly: boolean;
}

export interface ListView {
  readonly query: ListQuery;
  readonly issues: readonly IssueSummary[];
  readonly counts: ReadonlyMap<number, IssueCounts>;
  /** Issues matching the filters, over all pages. */
  readonly total: number;
  readonly perPage: number;
  readonly tabs: Readonly<Record<StatusFilter, number>>;
  readonly dsn: string;
  /** The Sentry outbox, when the store's file holds one. */
  readonly outbox: OutboxStatus | undefined;
}

/** What an issue page shows: the store's details of the issue (its latest events sorted by time), and the form's token. */
export interface IssueView extends IssueDetails {
  readonly csrf: string;
}

const NO_EVENT_KEPT = 'No full event is kept for this issue any more; its counts are.';

const SORT_LABELS: Readonly<Record<IssueSort, string>> = {
  'last-seen': 'Last seen',
  'first-seen': 'First seen',
  count: 'Most events',
  users: 'Most users',
};
const STATUS_TABS: readonly [StatusFilter, string][] = [
  ['open', 'Open'],
  ['resolved', 'Resolved'],
  ['ignored', 'Ignored'],
  ['all', 'All'],
];

function layout(frame: PageFrame, title: string, content: Html, state: { issue?: number } = {}): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>${title} · Lantern</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <style nonce="${frame.nonce}">
          ${Html.trusted(STYLE)}
        </style>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">${Html.trusted(LOGO_SVG)}<span>Lantern</span></a>
          <span class="path" title="${frame.storePath}">${frame.storePath}</span>
          <span class="live" id="live-status">connecting</span>
        </header>
        <main>${content}</main>
        <script type="application/json" id="lantern-state">
          ${scriptJson({ seq: frame.seq, ...state })}
        </script>
        <script nonce="${frame.nonce}">
          ${Html.trusted(SCRIPT)};
        </script>
      </body>
    </html>`.toString();
}

/** `/?status=...&...`: the list's address with `changes` applied, defaults left out so links stay short. */
export function listHref(query: ListQuery, changes: Partial<ListQuery> = {}): string {
  const next = { ...query, ...changes };
  const params = new URLSearchParams();
  if (next.status !== 'open') params.set('status', next.status);
  if (next.search) params.set('q', next.search);
  if (next.command) params.set('command', next.command);
  if (next.release) params.set('release', next.release);
  if (next.sort !== 'last-seen') params.set('sort', next.sort);
  if (next.page > 1) params.set('page', String(next.page));
  const text = params.toString();
  return text === '' ? '/' : `/?${text}`;
}

export function listPage(frame: PageFrame, view: ListView): string {
  const { query } = view;
  const commands = [...new Set(view.issues.map((issue) => issue.source))].sort();
  const releases = [...new Set(view.issues.flatMap((issue) => (issue.lastRelease ? [issue.lastRelease] : [])))].sort();
  const tabs = STATUS_TABS.map(
    ([status, label]) =>
      html`<a href="${listHref(query, { status, page: 1 })}" class="${status === query.status ? 'current' : ''}"
        >${label}<span class="n">${shortCount(view.tabs[status])}</span></a
      >`,
  );
  const clearedHref = listHref(query, { search: undefined, command: undefined, release: undefined, page: 1 });
  const filters = html`<form class="filters" method="get" action="/" role="search">
    ${query.status === 'open' ? '' : html`<input type="hidden" name="status" value="${query.status}" />`}
    <input
      type="search"
      name="q"
      value="${query.search ?? ''}"
      placeholder="Search titles, culprits, sources, fingerprints"
      aria-label="Search"
    />
    <input name="command" value="${query.command ?? ''}" placeholder="Command" list="commands" aria-label="Command" size="14" />
    <input name="release" value="${query.release ?? ''}" placeholder="Release" list="releases" aria-label="Release" size="12" />
    <select name="sort" aria-label="Sort">
      ${(Object.keys(SORT_LABELS) as IssueSort[]).map(
        (sort) => html`<option value="${sort}" ${sort === query.sort ? Html.trusted(' selected') : ''}>${SORT_LABELS[sort]}</option>`,
      )}
    </select>
    <button type="submit">Filter</button>
    ${query.search || query.command || query.release ? html`<a href="${clearedHref}">Clear</a>` : ''}
    <datalist id="commands">${commands.map((command) => html`<option value="${command}"></option>`)}</datalist>
    <datalist id="releases">${releases.map((release) => html`<option value="${release}"></option>`)}</datalist>
  </form>`;
  const body =
    view.issues.length === 0
      ? emptyList(view)
      : html`<table class="issues">
            <thead>
              <tr>
                <th>Issue</th>
                <th class="num">Events</th>
                <th class="num">Users</th>
                <th>Last seen</th>
                <th>24 hours · 14 days</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              ${view.issues.map((issue) => issueRow(issue, view.counts.get(issue.id), frame.now))}
            </tbody>
          </table>
          ${pager(view)}`;
  const region = html`<div id="live-region" class="card">${body}</div>`;
  if (frame.regionOnly) return region.toString();
  return layout(
    frame,
    'Issues',
    html`<nav class="tabs">${tabs}</nav>
      ${filters}${region}${view.outbox ? outboxCard(view.outbox, frame.now) : ''}`,
  );
}

function issueRow(issue: IssueSummary, counts: IssueCounts | undefined, now: number): Html {
  const hourly = counts?.hourly ?? [];
  const daily = counts?.daily ?? [];
  return html`<tr data-issue="${issue.id}">
    <td class="main">
      <a class="title" href="/issues/${issue.id}" title="${issue.title}">${issue.title}</a>
      <div class="sub"><span class="mono">#${issue.id}</span> · ${issue.source} · <code>${issue.culprit}</code></div>
    </td>
    <td class="num" title="${plural(issue.count, 'event')}">${shortCount(issue.count)}</td>
    <td class="num">${shortCount(issue.users)}</td>
    <td class="when" title="${`first seen ${fullTime(issue.firstSeen)}, last seen ${fullTime(issue.lastSeen)}`}">
      ${ago(issue.lastSeen, now)}
    </td>
    <td>
      <div class="spark">
        <div>
          ${barChart(hourly, { width: 96, height: 22, label: `${plural(sum(hourly), 'event')} in the last 24 hours` })}<small>24 h</small>
        </div>
        <div>
          ${barChart(daily, { width: 70, height: 22, label: `${plural(sum(daily), 'event')} in the last 14 days` })}<small>14 d</small>
        </div>
      </div>
    </td>
    <td>${statusBadge(issue)}</td>
  </tr>`;
}

function pager(view: ListView): Html {
  const { query, total, perPage } = view;
  const first = (query.page - 1) * perPage + 1;
  const last = Math.min(total, query.page * perPage);
  return html`<div class="pager">
    <span>${count(first)}–${count(last)} of ${plural(total, 'issue')}</span>
    <span
      >${query.page > 1 ? html`<a href="${listHref(query, { page: query.page - 1 })}">← Newer</a>` : ''}
      ${last < total ? html` <a href="${listHref(query, { page: query.page + 1 })}">Older →</a>` : ''}</span
    >
  </div>`;
}

function emptyList(view: ListView): Html {
  const filtered = view.query.search || view.query.command || view.query.release;
  if (filtered || view.tabs.all > 0)
    return html`<div class="empty-state">No ${view.query.status === 'all' ? '' : `${view.query.status} `}issues match.</div>`;
  return html`<div class="empty-state">
    <p><b>No errors yet.</b> Nothing has failed, or nothing writes to this store yet.</p>
    <p>Load <code>lantern/ext/local</code> in the bot, or point any Sentry SDK at <code>${view.dsn}</code>.</p>
  </div>`;
}

export function issuePage(frame: PageFrame, view: IssueView): string {
  const { issue } = view;
  const event = view.event?.event;
  const region = html`<div id="live-region">
    ${issueHead(view, frame.now)}
    <div class="grid">
      <div>
        ${event ? eventSections(event, frame.now) : html`<div class="card section muted">${NO_EVENT_KEPT}</div>`}
        ${latestEvents(view, frame.now)}
      </div>
      <aside>
        ${overTime(view.counts, frame.now)}
        ${valueList('Users', view.users, issue.users, (value) => html`${value.label ?? value.value} <small>${value.value}</small>`)}
        ${valueList('Guilds', view.guilds, issue.guilds, (value) => html`<span class="mono">${value.value}</span>`)}
        ${valueList('Releases', view.releases, undefined, (value) => html`<span class="mono">${value.value}</span>`)}
        ${valueList('Commands', view.commands, undefined, (value) => html`${value.value}`)}
        ${valueList('Shards', view.shards, undefined, (value) => html`shard <span class="mono">${value.value}</span>`)}
        ${feedbackSection(view.feedback, frame.now)} ${historySection(view.statusChanges, frame.now)}
        <div class="card section">
          <h2>Grouping</h2>
          <div class="key">${issue.fingerprint}</div>
          <div class="key">${issue.groupingKey.join(' · ')}</div>
        </div>
      </aside>
    </div>
  </div>`;
  if (frame.regionOnly) return region.toString();
  return layout(frame, issue.title, html`<a class="back" href="/">← All issues</a>${region}`, { issue: issue.id });
}

function issueHead(view: IssueView, now: number): Html {
  const { issue } = view;
  const releases = issue.firstRelease
    ? issue.firstRelease === issue.lastRelease
      ? html`<span>release <b class="mono">${issue.firstRelease}</b></span>`
      : html`<span>releases <b class="mono">${issue.firstRelease}</b> → <b class="mono">${issue.lastRelease}</b></span>`
    : '';
  return html`<section class="card issue-head" data-issue="${issue.id}">
    <div>${statusBadge(issue)} <span class="badge level">${issue.level}</span> <span class="muted mono">#${issue.id}</span></div>
    <h1>${issue.title}</h1>
    <div class="culprit mono">${issue.culprit}</div>
    <div class="meta">
      <span><b>${plural(issue.count, 'event')}</b>${issue.stored < issue.count ? html` (${count(issue.stored)} kept)` : ''}</span>
      <span><b>${plural(issue.users, 'user')}</b></span>
      <span><b>${plural(issue.guilds, 'guild')}</b></span>
      <span>source <b>${issue.source}</b></span>
      <span title="${fullTime(issue.firstSeen)}">first seen <b>${ago(issue.firstSeen, now)}</b></span>
      <span title="${fullTime(issue.lastSeen)}">last seen <b>${ago(issue.lastSeen, now)}</b></span>
      ${releases}
    </div>
    <div class="actions">${statusButtons(issue, view.csrf)}</div>
  </section>`;
}

function statusButtons(issue: IssueSummary, csrf: string): Html[] {
  const button = (status: IssueStatus, label: string, primary: boolean): Html =>
    html`<form method="post" action="/issues/${issue.id}/status">
      <input type="hidden" name="csrf" value="${csrf}" /><input type="hidden" name="status" value="${status}" />
      <button type="submit" class="${primary ? 'primary' : ''}">${label}</button>
    </form>`;
  if (issue.status === 'open') return [button('resolved', 'Resolve', true), button('ignored', 'Ignore', false)];
  if (issue.status === 'resolved') return [button('open', 'Reopen', true), button('ignored', 'Ignore', false)];
  return [button('open', 'Reopen', true), button('resolved', 'Resolve', false)];
}

function statusBadge(issue: IssueSummary): Html {
  return html`<span class="badge ${issue.status}">${issue.status}</span>${
      issue.regression ? html` <span class="badge regression" title="it came back after it was resolved">regression</span>` : ''
    }`;
}

function eventSections(event: TrackedEvent, now: number): Html {
  return html`${exceptionSection(event, now)}${breadcrumbSection(event.breadcrumbs)}${tagSection(event)}${contextSection(event)}`;
}

/** The error, then the bot's own frames (innermost first), then the rest folded away, then the whole stack text. */
function exceptionSection(event: TrackedEvent, now: number): Html {
  const { error } = event;
  const own = error.frames.filter((frame) => frame.inApp);
  const others = error.frames.filter((frame) => !frame.inApp);
  const shown = own.length > 0 ? own : others;
  const folded = own.length > 0 ? others : [];
  return html`<section class="card section exception">
    <h2>Exception</h2>
    <div class="type">${error.type}</div>
    <pre class="message">${error.message || '(no message)'}</pre>
    ${
      shown.length > 0
        ? html`<ol class="frames">
            ${shown.map(frameItem)}
          </ol>`
        : html`<p class="muted">No stack frames.</p>`
    }
    ${
      folded.length > 0
        ? html`<details>
            <summary>${plural(folded.length, 'more frame')} in Node.js and packages</summary>
            <ol class="frames">
              ${folded.map(frameItem)}
            </ol>
          </details>`
        : ''
    }
    ${
      error.causes.length > 0
        ? html`<ul class="causes">
            ${error.causes.map((cause) => html`<li>caused by <b>${cause.type}</b>: ${cause.message}</li>`)}
          </ul>`
        : ''
    }
    <details>
      <summary>Full stack text</summary>
      <pre>${error.stack}</pre>
    </details>
    <p class="muted">
      Event <span class="mono">${event.eventId}</span> · <span title="${fullTime(event.timestamp)}">${ago(event.timestamp, now)}</span>${
        event.release ? html` · release <span class="mono">${event.release}</span>` : ''
      }${event.environment ? html` · ${event.environment}` : ''}
    </p>
  </section>`;
}

function frameItem(frame: TrackedFrame): Html {
  const line = frame.line === undefined ? '' : `:${String(frame.line)}`;
  const column = frame.column === undefined ? '' : `:${String(frame.column)}`;
  const where = `${frame.file}${line}${column}`;
  const typescript = /\.[cm]?tsx?$/.test(frame.file);
  return html`<li class="${frame.inApp ? 'app' : 'lib'}">
    <span class="fn">${frame.function ?? '(anonymous)'}</span>
    <span class="loc">${where}</span>${typescript ? html`<span class="ts" title="a TypeScript line">TS</span>` : ''}
  </li>`;
}

function breadcrumbSection(breadcrumbs: readonly TrackedBreadcrumb[]): Html {
  if (breadcrumbs.length === 0) return html``;
  return html`<section class="card section">
    <h2>Breadcrumbs</h2>
    <table class="crumbs">
      <tbody>
        ${breadcrumbs.map(
          (crumb) =>
            html`<tr class="${crumb.level}">
              <td class="when">${crumb.timestamp > 0 ? new Date(crumb.timestamp).toISOString().slice(11, 23) : ''}</td>
              <td class="cat">${crumb.category}</td>
              <td>${crumb.message}${crumb.data && Object.keys(crumb.data).length > 0 ? crumbData(crumb.data) : ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function crumbData(data: Readonly<Record<string, unknown>>): Html {
  return html` <span class="muted mono">${JSON.stringify(data)}</span>`;
}

function commandIssuesHref(command: string): string {
  return `/?${new URLSearchParams({ status: 'all', command }).toString()}`;
}

function tagSection(event: TrackedEvent): Html {
  const tags = Object.entries(event.tags);
  if (tags.length === 0) return html``;
  return html`<section class="card section">
    <h2>Tags</h2>
    <table class="kv">
      <tbody>
        ${tags.map(
          ([key, value]) =>
            html`<tr>
              <td>${key}</td>
              <td>${key === 'command' || key === 'source' ? html`<a href="${commandIssuesHref(value)}">${value}</a>` : value}</td>
            </tr>`,
        )}${
          event.user
            ? html`<tr>
                <td>user</td>
                <td>${event.user.username} <span class="muted mono">${event.user.id}</span></td>
              </tr>`
            : ''
        }
      </tbody>
    </table>
  </section>`;
}

function contextSection(event: TrackedEvent): Html {
  const contexts = Object.entries(event.contexts).filter(([, context]) => Object.keys(context).length > 0);
  if (contexts.length === 0) return html``;
  return html`<section class="card section context">
    <h2>Contexts</h2>
    ${contexts.map(
      ([name, context]) =>
        html`<h3>${name}</h3>
          <table class="kv">
            <tbody>
              ${Object.entries(context)
                .filter(([, value]) => value !== undefined && value !== null && value !== '')
                .map(
                  ([key, value]) =>
                    html`<tr>
                      <td>${key}</td>
                      <td>${contextValue(value)}</td>
                    </tr>`,
                )}
            </tbody>
          </table>`,
    )}
  </section>`;
}

function contextValue(value: unknown): Html {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return html`${String(value)}`;
  const compact = JSON.stringify(value);
  // Short values stay on one line; longer ones are laid out to be read.
  return compact.length <= 80 ? html`<code>${compact}</code>` : html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
}

function latestEvents(view: IssueView, now: number): Html {
  if (view.latest.length === 0) return html``;
  const shown = view.event?.event.eventId;
  return html`<section class="card section">
    <h2>Latest events</h2>
    <table class="events">
      <thead>
        <tr>
          <th>When</th>
          <th>Event</th>
          <th>User</th>
          <th>Guild</th>
          <th>Release</th>
        </tr>
      </thead>
      <tbody>
        ${view.latest.map(
          ({ event }) =>
            html`<tr class="${event.eventId === shown ? 'current' : ''}">
              <td class="when" title="${fullTime(event.timestamp)}">${ago(event.timestamp, now)}</td>
              <td><a class="mono" href="/issues/${view.issue.id}?event=${event.eventId}">${event.eventId.slice(0, 12)}</a></td>
              <td>${event.user?.username ?? ''}</td>
              <td class="mono">${event.tags.guild_id ?? ''}</td>
              <td class="mono">${event.release ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function overTime(counts: IssueCounts, now: number): Html {
  const className = 'wide';
  const chart = (values: readonly number[], span: string, from: string, barLabel: (index: number, count: number) => string) =>
    html`${barChart(values, { width: 284, height: 56, label: `${plural(sum(values), 'event')} in the last ${span}`, barLabel, className })}
      <div class="axis"><span>${from}</span><b>${plural(sum(values), 'event')}</b><span>now</span></div>`;
  return html`<div class="card section">
    <h2>Events over time</h2>
    ${chart(counts.hourly, '24 hours', '24 h ago', hourLabel(now))} ${chart(counts.daily, '14 days', '14 d ago', dayLabel(now))}
  </div>`;
}

function valueList(title: string, values: readonly IssueValue[], total: number | undefined, label: (value: IssueValue) => Html): Html {
  if (values.length === 0) return html``;
  const more =
    total !== undefined && total > values.length ? html`<li class="muted">and ${plural(total - values.length, 'more')}</li>` : '';
  return html`<div class="card section">
    <h2>${title}</h2>
    <ul class="values">
      ${values.map(
        (value) =>
          html`<li>
            <span class="v" title="${value.value}">${label(value)}</span><span class="num muted">${shortCount(value.count)}</span>
          </li>`,
      )}${more}
    </ul>
  </div>`;
}

function feedbackSection(feedback: readonly Feedback[], now: number): Html {
  if (feedback.length === 0) return html``;
  return html`<div class="card section feedback">
    <h2>Feedback</h2>
    ${feedback.map(
      (said) =>
        html`<blockquote>
          ${said.message}
          <footer>${said.user?.username ?? said.user?.id ?? 'someone'} · ${ago(said.timestamp, now)}</footer>
        </blockquote>`,
    )}
  </div>`;
}

function historySection(changes: readonly StatusChange[], now: number): Html {
  if (changes.length === 0) return html``;
  return html`<div class="card section">
    <h2>History</h2>
    <ul class="values">
      ${changes.map(
        (change) =>
          html`<li>
            <span
              >${change.reason === 'regression' ? 'reopened: a regression' : change.status}${
                change.release ? html` <small class="mono">${change.release}</small>` : ''
              }</span
            ><span class="muted" title="${fullTime(change.at)}">${ago(change.at, now)}</span>
          </li>`,
      )}
    </ul>
  </div>`;
}

export function messagePage(frame: PageFrame, title: string, message: string): string {
  return layout(
    frame,
    title,
    html`<div class="card empty-state">
      <p><b>${title}</b></p>
      <p>${message}</p>
      <p><a href="/">All issues</a></p>
    </div>`,
  );
}

/** A tooltip for the bar of hour `index` of a 24-hour chart ending with the current hour. */
function hourLabel(now: number): (index: number, count: number) => string {
  const current = Math.floor(now / HOUR) * HOUR;
  return (index, count) => `${new Date(current - (23 - index) * HOUR).toISOString().slice(11, 16)} UTC: ${plural(count, 'event')}`;
}

/** A tooltip for window `index` of a 14-day chart: 24-hour windows, the last ending with the current hour. */
function dayLabel(now: number): (index: number, count: number) => string {
  const end = (Math.floor(now / HOUR) + 1) * HOUR;
  return (index, count) =>
    `${index === 13 ? 'the last 24 hours' : `24 hours to ${fullTime(end - (13 - index) * DAY).slice(0, 16)}`}: ${plural(count, 'event')}`;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
