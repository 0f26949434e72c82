/**
 * `lantern/ext/sentry` end to end: a Lantern bot on the fake Discord, the real @sentry/node, and a Sentry receiver
 * in a child process. Every assertion is on what the receiver decoded, matched by the event id the bot gave the
 * user (or put on the `Error` event).
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { test } from 'node:test';
import * as Sentry from '@sentry/node';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, StringSelectMenuBuilder, WebhookClient } from 'discord.js';
import type { APIMessage } from 'discord.js';
import {
  button,
  command,
  defineExtension,
  Events,
  field,
  messageCommand,
  modal,
  option,
  selectMenu,
  subcommand,
  userCommand,
} from '../../../src/index.js';
import type { ErrorEvent } from '../../../src/index.js';
import { DiscordFaults, FakeClock } from '../../../src/testing/index.js';
import type { FakeUser, InteractionHandle, ReceivedEvent } from '../../../src/testing/index.js';
import { startBot, startFake } from '../../support/bot.js';
import { waitUntil } from '../../support/resources.js';
import { ENVIRONMENT, RELEASE, sentryBot, sentryOptions, startReceiver, thrown } from '../../fixtures/sentry-support.js';
import sentry from '../../../src/ext/sentry/index.js';

const MINUTE = 60_000;
const receiver = await startReceiver();

/** The Sentry event the bot captured for the `Error` event with this source (the latest one). */
async function eventFor(errors: readonly ErrorEvent[], source: string): Promise<{ error: ErrorEvent; event: ReceivedEvent }> {
  await waitUntil(() => errors.some((e) => e.source === source));
  const error = errors.findLast((e) => e.source === source);
  assert.ok(error?.reference, `the Error event from ${source} has no Sentry reference`);
  return { error, event: await receiver.waitForEvent(error.reference) };
}

/** Runs `print` without its output reaching the test report (console calls still become Sentry breadcrumbs). */
function quietly(print: () => void): void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    print();
  } finally {
    process.stdout.write = write;
  }
}

/** Each breadcrumb as one line: its category, then a request's method, route and status, or its message (but an interaction's). */
function breadcrumbLines(event: ReceivedEvent): string[] {
  return (event.breadcrumbs ?? []).map((b) => {
    const request = b.data as { method?: string; url?: string; status_code?: number } | undefined;
    if (request?.url !== undefined) return `${String(b.category)} ${String(request.method)} ${request.url} ${String(request.status_code)}`;
    return b.category === 'interaction' || typeof b.message !== 'string' ? String(b.category) : `${String(b.category)} ${b.message}`;
  });
}

// ---- one bot with a handler of every kind ----

const clock = new FakeClock(Date.parse('2025-03-01T00:00:00Z'));
const remove = button({
  customId: 'delete:{id}',
  run: (ctx) => {
    throw new Error(`cannot delete ${ctx.params.id}`);
  },
});
const flavour = selectMenu({
  customId: 'flavour',
  run: (ctx) => {
    throw new Error(`out of ${ctx.values.join(', ')}`);
  },
});
const feedback = modal({
  customId: 'feedback',
  title: 'Feedback',
  fields: { text: field.paragraph({ label: 'What happened?' }) },
  run: () => {
    throw new Error('feedback store is down');
  },
});
const commands = [
  command({
    name: 'admin',
    description: 'Admin',
    subcommands: {
      ban: subcommand({
        description: 'Ban',
        options: { who: option.user({ description: 'Who', required: true }), reason: option.string({ description: 'Why' }) },
        run: async (ctx) => {
          await ctx.defer({ ephemeral: true });
          await ctx.followUp({ content: `banning ${ctx.options.who.username}`, ephemeral: true });
          throw new TypeError(`cannot ban ${ctx.options.who.username}`);
        },
      }),
    },
  }),
  command({
    name: 'panel',
    description: 'Panel',
    run: (ctx) =>
      ctx.reply({
        content: 'panel',
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder()
              .setCustomId(remove.id({ id: '42' }))
              .setLabel('Delete')
              .setStyle(ButtonStyle.Danger),
          ),
          new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
            new StringSelectMenuBuilder()
              .setCustomId('flavour')
              .addOptions({ label: 'Mint', value: 'mint' }, { label: 'Lemon', value: 'lemon' }),
          ),
        ],
      }),
  }),
  command({ name: 'feedback', description: 'Feedback', run: (ctx) => ctx.showModal(feedback.build()) }),
  command({
    name: 'search',
    description: 'Search',
    options: {
      query: option.string({
        description: 'Query',
        required: true,
        autocomplete: () => {
          throw new Error('search index is down');
        },
      }),
    },
    run: (ctx) => ctx.reply('found'),
  }),
  command({ name: 'ping', description: 'Ping', run: (ctx) => ctx.reply('pong') }),
  command({
    name: 'limited',
    description: 'Once a minute',
    cooldown: { bucket: 'user', uses: 1, windowMs: MINUTE },
    run: (ctx) => ctx.reply('done'),
  }),
  userCommand({
    name: 'Report',
    run: (ctx) => {
      throw new Error(`cannot report ${ctx.targetUser.username}`);
    },
  }),
  messageCommand({
    name: 'Quote',
    run: (ctx) => {
      throw new Error(`cannot quote ${ctx.targetMessage.id}`);
    },
  }),
];
const fragile = defineExtension({
  name: 'fragile',
  setup() {
    throw new Error('fragile setup failed');
  },
});

