/**
 * `lantern/ext/local` end to end: a Lantern bot on the fake Discord records its failures in a real SQLite file,
 * read back with the store's own read API (as the CLI does) while the bot runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { command, option } from '../../../src/index.js';
import type { Client, ClientOptions } from '../../../src/index.js';
import local from '../../../src/ext/local/index.js';
import type { LocalOptions } from '../../../src/ext/local/index.js';
import { ErrorStore } from '../../../src/ext/local/store.js';
import sentry from '../../../src/ext/sentry/index.js';
import type { FakeUser } from '../../../src/testing/index.js';
import { startBot, startFake } from '../../support/bot.js';
import { waitUntil } from '../../support/resources.js';
import { tempFolder } from '../../support/tracking.js';
import { sentryOptions, startReceiver } from '../../fixtures/sentry-support.js';

const run = promisify(execFile);
const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
const REFERENCE = /Error reference: `([0-9a-f]{32})`/;
const SECRET = 'sk-bot-own-api-key-0123456789';

const commands = [
  command({
    name: 'divide',
    description: 'Divide',
    options: { a: option.number({ description: 'a', required: true }), b: option.number({ description: 'b', required: true }) },
    run: async (ctx) => {
      if (ctx.options.b === 0) throw new RangeError(`Cannot divide ${String(ctx.options.a)} by zero`);
      await ctx.reply(String(ctx.options.a / ctx.options.b));
    },
  }),
  command({
    name: 'limited',
    description: 'Once a minute',
    cooldown: { bucket: 'user', uses: 1, windowMs: 60_000 },
    run: (ctx) => ctx.reply('done'),
  }),
  command({
    name: 'leak',
    description: 'Throws secrets',
    run: (ctx) => {
      throw new Error(`login with ${ctx.bot.discord.token ?? ''} and ${SECRET} failed`);
    },
  }),
  command({ name: 'ping', description: 'Ping', run: (ctx) => ctx.reply('pong') }),
];

/** A bot with the commands above and the local store at a file of its own; `before` runs before the store is loaded. */
async function localBot(
  options: LocalOptions = {},
  { client = {}, before }: { client?: ClientOptions; before?: (bot: Client) => unknown } = {},
) {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const bob = discord.addUser({ username: 'bob' });
  const guild = discord.addGuild({ name: 'g', members: [alice, bob] });
  const path = options.path ?? join(tempFolder(), 'store', 'errors.db');
  const testBot = await startBot(discord, { sendCommandTracebacks: false, secrets: [SECRET], ...client }, async (bot) => {
    bot.addCommand(...commands);
    await before?.(bot);
    await bot.loadExtension(local, { release: 'bot@1.0.0', ...options, path });
  });
  const as = (user: FakeUser) => discord.as(user, guild.channel('general'));
  /** Runs a slash command and returns what the user saw once the bot is done with it. */
  const slash = async (user: FakeUser, name: string, values: Record<string, unknown> = {}) => {
    const response = await as(user)
      .slash(name, values as never)
      .response();
    await testBot.bot.idle();
    return response.message?.content ?? '';
  };
  return { ...testBot, discord, alice, bob, guild, path, slash };
}

function referenceIn(content: string): string {
  const match = REFERENCE.exec(content);
  assert.ok(match, `no reference in ${JSON.stringify(content)}`);
  return match[1]!;
}

/** A read-only view of the store, waited on until `ready` holds. */
async function readBack(path: string, ready: (store: ErrorStore) => boolean): Promise<ErrorStore> {
  const store = await ErrorStore.open(path, { readonly: true });
  try {
    await waitUntil(() => ready(store), 5000);
  } catch (error) {
    store.close();
    throw error;
  }
  return store;
}

