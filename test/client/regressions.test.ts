/**
 * Regression tests for defects a review found: a modal whose form does not match its definition, a stop during
 * start, a one-message handler or a concurrency wait begun during stop, a wrapper that skips `next()`, a throwing
 * `errorMessage`, an out-of-range one-message timeout, and a 50013 in a thread. Each drives a real discord.js
 * client inside a Lantern Client against the fake Discord, and fails on the code before its fix.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, ChannelType, ComponentType, InteractionType, PermissionFlagsBits } from 'discord.js';
import type { MessageActionRowComponentBuilder } from 'discord.js';
import { button, Client, command, Events, field, MaxConcurrencyReached, modal, readablePermission } from '../../src/index.js';
import type { ClientOptions, ErrorEvent } from '../../src/index.js';
import { DEFAULT_MESSAGES } from '../../src/client/options.js';
import { DEFAULT_ERROR_MESSAGE } from '../../src/client/error-answer.js';
import { DiscordFaults, FakeClock } from '../../src/testing/index.js';
import type { FakeChannel, FakeDiscord, FakeGuild, FakeUser, InteractionHandle, InteractionResponse } from '../../src/testing/index.js';
import { recordingLogger, startBot, startFake } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';

const MINUTE = 60_000;
/** Node's timers fire at once past this many milliseconds. */
const NODE_TIMER_LIMIT_MS = 2 ** 31 - 1;
/** A stop that waits for a handler nobody releases would hang: such a test fails after this instead. */
const BOUNDED = { timeout: 20_000 };

/** The events a handler's outcome produces, recorded as `<event> <source>` in the order they ran. */
const OUTCOME_EVENTS = [
  Events.CommandCompletion,
  Events.CommandError,
  Events.ComponentCompletion,
  Events.ComponentError,
  Events.ModalCompletion,
  Events.ModalError,
  Events.Error,
] as const;

/**
 * A bot on its own fake, with alice and bob in guild `g`. `setup` runs before start; `act` waits for a handle's
 * first answer and for the bot to finish with it.
 */
async function world(
  options: ClientOptions = {},
  setup: (bot: Client, discord: FakeDiscord, guild: FakeGuild) => unknown = () => undefined,
) {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const bob = discord.addUser({ username: 'bob' });
  const guild = discord.addGuild({ name: 'g', members: [alice, bob] });
  const outcomes: string[] = [];
  const testBot = await startBot(discord, options, async (bot) => {
    for (const name of OUTCOME_EVENTS) {
      bot.listen(name, (event: { readonly source: string }) => {
        outcomes.push(`${name} ${event.source}`);
      });
    }
    await setup(bot, discord, guild);
  });
  const as = (user: FakeUser = alice, channel: FakeChannel = guild.channel('general')) => discord.as(user, channel);
  const act = async (handle: InteractionHandle): Promise<InteractionHandle> => {
    await handle.response();
    await testBot.bot.idle();
    return handle;
  };
  return { discord, alice, bob, guild, as, act, outcomes, ...testBot };
}

function lastAnswer(handle: InteractionHandle): InteractionResponse {
  const last = handle.responses.at(-1);
  assert.ok(last, 'the user got no answer at all');
  return last;
}