const main = await sentryBot(receiver, {
  client: { clock },
  setup: async (bot) => {
    bot.addCommand(...commands);
    bot.addComponent(remove);
    bot.addComponent(flavour);
    bot.addModal(feedback);
    bot.listen(Events.CommandCompletion, ({ command: path }) => {
      if (path === '/ping') throw new Error('completion listener failed');
    });
    bot.listen('guildCreate', (guild) => {
      throw new Error(`guildCreate listener failed for ${guild.name}`);
    });
    bot.task({
      name: 'digest',
      every: MINUTE,
      run: () => {
        throw new Error('digest failed');
      },
    });
    // Loaded after Sentry: its failure must reach Sentry.
    await bot.loadExtension(fragile).catch(() => undefined);
  },
});
const general = main.guild.channel('general');
const as = (user: FakeUser) => main.discord.as(user, general);

async function finished(handle: InteractionHandle): Promise<void> {
  await handle.response();
  await main.bot.idle();
}

let panel: APIMessage | undefined;
async function panelMessage(): Promise<APIMessage> {
  if (!panel) {
    const handle = as(main.alice).slash('panel');
    panel = (await handle.response('reply')).message ?? undefined;
    assert.ok(panel);
  }
  return panel;
}

test(
  'a failing slash command: one event with every tag, the user, the interaction ' +
    "and bot contexts, what the bot did, and its id in the user's answer",
  async () => {
    // Its follow-up meets a rate limit first: that is part of what the bot did.
    main.discord.failNext({ route: '/webhooks/:id/:token', ...DiscordFaults.rateLimited(0.05) });
    const handle = as(main.alice).slash('admin ban', { who: main.bob, reason: 'spam' });
    await finished(handle);
    const { error, event } = await eventFor(main.errors, '/admin ban');

    const answer = handle.responses.at(-1);
    assert.ok(answer?.ephemeral);
    assert.match(answer.message?.content ?? '', new RegExp(`Error reference: \`${String(error.reference)}\``));

    assert.equal(event.event_id, error.reference);
    assert.equal(thrown(event)?.type, 'TypeError');
    assert.equal(thrown(event)?.value, 'cannot ban bob');
    assert.deepEqual(thrown(event)?.mechanism, { type: 'lantern', handled: true });
    assert.equal(event.release, RELEASE);
    assert.equal(event.environment, ENVIRONMENT);
    assert.deepEqual(event.tags, {
      source: '/admin ban',
      command: '/admin ban',
      interaction_type: 'slash',
      guild_id: main.guild.id,
      channel_id: general.id,
      shard_id: '0',
      locale: 'fr',
      bot_name: 'lantern-bot',
    });
    assert.deepEqual(event.user, { id: main.alice.id, username: 'alice' });
    const interaction = event.contexts?.interaction;
    assert.equal(interaction?.interaction_type, 'slash');
    assert.equal(interaction.type, undefined, 'a type field would be read as the type of the context');
    assert.equal(interaction.command, '/admin ban');
    assert.equal(interaction.source, '/admin ban');
    assert.deepEqual(interaction.options, { who: main.bob.id, reason: 'spam' });
    assert.equal(interaction.acknowledged, true);
    assert.equal(interaction.locale, 'fr');
    const bot = event.contexts?.bot;
    assert.equal(bot?.name, 'lantern-bot');
    assert.equal(bot.id, main.bot.discord.user?.id);
    assert.deepEqual(bot.intents, ['Guilds']);
    assert.equal(bot.shard_count, 1);
    // What the bot did in this interaction, and nothing of any other.
    // discord.js reports the time left of the 50 ms limit when it reads it: 50 or less on a busy machine.
    // Its wait loops while the bucket is not yet reset, and a timer can end a millisecond before Date.now() reaches
    // the reset: then it announces the same wait again, for 0 or 1 ms. Such a repeat is one wait.
    const lines = breadcrumbLines(event)
      .map((line) => line.replace(/ for ([1-4]?\d|50) ms$/, ' for ~50 ms'))
      .filter((line, index, all) => !(line.startsWith('discord.rest rate limited') && line === all[index - 1]));
    assert.deepEqual(lines, [
      'interaction',
      'discord.rest POST /interactions/:id/:token/callback 204',
      'discord.rest POST /webhooks/:id/:token 429',
      'discord.rest rate limited: POST /webhooks/:id/:token for ~50 ms',
      'discord.rest POST /webhooks/:id/:token 200',
    ]);
    assert.deepEqual(event.breadcrumbs?.[0]?.data, { id: interaction.id, guild_id: main.guild.id, channel_id: general.id });
  },
);

