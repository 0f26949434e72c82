import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  DiscordAPIError,
  EmbedBuilder,
  LabelBuilder,
  MessageFlags,
  MessageType,
  ModalBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
  UserSelectMenuBuilder,
} from 'discord.js';
import type { Client, Interaction } from 'discord.js';
import { FakeDiscord, FakeDiscordError } from '../../src/testing/index.js';
import type { FakeGuild, FakeUser } from '../../src/testing/index.js';
import { connectClient } from '../support/client.js';
import { waitUntil } from '../support/resources.js';

type Handler = (interaction: Interaction) => Promise<unknown>;

/** One fake, one real client; each test installs the handler its interaction needs under a key. */
describe('interactions through the real discord.js client', () => {
  let discord: FakeDiscord;
  let client: Client<true>;
  let guild: FakeGuild;
  let alice: FakeUser;
  let bob: FakeUser;
  const handlers = new Map<string, Handler>();
  const handlerErrors: unknown[] = [];

  const keyOf = (i: Interaction): string => {
    if (i.isCommand() || i.isAutocomplete()) return i.commandName;
    if (i.isMessageComponent() || i.isModalSubmit()) return i.customId.split(':')[0] ?? '';
    return '';
  };

  before(async () => {
    discord = await FakeDiscord.start();
    alice = discord.addUser({ username: 'alice', locale: 'fr' });
    bob = discord.addUser({ username: 'bob' });
    guild = discord.addGuild({
      name: 'Lantern HQ',
      members: [alice, bob],
      roles: [{ name: 'Mod' }],
      channels: [{ name: 'general' }, { name: 'announcements', type: ChannelType.GuildAnnouncement }],
    });
    client = await connectClient(discord);
    client.on('interactionCreate', (interaction) => {
      const handler = handlers.get(keyOf(interaction));
      handler?.(interaction).catch((error: unknown) => handlerErrors.push(error));
    });
    await client.application.commands.set([
      {
        name: 'echo',
        description: 'Echo',
        options: [{ name: 'text', description: 'Text', type: ApplicationCommandOptionType.String, required: true, max_length: 50 }],
      },
      { name: 'panel', description: 'A panel with components' },
      {
        name: 'settings',
        description: 'Settings',
        options: [
          {
            name: 'profile',
            description: 'Profile settings',
            type: ApplicationCommandOptionType.SubcommandGroup,
            options: [
              {
                name: 'set',
                description: 'Set everything',
                type: ApplicationCommandOptionType.Subcommand,
                options: [
                  { name: 'name', description: 'd', type: ApplicationCommandOptionType.String, required: true },
                  { name: 'age', description: 'd', type: ApplicationCommandOptionType.Integer, min_value: 0, max_value: 150 },
                  { name: 'ratio', description: 'd', type: ApplicationCommandOptionType.Number },
                  { name: 'public', description: 'd', type: ApplicationCommandOptionType.Boolean },
                  { name: 'friend', description: 'd', type: ApplicationCommandOptionType.User },
                  { name: 'home', description: 'd', type: ApplicationCommandOptionType.Channel, channel_types: [ChannelType.GuildText] },
                  { name: 'role', description: 'd', type: ApplicationCommandOptionType.Role },
                  { name: 'ping', description: 'd', type: ApplicationCommandOptionType.Mentionable },
                  { name: 'avatar', description: 'd', type: ApplicationCommandOptionType.Attachment },
                  {
                    name: 'color',
                    description: 'd',
                    type: ApplicationCommandOptionType.String,
                    choices: [
                      { name: 'Red', value: 'red' },
                      { name: 'Blue', value: 'blue' },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
      {
        name: 'search',
        description: 'Search',
        options: [{ name: 'query', description: 'Query', type: ApplicationCommandOptionType.String, required: true, autocomplete: true }],
      },
      { name: 'work', description: 'Slow work' },
      { name: 'Report user', type: ApplicationCommandType.User },
      { name: 'Quote', type: ApplicationCommandType.Message },
    ]);
  });

  after(async () => {
    await client.destroy();
    await discord.stop();
    assert.deepEqual(handlerErrors, []);
    assert.deepEqual(discord.internalErrors, []);
    assert.deepEqual(discord.unhandledRequests, []);
  });

  test('a reply carries content, embeds, components, flags and files, and its first-response time', async () => {
    handlers.set('echo', async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply({
        content: `echo: ${i.options.getString('text', true)}`,
        embeds: [new EmbedBuilder().setTitle('Echo').setDescription(`locale ${i.locale}`)],
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId('again').setLabel('Again').setStyle(ButtonStyle.Primary),
          ),
        ],
        files: [new AttachmentBuilder(Buffer.from('hello file'), { name: 'echo.txt' })],
        flags: MessageFlags.Ephemeral,
      });
    });
    const handle = discord.as(alice, guild.channel('general')).slash('echo', { text: 'hi' });
    const reply = await handle.response('reply');
    assert.equal(reply.ephemeral, true);
    assert.equal(reply.message?.content, 'echo: hi');
    assert.equal(reply.message.embeds[0]?.title, 'Echo');
    assert.equal(reply.message.embeds[0].description, 'locale fr');
    assert.equal((reply.message.components?.[0] as { components: { custom_id: string }[] }).components[0]?.custom_id, 'again');
    assert.equal(reply.message.attachments[0]?.filename, 'echo.txt');
    assert.equal(reply.files[0]?.data.toString(), 'hello file');
    assert.ok(reply.message.flags !== undefined && (reply.message.flags & MessageFlags.Ephemeral) !== 0);
    assert.ok(handle.firstResponseMs !== null && handle.firstResponseMs >= 0);
    assert.ok(!guild.channel('general').messages.some((m) => m.id === reply.message?.id), 'an ephemeral reply is not a channel message');
    // The attachment URL is served by the fake, as Discord's CDN would.
    const download = await fetch(reply.message.attachments[0].url);
    assert.equal(await download.text(), 'hello file');
  });

  test('a public reply is a channel message typed as a command reply, with interaction metadata', async () => {
    handlers.set('echo', async (i) => {
      if (i.isChatInputCommand()) await i.reply(`public ${i.options.getString('text', true)}`);
    });
    const handle = discord.as(bob, guild.channel('general')).slash('echo', { text: 'x' });
    const { message } = await handle.response('reply');
    const stored = guild.channel('general').messages.find((m) => m.id === message?.id);
    assert.equal(stored?.content, 'public x');
    assert.equal(stored.type, MessageType.ChatInputCommand);
    assert.equal(stored.interaction_metadata?.user.id, bob.id);
    assert.equal(stored.author.id, discord.botUser.id);
  });

  test('options of every type, inside a subcommand group, arrive typed and resolved', async () => {
    let seen: Record<string, unknown> = {};
    handlers.set('settings', async (i) => {
      if (!i.isChatInputCommand()) return;
      const o = i.options;
      seen = {
        group: o.getSubcommandGroup(),
        sub: o.getSubcommand(),
        name: o.getString('name'),
        age: o.getInteger('age'),
        ratio: o.getNumber('ratio'),
        public: o.getBoolean('public'),
        friend: o.getUser('friend')?.username,
        friendMember: o.getMember('friend') !== null,
        home: o.getChannel('home')?.id,
        role: o.getRole('role')?.name,
        ping: o.getMentionable('ping') !== null,
        avatar: o.getAttachment('avatar')?.name,
        avatarSize: o.getAttachment('avatar')?.size,
        color: o.getString('color'),
      };
      await i.reply({ content: 'saved', flags: MessageFlags.Ephemeral });
    });
    const general = guild.channel('general');
    const handle = discord.as(alice, general).slash('settings profile set', {
      name: 'Alice',
      age: 30,
      ratio: 0.5,
      public: true,
      friend: bob,
      home: general,
      role: guild.role('Mod'),
      ping: bob,
      avatar: { name: 'me.png', data: Buffer.alloc(16), contentType: 'image/png' },
      color: 'blue',
    });
    await handle.response('reply');
    assert.deepEqual(seen, {
      group: 'profile',
      sub: 'set',
      name: 'Alice',
      age: 30,
      ratio: 0.5,
      public: true,
      friend: 'bob',
      friendMember: true,
      home: general.id,
      role: 'Mod',
      ping: true,
      avatar: 'me.png',
      avatarSize: 16,
      color: 'blue',
    });
  });

  test('option values are checked against the registered definition, as Discord does', () => {
    const actor = discord.as(alice, guild.channel('general'));
    const badOption = (fn: () => unknown, pattern: RegExp): void => {
      assert.throws(
        fn,
        (error: unknown) =>
          error instanceof FakeDiscordError && error.code === 'LANTERN_ERR_FAKE_BAD_OPTION' && pattern.test(error.message),
      );
    };
    badOption(() => actor.slash('settings profile set', { name: 'A', age: 'old' }), /expected a number/);
    badOption(() => actor.slash('settings profile set', { name: 'A', age: 1.5 }), /expected an integer/);
    badOption(() => actor.slash('settings profile set', { name: 'A', age: 200 }), /above the maximum 150/);
    badOption(() => actor.slash('settings profile set', { name: 'A', color: 'green' }), /not one of the choices/);
    badOption(() => actor.slash('settings profile set', { name: 'A', home: guild.channel('announcements') }), /channel type/);
    badOption(() => actor.slash('settings profile set', { age: 3 }), /requires option "name"/);
    badOption(() => actor.slash('settings profile set', { name: 'A', nope: 1 }), /has no option "nope"/);
    badOption(() => actor.slash('settings', {}), /needs a subcommand/);
    badOption(() => actor.slash('echo', { text: 'x'.repeat(51) }), /longer than 50/);
    assert.throws(
      () => actor.slash('missing'),
      (error: unknown) =>
        error instanceof FakeDiscordError && error.code === 'LANTERN_ERR_FAKE_UNKNOWN_COMMAND' && /registered: .*echo/.test(error.message),
    );
  });

  test('an unregistered command can still be sent, to test unknown-command handling', async () => {
    let name = '';
    handlers.set('ghost', async (i) => {
      if (!i.isChatInputCommand()) return;
      name = `${i.commandName} ${String(i.options.getInteger('n'))}`;
      await i.reply('boo');
    });
    const handle = discord.as(alice, guild.channel('general')).slash('ghost', { n: 2 }, { allowUnregistered: true });
    await handle.response('reply');
    assert.equal(name, 'ghost 2');
  });

  test('deferReply then editReply; the deferred message loads, then shows the edit', async () => {
    handlers.set('work', async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await i.editReply({ content: 'done', embeds: [{ title: 'Result' }] });
    });
    const handle = discord.as(alice, guild.channel('general')).slash('work');
    const deferred = await handle.response('deferReply');
    assert.equal(deferred.ephemeral, true);
    assert.ok(((deferred.message?.flags ?? 0) & MessageFlags.Loading) !== 0, 'a deferred reply is a loading message');
    const edited = await handle.response('editReply');
    assert.equal(edited.message?.content, 'done');
    assert.equal(edited.message.embeds[0]?.title, 'Result');
    assert.equal(edited.message.id, deferred.message?.id);
    assert.equal((edited.message.flags ?? 0) & MessageFlags.Loading, 0);
    assert.deepEqual(
      handle.responses.map((r) => r.kind),
      ['deferReply', 'editReply'],
    );
  });

  test('after a defer the first followUp fills the deferred message; later ones are new messages', async () => {
    handlers.set('work', async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply();
      await i.followUp('first');
      const second = await i.followUp({ content: 'second', flags: MessageFlags.Ephemeral });
      await i.webhook.editMessage(second, { content: 'second, edited' });
      await i.deleteReply();
    });
    const handle = discord.as(alice, guild.channel('general')).slash('work');
    const deleted = await handle.response('deleteReply');
    assert.equal(deleted.message, null);
    const [defer, first, second, edit] = handle.responses.map((r) => ({ ...r, id: r.message?.id, content: r.message?.content }));
    assert.equal(first!.id, defer!.id);
    assert.equal(first!.content, 'first');
    assert.notEqual(second!.id, defer!.id);
    assert.equal(second!.ephemeral, true);
    assert.equal(edit!.kind, 'editFollowUp');
    assert.equal(edit!.content, 'second, edited');
    assert.ok(!guild.channel('general').messages.some((m) => m.id === defer!.id), 'deleteReply removed the message');
  });

  test('withResponse returns the message Discord created', async () => {
    let responseMessageId: string | undefined;
    handlers.set('echo', async (i) => {
      if (!i.isChatInputCommand()) return;
      const response = await i.reply({ content: 'with response', withResponse: true });
      responseMessageId = response.resource?.message?.id;
    });
    const handle = discord.as(alice, guild.channel('general')).slash('echo', { text: 'r' });
    const reply = await handle.response('reply');
    await waitUntil(() => responseMessageId !== undefined);
    assert.equal(responseMessageId, reply.message?.id);
  });

  test('a button click routes by custom_id; update and deferUpdate change the source message', async () => {
    handlers.set('panel', async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply({
        content: 'panel',
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId('count:1').setLabel('+1').setStyle(ButtonStyle.Primary),
            new ButtonBuilder().setCustomId('quiet').setLabel('q').setStyle(ButtonStyle.Secondary).setDisabled(true),
          ),
        ],
      });
    });
    handlers.set('count', async (i) => {
      if (!i.isButton()) return;
      const n = Number(i.customId.split(':')[1]);
      if (n === 1) await i.update({ content: `count ${n + 1}` });
      else {
        await i.deferUpdate();
        await i.editReply({ content: 'deferred edit' });
      }
    });
    const actor = discord.as(alice, guild.channel('general'));
    const panel = await actor.slash('panel').response('reply');
    const click = actor.click(panel.message!, 'count:1');
    const update = await click.response('update');
    assert.equal(update.message?.id, panel.message?.id);
    assert.equal(update.message?.content, 'count 2');
    assert.equal(guild.channel('general').messages.find((m) => m.id === panel.message?.id)?.content, 'count 2');
    assert.equal((click.payload as { message?: { id: string } }).message?.id, panel.message?.id);

    assert.throws(() => actor.click(panel.message!, 'quiet'), /disabled/);
    assert.throws(
      () => actor.click(panel.message!, 'nothing'),
      (e: unknown) => e instanceof FakeDiscordError && e.code === 'LANTERN_ERR_FAKE_UNKNOWN_COMPONENT',
    );

    const raw = actor.interact(3, { custom_id: 'count:2', component_type: 2 }, { message: panel.message });
    await raw.response('deferUpdate');
    const edit = await raw.response('editReply');
    assert.equal(edit.message?.id, panel.message?.id);
    assert.equal(edit.message?.content, 'deferred edit');
  });

  test('select menus send their values, with users resolved', async () => {
    const picked: string[] = [];
    handlers.set('panel', async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply({
        content: 'pick',
        components: [
          new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
            new StringSelectMenuBuilder()
              .setCustomId('flavour')
              .setMaxValues(2)
              .addOptions({ label: 'Vanilla', value: 'vanilla' }, { label: 'Mint', value: 'mint' }, { label: 'Lemon', value: 'lemon' }),
          ),
          new ActionRowBuilder<UserSelectMenuBuilder>().addComponents(new UserSelectMenuBuilder().setCustomId('who')),
        ],
      });
    });
    handlers.set('flavour', async (i) => {
      if (!i.isStringSelectMenu()) return;
      picked.push(...i.values);
      await i.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
    });
    handlers.set('who', async (i) => {
      if (!i.isUserSelectMenu()) return;
      picked.push(`user:${i.users.first()?.username ?? '?'}`, `member:${String(i.members.size)}`);
      await i.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
    });
    const actor = discord.as(alice, guild.channel('general'));
    const panel = await actor.slash('panel').response('reply');
    await actor.select(panel.message!, 'flavour', ['mint', 'lemon']).response('reply');
    await actor.select(panel.message!, 'who', [bob]).response('reply');
    assert.deepEqual(picked, ['mint', 'lemon', 'user:bob', 'member:1']);
    assert.throws(() => actor.select(panel.message!, 'flavour', ['chocolate']), /no option "chocolate"/);
    assert.throws(() => actor.select(panel.message!, 'flavour', ['mint', 'lemon', 'vanilla']), /takes 1 to 2 values/);
    assert.throws(() => actor.select(panel.message!, 'who', ['text']), /pass users, roles or channels/);
  });

  test('showModal records the modal; submitting it delivers the typed fields', async () => {
    const received: string[] = [];
    handlers.set('echo', async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.showModal(
        new ModalBuilder()
          .setCustomId('feedback')
          .setTitle('Feedback')
          .addLabelComponents(
            new LabelBuilder()
              .setLabel('What happened?')
              .setTextInputComponent(new TextInputBuilder().setCustomId('what').setStyle(TextInputStyle.Paragraph).setMaxLength(100)),
          )
          .addLabelComponents(
            new LabelBuilder()
              .setLabel('Email')
              .setTextInputComponent(new TextInputBuilder().setCustomId('email').setStyle(TextInputStyle.Short).setRequired(false)),
          ),
      );
    });
    handlers.set('feedback', async (i) => {
      if (!i.isModalSubmit()) return;
      received.push(i.fields.getTextInputValue('what'), i.fields.getTextInputValue('email'));
      await i.reply({ content: 'thanks', flags: MessageFlags.Ephemeral });
    });
    const actor = discord.as(alice, guild.channel('general'));
    const opened = actor.slash('echo', { text: 'm' });
    const shown = await opened.response('showModal');
    assert.equal(shown.modal?.custom_id, 'feedback');
    assert.equal(shown.modal.title, 'Feedback');
    assert.throws(() => actor.submitModal(opened, { email: 'a@b.c' }), /"what" is required/);
    assert.throws(() => actor.submitModal(opened, { what: 'x', nope: 'y' }), /no field "nope"/);
    const submit = actor.submitModal(opened, { what: 'It broke' });
    const thanks = await submit.response('reply');
    assert.equal(thanks.message?.content, 'thanks');
    assert.deepEqual(received, ['It broke', '']);
  });

  test('autocomplete answers choices; Discord limits are enforced on the answer', async () => {
    const failures: unknown[] = [];
    handlers.set('search', async (i) => {
      if (!i.isAutocomplete()) return;
      const typed = i.options.getFocused();
      if (typed === 'many') {
        await i
          .respond(Array.from({ length: 26 }, (_, n) => ({ name: `n${n}`, value: `v${n}` })))
          .catch((error: unknown) => failures.push(error));
        return;
      }
      await i.respond(['apple', 'apricot', 'banana'].filter((f) => f.startsWith(typed)).map((f) => ({ name: f, value: f })));
    });
    const actor = discord.as(alice, guild.channel('general'));
    const answer = await actor.autocomplete('search', { query: 'ap' }, 'query').response('autocomplete');
    assert.deepEqual(
      answer.choices?.map((c) => c.value),
      ['apple', 'apricot'],
    );
    actor.autocomplete('search', { query: 'many' }, 'query');
    await waitUntil(() => failures.length > 0);
    assert.ok(failures[0] instanceof DiscordAPIError && failures[0].code === 50035);
    assert.throws(() => actor.autocomplete('echo', { text: 'a' }, 'text'), /does not have autocomplete enabled/);
  });

  test('user and message context menus carry their targets', async () => {
    const seen: string[] = [];
    handlers.set('Report user', async (i) => {
      if (!i.isUserContextMenuCommand()) return;
      seen.push(`user ${i.targetUser.username} member ${String(i.targetMember !== null)}`);
      await i.reply({ content: 'reported', flags: MessageFlags.Ephemeral });
    });
    handlers.set('Quote', async (i) => {
      if (!i.isMessageContextMenuCommand()) return;
      seen.push(`message ${i.targetMessage.content}`);
      await i.reply(`> ${i.targetMessage.content}`);
    });
    const actor = discord.as(alice, guild.channel('general'));
    await actor.userCommand('Report user', bob).response('reply');
    const said = discord.as(bob, guild.channel('general')).say('quotable words');
    const quote = await actor.messageCommand('Quote', said).response('reply');
    assert.deepEqual(seen, ['user bob member true', 'message quotable words']);
    assert.equal(quote.message?.type, MessageType.ContextMenuCommand);
  });

  test('a DM interaction has a user, no member and a DM channel', async () => {
    let where = '';
    handlers.set('echo', async (i) => {
      if (!i.isChatInputCommand()) return;
      where = `${String(i.inGuild())} ${i.user.username} ${i.channelId}`;
      await i.reply('dm');
    });
    const inDM = discord.as(bob);
    await inDM.slash('echo', { text: 'dm' }).response('reply');
    assert.equal(where, `false bob ${inDM.channel.id}`);
  });

  test('a second initial response is refused with 40060', async () => {
    const errors: unknown[] = [];
    handlers.set('work', async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply('once');
      // Bypass discord.js's own "already replied" guard to reach Discord's answer.
      await client.rest
        .post(`/interactions/${i.id}/${i.token}/callback`, { body: { type: 4, data: { content: 'twice' } }, auth: false })
        .catch((error: unknown) => errors.push(error));
    });
    discord.as(alice, guild.channel('general')).slash('work');
    await waitUntil(() => errors.length > 0);
    assert.ok(errors[0] instanceof DiscordAPIError && errors[0].code === 40060, String(errors[0]));
  });
});

