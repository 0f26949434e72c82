/**
 * Regression tests for `lantern/ext/sentry` defects a review found: failures of timers an interaction merely
 * scheduled (a task, a one-message timeout, the command sync) were captured as that interaction's, with its user;
 * with `tunnel` set the envelope's DSN, which the tunnel forwards with, was redacted; the SDK built and filtered
 * each event inside the `Error` listener, before the user's answer (found by `npm run bench`). A Lantern bot on the fake
 * Discord, the real @sentry/node, and a Sentry receiver; each test fails on the code before its fix.
 */
import assert from 'node:assert/strict';
import { AsyncResource } from 'node:async_hooks';
import { test } from 'node:test';
import { defaultStackParser } from '@sentry/node';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import { button, command } from '../../../src/index.js';
import type { Clock, ErrorEvent, Task } from '../../../src/index.js';
import { DiscordFaults, FakeClock } from '../../../src/testing/index.js';
import type { ReceivedEvent } from '../../../src/testing/index.js';
import { waitUntil } from '../../support/resources.js';
import { sentryBot, startReceiver, thrown } from '../../fixtures/sentry-support.js';

const MINUTE = 60_000;
const receiver = await startReceiver();

/**
 * A FakeClock whose timers run in the async context they were set in, as Node's own timers do (a bare FakeClock
 * runs them in whoever advances it): a timer set while an interaction is handled fires inside it unless the bot
 * detaches it, as in production.
 */
function nodeLikeClock(fake: FakeClock): Clock {
  return {
    now: () => fake.now(),
    setTimeout: (callback, delayMs) => fake.setTimeout(AsyncResource.bind(callback), delayMs),
    clearTimeout: (timer) => {
      fake.clearTimeout(timer);
    },
  };
}

/** The Sentry event captured for the latest `Error` event with this source. */
async function capturedFor(errors: readonly ErrorEvent[], source: string): Promise<ReceivedEvent> {
  await waitUntil(() => errors.some((e) => e.source === source));
  const reference = errors.findLast((e) => e.source === source)?.reference;
  assert.ok(reference, `the Error event from ${source} has no Sentry reference`);
  return receiver.waitForEvent(reference);
}

/** Nothing of an interaction: no user, no interaction context or tags, none of its breadcrumbs. */
function assertOutsideInteractions(event: ReceivedEvent): void {
  assert.equal(event.user, undefined, 'no user from the interaction that scheduled it');
  assert.equal(event.contexts?.interaction, undefined);
  assert.equal(event.tags?.interaction_type, undefined);
  assert.equal(event.tags?.command, undefined);
  assert.ok(!(event.breadcrumbs ?? []).some((b) => b.category === 'interaction'), 'no breadcrumb of the interaction');
}

// ---- timers an interaction scheduled fail outside it ----

const clock = new FakeClock(Date.parse('2025-03-01T00:00:00Z'));
/** The tasks `/remind` and `/warm` added, by name, so each test can stop its own. */
const added = new Map<string, Task>();
const failOnce =
  (name: string) =>
  ({ iteration }: { iteration: number }) => {
    if (iteration === 1) throw new Error(`${name} failed`);
  };
const main = await sentryBot(receiver, {
  client: { clock: nodeLikeClock(clock) },
  setup: (bot) => {
    bot.addCommand(
      command({
        name: 'remind',
        description: 'Starts a reminder every minute',
        run: async (ctx) => {
          added.set('reminder', ctx.bot.task({ name: 'reminder', every: MINUTE, run: failOnce('reminder') }));
          await ctx.reply('scheduled');
        },
      }),
      command({
        name: 'warm',
        description: 'Warms the cache now, then every minute',
        run: async (ctx) => {
          added.set('warmup', ctx.bot.task({ name: 'warmup', every: MINUTE, runOnStart: true, run: failOnce('warmup') }));
          await ctx.reply('warming');
        },
      }),
      command({
        name: 'poll',
        description: 'Starts a poll',
        run: async (ctx) => {
          await ctx.reply({
            content: 'Poll',
            components: [
              new ActionRowBuilder<ButtonBuilder>().addComponents(
                new ButtonBuilder().setCustomId('vote').setLabel('Vote').setStyle(ButtonStyle.Primary),
              ),
            ],
          });
          ctx.bot.addComponent(button({ customId: 'vote', run: (click) => click.reply('voted') }), {
            message: await ctx.interaction.fetchReply(),
            timeoutMs: MINUTE,
            onTimeout: () => {
              throw new Error('could not close the poll');
            },
          });
        },
      }),
      command({
        name: 'extend',
        description: 'Adds a command',
        run: async (ctx) => {
          ctx.bot.addCommand(command({ name: 'extra', description: 'Added later', run: (extra) => extra.reply('extra') }));
          await ctx.reply('extended');
        },
      }),
    );
  },
});
const general = main.guild.channel('general');

/** alice runs `/name`, which answers `answer`; resolves once the bot is done with it. */
async function run(name: string, answer: string): Promise<void> {
  const handle = main.discord.as(main.alice, general).slash(name);
  assert.equal((await handle.response()).message?.content, answer);
  await main.bot.idle();
}

test(
  'a task a slash command adds fails on the clock later: its event ' + 'has the task’s tags, and no user or interaction of that command',
  async () => {
    await run('remind', 'scheduled');
    await clock.advance(MINUTE);
    await main.bot.idle();
    const event = await capturedFor(main.errors, 'task reminder');
    assert.equal(thrown(event)?.value, 'reminder failed');
    assert.equal(event.tags?.task, 'reminder');
    assert.equal(event.tags.iteration, '1');
    assert.deepEqual(event.contexts?.task, { name: 'reminder', iteration: 1 });
    assertOutsideInteractions(event);
    added.get('reminder')?.stop();
  },
);

