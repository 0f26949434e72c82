/**
 * The local error store against a real SQLite file: issues, counts, regressions, the read API a page builds on.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorStore } from '../../../src/ext/local/store.js';
import { StoreOptionsError } from '../../../src/errors/codes.js';
import { idleBot, tempFolder, tracked } from '../../support/tracking.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-02T12:30:00Z');
const bot = idleBot();
const alice = { id: '100000000000000001', username: 'alice' };
const bob = { id: '100000000000000002', username: 'bob' };

async function freshStore(options: Parameters<typeof ErrorStore.open>[1] = {}): Promise<ErrorStore> {
  const store = await ErrorStore.open(join(tempFolder(), 'nested', 'errors.db'), options);
  return store;
}

function divide(n: number): Error {
  return new RangeError(`Cannot divide ${String(n)} by zero`);
}

function fetchFailed(): Error {
  return new Error('profile service answered 503');
}

test('occurrences of one error become one issue with its count, users, guilds, releases, hours and latest event', async () => {
  const store = await freshStore();
  const events = [
    tracked(bot, '/divide', divide(1), { timestamp: NOW - 2 * HOUR, user: alice, guildId: '1', release: 'r1' }),
    tracked(bot, '/divide', divide(2), { timestamp: NOW - HOUR, user: bob, guildId: '1', release: 'r1' }),
    tracked(bot, '/divide', divide(3), { timestamp: NOW, user: alice, guildId: '2', release: 'r2' }),
  ];
  const result = store.record(events, NOW);
  assert.deepEqual(result, { counted: 3, stored: 3, newIssues: 1, regressions: 0 });
  const [issue, ...others] = store.listIssues();
  assert.equal(others.length, 0);
  assert.ok(issue);
  assert.equal(issue.count, 3);
  assert.equal(issue.stored, 3);
  assert.equal(issue.users, 2);
  assert.equal(issue.guilds, 2);
  assert.equal(issue.firstSeen, NOW - 2 * HOUR);
  assert.equal(issue.lastSeen, NOW);
  assert.equal(issue.firstRelease, 'r1');
  assert.equal(issue.lastRelease, 'r2');
  assert.equal(issue.status, 'open');
  assert.equal(issue.title, 'RangeError: Cannot divide 3 by zero');
  assert.equal(issue.source, '/divide');
  assert.equal(issue.lastEventId, events[2]?.eventId);
  assert.deepEqual(
    store.values(issue.id, 'user').map((v) => [v.value, v.label, v.count]),
    [
      [alice.id, 'alice', 2],
      [bob.id, 'bob', 1],
    ],
  );
  assert.deepEqual(
    store.values(issue.id, 'release').map((v) => [v.value, v.count]),
    [
      ['r1', 2],
      ['r2', 1],
    ],
  );
  const counts = store.counts(issue.id, NOW);
  assert.deepEqual(counts.hourly.slice(-3), [1, 1, 1]);
  assert.equal(
    counts.hourly.reduce((a, b) => a + b, 0),
    3,
  );
  assert.deepEqual(counts.daily.slice(-1), [3]);
  assert.deepEqual(
    store.latestEvents(issue.id).map((stored) => stored.event.eventId),
    events.map((event) => event.eventId).reverse(),
  );
  store.close();
});

test('daily counts are 24-hour windows ending with the current hour; older hours fall out of the hourly ones', async () => {
  const store = await freshStore();
  store.record(
    [25, 24, 23, 0].map((hoursAgo) => tracked(bot, '/divide', divide(1), { timestamp: NOW - hoursAgo * HOUR })),
    NOW,
  );
  const [issue] = store.listIssues();
  const { hourly, daily } = store.counts(issue!.id, NOW);
  assert.equal(hourly[0], 1, 'the hour 23 hours ago is the first hourly entry');
  assert.equal(hourly[23], 1);
  assert.equal(
    hourly.reduce((a, b) => a + b, 0),
    2,
  );
  assert.deepEqual(daily.slice(-2), [2, 2]);
  store.close();
});

test('an event id already stored is not counted twice', async () => {
  const store = await freshStore();
  const event = tracked(bot, '/divide', divide(1), { timestamp: NOW });
  store.record([event, event], NOW);
  store.record([event], NOW);
  assert.equal(store.listIssues()[0]?.count, 1);
  store.close();
});

test('a resolved issue seen again in a later release reopens as a regression; its own release leaves it resolved', async () => {
  const store = await freshStore();
  store.record([tracked(bot, '/divide', divide(1), { timestamp: NOW - 3 * HOUR, release: 'r1' })], NOW);
  const issue = store.listIssues()[0]!;
  const resolved = store.setStatus(issue.id, 'resolved', { now: NOW - 2 * HOUR });
  assert.ok(resolved);
  assert.equal(resolved.status, 'resolved');
  assert.equal(resolved.resolvedInRelease, 'r1');

  // A shard still running r1 fails again: the fix is not deployed there yet.
  assert.equal(store.record([tracked(bot, '/divide', divide(2), { timestamp: NOW - HOUR, release: 'r1' })], NOW).regressions, 0);
  assert.equal(store.issue(issue.id)?.status, 'resolved');
  assert.equal(store.issue(issue.id)?.count, 2);

  const result = store.record([tracked(bot, '/divide', divide(3), { timestamp: NOW, release: 'r2' })], NOW);
  assert.equal(result.regressions, 1);
  const back = store.issue(issue.id)!;
  assert.equal(back.status, 'open');
  assert.equal(back.regression, true);
  assert.equal(back.count, 3);
  assert.deepEqual(
    store.statusChanges(issue.id).map((change) => [change.previous, change.status, change.reason, change.release]),
    [
      ['open', 'resolved', 'user', 'r1'],
      ['resolved', 'open', 'regression', 'r2'],
    ],
  );
  assert.equal(store.summary().regressions, 1);
  assert.equal(store.setStatus(issue.id, 'resolved', { now: NOW + 1 })?.regression, false);
  store.close();
});

test('a resolved issue of a bot that names no release reopens on its next event; an ignored one stays ignored and counts on', async () => {
  const store = await freshStore();
  store.record(
    [tracked(bot, '/divide', divide(1), { timestamp: NOW - HOUR }), tracked(bot, '/profile', fetchFailed(), { timestamp: NOW - HOUR })],
    NOW,
  );
  const divideIssue = store.listIssues({ search: 'divide' })[0]!;
  const profileIssue = store.listIssues({ search: 'profile' })[0]!;
  store.setStatus(divideIssue.id, 'resolved', { now: NOW - HOUR + 1 });
  store.setStatus(profileIssue.id, 'ignored', { now: NOW - HOUR + 1 });
  store.record([tracked(bot, '/divide', divide(2), { timestamp: NOW }), tracked(bot, '/profile', fetchFailed(), { timestamp: NOW })], NOW);
  assert.equal(store.issue(divideIssue.id)?.status, 'open');
  assert.equal(store.issue(divideIssue.id)?.regression, true);
  assert.equal(store.issue(profileIssue.id)?.status, 'ignored');
  assert.equal(store.issue(profileIssue.id)?.count, 2);
  assert.equal(store.setStatus(profileIssue.id, 'open', { now: NOW })?.status, 'open');
  assert.equal(store.setStatus(9999, 'open'), undefined);
  store.close();
});

test('an occurrence only counted adds to its issue, hour, users and guilds but stores no event', async () => {
  const store = await freshStore();
  const like = tracked(bot, '/divide', divide(1), { timestamp: NOW - 1, user: alice });
  store.record([like, { like, timestamp: NOW, user: bob, guildId: '7', command: '/divide', release: 'r1' }], NOW);
  const issue = store.listIssues()[0]!;
  assert.equal(issue.count, 2);
  assert.equal(issue.stored, 1);
  assert.equal(issue.users, 2);
  assert.equal(issue.guilds, 1);
  assert.equal(issue.lastSeen, NOW);
  // A group seen first as a counted occurrence (its full event's write failed) is made from the event it is like.
  const other = tracked(bot, '/profile', fetchFailed(), { timestamp: NOW });
  store.record([{ like: other, timestamp: NOW, user: alice, guildId: undefined, command: '/profile', release: undefined }], NOW);
  const made = store.listIssues({ command: '/profile' })[0]!;
  assert.equal(made.title, 'Error: profile service answered 503');
  assert.equal(made.stored, 0);
  store.close();
});

test('issues can be listed by status, command (or its parent), release, guild, user, time and text, and sorted', async () => {
  const store = await freshStore();
  store.record(
    [
      tracked(bot, '/divide', divide(1), { timestamp: NOW - 3 * HOUR, release: 'r1', guildId: '1', user: alice }),
      tracked(bot, '/admin ban', new Error('cannot ban'), { timestamp: NOW - 2 * HOUR, release: 'r2', guildId: '2', user: bob }),
      tracked(bot, '/admin ban', new Error('cannot ban'), { timestamp: NOW - 2 * HOUR + 1, release: 'r2', guildId: '2', user: alice }),
      tracked(bot, 'task digest', fetchFailed(), { timestamp: NOW, release: 'r2' }),
    ],
    NOW,
  );
  const titles = (filter: Parameters<ErrorStore['listIssues']>[0]) => store.listIssues(filter).map((issue) => issue.source);
  assert.deepEqual(titles({}), ['task digest', '/admin ban', '/divide']);
  assert.deepEqual(titles({ sort: 'first-seen' }), ['task digest', '/admin ban', '/divide']);
  assert.deepEqual(titles({ sort: 'users' }), ['/admin ban', '/divide', 'task digest']);
  assert.deepEqual(titles({ sort: 'count' })[0], '/admin ban');
  assert.deepEqual(titles({ command: '/admin' }), ['/admin ban']);
  assert.deepEqual(titles({ command: '/admin ban' }), ['/admin ban']);
  assert.deepEqual(titles({ command: 'task digest' }), ['task digest']);
  assert.deepEqual(titles({ command: '/adm' }), []);
  assert.deepEqual(titles({ release: 'r1' }), ['/divide']);
  assert.deepEqual(titles({ guild: '2' }), ['/admin ban']);
  assert.deepEqual(titles({ user: alice.id }), ['/admin ban', '/divide']);
  assert.deepEqual(titles({ since: NOW - HOUR }), ['task digest']);
  assert.deepEqual(titles({ search: 'DIVIDE' }), ['/divide']);
  assert.deepEqual(titles({ search: '100%' }), []);
  assert.deepEqual(titles({ limit: 1, offset: 1 }), ['/admin ban']);
  const digest = store.listIssues({ command: 'task digest' })[0]!;
  store.setStatus(digest.id, 'ignored', { now: NOW });
  assert.deepEqual(titles({ status: 'open' }), ['/admin ban', '/divide']);
  assert.deepEqual(titles({ status: ['ignored', 'resolved'] }), ['task digest']);
  assert.equal(store.countIssues({ status: 'open' }), 2);
  assert.deepEqual(store.summary().issues, { open: 2, resolved: 0, ignored: 1 });
  store.close();
});

test('a reference finds its issue by id, event id (with or without dashes), a user reference, or a fingerprint prefix', async () => {
  const store = await freshStore({ maxEventsPerIssue: 1 });
  const first = tracked(bot, '/divide', divide(1), { timestamp: NOW - 1 });
  const second = tracked(bot, '/divide', divide(2), { timestamp: NOW });
  store.record([first], NOW);
  store.record([second], NOW);
  const issue = store.listIssues()[0]!;
  const only = (ref: string) => {
    const matches = store.find(ref);
    assert.equal(matches.length, 1, `${ref} matched ${String(matches.length)}`);
    return matches[0]!;
  };
  assert.equal(only(String(issue.id)).issue.id, issue.id);
  assert.equal(only(`#${String(issue.id)}`).issue.id, issue.id);
  assert.equal(only(second.eventId).event?.event.eventId, second.eventId);
  const dashed = second.eventId.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-').toUpperCase();
  assert.equal(only(dashed).event?.seq, only(second.eventId).event?.seq);
  assert.equal(only(issue.fingerprint.slice(0, 6)).issue.id, issue.id);
  // The first event was pruned (one kept per issue): its id no longer finds anything.
  assert.deepEqual(store.find(first.eventId), []);
  assert.deepEqual(store.find('deadbeefdeadbeef'), []);
  assert.deepEqual(store.find('nothing like a reference'), []);
  store.close();
});

test('events since a sequence number come oldest first, for a live view to poll', async () => {
  const store = await freshStore();
  const start = store.lastSeq();
  assert.equal(start, 0);
  const events = [1, 2, 3].map((n) => tracked(bot, `/cmd${String(n)}`, divide(n), { timestamp: NOW + n }));
  store.record(events.slice(0, 2), NOW);
  const firstPoll = store.eventsSince(start);
  assert.deepEqual(
    firstPoll.map((e) => e.event.eventId),
    events.slice(0, 2).map((e) => e.eventId),
  );
  store.record(events.slice(2), NOW);
  const next = store.eventsSince(firstPoll.at(-1)!.seq);
  assert.deepEqual(
    next.map((e) => e.event.eventId),
    [events[2]!.eventId],
  );
  assert.equal(store.lastSeq(), next[0]!.seq);
  store.close();
});

test("feedback is kept with its event's issue and read by issue or event; export yields every stored event in order", async () => {
  const store = await freshStore();
  const event = tracked(bot, '/divide', divide(1), { timestamp: NOW });
  store.record([event], NOW);
  const issue = store.listIssues()[0]!;
  const id = store.addFeedback({ eventId: event.eventId, message: 'I only typed 0', user: alice, timestamp: NOW + 5 });
  store.addFeedback({ eventId: 'f'.repeat(32), message: 'about an event the store never saw', timestamp: NOW + 6 });
  assert.deepEqual(store.feedback(issue.id), [
    { id, eventId: event.eventId, issueId: issue.id, message: 'I only typed 0', user: alice, timestamp: NOW + 5 },
  ]);
  assert.equal(store.feedbackForEvent('f'.repeat(32))[0]?.issueId, undefined);
  assert.equal(store.summary().feedback, 2);
  store.record([tracked(bot, '/other', divide(1), { timestamp: NOW + 1 })], NOW);
  assert.deepEqual(
    [...store.exportEvents()].map((stored) => stored.event.source),
    ['/divide', '/other'],
  );
  assert.deepEqual(
    [...store.exportEvents({ issueId: issue.id })].map((stored) => stored.event.eventId),
    [event.eventId],
  );
  store.close();
});

test('a store opened read-only reads but refuses to write', async () => {
  const folder = tempFolder();
  const path = join(folder, 'errors.db');
  const writer = await ErrorStore.open(path);
  writer.record([tracked(bot, '/divide', divide(1), { timestamp: NOW })], NOW);
  const reader = await ErrorStore.open(path, { readonly: true });
  assert.equal(reader.listIssues().length, 1);
  assert.throws(() => reader.setStatus(1, 'resolved'), { code: 'LANTERN_ERR_STORE_ACCESS' });
  reader.close();
  writer.close();
});

test('limits no store could run with are refused with LANTERN_ERR_STORE_OPTIONS', async () => {
  const path = join(tempFolder(), 'errors.db');
  for (const options of [
    { maxEventsPerIssue: 0 },
    { maxFileBytes: 1.5 },
    { maxAgeDays: -1 },
    { maxValuesPerIssue: Number.NaN },
    { busyTimeoutMs: -5 },
  ])
    await assert.rejects(ErrorStore.open(path, options), StoreOptionsError, JSON.stringify(options));
});
