import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationCommandOptionType, ApplicationCommandType, DiscordAPIError } from 'discord.js';
import type { Client } from 'discord.js';
import { FakeDiscord } from '../../src/testing/index.js';
import type { FakeGuild } from '../../src/testing/index.js';
import { connectClient } from '../support/client.js';

describe('application commands, as discord.js registers them', () => {
  let discord: FakeDiscord;
  let client: Client<true>;
  let guild: FakeGuild;

  before(async () => {
    discord = await FakeDiscord.start();
    guild = discord.addGuild({ name: 'G' });
    client = await connectClient(discord);
  });

  after(async () => {
    await client.destroy();
    await discord.stop();
  });

  test('global and guild sets are stored apart and readable back', async () => {
    await client.application.commands.set([
      { name: 'ping', description: 'Ping' },
      { name: 'Inspect', type: ApplicationCommandType.User },
    ]);
    await client.application.commands.set([{ name: 'admin', description: 'Guild only' }], guild.id);
    assert.deepEqual(
      discord.commands.list().map((c) => [c.name, c.type]),
      [
        ['ping', 1],
        ['Inspect', 2],
      ],
    );
    assert.deepEqual(
      discord.commands.list(guild.id).map((c) => c.name),
      ['admin'],
    );
    const fetched = await client.application.commands.fetch();
    assert.deepEqual([...fetched.values()].map((c) => c.name).sort(), ['Inspect', 'ping']);
    const fetchedGuild = await client.application.commands.fetch({ guildId: guild.id });
    assert.equal(fetchedGuild.first()?.guildId, guild.id);
  });

  test('a bulk overwrite keeps the id of a command whose name stays, and drops the missing ones', async () => {
    const first = await client.application.commands.set([
      { name: 'keep', description: 'k' },
      { name: 'drop', description: 'd' },
    ]);
    const keepId = first.find((c) => c.name === 'keep')?.id;
    const second = await client.application.commands.set([
      { name: 'keep', description: 'changed' },
      { name: 'new', description: 'n' },
    ]);
    assert.equal(second.find((c) => c.name === 'keep')?.id, keepId);
    assert.equal(second.find((c) => c.name === 'keep')?.description, 'changed');
    assert.deepEqual(
      discord.commands.list().map((c) => c.name),
      ['keep', 'new'],
    );
  });

  test('create, edit and delete one command', async () => {
    await client.application.commands.set([]);
    const created = await client.application.commands.create({ name: 'solo', description: 'one' });
    const edited = await client.application.commands.edit(created.id, { description: 'two' });
    assert.equal(edited.description, 'two');
    assert.equal(discord.commands.get(created.id)?.description, 'two');
    await client.application.commands.delete(created.id);
    assert.equal(discord.commands.list().length, 0);
    await assert.rejects(client.application.commands.delete(created.id), (e: unknown) => e instanceof DiscordAPIError && e.code === 10063);
  });

  test('invalid definitions get 50035 with field paths, as from Discord', async () => {
    const invalid = async (commands: Parameters<typeof client.application.commands.set>[0], path: string): Promise<void> => {
      await assert.rejects(client.application.commands.set(commands), (e: unknown) => {
        assert.ok(e instanceof DiscordAPIError, String(e));
        assert.equal(e.code, 50035);
        assert.ok(e.message.includes(`\n${path}[`), `${path} in: ${e.message}`);
        return true;
      });
    };
    await invalid([{ name: 'Upper', description: 'x' }], '0.name');
    await invalid([{ name: 'ok', description: '' }], '0.description');
    await invalid(
      [
        { name: 'twice', description: 'a' },
        { name: 'twice', description: 'b' },
      ],
      '1.name',
    );
    await invalid(
      [
        {
          name: 'opts',
          description: 'd',
          options: [
            { name: 'a', description: 'a', type: ApplicationCommandOptionType.String },
            { name: 'b', description: 'b', type: ApplicationCommandOptionType.String, required: true },
          ],
        },
      ],
      '0.options[1].required',
    );
    await invalid(
      [
        {
          name: 'many',
          description: 'd',
          options: Array.from({ length: 26 }, (_, i) => ({ name: `o${i}`, description: 'o', type: ApplicationCommandOptionType.String })),
        },
      ],
      '0.options',
    );
    const menuWithDescription = { name: 'Menu', type: ApplicationCommandType.Message as const, description: 'not allowed' };
    await invalid([menuWithDescription], '0.description');
  });

  test('a command synced for one guild is invokable there only (and global ones everywhere)', async () => {
    const other = discord.addGuild({ name: 'Other' });
    const user = discord.addUser({ username: 'u' });
    guild.addMember(user);
    other.addMember(user);
    await client.application.commands.set([{ name: 'here', description: 'h' }], guild.id);
    await client.application.commands.set([{ name: 'everywhere', description: 'e' }]);
    assert.equal((discord.as(user, guild.channel('general')).slash('here').payload.data as { guild_id?: string }).guild_id, guild.id);
    assert.throws(() => discord.as(user, other.channel('general')).slash('here'), /No ChatInput command "here"/);
    for (const where of [guild.channel('general'), other.channel('general'), discord.dmChannel(user)]) {
      assert.equal((discord.as(user, where).slash('everywhere').payload.data as { name: string }).name, 'everywhere');
    }
  });
});
