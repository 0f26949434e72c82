import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationCommandOptionType, Events, GatewayIntentBits, Routes } from 'discord.js';
import type { Client, TextChannel } from 'discord.js';
import { ALL_PERMISSIONS, FakeDiscord } from '../../src/testing/index.js';
import type { FakeGuild, FakeUser } from '../../src/testing/index.js';
import { connectClient } from '../support/client.js';
import { nextInteraction, refusal } from './support.js';

const T = { timeout: 10_000 };
const MODAL_ROWS = [{ type: 1, components: [{ type: 4, custom_id: 'what', label: 'What', style: 1 }] }];

describe("the fake Discord's answers where it used to go wrong", () => {
  let discord: FakeDiscord;
  let client: Client<true>;
  let guild: FakeGuild;
  let alice: FakeUser;

  before(async () => {
    discord = await FakeDiscord.start();
    alice = discord.addUser({ username: 'alice' });
    guild = discord.addGuild({ name: 'G', members: [alice], botPermissions: ALL_PERMISSIONS });
    guild.addMember(discord.addUser({ username: 'bob' }), { nick: 'alfie' });
    client = await connectClient(discord, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages] });
    await client.application.commands.set([
      {
        name: 'find',
        description: 'Find',
        options: [{ name: 'q', description: 'Query', type: ApplicationCommandOptionType.String, autocomplete: true }],
      },
    ]);
  });

  after(async () => {
    await client.destroy();
    await discord.stop();
    assert.deepEqual(discord.internalErrors, []);
  });

  test('a modal the fake refuses leaves the interaction unanswered, so the next valid modal is shown', T, async () => {
    const { interaction, handle } = await nextInteraction(
      client,
      () => discord.as(alice, guild.channel('general')).slash('find', { q: 'x' }),
      (i) => i.isChatInputCommand(),
    );
    const refused = await refusal(interaction.showModal({ custom_id: 'ask', title: 't'.repeat(46), components: MODAL_ROWS }));
    assert.deepEqual(refused, { code: 50035, fields: ['data.title BASE_TYPE_BAD_LENGTH'] });
    assert.equal(handle.acknowledged, false);
    await interaction.showModal({ custom_id: 'ask', title: 'Ask', components: MODAL_ROWS });
    assert.equal(handle.modal?.title, 'Ask');
  });

  test('autocomplete choices the fake refuses leave the interaction unanswered, so the next valid answer is taken', T, async () => {
    const { interaction, handle } = await nextInteraction(
      client,
      () => discord.as(alice, guild.channel('general')).autocomplete('find', { q: 'a' }, 'q'),
      (i) => i.isAutocomplete(),
    );
    const tooMany = Array.from({ length: 26 }, (_, i) => ({ name: `n${i}`, value: `v${i}` }));
    assert.deepEqual(await refusal(interaction.respond(tooMany)), { code: 50035, fields: ['data.choices BASE_TYPE_MAX_LENGTH'] });
    assert.equal(handle.acknowledged, false);
    await interaction.respond([{ name: 'apple', value: 'apple' }]);
    assert.deepEqual((await handle.response('autocomplete')).choices, [{ name: 'apple', value: 'apple' }]);
  });

  test('pins are listed from GET /channels/:id/messages/pins, latest pin first, and leave the list when unpinned', T, async () => {
    const channel = (await client.channels.fetch(guild.channel('general').id)) as TextChannel;
    const first = await channel.send('first');
    const second = await channel.send('second');
    await first.pin();
    await second.pin();
    const pins = await channel.messages.fetchPins();
    assert.deepEqual(
      pins.items.map((pin) => pin.message.content),
      ['second', 'first'],
    );
    assert.equal(discord.message(first.id)?.pinned, true);
    await first.unpin();
    assert.deepEqual(
      (await channel.messages.fetchPins()).items.map((pin) => pin.message.id),
      [second.id],
    );
    assert.ok(
      channel.messages.cache.some((m) => m.type === 6 && m.reference?.messageId === second.id),
      'a pin posts the "pinned a message" system message',
    );
  });

  test('GET /guilds/:id/members/search finds members by the start of their username or nickname', T, async () => {
    const discordGuild = await client.guilds.fetch(guild.id);
    const found = await discordGuild.members.search({ query: 'al', limit: 10 });
    assert.deepEqual([...found.values()].map((m) => m.user.username).sort(), ['alice', 'bob']);
    assert.equal((await discordGuild.members.search({ query: 'al' })).size, 1, 'the limit defaults to 1');
  });

  test("GET /applications/:id/guilds/:id/commands/permissions answers the guild's permissions: none were set", T, async () => {
    const discordGuild = await client.guilds.fetch(guild.id);
    assert.equal((await discordGuild.commands.permissions.fetch({})).size, 0);
    const [command] = [...(await client.application.commands.fetch()).values()];
    assert.ok(command);
    const single = await refusal(client.rest.get(Routes.applicationCommandPermissions(client.user.id, guild.id, command.id)));
    assert.equal(single.code, 10066);
  });

  test('a word where Discord expects an id is not read as an id: it answers 50035 and is listed as unhandled', T, async () => {
    const unhandledBefore = discord.unhandledRequests.length;
    const global = await refusal(client.rest.get(`/applications/${client.user.id}/commands/permissions`));
    assert.deepEqual(global, { code: 50035, fields: ['command_id NUMBER_TYPE_COERCE'] });
    const latest = await refusal(client.rest.get(`/channels/${guild.channel('general').id}/messages/latest`));
    assert.deepEqual(latest, { code: 50035, fields: ['message_id NUMBER_TYPE_COERCE'] });
    assert.deepEqual(
      discord.unhandledRequests.slice(unhandledBefore).map((r) => r.path.split('/').at(-1)),
      ['permissions', 'latest'],
    );
  });

  test('gateway.close(1006) drops the connection without a close frame, and discord.js resumes the session', T, async () => {
    const resumed = discord.gateway.waitForResume();
    assert.doesNotThrow(() => {
      discord.gateway.close(1006);
    });
    assert.equal((await resumed).shard[0], 0);
    assert.throws(() => {
      discord.gateway.close(1015);
    }, RangeError);
  });

  test('dispatchRaw sends a payload nested 10,000 levels deep without overflowing the stack', T, async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    const received = new Promise<unknown>((resolve) => {
      const listener = (packet: { t: string | null; d: unknown }): void => {
        if (packet.t !== 'DEEP_TEST') return;
        client.off(Events.Raw, listener);
        resolve(packet.d);
      };
      client.on(Events.Raw, listener);
    });
    assert.doesNotThrow(() => {
      discord.gateway.dispatchRaw('DEEP_TEST', deep);
    });
    let depth = 0;
    for (let node = await received; typeof node === 'object' && node !== null; node = (node as { d: unknown }).d) depth++;
    assert.equal(depth, 10_000);
  });
});
