/**
 * `lantern/ext/sentry` while Sentry is down: the receiver refuses connections, answers 500, answers 429 with
 * rate-limit headers, or accepts and never answers. In each the bot must answer every interaction, its memory
 * must stay bounded (what waits is in the outbox's file, not in memory), and `stop()` must return within the flush
 * timeout plus a second. test/ext/sentry/outbox.test.ts checks that every event arrives after the outage.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Client, command } from '../../../src/index.js';
import type { FakeUser } from '../../../src/testing/index.js';
import { startFake } from '../../support/bot.js';
import { waitUntil } from '../../support/resources.js';
import { sentryOptions, startReceiver, thrown } from '../../fixtures/sentry-support.js';
import { outboxPath } from '../../fixtures/outbox-support.js';
import sentry from '../../../src/ext/sentry/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const FLUSH_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 300;
const WARM_UP = 500;
const MEASURED = 1000;
/**
 * What 1000 failures may add to the heap once warm. Measured: -0.5 to 3 MiB in every mode over several runs (the
 * same bot without Sentry moves by about as much). Keeping one event per failure would add over 10 MiB (an event
 * is 3.6 KiB as JSON, more as objects).
 */
const HEAP_GROWTH_LIMIT = 5 * 1024 * 1024;
const BATCH = 25;

const receiver = await startReceiver();
const ignore = () => undefined;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * A bot on a fake that keeps little history itself, logging nowhere and recording nothing (the test helpers keep
 * every `Error` event and log line), so the heap measures Lantern and Sentry.
 */
async function outageBot() {
  const discord = await startFake({ interactionLimit: 50, messageHistoryLimit: 20, requestLogLimit: 20 });
  const users = Array.from({ length: 5 }, (_, i) => discord.addUser({ username: `user${String(i)}` }));
  const guild = discord.addGuild({ name: 'g', members: users });
  const bot = new Client({
    token: discord.token,
    discord: { rest: discord.rest },
    sendCommandTracebacks: false,
    handleProcessErrors: false,
    logger: { info: ignore, warn: ignore, error: ignore },
  });
  // Every failure a new group as far as storm control goes, so that all of them reach the transport.
  await bot.loadExtension(
    sentry,
    sentryOptions(receiver, {
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      flushTimeoutMs: FLUSH_TIMEOUT_MS,
      eventsPerGroupPerMinute: Number.POSITIVE_INFINITY,
      eventsPerMinute: Number.POSITIVE_INFINITY,
      outbox: { path: outboxPath(), maxRetryDelayMs: 500 },
    }),
  );
  bot.addCommand(
    command({
      name: 'boom',
      description: 'Fails',
      run: () => {
        throw new Error('Sentry is down and so is this command');
      },
    }),
    command({ name: 'ok', description: 'Works', run: (ctx) => ctx.reply('ok') }),
  );
  await bot.start();
  const as = (user: FakeUser) => discord.as(user, guild.channel('general'));
  /** Runs `count` failing commands, `BATCH` at a time, and checks every one got its error answer. */
  const failMany = async (count: number) => {
    for (let done = 0; done < count; done += BATCH) {
      const handles = Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => as(users[i % users.length]!).slash('boom'));
      const answers = await Promise.all(handles.map((handle) => handle.response('reply')));
      for (const answer of answers) {
        assert.ok(answer.ephemeral);
        assert.match(answer.message?.content ?? '', /^Sorry, something went wrong/);
      }
    }
    await bot.idle();
  };
  return { bot, users, as, failMany };
}

async function stopWithin(stop: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await stop();
  return performance.now() - started;
}

const outageNames = {
  refuse: 'refusing connections',
  error: 'answering 500',
  rateLimit: 'answering 429',
  hang: 'never answering',
} as const;

for (const mode of ['refuse', 'error', 'rateLimit', 'hang'] as const) {
  test(`Sentry ${outageNames[mode]}: every interaction is answered, memory stays bounded, stop() returns in time`, async (t) => {
    const { bot, users, as, failMany } = await outageBot();
    if (mode === 'rateLimit') await receiver.setMode('rateLimit', { retryAfterSeconds: 60 });
    else await receiver.setMode(mode);
    try {
      receiver.clear();
      await failMany(WARM_UP);
      const requestsAfterWarmUp = receiver.requests;
      const before = heapAfterGc();
      await failMany(MEASURED);
      const growth = heapAfterGc() - before;
      t.diagnostic(
        `heap growth over ${String(MEASURED)} failures: ${(growth / 1024).toFixed(0)} ` +
          `KiB; requests that reached Sentry: ${String(receiver.requests)}`,
      );
      assert.ok(growth < HEAP_GROWTH_LIMIT, `the heap grew by ${String(growth)} bytes over ${String(MEASURED)} failures`);
      assert.equal((await as(users[0]!).slash('ok').response('reply')).message?.content, 'ok');

      if (mode === 'rateLimit') {
        // The outbox honours the 429: once the first answer is in, it sends nothing for the window.
        assert.equal(receiver.requests, requestsAfterWarmUp, 'requests reached a server that asked for silence');
      }
      if (mode === 'hang') {
        // Without a request timeout the SDK's sockets would hang for ever and nothing later would be sent; with
        // it, a hung request is abandoned and the outbox tries again.
        const requests = receiver.requests;
        await waitUntil(() => receiver.requests > requests, 5000);
      }
      if (mode === 'refuse' || mode === 'error') {
        await receiver.setMode('accept');
        const recovered = await bot.reportError({ source: 'after the outage', error: new Error('delivered again') });
        // After the backlog, oldest first.
        const event = await receiver.waitForEvent(recovered.reference ?? '', { timeoutMs: 60_000 });
        assert.equal(thrown(event)?.value, 'delivered again');
        await receiver.setMode(mode);
      }
      await failMany(BATCH);
      const stopMs = await stopWithin(() => bot.stop());
      t.diagnostic(`stop() took ${stopMs.toFixed(0)} ms`);
      assert.ok(stopMs < FLUSH_TIMEOUT_MS + 1000, `stop() took ${stopMs.toFixed(0)} ms`);
    } finally {
      // Before the fake stops (after the file), or discord.js would start reconnecting to it.
      await bot.stop();
      await receiver.setMode('accept');
    }
  });
}
