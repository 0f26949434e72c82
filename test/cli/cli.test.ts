/**
 * The `lantern` CLI, run as a child process (through tsx, on the source) against a real store file: its tables and
 * JSON, its commands, its exit codes, its colours.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { ErrorStore } from '../../src/ext/local/store.js';
import type { TrackedEvent } from '../../src/tracking/tracked-event.js';
import { SCHEMA_VERSION } from '../../src/ext/local/schema.js';
import { idleBot, tempFolder, tracked } from '../support/tracking.js';
import { waitUntil } from '../support/resources.js';

const execute = promisify(execFile);
const MAIN = 'src/cli/main.ts';
const HOUR = 3_600_000;
const bot = idleBot();
const alice = { id: '100000000000000001', username: 'alice' };
const bob = { id: '100000000000000002', username: 'bob' };

/** One place the division fails, so every occurrence (here and in the regression test) is one issue. */
function divideError(n: number): Error {
  return new RangeError(`Cannot divide ${String(n)} by zero`);
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lantern <args>` and resolves with its exit code and output (colour off unless `env` turns it on). */
async function lantern(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await execute(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A store with two issues: /divide (3 events, two users, release r1 then r2) and /profile (1 event, an hour ago). */
async function sampleStore() {
  const path = join(tempFolder(), 'errors.db');
  const now = Date.now();
  const divide = [
    tracked(bot, '/divide', divideError(1), { timestamp: now - 3 * HOUR, user: alice, guildId: '7', release: 'r1' }),
    tracked(bot, '/divide', divideError(2), { timestamp: now - 2 * HOUR, user: bob, guildId: '7', release: 'r1' }),
    tracked(bot, '/divide', divideError(3), { timestamp: now - 60_000, user: alice, guildId: '7', release: 'r2' }),
  ];
  const profile = tracked(bot, '/profile', new Error('profile service answered 503', { cause: new TypeError('fetch failed') }), {
    timestamp: now - HOUR - 60_000,
    user: bob,
    release: 'r2',
  });
  const store = await ErrorStore.open(path);
  store.record([...divide, profile]);
  store.addFeedback({ eventId: divide[2]!.eventId, message: 'I only typed 0', user: alice, timestamp: now - 30_000 });
  const ids = { divide: store.listIssues({ search: 'divide' })[0]!.id, profile: store.listIssues({ search: 'profile' })[0]!.id };
  store.close();
  return { path, divide, profile, ids };
}

test('lantern issues prints a table of the open issues, newest first: status, count, users, last seen, title, source', async () => {
  const { path, ids } = await sampleStore();
  const { code, stdout, stderr } = await lantern(['issues', '--db', path]);
  assert.equal(code, 0, stderr);
  const lines = stdout.split('\n');
  assert.match(lines[0]!, /^ID\s+STATUS\s+COUNT\s+USERS\s+LAST SEEN\s+TITLE\s+SOURCE$/);
  assert.match(
    lines[1]!,
    new RegExp(`^\\s*${String(ids.divide)}\\s+open\\s+3\\s+2\\s+1m ago\\s+RangeError: Cannot divide 3 by zero\\s+/divide$`),
  );
  assert.match(
    lines[2]!,
    new RegExp(`^\\s*${String(ids.profile)}\\s+open\\s+1\\s+1\\s+1h ago\\s+Error: profile service answered 503\\s+/profile$`),
  );
  assert.match(stdout, /2 of 2 open issues in .*errors\.db/);
  assert.ok(!stdout.includes('\u001b['), 'no colour when not on a terminal');
});

test('lantern issues filters by status, command, release, guild, user, time and text, sorts and limits', async () => {
  const { path } = await sampleStore();
  const sources = async (...args: string[]) => {
    const { code, stdout, stderr } = await lantern(['issues', '--db', path, '--json', ...args]);
    assert.equal(code, 0, stderr);
    return (JSON.parse(stdout) as { issues: { source: string }[] }).issues.map((issue) => issue.source);
  };
  assert.deepEqual(await sources(), ['/divide', '/profile']);
  assert.deepEqual(await sources('--command', '/profile'), ['/profile']);
  assert.deepEqual(await sources('--release', 'r1'), ['/divide']);
  assert.deepEqual(await sources('--guild', '7'), ['/divide']);
  assert.deepEqual(await sources('--user', alice.id), ['/divide']);
  assert.deepEqual(await sources('--since', '30m'), ['/divide']);
  assert.deepEqual(await sources('--search', 'service'), ['/profile']);
  assert.deepEqual(await sources('--sort', 'first-seen'), ['/profile', '/divide']);
  assert.deepEqual(await sources('--limit', '1'), ['/divide']);
  assert.deepEqual(await sources('--status', 'resolved'), []);
});

test('lantern issues --json gives the total and every field of each issue', async () => {
  const { path, ids } = await sampleStore();
  const { stdout } = await lantern(['issues', '--db', path, '--json', '--limit', '1']);
  const parsed = JSON.parse(stdout) as { total: number; issues: Record<string, unknown>[] };
  assert.equal(parsed.total, 2);
  assert.equal(parsed.issues.length, 1);
  const [issue] = parsed.issues;
  assert.equal(issue?.id, ids.divide);
  assert.equal(issue.count, 3);
  assert.equal(issue.users, 2);
  assert.equal(issue.status, 'open');
  assert.equal(issue.lastRelease, 'r2');
  assert.match(String(issue.fingerprint), /^[0-9a-f]{16}$/);
});

test("lantern show prints the stack with the bot's frames first, tags, contexts, breadcrumbs, feedback and latest events", async () => {
  const { path, ids, divide } = await sampleStore();
  const { code, stdout, stderr } = await lantern(['show', String(ids.divide), '--db', path]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, new RegExp(`^#${String(ids.divide)}  RangeError: Cannot divide 3 by zero`));
  assert.match(stdout, /open · 3 events \(3 stored\) · 2 users · 1 guild/);
  assert.match(stdout, /first seen 3h ago in r1 · last seen 1m ago in r2/);
  assert.match(stdout, new RegExp(`Event ${divide[2]!.eventId}  the latest`));
  const own = stdout.indexOf('Your code:');
  const others = stdout.indexOf('Other frames');
  assert.ok(own !== -1 && others !== -1 && own < others, 'the bot\u2019s frames come first');
  assert.match(stdout.slice(own, others), /test\/cli\/cli\.test\.ts:\d+:\d+ in divideError/);
  for (const section of ['Tags', 'Contexts', 'Breadcrumbs', 'Feedback', 'Users', 'Releases', 'Latest events'])
    assert.match(stdout, new RegExp(`^${section}$`, 'm'));
  assert.match(stdout, /alice, \d+s ago \(event [0-9a-f]{8}\): "I only typed 0"/);
  assert.match(stdout, /alice \(100000000000000001\) ×2, bob \(100000000000000002\) ×1/);
  assert.match(stdout, /r1 ×2, r2 ×1/);
  for (const event of divide) assert.ok(stdout.includes(event.eventId));
});

