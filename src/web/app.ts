import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { displayPath } from '../cli/output.js';
import { LanternError } from '../errors/lantern-error.js';
import { ISSUE_SORTS, ISSUE_STATUSES, SHARDS_LISTED } from '../ext/local/store.js';
import { readOutboxStatus } from '../ext/sentry/outbox-queue.js';
import type { ErrorStore, Feedback, IssueFilter, IssueSort, IssueStatus, StoredEvent } from '../ext/local/store.js';
import { addressedToLoopback, bearerToken, fromThisPage, sameSecret } from './access.js';
import { LOGO_SVG } from './assets.js';
import { ingestRoutes } from './ingest.js';
import { LiveFeed, liveStream } from './live.js';
import { issuePage, listPage, messagePage } from './pages.js';
import type { ListQuery, PageFrame, StatusFilter } from './pages.js';

const PER_PAGE = 50;
const FEEDBACK_SHOWN = 20;
const LATEST_SHOWN = 10;
/** Sent by the page's script: only the part a live update replaces is wanted. */
const REGION_HEADER = 'x-lantern-region';
/** The longest text a filter takes: a search, a command or a release is never longer. */
const FILTER_LIMIT = 200;

export interface PageAppOptions {
  readonly store: ErrorStore;
  /** Required on every request when set (`?token=` once, then a cookie; or `Authorization: Bearer`). */
  readonly token: string | undefined;
  /** The DSN an SDK would use, for the empty list's hint; its key is the token when there is one. */
  readonly dsn: () => string;
  readonly pollMs: number;
  readonly maxEnvelopeBytes: number;
  /** Where the server closing is signalled: live streams end with it. */
  readonly closing: AbortSignal;
}

type Env = { Variables: { nonce: string } };

/**
 * The page's routes: the issue list (`/`), an issue (`/issues/:id`), its status (`POST /issues/:id/status`), live
 * updates (`/live`) and Sentry's ingest endpoints (`/api/:project/envelope/`), behind the page's rules: with a
 * token, every request holds it; without one, only requests addressed to the loopback address are answered; a
 * change of status must come from the page itself and carry its CSRF token; every response forbids scripts but the
 * page's own (a nonce per response), framing and sending the address elsewhere.
 */
