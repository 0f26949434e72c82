/**
 * The page in a real browser (headless Chromium through playwright-core): the list, an issue, its buttons, live
 * updates from another connection to the same SQLite file, and error text that tries to be markup.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { SqliteOutboxQueue } from '../../src/ext/sentry/outbox-queue.js';
import type { TrackedEvent } from '../../src/tracking/tracked-event.js';
import { launchChromium } from '../support/browser.js';
import { originOf, startPage, writerFor } from '../support/page.js';
import { idleBot, tracked } from '../support/tracking.js';

const T = { timeout: 60_000 };
const DAY = 86_400_000;
const bot = idleBot();
const ada = { id: '300000000000000001', username: 'ada' };
const grace = { id: '300000000000000002', username: 'grace' };
const XSS_MESSAGE = '<img src=x onerror=window.__xss=1> and </script><script>window.__xss=2</script>';
let browser: Browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

/** A new tab that fails the test on any dialog, uncaught page error or console error (a CSP report among them). */
async function tab(t: TestContext): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  return { page, problems };
}

/** Bars in a sparkline: each is one `M` of the paths it is drawn with. */
async function barsOf(chart: Locator): Promise<number> {
  const paths = await chart.locator('path').all();
  const drawn = await Promise.all(paths.map((path) => path.getAttribute('d')));
  return drawn.reduce((total, d) => total + (d?.split('M').length ?? 1) - 1, 0);
}

function divideByZero(n: number, user = ada, extra: { release?: string; timestamp?: number } = {}): TrackedEvent {
  return tracked(bot, '/divide', divide(n), {
    user,
    guildId: '400000000000000001',
    release: extra.release ?? '1.0.0',
    timestamp: extra.timestamp,
  });
}

function divide(n: number): Error {
  return new RangeError(`Cannot divide ${String(n)} by zero`);
}

test('the list shows each issue with its counts and sparklines; an issue shows its stack, tags and users', T, async (t) => {
  const events = [
    divideByZero(1, ada),
    divideByZero(2, grace),
    divideByZero(3, ada, { release: '1.1.0' }),
    tracked(bot, 'task sync', new Error('profile service answered 503'), { timestamp: Date.now() - 3 * 3_600_000 }),
  ];
  const running = await startPage(t, events);
  const { page, problems } = await tab(t);
  await page.goto(running.url);

  const rows = page.locator('table.issues tbody tr');
  assert.equal(await rows.count(), 2);
  const first = rows.first();
  assert.equal(await first.locator('a.title').textContent(), 'RangeError: Cannot divide 3 by zero');
  assert.deepEqual(await first.locator('td.num').allTextContents(), ['3', '2'], 'events and users');
  assert.equal(await first.locator('svg.chart').count(), 2, 'a 24-hour and a 14-day sparkline');
  assert.equal(await barsOf(first.locator('svg.chart').first()), 24, 'one bar an hour');
  assert.equal(await barsOf(first.locator('svg.chart').last()), 14, 'one bar a day');
  assert.equal(await first.locator('svg.chart').first().getAttribute('aria-label'), '3 events in the last 24 hours');
  assert.match((await rows.nth(1).textContent()) ?? '', /task sync/);

  await page.fill('input[name=q]', 'profile');
  await page.click('button[type=submit]');
  await page.waitForURL(/q=profile/);
  assert.equal(await rows.count(), 1);
  assert.match((await rows.first().textContent()) ?? '', /profile service answered 503/);
  await page.goto(`${originOf(running)}/?release=1.1.0`);
  assert.equal(await rows.count(), 1);
  await page.goto(`${originOf(running)}/?command=task%20sync`);
  assert.match((await rows.first().textContent()) ?? '', /task sync/);

  await page.goto(running.url);
  await rows.first().locator('a.title').click();
  await page.waitForURL(/\/issues\/1$/);
  assert.equal(await page.locator('h1').textContent(), 'RangeError: Cannot divide 3 by zero');
  const ownFrames = page.locator('.exception > ol.frames > li');
  assert.ok((await ownFrames.count()) >= 1);
  assert.equal(await ownFrames.first().getAttribute('class'), 'app', "the bot's own frames come first");
  assert.match((await ownFrames.first().locator('.loc').textContent()) ?? '', /^test\/web\/page\.test\.ts:\d+:\d+$/);
  assert.equal(await ownFrames.first().locator('.ts').textContent(), 'TS', 'a TypeScript line');
  const tags = (await page.locator('section:has(h2:text("Tags")) td').allTextContents()).map((cell) => cell.trim());
  assert.ok(tags.includes('guild_id') && tags.includes('400000000000000001'), tags.join(', '));
  const users = await page.locator('.card:has(h2:text("Users")) li').allTextContents();
  assert.equal(users.length, 2);
  assert.match(users[0] ?? '', /ada.*2/);
  const releases = await page.locator('.card:has(h2:text("Releases")) li').allTextContents();
  assert.equal(releases.length, 2);
  assert.equal(await page.locator('table.events tbody tr').count(), 3, 'the latest events');
  assert.equal(await page.locator('.card:has(h2:text("Events over time")) svg').count(), 2);
  assert.deepEqual(problems, []);
});