/** An event of a bot running `count` shards, on shard `shard` (as its shard process or a sharding manager tags it). */
function onShard(event: TrackedEvent, shard: number, count = 4): TrackedEvent {
  return { ...event, tags: { ...event.tags, shard_id: String(shard), shard_count: String(count) } };
}

/** A sharded bot's store: /divide failed twice on shard 1, once on shard 3 and once more (only counted) on shard 3; /profile on shard 2. */
async function shardedStore() {
  const path = join(tempFolder(), 'errors.db');
  const now = Date.now();
  const divide = [1, 3, 1].map((shard, n) =>
    onShard(tracked(bot, '/divide', divideError(n), { timestamp: now - (3 - n) * 60_000 }), shard),
  );
  const profile = onShard(tracked(bot, '/profile', new Error('profile service answered 503'), { timestamp: now - HOUR }), 2);
  const store = await ErrorStore.open(path);
  store.record([...divide, profile]);
  const counted = { like: divide[2]!, timestamp: now, user: undefined, guildId: undefined, command: '/divide', release: undefined };
  store.record([{ ...counted, shardId: '3' }]);
  const ids = { divide: store.listIssues({ search: 'divide' })[0]!.id, profile: store.listIssues({ search: 'profile' })[0]!.id };
  store.close();
  return { path, ids };
}

test('lantern show lists the shards an issue hit with their counts, the only-counted occurrences too', async () => {
  const { path, ids } = await shardedStore();
  const { code, stdout, stderr } = await lantern(['show', String(ids.divide), '--db', path]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^Shards\n {2}shard [13] ×2, shard [13] ×2$/m);
  assert.doesNotMatch(stdout, /shard 2 ×/);
  const { stdout: json } = await lantern(['show', String(ids.divide), '--db', path, '--json']);
  const shards = (JSON.parse(json) as { shards: { value: string; count: number }[] }).shards;
  assert.deepEqual(shards.map((shard) => [shard.value, shard.count]).sort(), [
    ['1', 2],
    ['3', 2],
  ]);
});

test('lantern show of a bot with one shard has no shards section (every event of it is shard 0)', async () => {
  const { path, ids } = await sampleStore();
  const { code, stdout, stderr } = await lantern(['show', String(ids.divide), '--db', path]);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stdout, /^Shards$/m);
});