test('user and message commands carry their command path, kind and target', async () => {
  await finished(as(main.alice).userCommand('Report', main.bob));
  const report = await eventFor(main.errors, 'user command Report');
  assert.equal(report.event.tags?.command, 'user command Report');
  assert.equal(report.event.tags.interaction_type, 'userCommand');
  assert.equal(report.event.contexts?.interaction?.target_id, main.bob.id);
  assert.deepEqual(report.event.user, { id: main.alice.id, username: 'alice' });

  const message = await panelMessage();
  await finished(as(main.bob).messageCommand('Quote', message));
  const quote = await eventFor(main.errors, 'message command Quote');
  assert.equal(quote.event.tags?.command, 'message command Quote');
  assert.equal(quote.event.tags.interaction_type, 'messageCommand');
  assert.equal(quote.event.tags.locale, 'de');
  assert.equal(quote.event.contexts?.interaction?.target_id, message.id);
  assert.deepEqual(quote.event.user, { id: main.bob.id, username: 'bob' });
});

test('buttons and select menus carry their custom id, component type and picked values', async () => {
  const message = await panelMessage();
  await finished(as(main.bob).click(message, 'delete:42'));
  const click = await eventFor(main.errors, 'button delete:{id}');
  assert.equal(thrown(click.event)?.value, 'cannot delete 42');
  assert.equal(click.event.tags?.interaction_type, 'button');
  assert.equal(click.event.tags.command, undefined);
  assert.equal(click.event.contexts?.interaction?.custom_id, 'delete:42');
  assert.equal(click.event.contexts.interaction.component_type, 'Button');
  assert.equal(click.event.contexts.interaction.message_id, message.id);
  assert.deepEqual(click.event.user, { id: main.bob.id, username: 'bob' });

  await finished(as(main.alice).select(message, 'flavour', ['mint']));
  const pick = await eventFor(main.errors, 'select flavour');
  assert.equal(pick.event.tags?.interaction_type, 'select');
  assert.equal(pick.event.contexts?.interaction?.custom_id, 'flavour');
  assert.deepEqual(pick.event.contexts.interaction.values, ['mint']);
});