export function pageApp(options: PageAppOptions): { app: Hono<Env>; feed: LiveFeed } {
  const { store, token } = options;
  const csrf = randomBytes(24).toString('base64url');
  const feed = new LiveFeed(store, options.pollMs);
  const cookieName = `lantern_token_${randomBytes(4).toString('hex')}`;
  const app = new Hono<Env>();

  app.use(async (c, next) => {
    const nonce = randomBytes(16).toString('base64');
    c.set('nonce', nonce);
    await next();
    c.header(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self'; connect-src 'self'; ` +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    c.header('x-content-type-options', 'nosniff');
    c.header('x-frame-options', 'DENY');
    // same-origin, not no-referrer: with no-referrer a browser names a form's origin `null`, and the page's own forms would be refused.
    c.header('referrer-policy', 'same-origin');
    c.header('cache-control', 'no-store');
  });

  // The ingest checks its own key (a DSN's), so an SDK needs no cookie.
  ingestRoutes(app, { store, token, maxEnvelopeBytes: options.maxEnvelopeBytes });

  app.use(async (c, next) => {
    if (token === undefined) {
      if (!addressedToLoopback(c)) return c.text('This page answers only requests addressed to 127.0.0.1 or localhost.', 403);
      return next();
    }
    const fromQuery = c.req.query('token');
    if (sameSecret(fromQuery, token)) {
      setCookie(c, cookieName, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      // Out of the address bar, the history and any copied link, now that the cookie holds it.
      if (c.req.method === 'GET') {
        const url = new URL(c.req.url);
        url.searchParams.delete('token');
        return c.redirect(`${url.pathname}${url.search}`, 303);
      }
      return next();
    }
    if (sameSecret(getCookie(c, cookieName), token) || sameSecret(bearerToken(c), token)) return next();
    return c.text('This page needs its token: open the address `lantern serve` printed (it ends in ?token=...).', 401);
  });

  const frame = (c: Context<Env>): PageFrame => ({
    nonce: c.get('nonce'),
    seq: store.lastSeq(),
    storePath: displayPath(store.path),
    now: Date.now(),
    regionOnly: c.req.header(REGION_HEADER) === '1',
  });

  app.get('/', async (c) => {
    const query = listQuery(c);
    const filter: IssueFilter = {
      status: query.status === 'all' ? undefined : query.status,
      command: query.command,
      release: query.release,
      search: query.search,
    };
    const pageFrame = frame(c);
    const issues = store.listIssues({ ...filter, sort: query.sort, limit: PER_PAGE, offset: (query.page - 1) * PER_PAGE });
    const tabs = { open: 0, resolved: 0, ignored: 0, all: 0 };
    for (const status of ISSUE_STATUSES) tabs[status] = store.countIssues({ ...filter, status });
    tabs.all = tabs.open + tabs.resolved + tabs.ignored;
    return c.html(
      listPage(pageFrame, {
        query,
        issues,
        counts: store.countsFor(
          issues.map((issue) => issue.id),
          pageFrame.now,
        ),
        total: tabs[query.status],
        perPage: PER_PAGE,
        tabs,
        dsn: options.dsn(),
        outbox: await readOutboxStatus(store.path, pageFrame.now),
      }),
    );
  });

  app.get('/issues/:id', (c) => {
    const id = Number(c.req.param('id'));
    const issue = Number.isSafeInteger(id) ? store.issue(id) : undefined;
    if (!issue) return c.html(messagePage(frame(c), 'No such issue', `There is no issue #${c.req.param('id')} in this store.`), 404);
    // Newest first by when they happened: several processes (shards) write one file, not always in time order.
    const latest = store.latestEvents(issue.id, LATEST_SHOWN).sort((a, b) => b.event.timestamp - a.event.timestamp);
    const asked = c.req.query('event');
    const chosen = asked === undefined ? undefined : store.event(asked);
    const pageFrame = frame(c);
    return c.html(
      issuePage(pageFrame, {
        issue,
        event: chosen?.issueId === issue.id ? chosen : latest[0],
        latest,
        counts: store.counts(issue.id, pageFrame.now),
        users: store.values(issue.id, 'user', 10),
        guilds: store.values(issue.id, 'guild', 10),
        releases: store.values(issue.id, 'release', 10),
        commands: store.values(issue.id, 'command', 10),
        shards: store.values(issue.id, 'shard', SHARDS_LISTED),
        feedback: feedbackOf(store, issue.id, latest),
        statusChanges: store.statusChanges(issue.id).slice(-10),
        csrf,
      }),
    );
  });

  app.post('/issues/:id/status', async (c) => {
    if (!fromThisPage(c)) return c.text('Refused: this request comes from another site.', 403);
    const form = await c.req.parseBody();
    if (!sameSecret(typeof form.csrf === 'string' ? form.csrf : undefined, csrf))
      return c.text('Refused: the form does not carry this page’s CSRF token. Reload the page and try again.', 403);
    const status = form.status;
    if (typeof status !== 'string' || !(ISSUE_STATUSES as readonly string[]).includes(status))
      return c.text(`Unknown status: use one of ${ISSUE_STATUSES.join(', ')}.`, 400);
    const id = Number(c.req.param('id'));
    const issue = Number.isSafeInteger(id) ? store.setStatus(id, status as IssueStatus) : undefined;
    if (!issue) return c.text(`There is no issue #${c.req.param('id')} in this store.`, 404);
    return c.redirect(`/issues/${String(issue.id)}`, 303);
  });

  app.get('/live', (c) => {
    const after = Math.max(Number(c.req.query('after')) || 0, Number(c.req.header('last-event-id')) || 0);
    return liveStream(feed, after, AbortSignal.any([options.closing, c.req.raw.signal]));
  });

  app.get('/favicon.svg', (c) => c.body(LOGO_SVG, 200, { 'content-type': 'image/svg+xml' }));

  app.notFound((c) => c.html(messagePage(frame(c), 'Not found', `Nothing is at ${c.req.path}.`), 404));

  app.onError((error, c) => {
    // The store's own errors (a lock held past the timeout, a damaged file) say what is wrong; anything else is a bug.
    if (error instanceof LanternError) return c.text(error.message, 503);
    console.error(error);
    return c.text('The page failed to answer; the server log says why.', 500);
  });

  return { app, feed };
}

/**
 * The issue's feedback, and feedback on its latest events that came before the event did (an SDK sends them in
 * separate requests, in any order), so was not linked to the issue when it was written.
 */
function feedbackOf(store: ErrorStore, issueId: number, latest: readonly StoredEvent[]): Feedback[] {
  const byId = new Map<number, Feedback>();
  for (const said of store.feedback(issueId, FEEDBACK_SHOWN)) byId.set(said.id, said);
  for (const { event } of latest) for (const said of store.feedbackForEvent(event.eventId)) byId.set(said.id, said);
  return [...byId.values()].sort((a, b) => b.timestamp - a.timestamp || b.id - a.id).slice(0, FEEDBACK_SHOWN);
}

function listQuery(c: Context<Env>): ListQuery {
  const text = (name: string): string | undefined => {
    const value = c.req.query(name)?.trim().slice(0, FILTER_LIMIT);
    return value === undefined || value === '' ? undefined : value;
  };
  const status = text('status');
  const sort = text('sort');
  const page = Number(text('page'));
  return {
    status: status === 'all' || (ISSUE_STATUSES as readonly string[]).includes(status ?? '') ? (status as StatusFilter) : 'open',
    command: text('command'),
    release: text('release'),
    search: text('q'),
    sort: (ISSUE_SORTS as readonly string[]).includes(sort ?? '') ? (sort as IssueSort) : 'last-seen',
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
  };
}