test('lantern issues --shard keeps the issues seen on that shard, and --json gives each issue its shards', async () => {
  const { path, ids } = await shardedStore();
  const issues = async (...args: string[]) => {
    const { code, stdout, stderr } = await lantern(['issues', '--db', path, '--json', ...args]);
    assert.equal(code, 0, stderr);
    return JSON.parse(stdout) as { total: number; issues: { id: number; shards: { value: string; count: number }[] }[] };
  };
  const all = await issues();
  assert.deepEqual(
    all.issues.map((issue) => [issue.id, issue.shards.map((shard) => `${shard.value}×${String(shard.count)}`).sort()]),
    [
      [ids.divide, ['1×2', '3×2']],
      [ids.profile, ['2×1']],
    ],
  );
  const onThree = await issues('--shard', '3');
  assert.equal(onThree.total, 1);
  assert.deepEqual(
    onThree.issues.map((issue) => issue.id),
    [ids.divide],
  );
  assert.deepEqual(
    (await issues('--shard', '2')).issues.map((issue) => issue.id),
    [ids.profile],
  );
  assert.deepEqual((await issues('--shard', '0')).issues, []);
  const text = await lantern(['issues', '--db', path, '--shard', '1']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Cannot divide 2 by zero/);
  assert.doesNotMatch(text.stdout, /profile service/);
  const bad = await lantern(['issues', '--db', path, '--shard', 'one']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--shard/);
});

test("lantern show finds an issue by a user's reference (an older event is shown as that event) or a fingerprint prefix", async () => {
  const { path, ids, divide, profile } = await sampleStore();
  const byReference = await lantern(['show', divide[0]!.eventId, '--db', path]);
  assert.equal(byReference.code, 0, byReference.stderr);
  assert.match(byReference.stdout, new RegExp(`Event ${divide[0]!.eventId}  20`));
  assert.match(byReference.stdout, /Cannot divide 1 by zero/);
  const json = await lantern(['show', profile.fingerprint.slice(0, 6), '--db', path, '--json']);
  const details = JSON.parse(json.stdout) as { issue: { id: number }; event: { event: { eventId: string } }; counts: { hourly: number[] } };
  assert.equal(details.issue.id, ids.profile);
  assert.equal(details.event.event.eventId, profile.eventId);
  assert.equal(details.counts.hourly.length, 24);
  assert.match(JSON.stringify(details), /fetch failed/);
});

test('lantern resolve, ignore and reopen change the status; a resolved issue back in a later release shows as regressed', async () => {
  const { path, ids } = await sampleStore();
  const resolved = await lantern(['resolve', String(ids.divide), '--db', path]);
  assert.equal(resolved.code, 0, resolved.stderr);
  assert.match(resolved.stdout, new RegExp(`^#${String(ids.divide)} resolved \\(in release r2\\): RangeError`));
  const ignored = await lantern(['ignore', String(ids.profile), '--db', path]);
  assert.match(ignored.stdout, /ignored: Error: profile service answered 503/);
  assert.match((await lantern(['issues', '--db', path])).stdout, /^No open issues\.$/m);
  const store = await ErrorStore.open(path);
  store.record([tracked(bot, '/divide', divideError(9), { release: 'r3' })]);
  store.close();
  const listed = await lantern(['issues', '--db', path, '--status', 'all']);
  assert.match(listed.stdout, /regressed\s+4/);
  assert.match(listed.stdout, /ignored\s+1/);
  const reopened = await lantern(['reopen', String(ids.profile), '--db', path]);
  assert.match(reopened.stdout, /open: Error: profile/);
  const shown = await lantern(['show', String(ids.divide), '--db', path]);
  assert.match(shown.stdout, /open → resolved \(by hand, in r2\)/);
  assert.match(shown.stdout, /resolved → open \(came back in r3\)/);
});

test('lantern export prints every stored event as one JSON line, oldest first', async () => {
  const { path, ids, divide, profile } = await sampleStore();
  const { code, stdout } = await lantern(['export', '--db', path]);
  assert.equal(code, 0);
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { seq: number; issueId: number; event: { eventId: string } });
  assert.deepEqual(
    lines.map((line) => line.event.eventId),
    [...divide, profile].map((event) => event.eventId),
  );
  const one = await lantern(['export', '--db', path, '--issue', String(ids.profile)]);
  assert.equal(one.stdout.trim().split('\n').length, 1);
});

test('lantern status says what the store holds, as text and as JSON', async () => {
  const { path } = await sampleStore();
  const text = await lantern(['status', '--db', path]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^issues\s+2 open, 0 resolved, 0 ignored$/m);
  assert.match(text.stdout, /^events\s+4 counted, 4 stored$/m);
  assert.match(text.stdout, /^feedback\s+1$/m);
  assert.match(text.stdout, new RegExp(`^store\\s+.*errors\\.db \\(schema ${String(SCHEMA_VERSION)}, [\\d.]+ MB\\)$`, 'm'));
  const json = JSON.parse((await lantern(['status', '--db', path, '--json'])).stdout) as { events: { counted: number } };
  assert.equal(json.events.counted, 4);
});

