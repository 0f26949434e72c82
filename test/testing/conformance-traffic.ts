import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  EmbedBuilder,
  GatewayIntentBits,
  StringSelectMenuBuilder,
  WebhookClient,
} from 'discord.js';
import type { GuildTextBasedChannel, Message, TextChannel } from 'discord.js';
import { button, Client, command, field, messageCommand, modal, option, selectMenu, userCommand } from '../../src/index.js';
import { ALL_PERMISSIONS, FakeDiscord } from '../../src/testing/index.js';
import type { RecordedRequest } from '../../src/testing/index.js';

/** What a representative session left behind: every REST exchange and every gateway dispatch the bot received. */
export interface Traffic {
  readonly requests: readonly RecordedRequest[];
  readonly dispatches: readonly { readonly t: string; readonly d: unknown }[];
  readonly unhandled: readonly RecordedRequest[];
  readonly internalErrors: readonly unknown[];
  /** Steps of the session that threw (a refusal the fake should not give, or an answer discord.js could not read). */
  readonly failedSteps: readonly string[];
}

const T = { timeout: 5000 };

/**
 * A Lantern bot (a real discord.js client) used the way bots are: command sync, slash commands with options,
 * deferred replies, edits and follow-ups with files, buttons, selects, modals, autocomplete, context menus,
 * channel messages with embeds and components, pins, member search, webhooks, DMs and fetches of every kind.
 */
