/**
 * The store's file: what it refuses (a newer schema, a damaged file, another program's database) and leaves as it
 * is, what it says when it cannot write (a lock held too long, a read-only folder), several processes writing it
 * at once, and no secret in its bytes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { ErrorStore } from '../../../src/ext/local/store.js';
import { APPLICATION_ID, SCHEMA_VERSION } from '../../../src/ext/local/schema.js';
import { buildTrackedEvent, newEventId } from '../../../src/tracking/build.js';
import { errorEvent, idleBot, tempFolder, tracked } from '../../support/tracking.js';

const run = promisify(execFile);
const bot = idleBot();
/** Who runs the child that must not be able to write: as root a read-only folder is not read-only. */
const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function digest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function storeWithOneIssue(path: string): Promise<void> {
  const store = await ErrorStore.open(path);
  store.record([tracked(bot, '/divide', new RangeError('Cannot divide 1 by zero'))]);
  store.close();
}

test('a new file carries the schema version and the application id, and is in WAL mode', async () => {
  const path = join(tempFolder(), 'errors.db');
  await storeWithOneIssue(path);
  const raw = new Database(path, { readonly: true });
  assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(raw.pragma('application_id', { simple: true }), APPLICATION_ID);
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
});

test('a file written by a newer Lantern is refused with LANTERN_ERR_STORE_NEWER and left byte for byte as it was', async () => {
  const path = join(tempFolder(), 'errors.db');
  await storeWithOneIssue(path);
  const raw = new Database(path);
  raw.pragma(`user_version = ${String(SCHEMA_VERSION + 1)}`);
  raw.close();
  const before = digest(path);
  for (const options of [{}, { readonly: true }]) {
    await assert.rejects(ErrorStore.open(path, options), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'LANTERN_ERR_STORE_NEWER');
      assert.match(error.message, new RegExp(`schema version ${String(SCHEMA_VERSION + 1)}`));
      assert.match(error.message, /newer Lantern/);
      return true;
    });
  }
  assert.equal(digest(path), before);
});

test('a file that is not a database is refused with LANTERN_ERR_STORE_CORRUPT and left as it was', async () => {
  const path = join(tempFolder(), 'errors.db');
  writeFileSync(path, Buffer.from('this is not SQLite at all, just some text that fills the first page '.repeat(80)));
  const before = digest(path);
  await assert.rejects(ErrorStore.open(path), {
    code: 'LANTERN_ERR_STORE_CORRUPT',
    message: new RegExp(`${path}.*damaged or not a database`),
  });
  assert.equal(digest(path), before);
});

test('a store whose pages were damaged gives LANTERN_ERR_STORE_CORRUPT, on opening or on reading', async () => {
  const path = join(tempFolder(), 'errors.db');
  await storeWithOneIssue(path);
  const bytes = readFileSync(path);
  // Past the 100-byte header every page is overwritten: the schema and the tables are gone, the version is still there.
  bytes.fill(0xa5, 100);
  writeFileSync(path, bytes);
  const before = digest(path);
  await assert.rejects(
    async () => {
      const store = await ErrorStore.open(path);
      try {
        store.listIssues();
      } finally {
        store.close();
      }
    },
    { code: 'LANTERN_ERR_STORE_CORRUPT' },
  );
  assert.equal(digest(path), before);
});

test("another program's SQLite database is not taken for an error store, and is left as it was", async () => {
  const path = join(tempFolder(), 'app.db');
  const raw = new Database(path);
  raw.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
  raw.close();
  const before = digest(path);
  await assert.rejects(ErrorStore.open(path), { code: 'LANTERN_ERR_STORE_CORRUPT', message: /not an error store/ });
  assert.equal(digest(path), before);
});

test('opening a missing file without create is LANTERN_ERR_STORE_NOT_FOUND, and nothing is created', async () => {
  const path = join(tempFolder(), 'missing', 'errors.db');
  await assert.rejects(ErrorStore.open(path, { create: false }), { code: 'LANTERN_ERR_STORE_NOT_FOUND' });
  await assert.rejects(ErrorStore.open(path, { readonly: true }), { code: 'LANTERN_ERR_STORE_NOT_FOUND' });
  assert.equal(existsSync(path), false);
});

test('a write lock held past the busy timeout is LANTERN_ERR_STORE_LOCKED; once released, writing works', async () => {
  const path = join(tempFolder(), 'errors.db');
  await storeWithOneIssue(path);
  const store = await ErrorStore.open(path, { busyTimeoutMs: 50 });
  const holder = new Database(path);
  holder.exec('BEGIN IMMEDIATE');
  assert.throws(() => store.record([tracked(bot, '/divide', new RangeError('Cannot divide 2 by zero'))]), {
    code: 'LANTERN_ERR_STORE_LOCKED',
  });
  // Readers are not blocked by a writer.
  assert.equal(store.summary().events.counted, 1);
  holder.exec('COMMIT');
  holder.close();
  store.record([tracked(bot, '/divide', new RangeError('Cannot divide 3 by zero'))]);
  assert.equal(store.summary().events.counted, 2);
  store.close();
});

