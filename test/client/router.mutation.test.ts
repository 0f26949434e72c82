/**
 * The router's answer deadline: Discord forgets an unanswered interaction 3 s after it arrived, so the 2.5 s the
 * error answer may wait for slow error handlers count from the interaction's arrival, not from the failure.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { command, Events } from '../../src/index.js';
import type { CommandContext } from '../../src/index.js';
import { startBot, startFake } from '../support/bot.js';

const HANDLER_MS = 1500;
const UNACKNOWLEDGED_DEADLINE_MS = 2500;

async function world(run: (ctx: CommandContext) => Promise<never>) {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const testBot = await startBot(discord, { stopTimeoutMs: 300, sendCommandTracebacks: false }, (bot) => {
    bot.addCommand(command({ name: 'slow', description: 'Slow, then fails', run }));
    // An error handler that never finishes: the answer must not wait for it past Discord's patience.
    bot.listen(Events.CommandError, () => new Promise<never>(() => undefined));
  });
  const waited = () => {
    const warning = testBot.logged.find((line) => line.level === 'warn' && line.message.includes('still running after'));
    assert.ok(warning, JSON.stringify(testBot.logged));
    return Number(/still running after (\d+) ms/.exec(warning.message)?.[1]);
  };
  return { ...testBot, waited, slash: () => discord.as(alice, guild.channel('general')).slash('slow') };
}

test('a handler that fails 1.5 s after the interaction arrived leaves the error handlers only the rest of the 2.5 s', async () => {
  const { slash, waited, logged } = await world(async () => {
    await sleep(HANDLER_MS);
    throw new Error('failed late');
  });
  const handle = slash();
  const answer = await handle.response();
  assert.equal(answer.kind, 'reply');
  assert.equal(answer.ephemeral, true);
  assert.ok(answer.message?.content.startsWith('Sorry, something went wrong.'), JSON.stringify(answer.message));
  // Whatever the machine's speed, at least HANDLER_MS of the deadline was gone when the handler failed.
  assert.ok(waited() <= UNACKNOWLEDGED_DEADLINE_MS - HANDLER_MS, `waited ${String(waited())} ms for the error handlers`);
  assert.ok(!logged.some((line) => line.message.startsWith('Could not tell the user')), JSON.stringify(logged));
});

test('once the interaction is deferred, the answer waits up to 5 s for the error handlers, then is sent', async () => {
  const { slash, waited } = await world(async (ctx) => {
    await ctx.defer({ ephemeral: true });
    throw new Error('failed after deferring');
  });
  const handle = slash();
  const answer = await handle.response('followUp', { timeout: 10_000 });
  assert.ok(answer.message?.content.startsWith('Sorry, something went wrong.'), JSON.stringify(answer.message));
  assert.equal(waited(), 5000);
});