/** A promise the test resolves when it chooses: holds a handler or a check at a point. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

function buttonRow(customId: string) {
  return new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
    new ButtonBuilder().setCustomId(customId).setLabel(customId).setStyle(ButtonStyle.Secondary),
  );
}

// ---- 1. a modal whose form does not match its definition ----

test(
  'a modal submission whose field is not the text input the definition names: ' +
    'ModalError and Error "modal ask", and the user gets the error answer',
  async () => {
    let ran = 0;
    const ask = modal({
      customId: 'ask',
      title: 'Ask',
      fields: { topic: field.short({ label: 'Topic' }) },
      run: () => {
        ran += 1;
      },
    });
    const w = await world({ sendCommandTracebacks: false }, (bot) => bot.addModal(ask));
    // A form another version of the bot showed: `topic` comes back as a select menu, not a text input.
    const submitted = w.as().interact(InteractionType.ModalSubmit, {
      custom_id: 'ask',
      components: [
        { type: ComponentType.ActionRow, components: [{ type: ComponentType.StringSelect, custom_id: 'topic', values: ['billing'] }] },
      ],
    });
    const answer = lastAnswer(await w.act(submitted));
    assert.equal(answer.ephemeral, true);
    assert.equal(answer.message?.content, DEFAULT_ERROR_MESSAGE);
    assert.equal(ran, 0, 'the handler never ran on fields it could not read');
    assert.deepEqual(w.outcomes, ['ModalError modal ask', 'Error modal ask']);
    assert.match(w.errors[0]?.error.message ?? '', /topic/, 'the error names the field');
    assert.equal(w.errors[0]?.ctx?.kind, 'modal');
  },
);

// ---- 2. stop() during start() ----

test('stop() called while start() is in progress waits for it, then stops: a task added before start never runs', BOUNDED, async () => {
  const discord = await startFake();
  const clock = new FakeClock();
  const { logger } = recordingLogger();
  const bot = new Client({ token: discord.token, clock, logger, handleProcessErrors: false, discord: { rest: discord.rest } });
  const errors: ErrorEvent[] = [];
  bot.listen(Events.Error, (event) => {
    errors.push(event);
  });
  const digest = bot.task({ name: 'digest', every: MINUTE, run: () => undefined });
  try {
    const starting = bot.start();
    const stopping = bot.stop();
    await Promise.all([starting, stopping]);
    assert.equal(digest.running, false);
    assert.equal(bot.discord.isReady(), false, 'the gateway is closed');
    await clock.advance(10 * MINUTE);
    assert.equal(digest.iterations, 0);
    assert.equal(clock.pendingTimers, 0);
    assert.deepEqual(errors, []);
  } finally {
    // Before the fake stops: a bot whose gateway drops would start reconnecting and keep the process alive.
    await bot.stop();
  }
});

// ---- 3. a one-message handler added by a handler still running during stop ----

test(
  'a handler still running during stop() that adds a one-message handler leaves no timer behind, and does not fail',
  BOUNDED,
  async () => {
    const clock = new FakeClock();
    const started = gate();
    const proceed = gate();
    const confirm = button({ customId: 'confirm', run: (ctx) => ctx.reply('confirmed') });
    const w = await world({ clock }, (bot) => {
      bot.addCommand(
        command({
          name: 'ask',
          description: 'Asks for a confirmation',
          run: async (ctx) => {
            started.open();
            await proceed.opened;
            await ctx.reply({ content: 'Sure?', components: [buttonRow('confirm')] });
            ctx.bot.addComponent(confirm, { message: await ctx.interaction.fetchReply(), timeoutMs: MINUTE });
          },
        }),
      );
    });
    const handle = w.as().slash('ask');
    await started.opened;
    const stopping = w.bot.stop();
    proceed.open();
    await stopping;
    assert.equal(handle.message?.content, 'Sure?', 'the running handler was waited for');
    assert.equal(clock.pendingTimers, 0, 'no one-message timeout outlives the bot');
    assert.deepEqual(w.outcomes, ['CommandCompletion /ask']);
    assert.deepEqual(w.errors, []);
  },
);

// ---- 4. a run that reaches its concurrency slot after stop began ----

test(
  'max concurrency wait: a run whose check lets it through only after stop() began is refused as busy, and its handler never runs',
  BOUNDED,
  async () => {
    const log: string[] = [];
    const alicesRun = gate();
    const bobsCheck = gate();
    let bobChecking = false;
    const w = await world({}, (bot) => {
      bot.addCommand(
        command({
          name: 'job',
          description: 'A long job',
          maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait' },
          checks: [
            async function slowForBob(ctx) {
              if (ctx.user.username !== 'bob') return true;
              bobChecking = true;
              await bobsCheck.opened;
              return true;
            },
          ],
          run: async (ctx) => {
            const name = ctx.user.username;
            log.push(`start ${name}`);
            if (name === 'alice') await alicesRun.opened;
            await ctx.send(`done for ${name}`);
            log.push(`end ${name}`);
          },
        }),
      );
    });
    const alices = w.as().slash('job');
    await waitUntil(() => log.includes('start alice'));
    const bobs = w.as(w.bob).slash('job');
    await waitUntil(() => bobChecking);

    const stopping = w.bot.stop();
    let answer: InteractionResponse;
    try {
      bobsCheck.open();
      answer = await bobs.response();
    } finally {
      // Whatever bob got, alice's run ends and the stop completes, so no bot outlives its fake.
      alicesRun.open();
      await stopping;
    }
    assert.equal(answer.kind, 'reply', 'refused at once, not queued behind a defer');
    assert.equal(answer.ephemeral, true);
    assert.equal(answer.message?.content, 'Too many people are using this right now. Try again in a moment.');
    assert.equal(alices.message?.content, 'done for alice');
    assert.deepEqual(log, ['start alice', 'end alice'], 'bob’s handler never ran');
    const refusal = w.errors.find((e) => e.source === '/job');
    assert.ok(refusal?.error instanceof MaxConcurrencyReached);
    assert.deepEqual([refusal.error.timedOut, refusal.expected], [true, true]);
  },
);

// ---- 5. a wrapper that returns without calling next() ----

test(
  'an aroundInteraction wrapper that returns without calling next() is an ' +
    'Error "interaction wrapper (forgetful)"; the handler still runs and answers',
  async () => {
    const w = await world({}, (bot) => {
      bot.aroundInteraction(function forgetful() {
        return Promise.resolve();
      });
      bot.addCommand(command({ name: 'ping', description: 'Ping', run: (ctx) => ctx.reply('pong') }));
    });
    const handle = await w.act(w.as().slash('ping'));
    assert.equal(lastAnswer(handle).message?.content, 'pong');
    assert.deepEqual(w.outcomes, ['Error interaction wrapper (forgetful)', 'CommandCompletion /ping']);
    const [error] = w.errors;
    assert.match(error?.error.message ?? '', /next\(\)/);
    assert.equal(error?.ctx?.user.id, w.alice.id);
  },
);

// ---- 6. an errorMessage function that throws ----

test('an errorMessage function that throws is an Error "errorMessage"; the user still gets the default text', async () => {
  const w = await world(
    {
      sendCommandTracebacks: false,
      errorMessage: () => {
        throw new TypeError('the message template is broken');
      },
    },
    (bot) => {
      bot.addCommand(
        command({
          name: 'boom',
          description: 'Fails',
          run: () => {
            throw new RangeError('boom failed');
          },
        }),
      );
    },
  );
  const answer = lastAnswer(await w.act(w.as().slash('boom')));
  assert.equal(answer.ephemeral, true);
  assert.equal(answer.message?.content, DEFAULT_ERROR_MESSAGE);
  assert.deepEqual(answer.message.embeds, [], 'tracebacks are off');
  assert.deepEqual(
    w.errors.map((e) => [e.source, e.error.message]),
    [
      ['/boom', 'boom failed'],
      ['errorMessage', 'the message template is broken'],
    ],
  );
  assert.equal(w.errors[1]?.ctx?.user.id, w.alice.id);
});

// ---- 9. one-message timeouts Node's timers cannot hold ----

test(
  'a one-message handler with a timeout over Node’s timer limit, ' +
    'Infinity, 0 or -1 throws a RangeError naming the limit and is not added',
  async () => {
    const clock = new FakeClock();
    const vote = button({ customId: 'vote', run: (ctx) => ctx.reply('voted') });
    const w = await world({ clock }, (bot) => {
      bot.addCommand(
        command({
          name: 'panel',
          description: 'Posts a button',
          run: (ctx) => ctx.reply({ content: 'panel', components: [buttonRow('vote')] }),
        }),
      );
    });
    const message = (await w.act(w.as().slash('panel'))).message;
    assert.ok(message);
    for (const timeoutMs of [30 * 24 * 3600 * 1000, Infinity, 0, -1]) {
      assert.throws(
        () => w.bot.addComponent(vote, { message, timeoutMs }),
        (error: unknown) => error instanceof RangeError && error.message.includes(String(NODE_TIMER_LIMIT_MS)),
        `timeoutMs ${String(timeoutMs)}`,
      );
    }
    assert.equal(clock.pendingTimers, 0);
    const click = await w.act(w.as(w.bob).click(message, 'vote'));
    assert.equal(lastAnswer(click).message?.content, DEFAULT_MESSAGES.unknownComponent, 'no handler was added');

    w.bot.addComponent(vote, { message, timeoutMs: NODE_TIMER_LIMIT_MS });
    assert.equal(lastAnswer(await w.act(w.as(w.bob).click(message, 'vote'))).message?.content, 'voted', 'the limit itself is accepted');
  },
);

// ---- 10. Missing Permissions in a thread ----

// The fake checks Send Messages for a post in a thread and reads the thread's own overwrites, so it would not refuse
// this one: the 50013 is injected, and discord.js reads the bot's permissions from the parent channel, as Discord does.
test('a 50013 on a post in a thread names Send Messages in Threads, the permission threads need, not Send Messages', async () => {
  let thread: FakeChannel | undefined;
  const w = await world({ sendCommandTracebacks: false }, (bot, discord, guild) => {
    const support = guild.addChannel({
      name: 'support',
      permissionOverwrites: [{ target: discord.botUser, deny: PermissionFlagsBits.SendMessagesInThreads }],
    });
    thread = guild.addChannel({ name: 'help-thread', type: ChannelType.PublicThread, parent: support });
    bot.addCommand(
      command({
        name: 'note',
        description: 'Posts a note here',
        run: async (ctx) => {
          await ctx.defer({ ephemeral: true });
          const channel = ctx.channel;
          if (!channel?.isSendable()) throw new Error('not a channel the bot can post in');
          await channel.send('a note');
          await ctx.send({ content: 'Posted.', ephemeral: true });
        },
      }),
    );
  });
  assert.ok(thread);
  assert.equal(w.bot.discord.channels.cache.get(thread.id)?.isThread(), true, 'discord.js knows the channel as a thread');
  w.discord.failNext({ method: 'POST', route: `/channels/${thread.id}/messages`, ...DiscordFaults.missingPermissions() });
  await w.act(w.as(w.alice, thread).slash('note'));
  await w.bot.idle();
  const line = w.logged.find((l) => l.level === 'error' && l.message.startsWith('Error in /note'));
  assert.ok(line, `an error line was logged: ${JSON.stringify(w.logged)}`);
  const permission = readablePermission('SendMessagesInThreads');
  assert.ok(
    line.message.includes(
      `Discord refused POST /channels/${thread.id}/messages: the bot lacks ${permission} in #help-thread (${thread.id})`,
    ),
    line.message,
  );
});