test('a modal submission carries its custom id and the fields the user typed', async () => {
  const opened = as(main.alice).slash('feedback');
  await opened.response('showModal');
  await finished(as(main.alice).submitModal(opened, { text: 'it broke again' }));
  const { event } = await eventFor(main.errors, 'modal feedback');
  assert.equal(thrown(event)?.value, 'feedback store is down');
  assert.equal(event.tags?.interaction_type, 'modal');
  assert.equal(event.contexts?.interaction?.custom_id, 'feedback');
  assert.deepEqual(event.contexts.interaction.fields, { text: 'it broke again' });
});

test('autocomplete carries the command, the options typed so far and the focused one', async () => {
  const handle = as(main.bob).autocomplete('search', { query: 'ap' }, 'query');
  assert.deepEqual((await handle.response('autocomplete')).choices, []);
  await main.bot.idle();
  const { event } = await eventFor(main.errors, 'autocomplete /search query');
  assert.equal(event.tags?.interaction_type, 'autocomplete');
  assert.equal(event.tags.command, '/search');
  assert.deepEqual(event.contexts?.interaction?.options, { query: 'ap' });
  assert.equal(event.contexts.interaction.focused, 'query');
  assert.deepEqual(event.user, { id: main.bob.id, username: 'bob' });
});

test('listeners: one that fails during an interaction carries it; one that fails on a gateway event carries the bot only', async () => {
  await finished(as(main.bob).slash('ping'));
  const during = await eventFor(main.errors, 'listener CommandCompletion');
  assert.equal(thrown(during.event)?.value, 'completion listener failed');
  assert.equal(during.event.tags?.command, '/ping');
  assert.deepEqual(during.event.user, { id: main.bob.id, username: 'bob' });
  assert.equal(breadcrumbLines(during.event)[0], 'interaction');

  main.discord.addGuild({ name: 'newcomers', members: [main.alice] });
  const outside = await eventFor(main.errors, 'listener guildCreate');
  assert.equal(thrown(outside.event)?.value, 'guildCreate listener failed for newcomers');
  assert.deepEqual(outside.event.tags, { source: 'listener guildCreate', shard_id: '0', bot_name: 'lantern-bot' });
  assert.equal(outside.event.user, undefined);
  assert.equal(outside.event.contexts?.interaction, undefined);
  assert.equal(outside.event.contexts?.bot?.name, 'lantern-bot');
  // What the bot did lately, outside any interaction: its gateway and its requests, none of an interaction's.
  const lately = breadcrumbLines(outside.event);
  assert.ok(lately.includes('discord.gateway shard 0 ready'), lately.join(', '));
  assert.ok(!lately.includes('interaction'));
});

test('tasks: the task name and iteration as tags and context', async () => {
  await clock.advance(2 * MINUTE);
  await main.bot.idle();
  await waitUntil(() => main.errors.filter((e) => e.source === 'task digest').length === 2);
  const { event } = await eventFor(main.errors, 'task digest');
  assert.equal(thrown(event)?.value, 'digest failed');
  assert.equal(event.tags?.task, 'digest');
  assert.equal(event.tags.iteration, '2');
  assert.deepEqual(event.contexts?.task, { name: 'digest', iteration: 2 });
  assert.equal(event.user, undefined);
});

test('an extension loaded after Sentry that fails to set up is captured, with its name and its cause', async () => {
  const { event } = await eventFor(main.errors, 'extension fragile');
  assert.equal(event.tags?.extension, 'fragile');
  assert.equal(event.tags.source, 'extension fragile');
  // Before login the bot has no name yet.
  assert.equal(event.tags.bot_name, undefined);
  assert.deepEqual(
    event.exception?.values?.map((v) => `${String(v.type)}: ${String(v.value)}`),
    ['Error: fragile setup failed', 'ExtensionLoadError: Extension fragile: setup threw'],
  );
});