test(
  'a runOnStart task a slash command adds fails at once, inside the handling of the command: ' +
    'no user or interaction of that command either',
  async () => {
    // Its first iteration runs as /warm adds it, before /warm answers.
    await run('warm', 'warming');
    const event = await capturedFor(main.errors, 'task warmup');
    assert.equal(thrown(event)?.value, 'warmup failed');
    assert.equal(event.tags?.task, 'warmup');
    assert.equal(event.tags.iteration, '1');
    assertOutsideInteractions(event);
    added.get('warmup')?.stop();
  },
);

test('a one-message handler’s onTimeout that fails, added by a slash command: the timeout fires outside the command', async () => {
  await run('poll', 'Poll');
  await clock.advance(MINUTE);
  await main.bot.idle();
  const event = await capturedFor(main.errors, 'button vote onTimeout');
  assert.equal(thrown(event)?.value, 'could not close the poll');
  assertOutsideInteractions(event);
});

test('a command sync a slash command sets off (after its debounce) fails outside the command', async () => {
  main.discord.failNext({ method: 'PUT', route: '/applications/:id/commands', ...DiscordFaults.missingAccess() });
  await run('extend', 'extended');
  const event = await capturedFor(main.errors, 'command sync');
  assert.equal(event.tags?.discord_code, '50001');
  assertOutsideInteractions(event);
});

// ---- tunnel ----

test(
  'with `tunnel`, the envelope header keeps the real DSN for the ' + 'tunnel to forward with; the DSN is redacted everywhere else',
  async () => {
    const dsn = new URL(receiver.dsn);
    // The receiver's own envelope endpoint, as a developer's tunnel would forward to it.
    const tunnel = `http://${dsn.host}/api${dsn.pathname}/envelope/?sentry_key=${dsn.username}`;
    const w = await sentryBot(receiver, {
      sentry: { tunnel },
      setup: (bot) => {
        bot.addCommand(
          command({
            name: 'report',
            description: 'Reports',
            run: () => {
              throw new Error(`could not reach ${receiver.dsn}`);
            },
          }),
        );
      },
    });
    await w.discord.as(w.alice, w.guild.channel('general')).slash('report').response();
    await w.bot.idle();
    const event = await capturedFor(w.errors, '/report');
    const envelope = receiver.envelopes.find((e) => e.header.event_id === event.event_id);
    assert.ok(envelope, 'the event came through the tunnel');
    assert.equal(envelope.header.dsn, receiver.dsn);
    assert.equal(envelope.raw.split(receiver.dsn).length - 1, 1, 'the DSN appears once: in the header');
    assert.ok(!(thrown(event)?.value ?? '').includes(dsn.host), `the error message is redacted: ${String(thrown(event)?.value)}`);
  },
);

// ---- capture off the user's path ----

test(
  'the event is built after the Error listeners return: the user’s answer ' +
    'does not wait for the SDK, and the reference still names the event',
  async () => {
    // Parsing the stack is the first thing the SDK does to build an event from an error.
    let parsed = 0;
    let builtOnTheErrorPath: boolean | undefined;
    const w = await sentryBot(receiver, {
      sentry: {
        stackParser: (stack, skipFirstLines, framesToPop) => {
          parsed++;
          return defaultStackParser(stack, skipFirstLines, framesToPop);
        },
      },
      setup: (bot) => {
        bot.addCommand(
          command({
            name: 'slow',
            description: 'Fails',
            run: () => {
              throw new Error('lookup failed');
            },
          }),
        );
        // Registered after Sentry's listener: runs right after it, on the error's path, before the user's answer.
        bot.listen('Error', (event) => {
          if (event.source === '/slow') builtOnTheErrorPath = parsed > 0;
        });
      },
    });
    const handle = w.discord.as(w.alice, w.guild.channel('general')).slash('slow');
    assert.equal((await handle.response()).ephemeral, true);
    await w.bot.idle();
    assert.equal(builtOnTheErrorPath, false, 'the SDK built the event inside the Error listener');
    const event = await capturedFor(w.errors, '/slow');
    assert.equal(thrown(event)?.value, 'lookup failed');
    assert.ok(parsed > 0, 'the event was built, later');
  },
);

test('a burst of distinct errors in one turn loses none: each gets a reference, and each of those events arrives', async () => {
  const w = await sentryBot(receiver);
  receiver.clear();
  // 150 distinct failures in one turn of the event loop (distinct sources: storm control does not merge them).
  const reports = Array.from({ length: 150 }, (_, i) =>
    w.bot.reportError({ source: `burst ${String(i)}`, error: new Error(`failure ${String(i)}`) }),
  );
  const events = await Promise.all(reports);
  const references = events.map((e) => e.reference);
  assert.equal(new Set(references).size, 150);
  for (const reference of references) assert.match(reference ?? '', /^[0-9a-f]{32}$/);
  const arrived = await receiver.waitForEvents(150, {
    filter: (e) => thrown(e)?.value?.startsWith('failure ') === true,
    timeoutMs: 20_000,
  });
  assert.deepEqual(new Set(arrived.map((e) => e.event_id)), new Set(references));
  assert.equal(w.logged.filter((l) => l.level === 'warn' && /not sent|dropped/.test(l.message)).length, 0);
});
