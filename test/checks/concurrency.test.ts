/**
 * A concurrency slot always comes back. The case here: a queued run is acknowledged (deferred) while it waits; if
 * the slot passes to it while that defer is still on its way and the defer then fails, the run never starts, so
 * the slot must be given back, or the command answers "busy" for ever.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { command, MaxConcurrencyReached } from '../../src/index.js';
import { ConcurrencyLimiter } from '../../src/checks/concurrency.js';
import type { ConcurrencyOptions } from '../../src/checks/concurrency.js';
import { DiscordFaults, FakeClock } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';

const ONE_AT_A_TIME: ConcurrencyOptions = { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 60_000 };

function subject(userId: string) {
  return { user: { id: userId }, guildId: 'g', channelId: 'c', receivedAt: performance.now() };
}

/** A promise settled from outside. */
function deferred() {
  let resolve: () => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('a slot passed to a queued run whose onWait then fails is given back', async () => {
  const limiter = new ConcurrencyLimiter(new FakeClock());
  const releaseFirst = await limiter.acquire('/report', ONE_AT_A_TIME, subject('alice'));
  const defer = deferred();
  const refused = new Error('the defer failed');
  const queued = limiter.acquire('/report', ONE_AT_A_TIME, subject('bob'), () => defer.promise);
  releaseFirst();
  defer.reject(refused);
  await assert.rejects(queued, (error) => error === refused);
  assert.equal(limiter.size, 0, 'nothing runs or waits any more');
  const release = await limiter.acquire('/report', { bucket: 'global', limit: 1 }, subject('carol'));
  release();
});

test('a queued run whose onWait fails before its turn leaves the queue; the slot goes to the next in line', async () => {
  const clock = new FakeClock();
  const limiter = new ConcurrencyLimiter(clock);
  const releaseFirst = await limiter.acquire('/report', ONE_AT_A_TIME, subject('alice'));
  const refused = new Error('the defer failed');
  const failing = limiter.acquire('/report', ONE_AT_A_TIME, subject('bob'), () => Promise.reject(refused));
  const next = limiter.acquire('/report', ONE_AT_A_TIME, subject('carol'));
  await assert.rejects(failing, (error) => error === refused);
  releaseFirst();
  const releaseNext = await next;
  releaseNext();
  releaseNext();
  assert.equal(limiter.size, 0);
  assert.equal(clock.pendingTimers, 0, 'no wait timer is left behind');
});

test('a release called twice frees one slot only', async () => {
  const limiter = new ConcurrencyLimiter(new FakeClock());
  const two: ConcurrencyOptions = { bucket: 'global', limit: 2 };
  const first = await limiter.acquire('/x', two, subject('a'));
  await limiter.acquire('/x', two, subject('b'));
  first();
  first();
  await limiter.acquire('/x', two, subject('c'));
  await assert.rejects(limiter.acquire('/x', two, subject('d')), MaxConcurrencyReached);
});

test('a command whose queued run could not be deferred after the slot reached it still runs for the next user', async () => {
  const discord = await startFake();
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((username) => discord.addUser({ username }));
  const guild = discord.addGuild({ name: 'g', members: [alice!, bob!, carol!] });
  const ran: string[] = [];
  const gate = deferred();
  const { bot, errors } = await startBot(discord, { sendCommandTracebacks: false }, (b) => {
    b.addCommand(
      command({
        name: 'report',
        description: 'One report at a time',
        maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 2000 },
        run: async (ctx) => {
          ran.push(ctx.user.username);
          if (ran.length === 1) await gate.promise;
          await ctx.reply({ content: 'report ready', ephemeral: true });
        },
      }),
    );
  });
  const as = (user: typeof alice) => discord.as(user!, guild.channel('general'));
  const first = as(alice).slash('report');
  await waitUntil(() => ran.length === 1);
  // Bob's run queues and defers; Discord takes its time, then refuses the defer.
  discord.failNext({ route: '/interactions/:id/:token/callback', ...DiscordFaults.unknownInteraction(), delayMs: 500 });
  as(bob).slash('report');
  await waitUntil(() => discord.faults.pending === 0);
  // The slot passes to bob's run while its defer is on the way.
  gate.resolve();
  assert.equal((await first.response()).message?.content, 'report ready');
  await waitUntil(() => errors.length === 1);
  await bot.idle();
  assert.deepEqual(ran, ['alice']);

  const third = as(carol).slash('report');
  const answer = await third.response('reply', { timeout: 4000 }).catch(() => third.response('followUp', { timeout: 4000 }));
  assert.equal(answer.message?.content, 'report ready', JSON.stringify(third.responses));
  assert.deepEqual(ran, ['alice', 'carol']);
});

test('a queued run waits no longer than its interaction lives, and one whose interaction is over is refused at once', async () => {
  const clock = new FakeClock();
  const limiter = new ConcurrencyLimiter(clock);
  const release = await limiter.acquire('/report', ONE_AT_A_TIME, subject('alice'));
  const old = { ...subject('bob'), receivedAt: performance.now() - 15 * 60_000 + 100 };
  const waiting = limiter.acquire('/report', ONE_AT_A_TIME, old);
  const outcome = waiting.then(
    () => 'granted',
    (error: unknown) => (error instanceof MaxConcurrencyReached && error.timedOut ? 'timed out' : String(error)),
  );
  await clock.advance(200);
  assert.equal(await outcome, 'timed out', 'the wait ended with the interaction, long before the 60 s timeout');
  const expired = { ...subject('carol'), receivedAt: performance.now() - 15 * 60_000 - 1 };
  await assert.rejects(
    limiter.acquire('/report', ONE_AT_A_TIME, expired),
    (error) => error instanceof MaxConcurrencyReached && error.timedOut,
  );
  release();
  assert.equal(limiter.size, 0);
});

test('refuseWaiting refuses every queued run and every run that would queue later, as timed out; free slots still go', async () => {
  const clock = new FakeClock();
  const limiter = new ConcurrencyLimiter(clock);
  const release = await limiter.acquire('/report', ONE_AT_A_TIME, subject('alice'));
  const queued = limiter.acquire('/report', ONE_AT_A_TIME, subject('bob'));
  limiter.refuseWaiting();
  const timedOut = (error: unknown) => error instanceof MaxConcurrencyReached && error.timedOut;
  await assert.rejects(queued, timedOut);
  await assert.rejects(limiter.acquire('/report', ONE_AT_A_TIME, subject('carol')), timedOut);
  release();
  const again = await limiter.acquire('/report', ONE_AT_A_TIME, subject('dave'));
  again();
  assert.equal(limiter.size, 0);
  assert.equal(clock.pendingTimers, 0);
});
