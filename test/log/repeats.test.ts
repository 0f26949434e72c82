/**
 * The log's repeat counter tells errors apart as a tracker does (source and Discord-aware fingerprint), not by
 * message: errors whose messages or URLs carry a different id each time are logged in full `errorLogLimit` times
 * a minute, then counted. Failures to tell a user about an error are counted the same way. Real interactions
 * through the fake Discord.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { command } from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import type { InteractionHandle } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';
import { VARYING_ERROR_SOURCES, varyingErrorCommands } from '../support/varying-errors.js';

/** Runs `count` interactions, `inFlight` at a time, and waits for the bot to finish with them. */
async function runAll(count: number, inFlight: number, start: (i: number) => InteractionHandle): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await start(next++).response();
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

test('four errors whose messages and URLs carry varying ids, 160 times, are 4 x 5 full entries and 4 counts', async () => {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const clock = new FakeClock(Date.UTC(2026, 11, 1, 12));
  const { bot, logged, errors } = await startBot(discord, { clock, sendCommandTracebacks: false }, (b) =>
    b.addCommand(...varyingErrorCommands()),
  );
  const as = discord.as(alice, guild.channel('general'));
  const perKind = 40;
  await runAll(perKind * 4, 8, (i) => as.slash((VARYING_ERROR_SOURCES[i % 4] ?? '').slice(1)));
  await bot.idle();
  assert.equal(errors.length, perKind * 4, 'every failure is still an Error event');
  const messages = new Set(errors.map((e) => `${e.error.message} ${String((e.error as { url?: string }).url)}`));
  assert.equal(messages.size, perKind * 4, 'no two failures had the same message and URL');

  const errorLines = () => logged.filter((line) => line.level === 'error').map((line) => line.message);
  for (const source of VARYING_ERROR_SOURCES) {
    const full = errorLines().filter((line) => line.startsWith(`Error in ${source}: `));
    assert.equal(full.length, 5, `${source} is logged in full 5 times:\n${full.join('\n---\n')}`);
  }
  assert.equal(errorLines().length, 20);

  await bot.stop();
  const counts = errorLines().slice(20);
  assert.equal(counts.length, 4, counts.join('\n'));
  for (const source of VARYING_ERROR_SOURCES)
    assert.ok(
      counts.some((line) => line.startsWith(`Error in ${source}: the same error ${String(perKind - 5)} more times since `)),
      `${source}: ${counts.join('\n')}`,
    );
});

test('failures to tell users about their errors (30 expired interactions) are 5 lines and a count, not 30', async () => {
  const discord = await startFake({ interactionTimeoutMs: 100 });
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const { bot, logged, errors } = await startBot(discord, { sendCommandTracebacks: false }, (b) =>
    b.addCommand(
      command({
        name: 'slow',
        description: 'Fails after Discord stopped waiting for an answer',
        run: async () => {
          await new Promise((resolve) => setTimeout(resolve, 250));
          throw new Error('the slow service failed at last');
        },
      }),
    ),
  );
  const as = discord.as(alice, guild.channel('general'));
  const handles = Array.from({ length: 30 }, () => as.slash('slow'));
  await waitUntil(() => errors.length === 30, 10_000);
  await bot.idle();
  assert.ok(
    handles.every((h) => h.responses.length === 0),
    'none of them could be answered',
  );
  const couldNot = () => logged.filter((line) => line.message.startsWith('Could not tell the user about the error in /slow'));
  assert.equal(
    couldNot().length,
    5,
    couldNot()
      .map((l) => l.message)
      .join('\n'),
  );
  assert.match(
    couldNot()[0]?.message ?? '',
    /^Could not tell the user about the error in \/slow: DiscordAPIError\[10062\]: Unknown interaction$/,
  );
  await bot.stop();
  const lines = couldNot();
  assert.equal(lines.length, 6);
  assert.match(
    lines[5]?.message ?? '',
    new RegExp(
      [
        String.raw`^Could not tell the user about the error in \/slow: the same failure 25 more times since .*`,
        String.raw`\(DiscordAPIError\[10062\]: Unknown interaction\)$`,
      ].join(''),
    ),
  );
  assert.equal(lines[5]?.level, 'warn');
});