test("a failed command sync: grouped by Discord code and route, tagged as Discord's refusal, with the requests before it", async () => {
  main.discord.failNext({
    method: 'PUT',
    route: '/applications/:id/commands',
    status: 400,
    body: {
      code: 50035,
      message: 'Invalid Form Body',
      errors: { 0: { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 32 in length.' }] } } },
    },
  });
  main.bot.addCommand(command({ name: 'later', description: 'Added while running', run: (ctx) => ctx.reply('later') }));
  const result = await main.bot.syncCommands();
  assert.equal(result.failed.length, 1);
  const { event } = await eventFor(main.errors, 'command sync');
  assert.deepEqual(event.fingerprint, ['CommandSyncError', 'discord-api-error', '50035', 'PUT', '/applications/:id/commands']);
  assert.equal(event.tags?.failure, 'discord_api_error');
  assert.equal(event.tags.discord_code, '50035');
  assert.equal(event.tags.discord_status, '400');
  assert.deepEqual(event.contexts?.discord?.route, '/applications/:id/commands');
  assert.ok(event.contexts.discord.errors, "Discord's field errors are kept");
  const rest = breadcrumbLines(event).filter((c) => c.startsWith('discord.rest'));
  assert.ok(rest.includes('discord.rest PUT /applications/:id/commands 400'), `background breadcrumbs: ${rest.join(', ')}`);
  await main.bot.idle();
});

test('expected errors (a cooldown, a failed check) are not sent by default, and their users see no reference', async () => {
  await finished(as(main.bob).slash('limited'));
  const refused = as(main.bob).slash('limited');
  await finished(refused);
  const cooldown = main.errors.findLast((e) => e.source === '/limited');
  assert.equal(cooldown?.expected, true);
  assert.equal(cooldown.reference, undefined);
  assert.doesNotMatch(refused.responses.at(-1)?.message?.content ?? '', /reference/);
  const expected = await main.bot.reportError({ source: 'probe', error: new Error('refused by a check'), expected: true });
  assert.equal(expected.reference, undefined);
  // Sent after them, so had they been sent they would be there by the time it is.
  const real = await main.bot.reportError({ source: 'probe', error: new Error('not expected') });
  await receiver.waitForEvent(real.reference ?? '');
  assert.ok(!receiver.events.some((e) => e.tags?.source === '/limited' || thrown(e)?.value === 'refused by a check'));
});

test('Discord-aware grouping: one missing permission in two channels is one fingerprint; 5xx and network failures are tagged', async () => {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice], channels: [{ name: 'general' }, { name: 'news' }] });
  const announce = command({
    name: 'announce',
    description: 'Announce',
    run: async (ctx) => {
      await ctx.defer({ ephemeral: true });
      const { channel } = ctx;
      if (!channel?.isSendable()) throw new Error('not a text channel');
      await channel.send('hello');
    },
  });
  const { bot, errors } = await startBot(
    discord,
    { sendCommandTracebacks: false, discord: { rest: { retries: 0, timeout: 300 } } },
    async (b) => {
      await b.loadExtension(sentry, sentryOptions(receiver));
      b.addCommand(announce);
    },
  );
  const run = async (channel: string) => {
    await discord.as(alice, guild.channel(channel)).slash('announce').response();
    await bot.idle();
    const event = await receiver.waitForEvent(errors.at(-1)?.reference ?? '');
    return event;
  };
  discord.failNext({ method: 'POST', route: '/channels/:id/messages', ...DiscordFaults.missingPermissions(), times: 2 });
  const first = await run('general');
  const second = await run('news');
  assert.deepEqual(first.fingerprint, ['discord-api-error', '50013', 'POST', '/channels/:id/messages']);
  assert.deepEqual(second.fingerprint, first.fingerprint);
  assert.notEqual(first.tags?.channel_id, second.tags?.channel_id);
  assert.equal(first.tags?.failure, 'discord_api_error');
  assert.equal(first.tags.discord_code, '50013');

  discord.failNext({ method: 'POST', route: '/channels/:id/messages', ...DiscordFaults.serverError(502) });
  const outage = await run('general');
  assert.equal(outage.tags?.failure, 'discord_server_error');
  assert.equal(outage.tags.discord_status, '502');
  assert.deepEqual(outage.fingerprint, ['discord-http-error', '502', 'POST', '/channels/:id/messages']);

  discord.failNext({ method: 'POST', route: '/channels/:id/messages', hang: true });
  const network = await run('general');
  assert.equal(network.tags?.failure, 'network');
  assert.equal(network.fingerprint, undefined);
  await bot.stop();
});

