/**
 * How the outbox delivers: through a receiver killed mid-run, past envelopes Sentry refuses for good, within its
 * bounds through a storm with Sentry down, with a summary in the log on the bot's clock while delivery fails, and
 * `bot.stop()` while Sentry never answers (bounded, says what is left, the process exits by itself).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { readOutboxStatus } from '../../../src/ext/sentry/index.js';
import { FakeClock } from '../../../src/testing/index.js';
import { waitUntil } from '../../support/resources.js';
import { arrivals, outboxBot, outboxPath, queuedAtLeast, waitForAll } from '../../fixtures/outbox-support.js';
import { startReceiver } from '../../fixtures/sentry-support.js';

const receiver = await startReceiver();

test('a receiver killed mid-run and started again: every event arrives, at most the ones in flight at the kill twice', async () => {
  receiver.clear();
  const world = await outboxBot(receiver);
  try {
    const first = await world.failInBackground(200, 'before');
    await waitUntil(() => receiver.events.length >= 50, 20_000);
    await receiver.kill();
    const second = await world.failInBackground(200, 'during');
    await queuedAtLeast(world.path, 200);
    await receiver.restart();
    const references = [...first, ...second];
    await waitForAll(receiver, references);
    const counts = arrivals(receiver);
    const twice = references.filter((reference) => (counts.get(reference) ?? 0) > 1);
    // An envelope Sentry took just as it died had no answer: sent again with its id, which Sentry deduplicates.
    assert.ok(twice.length <= 8, `${String(twice.length)} events arrived twice`);
    assert.ok(twice.every((reference) => first.includes(reference)));
    assert.ok(world.logged.some((line) => /delivery is failing \(connection (refused|reset)\)/.test(line.message)));
  } finally {
    await world.bot.stop();
  }
});

test('an envelope Sentry refuses for good (400) is logged once, kept aside as a dead letter, counted, and not sent again', async () => {
  receiver.clear();
  const world = await outboxBot(receiver);
  await receiver.setMode('reject');
  try {
    const references = await world.failInBackground(3, 'refused');
    await waitUntil(() => world.logged.filter((line) => /refused event/.test(line.message)).length >= 3, 10_000);
    const db = new Database(world.path, { readonly: true });
    const waiting = db.prepare('SELECT event_id FROM outbox').all() as { event_id: string }[];
    const dead = db.prepare('SELECT event_id, status FROM outbox_dead').all() as { event_id: string; status: number }[];
    db.close();
    // Out of the queue and into the dead letters: nothing is left that could be sent again.
    for (const reference of references) {
      assert.ok(!waiting.some((row) => row.event_id === reference), `${reference} still waits to be sent`);
      assert.equal(dead.find((row) => row.event_id === reference)?.status, 400);
    }
    const status = await readOutboxStatus(world.path);
    assert.ok((status?.deadLetters ?? 0) >= 3 && (status?.today.dead ?? 0) >= 3);

    // Once Sentry takes envelopes again, a new event arrives and the refused ones still do not.
    await receiver.setMode('accept');
    const [later = ''] = await world.failInBackground(1, 'after the refusals');
    await waitForAll(receiver, [later]);
    const arrived = arrivals(receiver);
    assert.deepEqual(
      references.filter((reference) => arrived.has(reference)),
      [],
    );
    const refusals = world.logged.filter((line) => /refused event/.test(line.message));
    for (const reference of references) {
      const lines = refusals.filter((line) => line.message.includes(reference));
      assert.equal(lines.length, 1, `refusals of ${reference}`);
      assert.match(lines[0]?.message ?? '', /for good \(400: a payload Sentry cannot read\)/);
    }
    assert.ok(!world.logged.some((line) => /delivery is failing/.test(line.message)), 'a refusal is no outage');
  } finally {
    await receiver.setMode('accept');
    await world.bot.stop();
  }
});

test(
  'a storm with Sentry down throughout keeps the outbox within its bounds, ' + 'oldest dropped and said, and delivers the rest',
  async (t) => {
    receiver.clear();
    const maxEnvelopes = 300;
    const maxBytes = 1024 * 1024;
    const world = await outboxBot(receiver, { outbox: { maxEnvelopes, maxBytes } });
    await receiver.setMode('refuse');
    try {
      const references = await world.failInBackground(2000, 'storm');
      await world.bot.idle();
      await waitUntil(() => world.logged.some((line) => /reached its bounds/.test(line.message)), 10_000);
      // Everything is written, then the bounds hold: never more than they allow.
      const kept = references.slice(-maxEnvelopes / 2);
      const db = new Database(world.path, { readonly: true });
      await waitUntil(() => {
        const ids = new Set((db.prepare('SELECT event_id FROM outbox').all() as { event_id: string }[]).map((row) => row.event_id));
        return kept.every((reference) => ids.has(reference));
      }, 20_000);
      db.close();
      const status = await readOutboxStatus(world.path);
      assert.ok(status && status.queued <= maxEnvelopes && status.bytes <= maxBytes, JSON.stringify(status));
      assert.ok(status.today.dropped >= 2000 - maxEnvelopes, `dropped ${String(status.today.dropped)}`);
      const dropLine = world.logged.find((line) => /reached its bounds/.test(line.message));
      assert.match(dropLine?.message ?? '', /\(300 events, 1 MiB, 72 hours\)/);
      t.diagnostic(dropLine?.message ?? '');

      await receiver.setMode('accept');
      await waitForAll(receiver, kept);
      // The oldest went first: the storm's first events never arrive.
      const arrived = arrivals(receiver);
      assert.equal(references.slice(0, 1000).filter((reference) => arrived.has(reference)).length, 0);
    } finally {
      await receiver.setMode('accept');
      await world.bot.stop();
    }
    // What was dropped is reported to Sentry too, as its client reports do.
    const discarded = receiver
      .itemsOfType('client_report')
      .flatMap((item) => (item.payload as { discarded_events?: { reason: string; quantity: number }[] }).discarded_events ?? []);
    assert.ok(discarded.some((outcome) => outcome.reason === 'queue_overflow' && outcome.quantity > 0));
  },
);

test("while delivery fails the log says so every summary interval, on the bot's clock, until it recovers", async () => {
  receiver.clear();
  const clock = new FakeClock();
  const world = await outboxBot(receiver, { outbox: { summaryIntervalMs: 60_000 }, client: { clock } });
  await receiver.setMode('error');
  try {
    await world.failInBackground(5, 'summarised');
    await waitUntil(() => world.logged.some((line) => /delivery is failing \(Sentry answered 500\)/.test(line.message)), 10_000);
    const summaries = () => world.logged.filter((line) => /delivery has been failing for/.test(line.message));
    assert.equal(summaries().length, 0);
    await clock.advance(60_000);
    assert.equal(summaries().length, 1);
    assert.match(summaries()[0]?.message ?? '', /\(Sentry answered 500\); \d+ events wait in the outbox \(the oldest for/);
    await clock.advance(60_000);
    assert.equal(summaries().length, 2);
    await receiver.setMode('accept');
    await waitUntil(() => world.logged.some((line) => /delivery works again/.test(line.message)), 15_000);
    await clock.advance(120_000);
    assert.equal(summaries().length, 2, 'a summary after the recovery');
  } finally {
    await receiver.setMode('accept');
    await world.bot.stop();
  }
});

// Sentry never answers here, so a stop() that waited for delivery would never return and the test would time out.
test(
  'bot.stop() while Sentry never answers gives up after flushTimeoutMs, says how many stay in the outbox, and the process exits',
  { timeout: 120_000 },
  async () => {
    await receiver.setMode('hang');
    const path = outboxPath();
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/outbox-bot.ts'], {
        env: { ...process.env, SENTRY_TEST_DSN: receiver.dsn, OUTBOX_PATH: path, FAILURES: '100', MODE: 'stop' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
      const lines = output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { warn?: string; stopped?: boolean; left?: number });
      const stopped = lines.find((line) => line.stopped);
      assert.ok(stopped && (stopped.left ?? 0) >= 100, `left in the outbox: ${String(stopped?.left)}`);
      const left = lines.find((line) => line.warn !== undefined && /they are sent when the bot starts again/.test(line.warn));
      assert.match(left?.warn ?? '', new RegExp(`Sentry: ${String(stopped.left)} events wait in the outbox \\(.*\\); they are sent`));
    } finally {
      await receiver.setMode('accept');
    }
  },
);
