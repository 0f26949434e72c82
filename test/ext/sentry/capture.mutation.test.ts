/**
 * How captures reach the SDK when errors come faster than events can be built: a burst past the pending bound is
 * handed over on the error's own path (memory stays bounded, nothing is dropped), a queue drains in time slices that
 * leave the event loop to I/O, and held-back groups are released on the next error once the budget allows. And what
 * the background events and the gateway's breadcrumbs carry.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Sentry from '@sentry/node';
import type { NodeClient } from '@sentry/node';
import sentry from '../../../src/ext/sentry/index.js';
import { command } from '../../../src/index.js';
import type { SentryOptions } from '../../../src/ext/sentry/index.js';
import { DiscordFaults, FakeClock } from '../../../src/testing/index.js';
import type { ReceivedEvent } from '../../../src/testing/index.js';
import { sentryBot, sentryOptions, startReceiver, thrown } from '../../fixtures/sentry-support.js';

const receiver = await startReceiver();

/** A Sentry bot with a `/client` command whose handler hands back the SDK client serving the bot's interactions. */
async function botAndClient(sentry: SentryOptions) {
  let client: NodeClient | undefined;
  const w = await sentryBot(receiver, {
    sentry,
    setup: (bot) => {
      bot.addCommand(
        command({
          name: 'client',
          description: 'Hands back the Sentry client',
          run: async (ctx) => {
            client = Sentry.getClient<NodeClient>();
            await ctx.reply('ok');
          },
        }),
      );
    },
  });
  await w.discord.as(w.alice, w.guild.channel('general')).slash('client').response();
  assert.ok(client, 'the handler ran with a Sentry client');
  return { ...w, client };
}

/** Records the event id of every capture handed to the SDK, after `work` (a cost per event, if given). */
function recordCaptures(client: NodeClient, work: () => void = () => undefined): string[] {
  const handed: string[] = [];
  const captureException = client.captureException.bind(client);
  client.captureException = (exception, hint, scope) => {
    handed.push(hint?.event_id ?? '');
    work();
    return captureException(exception, hint, scope);
  };
  return handed;
}

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