test(
  '50 concurrent failing commands from different users, guilds and commands: ' +
    'every event has its own user, guild, command, tags and breadcrumbs',
  async () => {
    const discord = await startFake();
    const users = Array.from({ length: 50 }, (_, i) => discord.addUser({ username: `user${String(i)}` }));
    const guilds = Array.from({ length: 10 }, (_, g) =>
      discord.addGuild({ name: `guild${String(g)}`, members: users.filter((_, i) => i % 10 === g) }),
    );
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const failing = names.map((name) =>
      command({
        name,
        description: name,
        options: { n: option.integer({ description: 'n', required: true }) },
        run: async (ctx) => {
          Sentry.setTag('actor', ctx.user.username);
          Sentry.addBreadcrumb({ category: 'test', message: `${ctx.user.username} started` });
          await ctx.defer();
          // Real timers of random length, so the handlers interleave.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
          Sentry.addBreadcrumb({ category: 'test', message: `${ctx.user.username} deferred` });
          throw new Error(`${name} failed for ${ctx.user.username} (${String(ctx.options.n)})`);
        },
      }),
    );
    const { bot, errors } = await startBot(discord, { sendCommandTracebacks: false }, async (b) => {
      await b.loadExtension(sentry, sentryOptions(receiver, { eventsPerGroupPerMinute: 100 }));
      b.addCommand(...failing);
    });
    const runs = users.map((user, i) => {
      const guild = guilds[i % 10]!;
      const name = names[i % 5]!;
      return { user, guild, name, n: i, handle: discord.as(user, guild.channel('general')).slash(name, { n: i }) };
    });
    await Promise.all(runs.map((r) => r.handle.response('followUp', { timeout: 30_000 })));
    await bot.idle();
    assert.equal(errors.length, 50);

    for (const { user, guild, name, n, handle } of runs) {
      const error = errors.find((e) => e.ctx?.user.id === user.id);
      assert.ok(error?.reference);
      assert.match(handle.responses.at(-1)?.message?.content ?? '', new RegExp(error.reference));
      const event = await receiver.waitForEvent(error.reference);
      const label = `event of ${user.username}`;
      assert.equal(thrown(event)?.value, `${name} failed for ${user.username} (${String(n)})`, label);
      assert.deepEqual(event.user, { id: user.id, username: user.username }, label);
      assert.equal(event.tags?.guild_id, guild.id, label);
      assert.equal(event.tags.command, `/${name}`, label);
      assert.equal(event.tags.actor, user.username, label);
      assert.deepEqual(event.contexts?.interaction?.options, { n }, label);
      const crumbs = (event.breadcrumbs ?? []).map(
        (b) => `${String(b.category)} ${typeof b.message === 'string' ? b.message : String((b.data as { url?: string } | undefined)?.url)}`,
      );
      assert.deepEqual(
        crumbs,
        [
          `interaction /${name} (slash) from user ${user.id}`,
          `test ${user.username} started`,
          'discord.rest /interactions/:id/:token/callback',
          `test ${user.username} deferred`,
        ],
        label,
      );
    }
    await bot.stop();
  },
);