test("a failing command's user sees a reference that finds its event, with the command's tags, user, options and frames", async () => {
  const { slash, alice, guild, path } = await localBot();
  const content = await slash(alice, 'divide', { a: 3, b: 0 });
  assert.match(content, /^Sorry, something went wrong/);
  const reference = referenceIn(content);
  const store = await readBack(path, (s) => s.find(reference).length > 0);
  const [match] = store.find(reference);
  const event = match?.event?.event;
  assert.ok(event, 'the reference names a stored event');
  assert.equal(event.eventId, reference);
  assert.equal(event.title, 'RangeError: Cannot divide 3 by zero');
  assert.equal(event.source, '/divide');
  assert.equal(event.tags.command, '/divide');
  assert.equal(event.tags.interaction_type, 'slash');
  assert.equal(event.tags.guild_id, guild.id);
  assert.deepEqual(event.user, { id: alice.id, username: 'alice' });
  assert.deepEqual(event.contexts.interaction?.options, { a: 3, b: 0 });
  assert.equal(event.release, 'bot@1.0.0');
  assert.equal(event.error.frames.find((frame) => frame.inApp)?.file, 'test/ext/local/extension.test.ts');
  assert.ok(event.breadcrumbs.some((breadcrumb) => breadcrumb.category === 'lantern.interaction' && breadcrumb.message.includes(alice.id)));
  assert.ok(event.breadcrumbs.some((breadcrumb) => breadcrumb.category === 'discord.gateway' && breadcrumb.message === 'shard 0 ready'));
  assert.equal(match.issue.status, 'open');
  store.close();
});

test('the same failure with other numbers, from two users, is one issue counting both', async () => {
  const { slash, alice, bob, path } = await localBot();
  const first = referenceIn(await slash(alice, 'divide', { a: 3, b: 0 }));
  const second = referenceIn(await slash(bob, 'divide', { a: 4, b: 0 }));
  assert.notEqual(first, second);
  const store = await readBack(path, (s) => s.find(second).length > 0);
  const [issue, ...others] = store.listIssues();
  assert.equal(others.length, 0);
  assert.equal(issue?.count, 2);
  assert.equal(issue.users, 2);
  assert.equal(store.find(first)[0]?.issue.id, issue.id);
  store.close();
});

test('expected errors (a cooldown) are not recorded by default; with recordExpected they are, at level info', async () => {
  const quiet = await localBot();
  await quiet.slash(quiet.alice, 'limited');
  const refused = await quiet.slash(quiet.alice, 'limited');
  assert.doesNotMatch(refused, REFERENCE);
  await quiet.slash(quiet.alice, 'divide', { a: 1, b: 0 });
  const quietStore = await readBack(quiet.path, (s) => s.countIssues() > 0);
  assert.deepEqual(
    quietStore.listIssues().map((issue) => issue.source),
    ['/divide'],
  );
  quietStore.close();

  const recording = await localBot({ recordExpected: true });
  await recording.slash(recording.alice, 'limited');
  await recording.slash(recording.alice, 'limited');
  const store = await readBack(recording.path, (s) => s.countIssues() > 0);
  const [issue] = store.listIssues();
  assert.equal(issue?.level, 'info');
  assert.match(issue.title, /^CommandOnCooldown/);
  store.close();
});

test('with Sentry loaded first, the user sees Sentry\u2019s event id and the local store records the event under that id', async () => {
  const receiver = await startReceiver();
  const { slash, alice, path } = await localBot({}, { before: (bot) => bot.loadExtension(sentry, sentryOptions(receiver)) });
  const reference = referenceIn(await slash(alice, 'divide', { a: 1, b: 0 }));
  const received = await receiver.waitForEvent(reference);
  assert.equal(received.event_id, reference);
  const store = await readBack(path, (s) => s.find(reference).length > 0);
  assert.equal(store.find(reference)[0]?.event?.event.eventId, reference);
  store.close();
});

test('a storm of one failure counts every occurrence, stores a few events, and every user gets a reference that is found', async () => {
  const { slash, alice, bob, path } = await localBot({ eventsPerIssuePerMinute: 5 });
  const references: string[] = [];
  for (let i = 0; i < 30; i++) references.push(referenceIn(await slash(i % 2 === 0 ? alice : bob, 'divide', { a: i, b: 0 })));
  const store = await readBack(path, (s) => s.listIssues()[0]?.count === 30);
  const [issue] = store.listIssues();
  assert.equal(issue?.stored, 5);
  assert.equal(issue.users, 2);
  for (const reference of new Set(references)) assert.equal(store.find(reference)[0]?.issue.id, issue.id, `${reference} is not found`);
  store.close();
});