describe('the 3-second rule and the 15-minute token', () => {
  test('an interaction not answered in time expires: later callbacks get 404 10062 (injected clock)', async () => {
    let now = Date.now();
    const discord = await FakeDiscord.start({ now: () => now });
    const client = await connectClient(discord);
    try {
      const alice = discord.addUser({ username: 'alice' });
      const guild = discord.addGuild({ name: 'G', members: [alice] });
      const outcome = new Promise<unknown>((resolve) => {
        client.on('interactionCreate', (i) => {
          if (!i.isRepliable()) return;
          now += 3001; // the handler took "too long"
          i.reply('late').then(resolve, resolve);
        });
      });
      const handle = discord.as(alice, guild.channel('general')).slash('slow', {}, { allowUnregistered: true });
      const error = await outcome;
      assert.ok(error instanceof DiscordAPIError, String(error));
      assert.equal(error.code, 10062);
      assert.equal(error.status, 404);
      assert.deepEqual(handle.responses, []);
    } finally {
      await client.destroy();
      await discord.stop();
    }
  });

  test('after a defer, edits work for 15 minutes and then fail with 50027 (injected clock)', async () => {
    let now = Date.now();
    const discord = await FakeDiscord.start({ now: () => now });
    const client = await connectClient(discord);
    try {
      const alice = discord.addUser({ username: 'alice' });
      const guild = discord.addGuild({ name: 'G', members: [alice] });
      const results: unknown[] = [];
      client.on('interactionCreate', (i) => {
        if (!i.isChatInputCommand()) return;
        void (async () => {
          await i.deferReply();
          now += 14 * 60_000;
          results.push((await i.editReply('at 14 minutes')).content);
          now += 61_000;
          results.push(await i.followUp('at 15 minutes').catch((error: unknown) => error));
        })();
      });
      discord.as(alice, guild.channel('general')).slash('long', {}, { allowUnregistered: true });
      await waitUntil(() => results.length === 2);
      assert.equal(results[0], 'at 14 minutes');
      assert.ok(results[1] instanceof DiscordAPIError && results[1].code === 50027, String(results[1]));
    } finally {
      await client.destroy();
      await discord.stop();
    }
  });

  test('the timeout is configurable and runs on real time too', async () => {
    const discord = await FakeDiscord.start({ interactionTimeoutMs: 100 });
    const client = await connectClient(discord);
    try {
      const alice = discord.addUser({ username: 'alice' });
      const guild = discord.addGuild({ name: 'G', members: [alice] });
      const outcome = new Promise<unknown>((resolve) => {
        client.on('interactionCreate', (i) => {
          if (i.isRepliable()) setTimeout(() => void i.deferReply().then(resolve, resolve), 250);
        });
      });
      discord.as(alice, guild.channel('general')).slash('slow', {}, { allowUnregistered: true });
      const error = await outcome;
      assert.ok(error instanceof DiscordAPIError && error.code === 10062, String(error));
    } finally {
      await client.destroy();
      await discord.stop();
    }
  });
});