test(
  'leak test: bot, interaction and webhook tokens and the DSN in message, ' +
    'stack, cause, URLs, contexts and breadcrumbs reach no envelope',
  async () => {
    const discord = await startFake();
    const alice = discord.addUser({ username: 'alice' });
    const guild = discord.addGuild({ name: 'g', members: [alice] });
    const hook = discord.addWebhook(guild.channel('general'), 'Alerts');
    const botToken = discord.token;
    const webhookUrl = `${discord.rest.api}/v10/webhooks/${hook.id}/${hook.token}`;
    const interactionTokens: string[] = [];
    const probe = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const probePort = (probe.address() as { port: number }).port;

    const leak = command({
      name: 'leak',
      description: 'Leaks everything it can',
      options: {
        how: option.string({
          description: 'how',
          required: true,
          choices: [
            { name: 'thrown', value: 'thrown' },
            { name: 'interaction url', value: 'interaction' },
            { name: 'webhook url', value: 'webhook' },
          ],
        }),
      },
      run: async (ctx) => {
        const interactionToken = ctx.interaction.token;
        interactionTokens.push(interactionToken);
        const everything = `bot ${botToken} interaction ${interactionToken} webhook ${webhookUrl} dsn ${receiver.dsn}`;
        quietly(() => {
          console.log(`about to fail: ${everything}`);
        });
        Sentry.addBreadcrumb({
          category: 'test',
          message: everything,
          data: { url: webhookUrl, dsn: receiver.dsn, [botToken]: 'token as a key' },
        });
        Sentry.setContext('secrets', { everything, nested: { deeper: [botToken, interactionToken] } });
        Sentry.setTag('token', interactionToken.slice(0, 150));
        Sentry.setExtra('dsn', receiver.dsn);
        // An HTTP breadcrumb whose URL holds a webhook token and the DSN (Sentry records the full path).
        await new Promise((resolve) =>
          http
            .get(
              `http://127.0.0.1:${String(probePort)}/api/v10/webhooks/${hook.id}/${hook.token}?dsn=${encodeURIComponent(receiver.dsn)}`,
              (res) => res.resume().on('end', resolve),
            )
            .on('error', resolve),
        );
        if (ctx.options.how === 'interaction') {
          // discord.js puts the interaction token in the URL of the error.
          discord.failNext({ route: '/interactions/:id/:token/callback', ...DiscordFaults.unknownInteraction() });
          await ctx.reply('never arrives');
        }
        if (ctx.options.how === 'webhook') {
          discord.failNext({ route: '/webhooks/:id/:token', ...DiscordFaults.unknownMessage() });
          await new WebhookClient({ id: hook.id, token: hook.token }, { rest: discord.rest }).send('never arrives');
        }
        const error = new Error(`failed: ${everything}`, {
          cause: new Error(`because ${webhookUrl} and ${receiver.dsn}`, { cause: new Error(`deeper ${botToken}`) }),
        });
        error.stack =
          `Error: failed: ${everything}\n    at leak_${interactionToken} ` +
          `(file:///srv/bot/${botToken}/commands.js:1:1)\n    at run (${webhookUrl}:2:2)`;
        throw error;
      },
    });
    const { bot, errors } = await startBot(discord, { sendCommandTracebacks: false }, async (b) => {
      await b.loadExtension(sentry, sentryOptions(receiver));
      b.addCommand(leak);
    });
    receiver.clear();
    for (const how of ['thrown', 'interaction', 'webhook']) {
      await discord.as(alice, guild.channel('general')).slash('leak', { how }).response();
      await bot.idle();
    }
    await bot.stop();
    await new Promise((resolve) => probe.close(resolve));

    const ids = errors.map((e) => e.reference);
    assert.equal(ids.length, 3);
    const events = await Promise.all(ids.map((id) => receiver.waitForEvent(id ?? '')));
    // The leaks were there to be found: the URLs of Discord's errors, the breadcrumbs, the HTTP breadcrumb.
    assert.ok(events.some((e) => e.exception?.values?.some((v) => v.type?.startsWith('DiscordAPIError'))));
    assert.ok(events.every((e) => (e.breadcrumbs ?? []).some((b) => b.category === 'http')));
    assert.ok(events.every((e) => (e.breadcrumbs ?? []).some((b) => b.category === 'console')));
    const secrets = {
      botToken,
      webhookToken: hook.token,
      dsn: receiver.dsn,
      dsnEncoded: encodeURIComponent(receiver.dsn),
      ...Object.fromEntries(interactionTokens.map((t, i) => [`interactionToken${String(i)}`, t])),
    };
    assert.ok(receiver.envelopes.length >= 3);
    for (const envelope of receiver.envelopes) {
      for (const [name, secret] of Object.entries(secrets))
        assert.ok(
          !envelope.raw.includes(secret),
          `${name} reached Sentry in: ` +
            envelope.raw.slice(Math.max(0, envelope.raw.indexOf(secret) - 300), envelope.raw.indexOf(secret) + 100),
        );
    }
    assert.ok(receiver.envelopes.some((e) => e.raw.includes('[REDACTED TOKEN]') && e.raw.includes('[REDACTED SENTRY DSN]')));
  },
);