export async function runTraffic(): Promise<Traffic> {
  const discord = await FakeDiscord.start({ recordResponses: true, requestLogLimit: 10_000 });
  const dispatches: { t: string; d: unknown }[] = [];
  const failedSteps: string[] = [];
  const step = async (name: string, run: () => Promise<unknown>): Promise<void> => {
    try {
      await run();
    } catch (error) {
      failedSteps.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const bot = new Client({
    token: discord.token,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    handleProcessErrors: false,
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMembers,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.DirectMessages,
    ],
    discord: { rest: discord.rest },
  });
  try {
    const alice = discord.addUser({ username: 'alice', globalName: 'Alice' });
    const bob = discord.addUser({ username: 'bob' });
    const guild = discord.addGuild({
      name: 'Conformance',
      members: [alice, bob],
      roles: [{ name: 'Mod', color: 0xff0000 }],
      channels: [
        { name: 'general', topic: 'Talk here' },
        { name: 'voice', type: ChannelType.GuildVoice },
        { name: 'stage', type: ChannelType.GuildStageVoice },
        { name: 'category', type: ChannelType.GuildCategory },
        { name: 'news', type: ChannelType.GuildAnnouncement },
      ],
      botPermissions: ALL_PERMISSIONS,
    });
    guild.addMember(discord.addUser({ username: 'carol' }), { nick: 'C', roles: [guild.role('Mod')] });
    const general = guild.channel('general');
    bot.discord.on('raw', (packet: { t: string | null; d: unknown }) => {
      if (packet.t !== null) dispatches.push({ t: packet.t, d: packet.d });
    });

    const feedback = modal({
      customId: 'feedback:{topic}',
      title: 'Feedback',
      fields: {
        text: field.paragraph({ label: 'What happened?', maxLength: 1000 }),
        email: field.short({ label: 'Email', required: false }),
      },
      run: (ctx) => ctx.reply({ content: `Thanks for ${ctx.params.topic}: ${ctx.fields.text}`, ephemeral: true }),
    });
    bot.addModal(feedback);
    bot.addComponent(button({ customId: 'more:{n}', run: (ctx) => ctx.update({ content: `More ${ctx.params.n}` }) }));
    bot.addComponent(selectMenu({ customId: 'flavour', run: (ctx) => ctx.reply(`Picked ${ctx.values.join(', ')}`) }));
    bot.addComponent(button({ customId: 'ask', run: (ctx) => ctx.showModal(feedback.build({ topic: 'button' })) }));
    bot.addCommand(
      command({
        name: 'echo',
        description: 'Say it back',
        options: {
          text: option.string({ description: 'What', required: true, maxLength: 100 }),
          times: option.integer({ description: 'How often', minValue: 1, maxValue: 3 }),
          loud: option.boolean({ description: 'Shout' }),
          colour: option.string({ description: 'Colour', choices: [{ name: 'Red', value: 'red' }] }),
        },
        run: (ctx) =>
          ctx.reply({
            content: (ctx.options.loud ? ctx.options.text.toUpperCase() : ctx.options.text).repeat(ctx.options.times ?? 1),
            embeds: [
              new EmbedBuilder()
                .setTitle('Echo')
                .setColor(0x00ff00)
                .setDescription('Said back')
                .addFields({ name: 'times', value: String(ctx.options.times ?? 1), inline: true })
                .setTimestamp(new Date(0))
                .setFooter({ text: 'footer' })
                .setAuthor({ name: 'author', url: 'https://example.com' })
                .toJSON(),
            ],
            components: [
              new ActionRowBuilder<ButtonBuilder>().addComponents(
                new ButtonBuilder().setCustomId('more:1').setLabel('More').setStyle(ButtonStyle.Primary),
                new ButtonBuilder().setCustomId('ask').setLabel('Ask').setStyle(ButtonStyle.Secondary),
                new ButtonBuilder().setURL('https://example.com').setLabel('Site').setStyle(ButtonStyle.Link),
              ),
              new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
                new StringSelectMenuBuilder()
                  .setCustomId('flavour')
                  .setMinValues(1)
                  .setMaxValues(2)
                  .addOptions({ label: 'Mint', value: 'mint' }, { label: 'Lime', value: 'lime', description: 'Green' }),
              ),
            ],
          }),
      }),
      command({
        name: 'who',
        description: 'About someone',
        options: {
          user: option.user({ description: 'Who', required: true }),
          where: option.channel({ description: 'Where', channelTypes: [ChannelType.GuildText, ChannelType.GuildVoice] }),
          role: option.role({ description: 'Role' }),
          thing: option.mentionable({ description: 'Anything' }),
          file: option.attachment({ description: 'File' }),
          ratio: option.number({ description: 'Ratio', minValue: 0, maxValue: 1 }),
        },
        run: (ctx) => ctx.reply({ content: `${ctx.options.user.username} ${ctx.options.where?.id ?? ''}`, ephemeral: true }),
      }),
      command({
        name: 'slow',
        description: 'Takes its time',
        run: async (ctx) => {
          await ctx.defer({ ephemeral: false });
          await ctx.editReply('working');
          await ctx.interaction.editReply({
            content: 'done',
            files: [new AttachmentBuilder(Buffer.from('report'), { name: 'report.txt', description: 'The report' })],
          });
          const extra = await ctx.interaction.followUp({ content: 'one more', ephemeral: true });
          await ctx.interaction.webhook.editMessage(extra, { content: 'one more, edited' });
          await ctx.interaction.fetchReply();
          await ctx.interaction.webhook.deleteMessage(extra);
          await ctx.interaction.deleteReply();
        },
      }),
      command({ name: 'form', description: 'Opens a form', run: (ctx) => ctx.showModal(feedback.build({ topic: 'command' })) }),
      command({
        name: 'pick',
        description: 'Pick with suggestions',
        options: {
          fruit: option.string({
            description: 'Fruit',
            required: true,
            autocomplete: (ctx) => ['apple', 'apricot'].filter((f) => f.startsWith(ctx.value)).map((f) => ({ name: f, value: f })),
          }),
        },
        run: (ctx) => ctx.reply(ctx.options.fruit),
      }),
      command({
        name: 'admin',
        description: 'Grouped commands',
        defaultMemberPermissions: 'ManageGuild',
        subcommands: { ping: { description: 'Ping', run: (ctx) => ctx.reply('pong') } },
        groups: { config: { description: 'Config', subcommands: { show: { description: 'Show', run: (ctx) => ctx.reply('shown') } } } },
      }),
      userCommand({ name: 'Inspect', run: (ctx) => ctx.reply({ content: ctx.targetUser.username, ephemeral: true }) }),
      messageCommand({ name: 'Quote', run: (ctx) => ctx.reply(`> ${ctx.targetMessage.content}`) }),
    );
    await bot.start();

    const as = discord.as(alice, general);
    const echo = as.slash('echo', { text: 'hi', times: 2, loud: true, colour: 'red' });
    const message = (await echo.response('reply', T)).message;
    if (!message) throw new Error('The echo reply carried no message');
    await step('click', () => as.click(message, 'more:1').response('update', T));
    await step('select', () => as.select(message, 'flavour', ['mint', 'lime']).response('reply', T));
    await step('modal from a button', async () => {
      const asked = as.click(message, 'ask');
      await asked.response('showModal', T);
      await as.submitModal(asked, { text: 'From a button', email: 'a@example.com' }).response('reply', T);
    });
    await step('modal from a command', async () => {
      const form = as.slash('form');
      await form.response('showModal', T);
      await as.submitModal(form, { text: 'From a command' }).response('reply', T);
    });
    await step('resolved options', () =>
      as
        .slash('who', {
          user: bob,
          where: guild.channel('voice'),
          role: guild.role('Mod'),
          thing: bob,
          file: { name: 'a.txt', data: 'text' },
          ratio: 0.5,
        })
        .response('reply', T),
    );
    await step('deferred reply, edits, follow-ups', () => as.slash('slow').response('deleteReply', T));
    await step('autocomplete', () => as.autocomplete('pick', { fruit: 'ap' }, 'fruit').response('autocomplete', T));
    await step('subcommands', async () => {
      await as.slash('admin ping').response('reply', T);
      await as.slash('admin config show').response('reply', T);
    });
    await step('context menus', async () => {
      await as.userCommand('Inspect', bob).response('reply', T);
      await as.messageCommand('Quote', message).response('reply', T);
    });
    await step('a command in a DM', () => discord.as(alice).slash('pick', { fruit: 'apricot' }).response('reply', T));

    await restTraffic(
      bot,
      discord,
      { guildId: guild.id, generalId: general.id, alice: alice.id, bob: bob.id, voiceId: guild.channel('voice').id },
      step,
    );
    as.say('a message from a user');
    await bot.stop();
    return {
      requests: discord.requests,
      dispatches,
      unhandled: discord.unhandledRequests,
      internalErrors: discord.internalErrors,
      failedSteps,
    };
  } finally {
    await bot.stop();
    await discord.stop();
  }
}