test('past eventsPerMinute over all issues, an issue already seen is only counted; a new issue still gets its event', async () => {
  // A bucket of 2 (a tenth of 20), refilled at one event every 3 s: the test's few seconds refill at most one.
  const { bot, path } = await localBot({ eventsPerMinute: 20 });
  const kinds = ['DiskFull', 'Timeout', 'Refused', 'Gone'];
  for (let round = 0; round < 3; round++)
    for (const kind of kinds) {
      const error = new Error(`${kind} happened`);
      error.name = `${kind}Error`;
      await bot.reportError({ source: 'storage', error });
    }
  await bot.idle();
  const store = await readBack(path, (s) => s.listIssues().reduce((sum, issue) => sum + issue.count, 0) === 12);
  const issues = store.listIssues();
  assert.equal(issues.length, 4, 'every issue is there');
  assert.ok(
    issues.every((issue) => issue.count === 3),
    'every occurrence is counted',
  );
  const stored = issues.reduce((sum, issue) => sum + issue.stored, 0);
  assert.ok(stored >= 4 && stored <= 5, `the first of each issue, and at most one refilled, were stored as events (got ${String(stored)})`);
  store.close();
});

test('in a storm of errors reported from several shards, each occurrence counts on its own shard, the only-counted ones too', async () => {
  const { bot, path } = await localBot({ eventsPerIssuePerMinute: 2 });
  const shards = ['1', '3', '3', '1', '3', '3', '3', '2'];
  for (const shard of shards)
    await bot.reportError({ source: 'shard', error: new Error('the shard lost its session'), tags: { shard_id: shard, shard_count: '4' } });
  await bot.idle();
  const store = await readBack(path, (s) => s.listIssues()[0]?.count === shards.length);
  const [issue] = store.listIssues();
  assert.equal(issue?.stored, 2, 'storm control kept two events, counted the rest');
  assert.deepEqual(
    store
      .details(issue.id)
      ?.shards.map((shard) => [shard.value, shard.count])
      .sort(),
    [
      ['1', 2],
      ['2', 1],
      ['3', 5],
    ],
  );
  assert.deepEqual(
    store.listIssues({ shard: 2 }).map((found) => found.id),
    [issue.id],
  );
  store.close();
});

test('stop() writes what is still queued before the bot is gone', async () => {
  const { bot, discord, alice, guild, path } = await localBot();
  const handle = discord.as(alice, guild.channel('general')).slash('divide', { a: 1, b: 0 });
  const reference = referenceIn((await handle.response()).message?.content ?? '');
  await bot.stop();
  const store = await ErrorStore.open(path, { readonly: true });
  assert.equal(store.find(reference)[0]?.event?.event.eventId, reference);
  store.close();
});