test('a read-only folder is LANTERN_ERR_STORE_ACCESS for a process that cannot write there', async () => {
  const folder = join(tempFolder(), 'locked');
  mkdirSync(folder);
  chmodSync(folder, 0o555);
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/local/open-store.ts', join(folder, 'errors.db')],
    UNPRIVILEGED,
  );
  const outcome = JSON.parse(stdout.trim()) as { code?: string; message?: string };
  assert.equal(outcome.code, 'LANTERN_ERR_STORE_ACCESS', stdout);
  assert.match(outcome.message ?? '', /cannot be opened|read-only|cannot be created/);
});

test('two processes writing one file at once lose nothing: every occurrence is counted and every event stored', async () => {
  const path = join(tempFolder(), 'errors.db');
  const perWriter = 400;
  const writers = ['a', 'b'].map((name) =>
    run(process.execPath, ['--import', 'tsx', 'test/fixtures/local/writer.ts', path, name, String(perWriter)]),
  );
  // This process reads while they write.
  let reads = 0;
  const reading = (async () => {
    let reader: ErrorStore | undefined;
    // Until the first writer has made the store, there is nothing to read.
    while (!(reader = await ErrorStore.open(path, { readonly: true }).catch(() => undefined)))
      await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 0; i < 20; i++, reads++) {
      reader.listIssues();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    reader.close();
  })();
  const outputs = await Promise.all(writers);
  await reading;
  assert.deepEqual(
    outputs.map(({ stdout }) => JSON.parse(stdout.trim()) as unknown),
    [
      { name: 'a', recorded: perWriter },
      { name: 'b', recorded: perWriter },
    ],
  );
  const store = await ErrorStore.open(path, { readonly: true });
  const issues = store.listIssues();
  assert.equal(issues.length, 2);
  assert.equal(
    issues.reduce((sum, issue) => sum + issue.count, 0),
    2 * perWriter,
  );
  const ids = new Set([...store.exportEvents()].map((stored) => stored.event.eventId));
  assert.equal(ids.size, 2 * perWriter);
  for (const issue of issues)
    assert.deepEqual(
      store
        .values(issue.id, 'release')
        .map((value) => [value.value, value.count])
        .sort(),
      [
        ['writer-a', perWriter / 2],
        ['writer-b', perWriter / 2],
      ],
    );
  store.close();
  assert.ok(reads > 0);
});

test('a bot token or registered secret thrown in an error never appears in the bytes of the file or its log', async () => {
  const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB';
  const secret = 'hunter2-registered-secret';
  const secretBot = idleBot({ token, secrets: [secret] });
  secretBot.addSecret(token, 'TOKEN');
  const folder = tempFolder();
  const path = join(folder, 'errors.db');
  const store = await ErrorStore.open(path);
  const error = new Error(`POST with ${token} and ${secret} failed`, { cause: new Error(`the cause holds ${secret}`) });
  const event = buildTrackedEvent(secretBot, errorEvent(`/login ${secret}`, error), {
    eventId: newEventId(),
    timestamp: Date.now(),
    release: secret,
    environment: undefined,
  });
  store.record([event]);
  store.addFeedback({ eventId: event.eventId, message: 'it broke' });
  // Read the file and its log while they are open (the log holds what was just written), then after closing.
  const files = () => [path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file));
  const check = (label: string) => {
    for (const bytes of files()) {
      assert.ok(!bytes.includes(token), `${label}: the token is in the file`);
      assert.ok(!bytes.includes(secret), `${label}: the secret is in the file`);
      assert.ok(!bytes.includes(Buffer.from(secret, 'utf16le')), `${label}: the secret is in the file as UTF-16`);
    }
  };
  check('open');
  assert.ok(
    files().some((bytes) => bytes.includes('[REDACTED SECRET]')),
    'the redacted event was written',
  );
  store.close();
  check('closed');
});

test('without better-sqlite3 installed, opening a store fails with LANTERN_ERR_SQLITE_MISSING naming the install command', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/local/sqlite-missing.ts']);
  const outcomes = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { what: string; code?: string; message?: string });
  const store = outcomes.find((outcome) => outcome.what === 'store');
  assert.equal(store?.code, 'LANTERN_ERR_SQLITE_MISSING');
  assert.match(store.message ?? '', /npm install better-sqlite3@12/);
});

test(
  'a file of an older schema is migrated when opened for writing, keeping what it holds; ' + 'a read-only open says it needs that',
  async () => {
    const path = join(tempFolder(), 'errors.db');
    await storeWithOneIssue(path);
    // Back to schema 1, as the first release wrote it.
    const raw = new Database(path);
    raw.exec('DROP TABLE meta');
    raw.pragma('user_version = 1');
    raw.close();
    await assert.rejects(ErrorStore.open(path, { readonly: true }), { code: 'LANTERN_ERR_STORE_ACCESS', message: /needs an upgrade/ });
    const store = await ErrorStore.open(path, { maxEventsPerIssue: 7 });
    assert.equal(store.summary().schemaVersion, SCHEMA_VERSION);
    assert.equal(store.summary().events.counted, 1);
    store.saveLimits();
    store.close();
    const reader = await ErrorStore.open(path, { readonly: true });
    assert.equal(reader.summary().limits.maxEventsPerIssue, 7, 'a reader shows the limits the writer applies');
    reader.close();
  },
);
