import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ChannelType, Client, Events, GatewayIntentBits, Routes, UserFlags } from 'discord.js';
import type { TextChannel } from 'discord.js';
import type { APIChannel, APIGuild, APIMessage } from 'discord-api-types/v10';
import { ALL_PERMISSIONS, FakeDiscord } from '../../src/testing/index.js';
import type { FakeGuild, FakeUser } from '../../src/testing/index.js';
import { nextInteraction } from './support.js';

const T = { timeout: 10_000 };

describe('the objects the fake Discord sends have the fields Discord sends', () => {
  let discord: FakeDiscord;
  let client: Client<true>;
  let guild: FakeGuild;
  let alice: FakeUser;
  let ready: { application: Record<string, unknown> };

  before(async () => {
    discord = await FakeDiscord.start();
    alice = discord.addUser({ username: 'alice', publicFlags: UserFlags.HypeSquadOnlineHouse1 });
    guild = discord.addGuild({
      name: 'G',
      members: [alice],
      channels: [{ name: 'general' }, { name: 'voice', type: ChannelType.GuildVoice }, { name: 'group', type: ChannelType.GuildCategory }],
      botPermissions: ALL_PERMISSIONS,
    });
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: discord.rest });
    // Listening before login: READY is the first dispatch.
    const readyPacket = new Promise<typeof ready>((resolve) => {
      client.on(Events.Raw, (packet: { t: string | null; d: unknown }) => {
        if (packet.t === 'READY') resolve(packet.d as typeof ready);
      });
    });
    const loggedIn = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await loggedIn;
    ready = await readyPacket;
  });

  after(async () => {
    await client.destroy();
    await discord.stop();
    assert.deepEqual(discord.internalErrors, []);
  });

  test("a user's flags arrive, so discord.js's user.flags.has() works as on Discord", T, async () => {
    const { interaction } = await nextInteraction(
      client,
      () => discord.as(alice, guild.channel('general')).slash('t', {}, { allowUnregistered: true }),
      (i) => i.isChatInputCommand(),
    );
    assert.equal(interaction.user.flags?.has(UserFlags.HypeSquadOnlineHouse1), true);
    assert.equal(interaction.user.flags.has(UserFlags.Staff), false);
    const fetched = await client.users.fetch(discord.botUser.id, { force: true });
    assert.equal(fetched.flags?.bitfield, 0);
  });

  test("READY's application carries flags_new, as discord-api-types requires", () => {
    assert.deepEqual(ready.application, { id: discord.applicationId, flags: 0, flags_new: '0' });
  });

  test('resolved members carry no deaf or mute, and resolved channels only their id, name, type and permissions', T, async () => {
    const handle = discord
      .as(alice, guild.channel('general'))
      .slash('t', { who: alice, where: guild.channel('voice') }, { allowUnregistered: true });
    const resolved = (handle.payload.data as { resolved: { members: Record<string, object>; channels: Record<string, object> } }).resolved;
    const member = resolved.members[alice.id] ?? {};
    assert.ok(!('deaf' in member) && !('mute' in member) && !('user' in member), JSON.stringify(member));
    assert.ok('permissions' in member);
    assert.deepEqual(Object.keys(resolved.channels[guild.channel('voice').id] ?? {}).sort(), ['id', 'name', 'permissions', 'type']);
    await handle.response(undefined, { timeout: 50 }).catch(() => undefined);
  });

  test('voice and category channels carry the fields of their type and none of a text channel', T, async () => {
    const fetch = async (name: string) =>
      (await client.rest.get(Routes.channel(guild.channel(name).id))) as APIChannel & Record<string, unknown>;
    const text = await fetch('general');
    const voice = await fetch('voice');
    const category = await fetch('group');
    assert.ok('topic' in text && 'rate_limit_per_user' in text);
    assert.ok(!('topic' in voice) && voice.bitrate === 64_000 && voice.user_limit === 0 && voice.rtc_region === null);
    for (const key of ['topic', 'last_message_id', 'rate_limit_per_user', 'bitrate']) assert.ok(!(key in category), key);
    assert.equal(category.parent_id, null);
  });

  test('stored messages carry an embed type and numbered components, as Discord returns them', T, async () => {
    const channel = (await client.channels.fetch(guild.channel('general').id)) as TextChannel;
    const sent = await channel.send({
      embeds: [{ title: 'Hi', fields: [{ name: 'a', value: 'b' }] }],
      components: [
        {
          type: 1,
          components: [
            { type: 2, style: 1, custom_id: 'one', label: 'One' },
            { type: 2, style: 1, custom_id: 'two', label: 'Two', id: 2 },
          ],
        },
      ],
    });
    const stored = discord.message(sent.id) as APIMessage;
    assert.deepEqual(
      stored.embeds.map((embed) => [embed.type, embed.fields]),
      [['rich', [{ name: 'a', value: 'b', inline: false }]]],
    );
    const row = stored.components?.[0] as { id: number; components: { id: number }[] };
    assert.deepEqual([row.id, ...row.components.map((c) => c.id)], [1, 3, 2], 'numbered in order, skipping the id the bot chose');
    const { interaction } = await nextInteraction(
      client,
      () => discord.as(alice, guild.channel('general')).click(stored, 'one'),
      (i) => i.isButton(),
    );
    assert.equal(interaction.component.id, 3);
    await interaction.deferUpdate();
  });

  test('a guild carries every field its description requires, and its counts only when asked with_counts', T, async () => {
    const plain = (await client.rest.get(Routes.guild(guild.id))) as APIGuild & Record<string, unknown>;
    for (const key of ['home_header', 'widget_enabled', 'widget_channel_id', 'max_presences', 'max_members', 'max_video_channel_users'])
      assert.ok(key in plain, key);
    assert.ok(!('approximate_member_count' in plain));
    const counted = await client.guilds.fetch({ guild: guild.id, withCounts: true, force: true });
    assert.equal(counted.approximateMemberCount, guild.members.size);
    assert.equal(counted.approximatePresenceCount, 0);
    assert.equal(counted.maximumMembers, 25_000_000);
  });

  test('the application carries what GET /applications/@me answers on Discord', T, async () => {
    const application = await client.application.fetch();
    assert.equal(application.approximateGuildCount, 1);
    assert.equal(application.approximateUserInstallCount, 0);
    assert.equal(application.interactionsEndpointURL, null);
    assert.equal(application.roleConnectionsVerificationURL, null);
    const raw = (await client.rest.get(Routes.currentApplication())) as Record<string, unknown>;
    assert.deepEqual([raw.flags_new, raw.redirect_uris, raw.type], ['0', [], null]);
  });

  test('members carry premium_since, communication_disabled_until and banner', T, async () => {
    const member = (await client.rest.get(Routes.guildMember(guild.id, alice.id))) as Record<string, unknown>;
    assert.deepEqual([member.premium_since, member.communication_disabled_until, member.banner], [null, null, null]);
    const fetched = await (await client.guilds.fetch(guild.id)).members.fetch(alice.id);
    assert.equal(fetched.communicationDisabledUntil, null);
  });
});
