import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeDiscord } from '../src/testing/index.js';
import { connectClient } from './support/client.js';

test('smoke', async () => {
  const discord = await FakeDiscord.start();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'HQ', members: [alice] });
  const client = await connectClient(discord);
  client.on('interactionCreate', (i) => {
    if (i.isChatInputCommand()) void i.reply({ content: `pong ${i.options.getInteger('n') ?? 0}`, ephemeral: true });
  });
  await client.application.commands.set([{ name: 'ping', description: 'Ping', options: [{ name: 'n', description: 'n', type: 4 }] }]);
  const handle = discord.as(alice, guild.channel('general')).slash('ping', { n: 3 });
  const reply = await handle.response('reply');
  assert.equal(reply.message?.content, 'pong 3');
  assert.equal(reply.ephemeral, true);
  await client.destroy();
  await discord.stop();
});
