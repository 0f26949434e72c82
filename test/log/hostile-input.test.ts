/**
 * What the gateway and users send is quoted in log lines bounded and escaped: a 1 MiB command name or custom id,
 * newlines that would forge a line, terminal escapes, an error message of a megabyte. Real discord.js against
 * the fake Discord; the longest line any of it produced is printed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComponentType, InteractionType } from 'discord.js';
import { command } from '../../src/index.js';
import { LINE_LIMIT, QUOTE_LIMIT } from '../../src/log/bound.js';
import { startBot, startFake } from '../support/bot.js';

const MIB = 1 << 20;
const FORGED = '[lantern] Error in /admin: forged';
/** A line's limit, its indentation as a later line of an entry, and the note of its length. */
const LONGEST_LINE = 2 + LINE_LIMIT + '… (1,000,000,000 characters)'.length;

test('hostile names, custom ids and messages give log lines of bounded length that forge no other line', async () => {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const hostileText = `${'n'.repeat(MIB)}\n${FORGED}\r\u001b[2J`;
  const { bot, logged, errors } = await startBot(discord, {}, (b) => {
    b.addCommand(
      command({
        name: 'panel',
        description: 'Posts a message with a button',
        run: (ctx) =>
          ctx.reply({
            content: 'panel',
            components: [
              { type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: 1, label: 'x', custom_id: 'x' }] },
            ],
          }),
      }),
      command({
        name: 'echo',
        description: 'Fails quoting a megabyte with newlines',
        run: () => {
          throw new Error(`${hostileText}\n`.repeat(4));
        },
      }),
    );
  });
  const as = discord.as(alice, guild.channel('general'));
  const message = (await as.slash('panel').response('reply')).message;
  assert.ok(message);

  const unknown = `${'c'.repeat(MIB)}\n${FORGED}`;
  await as.slash(unknown, {}, { allowUnregistered: true }).response();
  await as.interact(InteractionType.MessageComponent, { custom_id: unknown, component_type: ComponentType.Button }, { message }).response();
  await as.slash('echo').response();
  await bot.idle();
  assert.equal(errors.length, 1, 'the failing command is an Error event');

  const lines = logged.flatMap((entry) => entry.message.split('\n'));
  const longest = Math.max(...lines.map((line) => line.length));
  console.log(`longest log line: ${String(longest)} characters (from ${String(logged.length)} entries of ${String(lines.length)} lines)`);
  assert.ok(longest <= LONGEST_LINE, `a line of ${String(longest)} characters`);
  assert.ok(!lines.some((line) => line.startsWith(FORGED) || line.startsWith('Error in /admin')), 'no line was forged');
  assert.ok(!logged.some((entry) => entry.message.includes('\r') || entry.message.includes('\u001b')));

  const refused = logged.filter((entry) => entry.message.includes('LANTERN_ERR_UNKNOWN'));
  assert.equal(refused.length, 2, JSON.stringify(refused.map((r) => r.message.slice(0, 200))));
  for (const { message: line } of refused) {
    assert.ok(!line.includes('\n'), 'a refusal is one line: the newline in the name is escaped');
    assert.ok(
      line.includes(`${'c'.repeat(QUOTE_LIMIT - 1)}… (1,048,`),
      `the name is cut to ${String(QUOTE_LIMIT)} characters with its length`,
    );
    assert.ok(!line.includes('c'.repeat(QUOTE_LIMIT + 1)));
    assert.ok(line.length < 400, `${String(line.length)} characters`);
  }
});
