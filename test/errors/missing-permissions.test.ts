/**
 * Discord answers a request the bot lacks a permission for with 403 Missing Permissions (50013) and does not say
 * which permission. Lantern's log line must: the request, the missing permission by name, and the channel.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermissionFlagsBits } from 'discord.js';
import { command } from '../../src/index.js';
import { startBot, startFake } from '../support/bot.js';

const discord = await startFake();
const alice = discord.addUser({ username: 'alice' });
const guild = discord.addGuild({ name: 'HQ', members: [alice] });
const locked = guild.addChannel({
  name: 'announcements',
  permissionOverwrites: [{ target: discord.botUser, deny: PermissionFlagsBits.EmbedLinks }],
});
const muted = guild.addChannel({
  name: 'muted',
  permissionOverwrites: [{ target: discord.botUser, deny: PermissionFlagsBits.SendMessages }],
});

const announce = command({
  name: 'announce',
  description: 'Post an embed in this channel',
  run: async (ctx) => {
    await ctx.defer({ ephemeral: true });
    const channel = ctx.channel;
    if (!channel?.isSendable()) throw new Error('not a text channel');
    await channel.send({ embeds: [{ title: 'News', description: 'Lantern 1.0 is out' }] });
    await ctx.send({ content: 'Posted.', ephemeral: true });
  },
});

const { bot, logged, errors } = await startBot(discord, { sendCommandTracebacks: false }, (b) => b.addCommand(announce));

test('a 50013 on a message the handler sends is logged naming the missing permission and the channel', async () => {
  const handle = discord.as(alice, locked).slash('announce');
  await handle.response('followUp');
  await bot.idle();
  const error = errors.find((e) => e.source === '/announce');
  assert.ok(error, 'the failure is an Error event');
  const line = logged.find((l) => l.level === 'error' && l.message.startsWith('Error in /announce'));
  assert.ok(line, `an error line was logged: ${JSON.stringify(logged)}`);
  assert.match(
    line.message,
    new RegExp(`Discord refused POST /channels/${locked.id}/messages: the bot lacks Embed Links in #announcements \\(${locked.id}\\)`),
  );
  assert.doesNotMatch(line.message, /Send Messages/, 'only what is missing is named');
});

test('without Send Messages the line names that permission instead', async () => {
  discord.as(alice, muted).slash('announce');
  await bot.idle();
  await waitForLine(() => logged.find((l) => l.message.includes(`#muted (${muted.id})`)));
  const line = logged.find((l) => l.message.includes(`#muted (${muted.id})`));
  assert.match(line?.message ?? '', /the bot lacks Send Messages in #muted/);
});

test('errors that are not 50013 get no permission line', async () => {
  const before = logged.length;
  discord.as(alice, guild.channel('general')).slash('announce');
  await bot.idle();
  assert.ok(!logged.slice(before).some((l) => l.message.includes('Discord refused')), 'the general channel allows everything');
});

async function waitForLine(find: () => unknown): Promise<void> {
  for (let i = 0; i < 100 && !find(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}