async function until(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function burst(
  bot: { reportError: (init: { source: string; error: Error }) => Promise<{ reference?: string }> },
  size: number,
  tag: string,
) {
  return Promise.all(
    Array.from({ length: size }, (_, i) => bot.reportError({ source: `${tag} ${String(i)}`, error: new Error(`${tag} ${String(i)}`) })),
  );
}

test('past 100 captures waiting, each new one hands the oldest to the SDK on the error’s path; none is dropped', async () => {
  // No overall budget: every capture of the burst is admitted at once.
  const w = await botAndClient({ eventsPerMinute: Infinity });
  const handed = recordCaptures(w.client);
  const events = await burst(w.bot, 150, 'pile-up');
  const references = events.map((event) => event.reference ?? '');
  assert.deepEqual(handed, references.slice(0, 50), 'the 50 oldest, in order, before the event loop turned');
  await until(() => handed.length === 150, 'every capture to be handed over');
  assert.deepEqual(handed, references, 'each capture once, oldest first');
  await receiver.waitForEvents(150, { filter: (e) => thrown(e)?.value?.startsWith('pile-up ') === true, timeoutMs: 20_000 });
});

test('a queue of captures drains in slices: I/O gets a turn between them, and the queue empties without new errors', async () => {
  const w = await botAndClient({ eventsPerMinute: Infinity });
  // Each capture costs 2 ms, so the whole queue is many times one slice.
  const handed = recordCaptures(w.client, () => {
    busyFor(2);
  });
  const events = await burst(w.bot, 40, 'sliced');
  const handedNow = () => handed.length;
  assert.equal(handedNow(), 0, 'nothing is handed over on the error’s path below the bound');
  await nextTurn();
  const firstTurn = handedNow();
  assert.ok(firstTurn > 0 && firstTurn < 40, `one slice, then the loop: ${String(firstTurn)} of 40 in the first turn`);
  await until(() => handed.length === 40, 'the rest of the queue');
  assert.deepEqual(
    handed,
    events.map((event) => event.reference ?? ''),
  );
});

test('once the budget refills, the next error releases a held-back group on its own path, without waiting for the timer', async () => {
  const clock = new FakeClock(Date.parse('2025-04-01T00:00:00Z'));
  // eventsPerMinute 20: a bucket of two events, refilled at one every 3 s of the fake clock.
  const w = await botAndClient({ clock, eventsPerMinute: 20 });
  const handed = recordCaptures(w.client);
  const first = await w.bot.reportError({ source: 'first', error: new Error('first') });
  const second = await w.bot.reportError({ source: 'second', error: new Error('second') });
  const held = await w.bot.reportError({ source: 'held', error: new Error('held') });
  await nextTurn();
  assert.deepEqual(handed, [first.reference, second.reference], 'the third group waits for the budget');
  // Two events' worth: one for the new error, one for the held-back group.
  await clock.advance(6000);
  const third = await w.bot.reportError({ source: 'third', error: new Error('third') });
  await nextTurn();
  assert.ok(handed.includes(held.reference ?? ''), 'the held-back group went out with the next error');
  const released = await receiver.waitForEvent(held.reference ?? '');
  assert.equal(thrown(released)?.value, 'held');
  assert.ok(handed.includes(third.reference ?? ''), 'the new error had its own share of the budget');
});

test('an event from outside any interaction carries what the app set on its own isolation scope', async () => {
  const w = await sentryBot(receiver);
  Sentry.getIsolationScope().setTag('deployment', 'blue');
  try {
    const event = await w.bot.reportError({ source: 'poller', error: new Error('the poller failed') });
    const received = await receiver.waitForEvent(event.reference ?? '');
    assert.equal(received.tags?.deployment, 'blue');
    assert.equal(received.tags.source, 'poller', 'Lantern’s tags still apply');
  } finally {
    Sentry.getIsolationScope().setTag('deployment', undefined);
  }
});

function breadcrumbMessages(event: ReceivedEvent, category: string): string[] {
  return (event.breadcrumbs ?? []).filter((b) => b.category === category).map((b) => String(b.message));
}

test('a global rate limit is a warning breadcrumb that says so, with the method, the route template and the wait', async () => {
  const w = await sentryBot(receiver, {
    setup: (bot) => {
      bot.addCommand(
        command({
          name: 'announce',
          description: 'Posts, then fails',
          run: async (ctx) => {
            await ctx.reply('posting');
            const { channel } = ctx;
            if (!channel?.isSendable()) throw new Error('not a channel the bot can post in');
            await channel.send('news');
            throw new Error('announce failed');
          },
        }),
      );
    },
  });
  const general = w.guild.channel('general');
  w.discord.failNext({ method: 'POST', route: '/channels/:id/messages', ...DiscordFaults.rateLimited(0.05, { global: true }) });
  await w.discord.as(w.alice, general).slash('announce').response();
  await w.bot.idle();
  const failed = w.errors.find((e) => e.source === '/announce');
  const event = await receiver.waitForEvent(failed?.reference ?? '');
  const limits = (event.breadcrumbs ?? []).filter((b) => typeof b.message === 'string' && b.message.startsWith('rate limited'));
  // discord.js may wait once more for the last millisecond or two: each wait is a breadcrumb of its own.
  assert.ok(limits.length >= 1, JSON.stringify(event.breadcrumbs));
  for (const limit of limits) {
    assert.equal(limit.level, 'warning');
    assert.match(String(limit.message), /^rate limited \(global\): POST \/channels\/:id\/messages for \d+ ms$/);
  }
});

test('the gateway’s resume and a shard lost for good are breadcrumbs of the next background event', async () => {
  const w = await sentryBot(receiver);
  const resumed = new Promise((resolve) => w.bot.discord.once('shardResume', resolve));
  w.discord.gateway.close(4000);
  await resumed;
  const afterResume = await w.bot.reportError({ source: 'after resume', error: new Error('after resume') });
  const resumeCrumbs = breadcrumbMessages(await receiver.waitForEvent(afterResume.reference ?? ''), 'discord.gateway');
  assert.ok(
    resumeCrumbs.some((message) => /^shard 0 resumed \(\d+ events replayed\)$/.test(message)),
    resumeCrumbs.join('\n'),
  );

  // 4014 (disallowed intents) is a close discord.js never reconnects after.
  const lost = new Promise((resolve) => w.bot.discord.once('shardDisconnect', resolve));
  w.discord.gateway.close(4014);
  await lost;
  const afterLoss = await w.bot.reportError({ source: 'after loss', error: new Error('after loss') });
  const lossCrumbs = breadcrumbMessages(await receiver.waitForEvent(afterLoss.reference ?? ''), 'discord.gateway');
  assert.ok(lossCrumbs.includes('shard 0 disconnected (close code 4014)'), lossCrumbs.join('\n'));
});

test('occurrences of a new group held back by the budget all get the id its event is later sent under', async () => {
  const clock = new FakeClock(Date.parse('2025-04-01T00:00:00Z'));
  const w = await botAndClient({ clock, eventsPerMinute: 20 });
  await w.bot.reportError({ source: 'spend one', error: new Error('spend one') });
  await w.bot.reportError({ source: 'spend two', error: new Error('spend two') });
  // One throwing line, so one group.
  const holdBack = () => w.bot.reportError({ source: 'held twice', error: new Error('held twice') });
  const firstHeld = await holdBack();
  const secondHeld = await holdBack();
  assert.ok(firstHeld.reference, 'the first held-back user has a reference');
  assert.equal(secondHeld.reference, firstHeld.reference, 'one group, one reference, before its event exists');
  await clock.advance(6000);
  await w.bot.reportError({ source: 'after refill', error: new Error('after refill') });
  const released = await receiver.waitForEvent(firstHeld.reference);
  assert.equal(thrown(released)?.value, 'held twice');
});

test('a background occurrence released by an interaction’s error carries none of that interaction’s scope', async () => {
  const clock = new FakeClock(Date.parse('2025-04-01T00:00:00Z'));
  const w = await sentryBot(receiver, {
    sentry: { clock, eventsPerMinute: 20 },
    setup: (bot) => {
      bot.addCommand(
        command({
          name: 'tagged',
          description: 'Tags its scopes, then fails',
          run: () => {
            Sentry.setTag('set_by', 'tagged');
            Sentry.getCurrentScope().setTag('current_of', 'tagged');
            throw new Error('tagged failed');
          },
        }),
      );
    },
  });
  Sentry.getIsolationScope().setTag('deployment', 'green');
  try {
    await w.bot.reportError({ source: 'spend one', error: new Error('spend one') });
    await w.bot.reportError({ source: 'spend two', error: new Error('spend two') });
    const held = await w.bot.reportError({ source: 'background job', error: new Error('background job failed') });
    await clock.advance(6000);
    await w.discord.as(w.alice, w.guild.channel('general')).slash('tagged').response();
    await w.bot.idle();
    const interaction = w.errors.find((e) => e.source === '/tagged');
    const [released, own] = await Promise.all([
      receiver.waitForEvent(held.reference ?? ''),
      receiver.waitForEvent(interaction?.reference ?? ''),
    ]);
    assert.equal(own.tags?.set_by, 'tagged', 'the interaction’s own event has its tags');
    assert.equal(own.tags.current_of, 'tagged');
    assert.equal(released.tags?.set_by, undefined, 'its isolation scope stays its own');
    assert.equal(released.tags?.current_of, undefined, 'its current scope stays its own');
    assert.equal(released.tags?.deployment, 'green', 'the app’s isolation scope, where the job failed, still applies');
    assert.equal(released.user, undefined, 'no user of the interaction');
  } finally {
    Sentry.getIsolationScope().setTag('deployment', undefined);
  }
});

test('a plain error keeps what the handler set: its own discord context and fingerprint; no storm context', async () => {
  const w = await sentryBot(receiver, {
    setup: (bot) => {
      bot.addCommand(
        command({
          name: 'own',
          description: 'Sets its own context and fingerprint, then fails',
          run: () => {
            Sentry.setContext('discord', { cluster: 'eu-1' });
            Sentry.getCurrentScope().setFingerprint(['own-grouping']);
            throw new Error('own failed');
          },
        }),
      );
    },
  });
  await w.discord.as(w.alice, w.guild.channel('general')).slash('own').response();
  await w.bot.idle();
  const event = await receiver.waitForEvent(w.errors.find((e) => e.source === '/own')?.reference ?? '');
  assert.deepEqual(event.contexts?.discord, { cluster: 'eu-1' });
  assert.deepEqual(event.fingerprint, ['own-grouping']);
  assert.equal(event.contexts.storm, undefined, 'nothing was held back before it');
});

test('unloading Sentry while captures wait hands each over once, and the queue’s next turn finds none left', async () => {
  const w = await botAndClient({ eventsPerMinute: Infinity });
  const handed = recordCaptures(w.client, () => {
    busyFor(2);
  });
  const events = await burst(w.bot, 60, 'unloading');
  await nextTurn();
  assert.ok(handed.length > 0 && handed.length < 60, `captures still wait: ${String(handed.length)} of 60 handed over`);
  await w.bot.unloadExtension('sentry');
  // The turn the queue had asked for runs now; a throw there would be an uncaught exception and fail the file.
  await nextTurn();
  const references = events.map((event) => event.reference ?? '');
  assert.deepEqual([...handed].sort(), [...references].sort(), 'each capture once');
  await receiver.waitForEvents(60, { filter: (e) => thrown(e)?.value?.startsWith('unloading ') === true });
});

test('an error still reaching its listeners when Sentry unloads gets no reference from it', async () => {
  const w = await sentryBot(receiver);
  await w.bot.unloadExtension('sentry');
  let letGo: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  let waiting: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (waiting = resolve));
  // Before Sentry's own listener: the event reaches Sentry only after this one is done.
  w.bot.listen('Error', async () => {
    waiting();
    await gate;
  });
  await w.bot.loadExtension(sentry, sentryOptions(receiver));
  const reporting = w.bot.reportError({ source: 'while unloading', error: new Error('while unloading') });
  await reached;
  await w.bot.unloadExtension('sentry');
  letGo();
  const event = await reporting;
  assert.equal(event.reference, undefined, 'no id of an event that will never be sent');
});

test('a reference an earlier listener gave the event stays; Sentry does not take it over', async () => {
  const w = await sentryBot(receiver);
  await w.bot.unloadExtension('sentry');
  w.bot.listen('Error', (event) => {
    event.reference = 'LOCAL-1';
  });
  await w.bot.loadExtension(sentry, sentryOptions(receiver));
  const event = await w.bot.reportError({ source: 'named first', error: new Error('named first') });
  assert.equal(event.reference, 'LOCAL-1');
  await receiver.waitForEvents(1, { filter: (e) => thrown(e)?.value === 'named first' });
});