test('Resolve, then Reopen and Ignore, change the status; the list moves the issue between tabs', T, async (t) => {
  const running = await startPage(t, [divideByZero(1)]);
  const { page, problems } = await tab(t);
  await page.goto(`${originOf(running)}/issues/1`);
  assert.equal(await page.locator('.issue-head .badge.open').count(), 1);
  await page.click('button:text("Resolve")');
  await page.waitForSelector('.issue-head .badge.resolved');
  assert.deepEqual(await page.locator('.actions button').allTextContents(), ['Reopen', 'Ignore']);
  assert.equal(running.store.issue(1)?.status, 'resolved');
  await page.goto(running.url);
  assert.equal(await page.locator('table.issues tbody tr').count(), 0, 'no longer open');
  await page.click('.tabs a:text("Resolved")');
  assert.equal(await page.locator('table.issues tbody tr').count(), 1);

  await page.goto(`${originOf(running)}/issues/1`);
  await page.click('button:text("Reopen")');
  await page.waitForSelector('.issue-head .badge.open');
  await page.click('button:text("Ignore")');
  await page.waitForSelector('.issue-head .badge.ignored');
  assert.deepEqual(
    running.store.statusChanges(1).map((change) => change.status),
    ['resolved', 'open', 'ignored'],
  );
  assert.deepEqual(problems, []);
});

test('an event written to the file by another connection shows up on the open list and issue page without a reload', T, async (t) => {
  const running = await startPage(t, [divideByZero(1)]);
  const writer = await writerFor(t, running.db);
  const { page, problems } = await tab(t);
  await page.goto(running.url);
  await page.waitForSelector('#live-status.on');
  const marker = await page.evaluate<number>('window.__loadedOnce = 1');
  assert.equal(marker, 1);

  writer.record([tracked(bot, '/weather', new SyntaxError('Unexpected token < in JSON'))]);
  const row = page.locator('tr:has-text("Unexpected token < in JSON")');
  await row.waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('table.issues tbody tr').count(), 2);
  assert.match((await row.getAttribute('class')) ?? '', /fresh/, 'the new row is highlighted');
  assert.equal(await page.evaluate<number>('window.__loadedOnce'), 1, 'the page was not reloaded');

  await page.goto(`${originOf(running)}/issues/1`);
  await page.waitForSelector('#live-status.on');
  assert.match((await page.locator('.issue-head .meta').textContent()) ?? '', /1 event\b/);
  writer.record([divideByZero(2, grace), divideByZero(3, grace)]);
  await page.locator('.issue-head .meta', { hasText: '3 events' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('table.events tbody tr').count(), 3);
  assert.deepEqual(problems, []);
});

test('off the loopback address, the printed address logs the browser in: the page, its live updates and buttons work', T, async (t) => {
  const running = await startPage(t, [divideByZero(1)], { host: '0.0.0.0' });
  const writer = await writerFor(t, running.db);
  const { page, problems } = await tab(t);
  await page.goto(running.url);
  assert.equal(new URL(page.url()).search, '', 'the token left the address');
  await page.waitForSelector('#live-status.on');
  writer.record([tracked(bot, '/weather', new SyntaxError('Unexpected end of JSON input'))]);
  await page.locator('tr:has-text("Unexpected end of JSON input")').waitFor({ timeout: 10_000 });
  await page.goto(`${originOf(running)}/issues/1`);
  await page.click('button:text("Resolve")');
  await page.waitForSelector('.issue-head .badge.resolved');
  const stranger = await browser.newContext();
  t.after(() => stranger.close());
  const refused = await (await stranger.newPage()).goto(`${originOf(running)}/issues/1`);
  assert.equal(refused?.status(), 401, 'a browser without the token gets nothing');
  assert.deepEqual(problems, []);
});

