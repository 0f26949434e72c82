/**
 * `npx tsx bench/local-page.ts`: how long the local store's page takes to load in Chromium, on a store of 100,000
 * events in 1,000 issues written through the store's `record`. The figure is the browser's own: from the start of
 * navigation to the end of the load event (`PerformanceNavigationTiming`), the median of several loads after one to
 * warm up. `-- --screenshot docs/local-page.png` instead writes the README's picture of the list and an issue, from
 * a smaller store of the same kinds of errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { ErrorStore } from '../src/ext/local/store.js';
import { serve } from '../src/web/serve.js';
import { launchChromium } from '../test/support/browser.js';
import { median } from './driver/stats.js';
import { demoBatches } from './local-page-data.js';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    issues: { type: 'string', default: '1000' },
    loads: { type: 'string', default: '9' },
    screenshot: { type: 'string' },
  },
});

/** The screenshot's width: the page at a laptop's size, small enough for a README. */
const WIDTH = 1100;
const folder = mkdtempSync(join(tmpdir(), 'lantern-bench-page-'));
try {
  if (flags.screenshot === undefined) await measure(Number(flags.events), Number(flags.issues), Number(flags.loads));
  else await screenshot(resolve(flags.screenshot));
} finally {
  rmSync(folder, { recursive: true, force: true });
}

async function fill(events: number, issues: number, now: number): Promise<string> {
  const path = join(folder, '.lantern', 'errors.db');
  // Limits raised so every event stays: the figure is for a store that holds them all.
  const store = await ErrorStore.open(path, { maxEventsPerIssue: events, maxFileBytes: 4 * 1024 ** 3 });
  const started = performance.now();
  for (const batch of demoBatches(events, issues, now)) store.record(batch, now);
  const summary = store.summary();
  console.log(
    `store: ${summary.events.stored.toLocaleString('en-US')} events in ${String(summary.issues.open)} issues, ` +
      `${(summary.fileBytes / 1024 / 1024).toFixed(1)} MiB, written in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  store.close();
  return path;
}

async function loadTime(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'load' });
  // A string, evaluated in the page: this project's types are Node's, not the DOM's.
  return page.evaluate<number>(
    "(() => { const [entry] = performance.getEntriesByType('navigation'); return entry ? entry.loadEventEnd - entry.startTime : NaN; })()",
  );
}

async function measure(events: number, issues: number, loads: number): Promise<void> {
  const db = await fill(events, issues, Date.now());
  const page = await serve({ db, port: 0 });
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    for (const [name, url] of [
      ['issue list (50 of 1,000 issues)', page.url],
      ['issue list, all statuses, sorted by count', `${page.url}?status=all&sort=count`],
      ['issue list, search', `${page.url}?q=permissions`],
      ['issue page', `${page.url}issues/1`],
    ] as const) {
      await loadTime(tab, url);
      const times: number[] = [];
      for (let i = 0; i < loads; i++) times.push(await loadTime(tab, url));
      const bytes = await tab.evaluate<number>('document.documentElement.outerHTML.length');
      console.log(
        `${name}: ${median(times).toFixed(0)} ms median, ${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)} ms ` +
          `over ${String(loads)} loads (${(bytes / 1024).toFixed(0)} KiB of HTML)`,
      );
    }
  } finally {
    await browser.close();
    await page.close();
  }
}

/** The list and one issue in one picture: two screenshots laid out on a page of their own. */
async function screenshot(path: string): Promise<void> {
  const now = Date.now();
  // From the folder the store is in, so the page names it as a bot's own: `.lantern/errors.db`.
  process.chdir(folder);
  const db = await fill(2400, 8, now);
  const store = await ErrorStore.open(db);
  store.setStatus(2, 'resolved');
  store.setStatus(7, 'ignored');
  const [latest] = store.latestEvents(1, 1);
  if (latest) {
    const message = 'I tried to ban a spammer and it only said something went wrong.';
    store.addFeedback({ eventId: latest.event.eventId, message, user: { id: '300000000000000002', username: 'grace' }, timestamp: now });
  }
  store.close();
  const page = await serve({ db, port: 0 });
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: WIDTH, height: 600 } });
    await tab.goto(`${page.url}?status=all`, { waitUntil: 'load' });
    await tab.waitForSelector('#live-status.on');
    const list = await tab.screenshot({ type: 'png', clip: { x: 0, y: 0, width: WIDTH, height: 600 } });
    await tab.goto(`${page.url}issues/1`, { waitUntil: 'load' });
    await tab.waitForSelector('#live-status.on');
    const issue = await tab.screenshot({ type: 'png', clip: { x: 0, y: 0, width: WIDTH, height: 760 } });
    const sheet = await browser.newPage({ viewport: { width: WIDTH, height: 600 } });
    const image = (png: Buffer): string => `<img src="data:image/png;base64,${png.toString('base64')}">`;
    await sheet.setContent(
      `<style>body{margin:0;background:#c9ced6}img{display:block;margin-bottom:12px}</style>${image(list)}${image(issue)}`,
    );
    await sheet.screenshot({ path, type: 'png', fullPage: true });
    console.log(`wrote ${path}`);
  } finally {
    await browser.close();
    await page.close();
  }
}
