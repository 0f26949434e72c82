import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ActionRowBuilder,
  ChannelSelectMenuBuilder,
  ChannelType,
  ComponentType,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MentionableSelectMenuBuilder,
  MessageFlags,
  RoleSelectMenuBuilder,
  Team,
  TextInputStyle,
} from 'discord.js';
import type { ChatInputCommandInteraction, Client, Interaction } from 'discord.js';
import { DiscordFaults, FakeDiscord } from '../../src/testing/index.js';
import type { FakeGuild, FakeUser } from '../../src/testing/index.js';
import { connectClient } from '../support/client.js';
import { runCommand, waitUntil } from '../support/resources.js';

const T = { timeout: 5000 };

describe('Discord rules a bot meets through the real client', () => {
  let discord: FakeDiscord;
  let client: Client<true>;
  let guild: FakeGuild;
  let alice: FakeUser;
  let now = Date.now();

  before(async () => {
    discord = await FakeDiscord.start({ now: () => now });
    alice = discord.addUser({ username: 'alice' });
    guild = discord.addGuild({ name: 'G', members: [alice], roles: [{ name: 'Mod' }] });
    client = await connectClient(discord, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers] });
  });

  after(async () => {
    await client.destroy();
    await discord.stop();
    assert.deepEqual(discord.internalErrors, []);
    assert.deepEqual(discord.unhandledRequests, []);
  });

  const run = (handler: (i: ChatInputCommandInteraction) => Promise<unknown>): Promise<unknown> =>
    runCommand(client, discord.as(alice, guild.channel('general')), handler);

  test('ids are 17 to 19 digit snowflakes', T, () => {
    for (const id of [alice.id, guild.id, guild.channel('general').id, guild.role('Mod').id, discord.applicationId])
      assert.match(id, /^\d{17,19}$/);
  });

  test('an answer at 2999 ms is in time; 15 minutes of follow-ups after a defer work', T, async () => {
    const results = await run(async (i) => {
      now += 2999;
      await i.deferReply();
      now += 15 * 60_000 - 3000;
      return (await i.followUp('just in time')).content;
    });
    now = Date.now();
    assert.equal(results, 'just in time');
  });

  test('message limits answer 50035 or 50006, as from Discord', T, async () => {
    const errors = await run(async (i) => {
      const codes: unknown[] = [];
      const attempt = (body: Parameters<typeof i.followUp>[0]): Promise<void> =>
        i.followUp(body).then(
          () => void codes.push('sent'),
          (e: unknown) => void codes.push(e instanceof DiscordAPIError ? `${String(e.code)} ${e.message.split('\n')[1] ?? ''}` : e),
        );
      await i.deferReply();
      await i.editReply('started');
      await attempt({ content: 'x'.repeat(2001) });
      await attempt({ embeds: Array.from({ length: 11 }, () => ({ title: 't' })) });
      await attempt({ embeds: [{ description: 'd'.repeat(4096) }, { description: 'd'.repeat(2000) }] });
      await attempt({ embeds: [{ title: 't'.repeat(257) }] });
      await attempt({ content: '' });
      await attempt({ content: 'x'.repeat(2000) });
      return codes;
    });
    assert.deepEqual(errors, [
      '50035 content[BASE_TYPE_MAX_LENGTH]: Must be 2000 or fewer in length.',
      '50035 embeds[BASE_TYPE_MAX_LENGTH]: Must be 10 or fewer in length.',
      '50035 embeds[MAX_EMBED_SIZE_EXCEEDED]: Embed size exceeds maximum size of 6000',
      '50035 embeds[0].title[BASE_TYPE_MAX_LENGTH]: Must be 256 or fewer in length.',
      '50006 ',
      'sent',
    ]);
  });

  test('deleteFollowUp removes a follow-up and records it', T, async () => {
    let id = '';
    await run(async (i) => {
      id = i.id;
      await i.reply('first');
      const extra = await i.followUp('extra');
      await i.webhook.deleteMessage(extra);
    });
    const handle = discord.interaction(id)!;
    const deleted = await handle.response('deleteFollowUp');
    const followUp = await handle.response('followUp');
    assert.equal(deleted.message, null);
    assert.ok(!guild.channel('general').messages.some((m) => m.id === followUp.message?.id));
  });

  test('the Discord fault presets reach discord.js with their codes', T, async () => {
    discord.failNext({ route: '/interactions/:id/:token/callback', ...DiscordFaults.unknownInteraction() });
    const unknown = await run((i) => i.reply('x'));
    assert.ok(unknown instanceof DiscordAPIError && unknown.code === 10062 && unknown.status === 404, String(unknown));
    discord.failNext({ method: 'PATCH', route: '/webhooks/:app/:token/messages/:message', ...DiscordFaults.unknownMessage() });
    const gone = await run(async (i) => {
      await i.reply('x');
      return i.editReply('y');
    });
    assert.ok(gone instanceof DiscordAPIError && gone.code === 10008, String(gone));
    discord.failNext({ route: '/channels/:id/messages', ...DiscordFaults.missingAccess() });
    const channel = await client.channels.fetch(guild.channel('general').id);
    assert.ok(channel?.isSendable());
    await assert.rejects(channel.send('x'), (e: unknown) => e instanceof DiscordAPIError && e.code === 50001);
    assert.equal(discord.faults.pending, 0);
  });

  test('role, channel and mentionable selects, and a modal in action rows', T, async () => {
    const seen: string[] = [];
    const onInteraction = (i: Interaction): void => {
      if (i.isRoleSelectMenu()) seen.push(`role ${i.roles.first()?.name ?? '?'}`);
      else if (i.isChannelSelectMenu()) seen.push(`channel ${i.channels.first()?.id ?? '?'}`);
      else if (i.isMentionableSelectMenu()) seen.push(`mentionable ${String(i.users.size)} ${String(i.roles.size)}`);
      else if (i.isModalSubmit()) seen.push(`modal ${i.fields.getTextInputValue('why')}`);
      else return;
      if (i.isModalSubmit()) void i.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
      else if (i.isAnySelectMenu() && i.customId === 'who')
        // The action-row layout older bots still send (discord.js now prefers labels).
        void i.showModal({
          custom_id: 'reason',
          title: 'Why?',
          components: [
            {
              type: ComponentType.ActionRow,
              components: [{ type: ComponentType.TextInput, custom_id: 'why', label: 'Why', style: TextInputStyle.Short }],
            },
          ],
        });
      else if (i.isAnySelectMenu()) void i.deferUpdate();
    };
    client.on(Events.InteractionCreate, onInteraction);
    try {
      const panel = await run((i) =>
        i.reply({
          content: 'panel',
          components: [
            new ActionRowBuilder<RoleSelectMenuBuilder>().addComponents(new RoleSelectMenuBuilder().setCustomId('role')),
            new ActionRowBuilder<ChannelSelectMenuBuilder>().addComponents(
              new ChannelSelectMenuBuilder().setCustomId('where').setChannelTypes(ChannelType.GuildText),
            ),
            new ActionRowBuilder<MentionableSelectMenuBuilder>().addComponents(
              new MentionableSelectMenuBuilder().setCustomId('who').setMaxValues(2),
            ),
          ],
          withResponse: true,
        }),
      );
      const message = discord.message((panel as { resource: { message: { id: string } } }).resource.message.id)!;
      const actor = discord.as(alice, guild.channel('general'));
      await actor.select(message, 'role', [guild.role('Mod')]).response('deferUpdate');
      await actor.select(message, 'where', [guild.channel('general')]).response('deferUpdate');
      const who = actor.select(message, 'who', [alice, guild.role('Mod')]);
      await who.response('showModal');
      await actor.submitModal(who, { why: 'testing' }).response('reply');
      assert.deepEqual(seen, ['role Mod', `channel ${guild.channel('general').id}`, 'mentionable 1 1', 'modal testing']);
    } finally {
      client.off(Events.InteractionCreate, onInteraction);
    }
  });

  test('a channel, role and member added to a known guild reach the bot as their own events', T, async () => {
    const events: string[] = [];
    client.on(Events.ChannelCreate, (c) => events.push(`channel ${'name' in c ? c.name : ''}`));
    client.on(Events.GuildRoleCreate, (r) => events.push(`role ${r.name}`));
    client.on(Events.GuildMemberAdd, (m) => events.push(`member ${m.user.username}`));
    guild.addChannel({ name: 'new-channel' });
    guild.addRole({ name: 'Helper' });
    guild.addMember(discord.addUser({ username: 'carol' }));
    await waitUntil(() => events.length === 3);
    assert.deepEqual(events, ['channel new-channel', 'role Helper', 'member carol']);
  });

  test('guild.members.fetch() is answered over the gateway (REQUEST_GUILD_MEMBERS)', T, async () => {
    const members = await client.guilds.cache.get(guild.id)!.members.fetch({ query: 'ali' });
    assert.deepEqual(
      [...members.values()].map((m) => m.user.username),
      ['alice'],
    );
    const byId = await client.guilds.cache.get(guild.id)!.members.fetch({ user: [alice.id] });
    assert.equal(byId.first()?.id, alice.id);
  });

  test('the application reports its owners: one user, or a team', T, async () => {
    assert.equal((await client.application.fetch()).owner?.id, discord.owners[0]?.id);
    const bob = discord.addUser({ username: 'bob' });
    discord.setOwners([alice, bob]);
    const owner = (await client.application.fetch()).owner;
    assert.ok(owner instanceof Team, String(owner));
    assert.deepEqual([...owner.members.keys()].sort(), [alice.id, bob.id].sort());
    assert.equal(owner.ownerId, alice.id);
  });
});

test('a plain discord.js process dies on a malformed dispatch: the failure Lantern must contain', { timeout: 20_000 }, () => {
  const script = fileURLToPath(new URL('../fixtures/malformed-dispatch.ts', import.meta.url));
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 15_000 });
  assert.notEqual(child.status, 0, `the child survived: ${child.stdout}`);
  assert.doesNotMatch(child.stdout, /survived/);
  assert.match(child.stderr, /TypeError/);
});