test('error text that is markup is shown as text everywhere and runs nothing: no dialog, no element, no error', T, async (t) => {
  const hostile = tracked(bot, '/x"><img src=x onerror=window.__xss=3>', new Error(XSS_MESSAGE), {
    user: { id: '300000000000000003', username: '<b onmouseover=window.__xss=4>mallory</b>' },
    guildId: '400000000000000001',
  });
  const event: TrackedEvent = {
    ...hostile,
    tags: { ...hostile.tags, '<svg onload=window.__xss=5>': '"><script>window.__xss=6</script>' },
    contexts: {
      ...hostile.contexts,
      '<iframe src=javascript:window.__xss=7>': { '</script><script>window.__xss=8</script>': XSS_MESSAGE },
    },
    breadcrumbs: [{ timestamp: Date.now(), category: '<img src=x onerror=window.__xss=9>', level: 'error', message: XSS_MESSAGE }],
    release: "'><img src=x onerror=window.__xss=10>",
  };
  const running = await startPage(t, [event]);
  running.store.addFeedback({
    eventId: event.eventId,
    message: XSS_MESSAGE,
    user: { id: '1', username: '<img src=x onerror=window.__xss=11>' },
  });
  const { page, problems } = await tab(t);

  for (const path of ['/', '/?status=all&q=%3Cimg', '/issues/1', `/issues/1?event=${event.eventId}`]) {
    await page.goto(`${originOf(running)}${path}`);
    await page.waitForSelector('#live-status.on');
    assert.equal(await page.evaluate<unknown>('window.__xss'), undefined, path);
    assert.equal(await page.locator('img, iframe, svg[onload], b[onmouseover]').count(), 0, `no injected element on ${path}`);
    assert.equal(await page.locator('script').count(), 2, `only the page's own scripts on ${path}`);
    assert.equal(await page.locator('[onerror], [onload], [onmouseover]').count(), 0, path);
  }
  // On the issue page now: every place the payload went shows it as the text it is.
  const text = (await page.locator('main').textContent()) ?? '';
  assert.ok(text.includes(XSS_MESSAGE), 'the message reads as written');
  assert.ok(text.includes('<svg onload=window.__xss=5>') && text.includes('"><script>window.__xss=6</script>'), 'tags');
  assert.ok(text.includes('<iframe src=javascript:window.__xss=7>'), 'a context name');
  assert.ok(text.includes('<b onmouseover=window.__xss=4>mallory</b>'), 'the user');
  assert.ok(text.includes("'><img src=x onerror=window.__xss=10>"), 'the release');
  assert.ok(text.includes('<img src=x onerror=window.__xss=11>'), 'the feedback');
  assert.equal(await page.locator('h1').textContent(), `Error: ${XSS_MESSAGE}`);
  assert.equal(await page.title(), `Error: ${XSS_MESSAGE} · Lantern`);
  // The live update swaps in markup fetched again: it must stay inert too.
  await writerFor(t, running.db).then((writer) => writer.record([{ ...event, eventId: 'a'.repeat(32), timestamp: Date.now() }]));
  await page.locator('.issue-head .meta', { hasText: '2 events' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate<unknown>('window.__xss'), undefined);
  assert.equal(await page.locator('img, iframe').count(), 0);
  assert.deepEqual(problems, []);
});

test('a form on another site that posts to the page cannot change an issue', T, async (t) => {
  const running = await startPage(t, [divideByZero(1)]);
  const target = `${originOf(running)}/issues/1/status`;
  const attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<form method="post" action="${target}"><input name="status" value="resolved"><input name="csrf" value="guess"></form>
      <script>document.forms[0].submit()</script>`);
  });
  attacker.listen(0, '127.0.0.1');
  await once(attacker, 'listening');
  t.after(() => attacker.close());
  const { page } = await tab(t);
  const answered = page.waitForResponse((response) => response.url() === target);
  await page.goto(`http://localhost:${String((attacker.address() as AddressInfo).port)}/`);
  const response = await answered;
  assert.equal(response.status(), 403);
  assert.match(await response.text(), /another site/);
  assert.equal(running.store.issue(1)?.status, 'open');
});

/** An event of a bot running four shards, on shard `shard`, as its shard process tags it. */
function onShard(event: TrackedEvent, shard: number): TrackedEvent {
  return { ...event, tags: { ...event.tags, shard_id: String(shard), shard_count: '4' } };
}

test("an issue of a sharded bot lists the shards it hit with their counts; a one-shard bot's issue has no shards card", T, async (t) => {
  const sharded = [onShard(divideByZero(1), 2), onShard(divideByZero(2), 0), onShard(divideByZero(3), 2)];
  const single = tracked(bot, 'task sync', new Error('profile service answered 503'));
  const running = await startPage(t, [...sharded, single]);
  const { page, problems } = await tab(t);
  const divideId = running.store.listIssues({ search: 'divide' })[0]?.id;
  const syncId = running.store.listIssues({ search: 'profile' })[0]?.id;

  await page.goto(`${originOf(running)}/issues/${String(divideId)}`);
  const shards = page.locator('.card:has(h2:text("Shards")) li');
  assert.deepEqual(await shards.locator('.v').allTextContents(), ['shard 2', 'shard 0'], 'most often first');
  assert.deepEqual(await shards.locator('.num').allTextContents(), ['2', '1'], 'with their counts');
  await page.goto(`${originOf(running)}/issues/${String(syncId)}`);
  await page.locator('h1').waitFor();
  assert.equal(await page.locator('.card:has(h2:text("Shards"))').count(), 0);
  assert.deepEqual(problems, []);
});

test(
  "the list shows the Sentry outbox kept in the store's file: queued, oldest pending, the last error as text, dead letters",
  T,
  async (t) => {
    const running = await startPage(t, [divideByZero(1)]);
    const { page, problems } = await tab(t);
    await page.goto(running.url);
    await page.locator('table.issues').waitFor();
    assert.equal(await page.locator('.outbox').count(), 0, 'no outbox card for a file without an outbox');

    const now = Date.now();
    const outbox = await SqliteOutboxQueue.open(
      running.db,
      { maxEnvelopes: 100, maxBytes: 1_000_000, maxAgeMs: DAY, referenceMaxAgeMs: DAY },
      1000,
    );
    t.after(() => {
      outbox.close();
    });
    const envelope = (ageMs: number) => ({
      target: 'sentry',
      eventId: undefined,
      categories: ['error'],
      body: new TextEncoder().encode('{}\n{"type":"event"}\n{}'),
      createdAt: now - ageMs,
    });
    const batch = { target: 'sentry', owner: 'shard-0', references: [], state: undefined };
    outbox.write({ ...batch, envelopes: [envelope(3 * 3_600_000), envelope(60_000), envelope(30_000)], settlements: [] }, now);
    const [refused] = outbox.claim('sentry', 'shard-0', 1, now, now + 60_000);
    assert.ok(refused);
    outbox.write(
      {
        ...batch,
        envelopes: [],
        settlements: [{ kind: 'dead', id: refused.id, status: 400, reason: 'a payload Sentry cannot read' }],
        state: { failingSince: now - 120_000, lastError: XSS_MESSAGE, lastErrorAt: now - 60_000 },
      },
      now,
    );

    await page.goto(running.url);
    const value = (name: string) => page.locator(`.outbox [data-outbox="${name}"]`).textContent();
    assert.match((await value('queued')) ?? '', /^2 \(/);
    assert.equal(await value('oldest'), '1m ago', 'the refused one is no longer pending');
    assert.match((await value('delivery')) ?? '', /failing\s+since 2m ago/);
    assert.equal(await value('last-error'), `${XSS_MESSAGE} (1m ago)`, 'the error reads as written');
    assert.equal(await value('dead-letters'), '1');
    assert.equal(await page.evaluate<unknown>('window.__xss'), undefined);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('.outbox form, .outbox button').count(), 0, 'read-only');
    assert.deepEqual(problems, []);
  },
);