/** The REST calls a bot makes outside interactions, through discord.js's own managers. */
async function restTraffic(
  bot: Client,
  discord: FakeDiscord,
  ids: { guildId: string; generalId: string; alice: string; bob: string; voiceId: string },
  step: (name: string, run: () => Promise<unknown>) => Promise<void>,
): Promise<void> {
  const client = bot.discord;
  const channel = (await client.channels.fetch(ids.generalId, { force: true })) as TextChannel;
  await step('fetch a voice channel', () => client.channels.fetch(ids.voiceId, { force: true }));
  const sent = await channel.send({
    content: `Hello <@${ids.alice}>`,
    embeds: [new EmbedBuilder().setTitle('Status').setColor(0x123456).setURL('https://example.com/status').toJSON()],
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('more:2').setLabel('More').setStyle(ButtonStyle.Success),
      ),
    ],
    files: [new AttachmentBuilder(Buffer.from('log'), { name: 'log.txt' })],
    allowedMentions: { parse: ['users'] },
  });
  await step('edit a message', () => sent.edit({ content: 'Hello again', embeds: [] }));
  await step('reply to a message and delete the reply', async () => {
    const replied: Message = await sent.reply('a reply');
    await replied.delete();
  });
  await step('fetch messages', async () => {
    await channel.messages.fetch({ limit: 10, cache: false });
    await channel.messages.fetch({ message: sent.id, force: true });
  });
  await step('pins', async () => {
    await sent.pin();
    await channel.messages.fetchPins();
    await sent.unpin();
  });
  await step('typing', () => channel.sendTyping());

  const guild = await client.guilds.fetch({ guild: ids.guildId, withCounts: true, force: true });
  await step('guild channels and roles', async () => {
    await guild.channels.fetch(undefined, { force: true });
    await guild.roles.fetch(undefined, { force: true });
  });
  await step('members', async () => {
    await guild.members.fetch({ user: ids.alice, force: true });
    await guild.members.list({ limit: 10 });
  });
  await step('member search', () => guild.members.search({ query: 'ali', limit: 5 }));
  await step('command permissions', () => guild.commands.permissions.fetch({}));

  await step('users and DMs', async () => {
    const bob = await client.users.fetch(ids.bob, { force: true });
    const dm = await bob.createDM(true);
    await (dm as unknown as GuildTextBasedChannel).send('hi bob');
  });
  await step('the application', () => client.application?.fetch() ?? Promise.resolve());

  await step('global commands one by one', async () => {
    const created = await client.application?.commands.create({ name: 'extra', description: 'One more' });
    if (!created) return;
    await client.application?.commands.edit(created.id, { description: 'One more, edited' });
    await client.application?.commands.fetch(created.id, { force: true });
    await client.application?.commands.delete(created.id);
  });
  await step('guild commands one by one', async () => {
    const local = await guild.commands.create({ name: 'local', description: 'Here only' });
    await guild.commands.fetch({ force: true });
    await guild.commands.delete(local.id);
  });

  await step('webhooks', async () => {
    const hook = await channel.createWebhook({ name: 'Alerts' });
    if (!hook.token) throw new Error('A created webhook carries its token');
    await client.fetchWebhook(hook.id, hook.token);
    const webhook = new WebhookClient({ id: hook.id, token: hook.token }, { rest: discord.rest });
    const posted = await webhook.send({ content: 'alert', username: 'Alerter', embeds: [{ title: 'Alert', color: 0xffaa00 }] });
    await webhook.editMessage(posted.id, { content: 'alert, edited' });
    await webhook.fetchMessage(posted.id);
    await webhook.deleteMessage(posted.id);
    await webhook.send('fire and forget');
    webhook.destroy();
  });
}