test('lantern prune applies the limits it is given and says what went', async () => {
  const { path } = await sampleStore();
  const { code, stdout } = await lantern(['prune', '--db', path, '--max-events-per-issue', '1', '--json']);
  assert.equal(code, 0);
  assert.equal((JSON.parse(stdout) as { events: number }).events, 2);
  assert.match((await lantern(['prune', '--db', path, '--max-age-days', '0.01'])).stdout, /^Pruned 1 events and 1 issues; the store is/);
});

test('lantern tail prints events as they are written, and the occurrences only counted, until it is stopped', async () => {
  const { path } = await sampleStore();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'tail', '--db', path, '--interval', '100', '--last', '1'], {
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    // It starts with the latest event (--last 1): once that is printed it is reading, and what comes next is news.
    await waitUntil(() => output.includes('profile service answered 503'), 20_000);
    const store = await ErrorStore.open(path);
    const late = tracked(bot, '/late', new Error('arrived while tailing'), { user: alice });
    store.record([late, { like: late, timestamp: Date.now(), user: bob, guildId: undefined, command: '/late', release: undefined }]);
    store.close();
    await waitUntil(() => output.includes('counted without their events'), 10_000);
    assert.match(output, new RegExp(`#\\d+  Error: arrived while tailing  /late user alice  ${late.eventId}`));
    assert.match(output, /… and 1 more occurrences, counted without their events/);
    assert.doesNotMatch(output, /Cannot divide/, 'only the last one of what came before it started');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});

test('a missing, damaged or newer store, or a reference that matches nothing, is exit code 1 with one clear line', async () => {
  const folder = tempFolder();
  const missing = await lantern(['issues', '--db', join(folder, 'none.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^lantern: No error store at .*none\.db/);
  const damaged = join(folder, 'damaged.db');
  writeFileSync(damaged, 'not a database '.repeat(400));
  const corrupt = await lantern(['issues', '--db', damaged]);
  assert.equal(corrupt.code, 1);
  assert.match(corrupt.stderr, /damaged or not a database/);
  const { path } = await sampleStore();
  const raw = new Database(path);
  raw.pragma(`user_version = ${String(SCHEMA_VERSION + 1)}`);
  raw.close();
  const newer = await lantern(['status', '--db', path]);
  assert.equal(newer.code, 1);
  assert.match(newer.stderr, /written by a newer Lantern/);
  const sample = await sampleStore();
  const nothing = await lantern(['show', 'ffffffffffffffffffffffffffffffff', '--db', sample.path]);
  assert.equal(nothing.code, 1);
  assert.match(nothing.stderr, /^lantern: no issue or event matches ffffffffffffffffffffffffffffffff$/m);
  assert.equal((await lantern(['resolve', '99999', '--db', sample.path])).code, 1);
});

test('a write while the bot holds the lock past --wait is exit code 1 saying the store stayed locked', async () => {
  const { path, ids } = await sampleStore();
  const holder = new Database(path);
  holder.exec('BEGIN IMMEDIATE');
  try {
    const locked = await lantern(['resolve', String(ids.divide), '--db', path, '--wait', '100']);
    assert.equal(locked.code, 1);
    assert.match(locked.stderr, /stayed locked by another process for 100 ms/);
    // Reading is not blocked by a writer.
    assert.equal((await lantern(['issues', '--db', path])).code, 0);
  } finally {
    holder.exec('ROLLBACK');
    holder.close();
  }
});

test('usage mistakes are exit code 2: an unknown command or option, a bad value, a missing argument', async () => {
  const { path } = await sampleStore();
  for (const args of [
    ['frobnicate'],
    ['issues', '--bogus', '--db', path],
    ['issues', '--status', 'broken', '--db', path],
    ['issues', '--since', 'yesterday', '--db', path],
    ['issues', '--limit', '0', '--db', path],
    ['show', '--db', path],
  ]) {
    const { code, stderr } = await lantern(args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, /error: /);
  }
  const help = await lantern(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /issues \[options\]/);
});

test('colour is off for a pipe and with NO_COLOR, on when forced', async () => {
  const { path } = await sampleStore();
  // eslint-disable-next-line no-control-regex -- the escape character starts every colour code
  const ansi = /\u001b\[\d+m/;
  assert.doesNotMatch((await lantern(['issues', '--db', path])).stdout, ansi);
  assert.match((await lantern(['issues', '--db', path], { FORCE_COLOR: '1' })).stdout, ansi);
  assert.doesNotMatch((await lantern(['issues', '--db', path], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout, ansi);
});