test('the bot token and a registered secret thrown in a command never reach the file', async () => {
  const { bot, slash, alice, discord, path } = await localBot();
  referenceIn(await slash(alice, 'leak'));
  await bot.stop();
  const bytes = Buffer.concat([path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
  assert.ok(bytes.includes('[REDACTED TOKEN]'), 'the event was written, redacted');
  assert.ok(!bytes.includes(discord.token), 'the bot token is in the file');
  assert.ok(!bytes.includes(SECRET), 'the registered secret is in the file');
});

test('a write lock held past lockTimeoutMs is one warning; the bot answers on, and what was lost is summarised at stop', async () => {
  const { bot, slash, alice, path, logged } = await localBot({ lockTimeoutMs: 100 });
  const holder = new Database(path);
  holder.exec('BEGIN IMMEDIATE');
  try {
    for (let i = 0; i < 3; i++) {
      referenceIn(await slash(alice, 'divide', { a: i, b: 0 }));
      // Long enough for the writer's retries (20, 40, 80 ms) to run out, so each failure is its own batch.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await waitUntil(() => logged.some((line) => line.message.includes('could not be written')));
    assert.equal(await slash(alice, 'ping'), 'pong');
  } finally {
    holder.exec('ROLLBACK');
    holder.close();
  }
  await bot.stop();
  const warnings = logged.filter((line) => line.level === 'warn').map((line) => line.message);
  const first = warnings.filter((line) => line.includes('could not be written'));
  assert.equal(first.length, 1, warnings.join('\n'));
  assert.match(first[0]!, /LANTERN_ERR_STORE_LOCKED|stayed locked/);
  const lostFirst = Number(/: (\d+) errors? could not/.exec(first[0]!)?.[1]);
  const later = warnings.find((line) => line.includes('more error'));
  const lostLater = later ? Number(/(\d+) more errors?/.exec(later)?.[1]) : 0;
  assert.equal(lostFirst + lostLater, 3, warnings.join('\n'));
});

test('a damaged file at start is one warning: the bot runs without the store and hands out no reference', async () => {
  const path = join(tempFolder(), 'errors.db');
  writeFileSync(path, 'not a database '.repeat(500));
  const { slash, alice, logged } = await localBot({ path });
  const content = await slash(alice, 'divide', { a: 1, b: 0 });
  assert.match(content, /^Sorry, something went wrong/);
  assert.doesNotMatch(content, REFERENCE);
  const warnings = logged.filter((line) => line.level === 'warn');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.message, /damaged or not a database.*not recorded locally/);
  assert.equal(await slash(alice, 'ping'), 'pong');
});

test('a read-only folder is one warning: the bot answers its users and keeps running', async () => {
  const folder = join(tempFolder(), 'locked');
  mkdirSync(folder);
  chmodSync(folder, 0o555);
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/local/readonly-bot.ts', join(folder, 'errors.db')],
    UNPRIVILEGED,
  );
  const outcome = JSON.parse(stdout.trim()) as { warnings: string[]; failed: string; ping: string };
  assert.equal(outcome.warnings.length, 1, outcome.warnings.join('\n'));
  assert.match(outcome.warnings[0]!, /Local error store: .*(cannot be created|cannot be opened|read-only)/);
  assert.match(outcome.failed, /^Sorry, something went wrong/);
  assert.equal(outcome.ping, 'pong');
});

test('loading it without better-sqlite3 installed fails with an ExtensionLoadError whose cause names the install command', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/local/sqlite-missing.ts']);
  const extension = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { what: string; name?: string; cause?: { name: string; code: string } })
    .find((outcome) => outcome.what === 'extension');
  assert.equal(extension?.name, 'ExtensionLoadError');
  assert.deepEqual(extension.cause, { name: 'SqliteMissingError', code: 'LANTERN_ERR_SQLITE_MISSING' });
});

test('options no store could run with fail the load with LANTERN_ERR_STORE_OPTIONS', async () => {
  const discord = await startFake();
  await startBot(discord, {}, async (bot) => {
    for (const options of [
      { eventsPerIssuePerMinute: 0 },
      { eventsPerMinute: 0 },
      { maxQueue: 1.5 },
      { maxEventsPerIssue: 0 },
      { flushTimeoutMs: -1 },
    ]) {
      await assert.rejects(bot.loadExtension(local, { path: join(tempFolder(), 'e.db'), ...options }), (error: Error) => {
        assert.equal((error.cause as { code?: string }).code, 'LANTERN_ERR_STORE_OPTIONS', JSON.stringify(options));
        return true;
      });
    }
  });
});

test('it loads by its package name, lantern/ext/local, and creates the folders of its path', async () => {
  const path = join(tempFolder(), 'deep', 'er', 'errors.db');
  const { slash, alice, bot } = await localBot();
  await bot.unloadExtension('local');
  await bot.loadExtension('lantern/ext/local', { path });
  referenceIn(await slash(alice, 'divide', { a: 1, b: 0 }));
  await bot.stop();
  const store = await ErrorStore.open(path, { readonly: true });
  assert.equal(store.countIssues(), 1);
  store.close();
});

test('without a path the store is .lantern/errors.db under the working directory', async () => {
  const folder = tempFolder();
  const cwd = process.cwd();
  process.chdir(folder);
  try {
    const discord = await startFake();
    const { bot } = await startBot(discord, {}, (b) => b.loadExtension(local));
    await bot.stop();
  } finally {
    process.chdir(cwd);
  }
  assert.ok(existsSync(join(folder, '.lantern', 'errors.db')));
});
