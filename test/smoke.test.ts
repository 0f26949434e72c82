import assert from 'node:assert/strict';
import { test } from 'node:test';
import { command, option } from '../src/index.js';
import { startBot, startFake } from './support/bot.js';

test('a failing command reaches the Error event and the user sees a traceback', async () => {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const divide = command({
    name: 'divide',
    description: 'Divide',
    options: { a: option.number({ description: 'a', required: true }), b: option.number({ description: 'b', required: true }) },
    run: async (ctx) => {
      if (ctx.options.b === 0) throw new RangeError('Cannot divide by zero');
      await ctx.reply(String(ctx.options.a / ctx.options.b));
    },
  });
  const { errors, logged } = await startBot(discord, {}, (bot) => bot.addCommand(divide));
  assert.deepEqual(discord.commands.list().map((c) => c.name), ['divide']);
  const ok = await discord.as(alice, guild.channel('general')).slash('divide', { a: 10, b: 4 }).response();
  assert.equal(ok.message?.content, '2.5');
  const failed = await discord.as(alice, guild.channel('general')).slash('divide', { a: 1, b: 0 }).response();
  assert.equal(failed.ephemeral, true);
  assert.equal(failed.message?.embeds[0]?.title, 'Error: RangeError');
  assert.equal(errors[0]?.source, '/divide');
  console.log(logged);
});
