/**
 * The store's bounds against a real SQLite file: a storm of one error, a thousand distinct ones, and each limit
 * (events per issue, values per issue, age, file size). Sizes are measured on the file itself.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorStore } from '../../../src/ext/local/store.js';
import type { Occurrence } from '../../../src/ext/local/store.js';
import { newEventId } from '../../../src/tracking/build.js';
import { idleBot, tempFolder, tracked } from '../../support/tracking.js';

const MB = 1024 * 1024;
const DAY = 86_400_000;
const NOW = Date.parse('2026-03-02T12:00:00Z');
const bot = idleBot();

function recordInBatches(store: ErrorStore, occurrences: Iterable<Occurrence>, size = 1000, now = NOW): void {
  let batch: Occurrence[] = [];
  for (const occurrence of occurrences) {
    batch.push(occurrence);
    if (batch.length === size) {
      store.record(batch, now);
      batch = [];
    }
  }
  if (batch.length > 0) store.record(batch, now);
}

test('a storm of 100,000 failures of one error grows the file by well under a few MB and counts every one', async (t) => {
  const path = join(tempFolder(), 'errors.db');
  const model = tracked(bot, '/divide', new RangeError('Cannot divide 1 by zero'), { timestamp: NOW });
  const first = await ErrorStore.open(path);
  first.record([model], NOW);
  first.close();
  const before = statSync(path).size;

  const store = await ErrorStore.open(path);
  function* storm(): Generator<Occurrence> {
    for (let i = 0; i < 100_000; i++)
      yield {
        ...model,
        eventId: newEventId(),
        timestamp: NOW + i,
        user: { id: String(1000 + (i % 200)), username: `user${String(i % 200)}` },
      };
  }
  recordInBatches(store, storm());
  const [issue, ...others] = store.listIssues();
  assert.equal(others.length, 0);
  assert.equal(issue?.count, 100_001);
  assert.equal(issue.stored, 100);
  assert.equal(issue.users, 200);
  const withLog = store.summary().fileBytes;
  store.close();
  const growth = statSync(path).size - before;
  t.diagnostic(
    `file ${String(before)} -> ${String(statSync(path).size)} bytes ` +
      `(growth ${(growth / MB).toFixed(2)} MB; ${(withLog / MB).toFixed(2)} MB with its log)`,
  );
  assert.ok(growth < 2 * MB, `the file grew by ${String(growth)} bytes`);
  assert.ok(withLog < 4 * MB, `the file and its log held ${String(withLog)} bytes`);
});

test('1,000 distinct errors become 1,000 issues in a file of a few MB', async (t) => {
  const path = join(tempFolder(), 'errors.db');
  const store = await ErrorStore.open(path);
  function* distinct(): Generator<Occurrence> {
    for (let i = 0; i < 1000; i++) yield tracked(bot, `/command-${String(i)}`, new Error('the service failed'), { timestamp: NOW + i });
  }
  recordInBatches(store, distinct(), 100);
  assert.equal(store.countIssues(), 1000);
  assert.equal(store.summary().events.stored, 1000);
  store.close();
  const size = statSync(path).size;
  t.diagnostic(`1,000 issues: ${(size / MB).toFixed(2)} MB`);
  assert.ok(size < 10 * MB, `the file is ${String(size)} bytes`);
});

test('past maxEventsPerIssue only the newest events are kept, and counting goes on', async () => {
  const store = await ErrorStore.open(join(tempFolder(), 'errors.db'), { maxEventsPerIssue: 5 });
  const events = Array.from({ length: 20 }, (_, i) =>
    tracked(bot, '/divide', new RangeError(`Cannot divide ${String(i)} by zero`), { timestamp: NOW + i }),
  );
  store.record(events.slice(0, 3), NOW);
  store.record(events.slice(3, 12), NOW);
  store.record(events.slice(12), NOW);
  const issue = store.listIssues()[0]!;
  assert.equal(issue.count, 20);
  assert.equal(issue.stored, 5);
  assert.deepEqual(
    store.latestEvents(issue.id, 10).map((stored) => stored.event.eventId),
    events
      .slice(-5)
      .map((event) => event.eventId)
      .reverse(),
  );
  store.close();
});

test('past maxValuesPerIssue users and guilds are no longer remembered, but occurrences are still counted', async () => {
  const store = await ErrorStore.open(join(tempFolder(), 'errors.db'), { maxValuesPerIssue: 3 });
  const events = Array.from({ length: 10 }, (_, i) =>
    tracked(bot, '/divide', new RangeError('Cannot divide 1 by zero'), {
      timestamp: NOW + i,
      user: { id: String(500 + i), username: `u${String(i)}` },
      guildId: String(900 + i),
    }),
  );
  store.record(events.slice(0, 2), NOW);
  store.record(events.slice(2), NOW);
  const issue = store.listIssues()[0]!;
  assert.equal(issue.count, 10);
  assert.equal(issue.users, 3);
  assert.equal(issue.guilds, 3);
  assert.equal(store.values(issue.id, 'user', 100).length, 3);
  store.close();
});

test('pruning by age removes old events, hours, feedback and issues not seen since, and keeps the rest', async () => {
  const store = await ErrorStore.open(join(tempFolder(), 'errors.db'), { maxAgeDays: 7 });
  const old = tracked(bot, '/old', new Error('old failure'), { timestamp: NOW - 10 * DAY });
  const both = [
    tracked(bot, '/both', new Error('returns'), { timestamp: NOW - 9 * DAY }),
    tracked(bot, '/both', new Error('returns'), { timestamp: NOW }),
  ];
  // Recorded as of the time they happened, so the write's own pruning does not take them at once.
  store.record([old, both[0]!], NOW - 9 * DAY);
  store.addFeedback({ eventId: old.eventId, message: 'broken', timestamp: NOW - 10 * DAY });
  store.record([both[1]!], NOW - 9 * DAY);
  const result = store.prune(NOW);
  assert.deepEqual(result, { events: 2, issues: 1 });
  assert.deepEqual(
    store.listIssues().map((issue) => [issue.source, issue.count, issue.stored]),
    [['/both', 2, 1]],
  );
  const remaining = store.listIssues()[0]!;
  assert.deepEqual(
    store.counts(remaining.id, NOW).daily.reduce((a, b) => a + b, 0),
    1,
  );
  assert.equal(store.summary().feedback, 0);
  store.close();
});

test('past maxFileBytes the oldest events go first and the file stays near the limit', async (t) => {
  const path = join(tempFolder(), 'errors.db');
  const limit = MB;
  const store = await ErrorStore.open(path, { maxFileBytes: limit });
  const padding = 'z'.repeat(4000);
  const models = Array.from({ length: 30 }, (_, i) => tracked(bot, `/heavy-${String(i)}`, new Error(`failed ${padding}`)));
  function* heavy(): Generator<Occurrence> {
    for (let i = 0; i < 1800; i++) yield { ...models[i % models.length]!, eventId: newEventId(), timestamp: NOW + i };
  }
  recordInBatches(store, heavy(), 50);
  const stored = [...store.exportEvents()];
  assert.ok(stored.length > 0 && stored.length < 1800, `${String(stored.length)} events kept`);
  // What is kept is the newest, and every issue is still there with its count.
  const oldestKept = Math.min(...stored.map((event) => event.event.timestamp));
  assert.equal(stored.length, 1800 - (oldestKept - NOW));
  assert.equal(store.countIssues(), 30);
  assert.ok(store.listIssues().every((issue) => issue.count === 60));
  store.close();
  const size = statSync(path).size;
  t.diagnostic(`limit ${String(limit)} bytes: file ${String(size)} bytes, ${String(stored.length)} of 1800 events kept`);
  assert.ok(size <= limit * 1.1, `the file is ${String(size)} bytes`);
});
