import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationCommandOptionType as O, ChannelType, InteractionType } from 'discord.js';
import { command, Events, option, OptionMismatchError, subcommand } from '../../src/index.js';
import { startBot, startFake } from '../support/bot.js';

const T = { timeout: 10_000 };

const ran: unknown[] = [];
const discord = await startFake();
const alice = discord.addUser({ username: 'alice' });
const guild = discord.addGuild({
  name: 'G',
  members: [alice],
  channels: [{ name: 'general' }, { name: 'voice', type: ChannelType.GuildVoice }],
});
const { bot, errors } = await startBot(discord, { sendCommandTracebacks: false }, (b) => {
  b.addCommand(
    command({
      name: 'remind',
      description: 'Set a reminder',
      options: {
        text: option.string({ description: 'What', required: true, minLength: 2, maxLength: 200 }),
        unit: option.string({
          description: 'Unit',
          choices: [
            { name: 'minutes', value: 'm' },
            { name: 'hours', value: 'h' },
          ],
        }),
        amount: option.integer({ description: 'How many', minValue: 1, maxValue: 48 }),
        ratio: option.number({ description: 'Ratio', minValue: 0, maxValue: 1 }),
        loud: option.boolean({ description: 'Loud' }),
        where: option.channel({ description: 'Where', channelTypes: [ChannelType.GuildText] }),
      },
      run: (ctx) => {
        ran.push(ctx.options);
        return ctx.reply('noted');
      },
    }),
    command({
      name: 'tools',
      description: 'Tools',
      subcommands: {
        set: subcommand({
          description: 'Set',
          options: { on: option.boolean({ description: 'On' }) },
          run: (ctx) => ctx.reply(String(ctx.options.on)),
        }),
      },
    }),
  );
});
let commandErrors = 0;
bot.listen(Events.CommandError, () => {
  commandErrors++;
});

describe('option values are checked against their definition before the handler runs', () => {
  /** Sends `/remind` with the options exactly as given, as a forged or outdated client could. */
  const remind = (options: { name: string; type: number; value: unknown }[]) =>
    discord.as(alice, guild.channel('general')).interact(InteractionType.ApplicationCommand, {
      id: discord.commands.find('remind', 1, null)?.id ?? '1',
      name: 'remind',
      type: 1,
      options,
    });
  const text = { name: 'text', type: O.String, value: 'call mum' };

  const cases: [string, { name: string; type: number; value: unknown }[], string, RegExp][] = [
    ['an integer that is "abc"', [text, { name: 'amount', type: O.Integer, value: 'abc' }], 'amount', /expected an integer, got "abc"/],
    ['an integer that is 1.5', [text, { name: 'amount', type: O.Integer, value: 1.5 }], 'amount', /expected an integer, got 1.5/],
    ['1000 for maxValue 48', [text, { name: 'amount', type: O.Integer, value: 1000 }], 'amount', /1000 is above maxValue 48/],
    ['0 for minValue 1', [text, { name: 'amount', type: O.Integer, value: 0 }], 'amount', /0 is below minValue 1/],
    ['a number that is not finite', [text, { name: 'ratio', type: O.Number, value: 'NaN' }], 'ratio', /expected a number/],
    ['"x" outside the choices', [text, { name: 'unit', type: O.String, value: 'x' }], 'unit', /"x" is not one of the choices "m", "h"/],
    ['500 characters for maxLength 200', [{ ...text, value: 'a'.repeat(500) }], 'text', /500 characters is more than maxLength 200/],
    ['1 character for minLength 2', [{ ...text, value: 'a' }], 'text', /1 characters is fewer than minLength 2/],
    ['"yes" for a boolean', [text, { name: 'loud', type: O.Boolean, value: 'yes' }], 'loud', /expected true or false/],
    [
      'an option the definition does not have',
      [text, { name: 'extra', type: O.String, value: 'x' }],
      'extra',
      /the definition has no such option/,
    ],
    ['a required option left out', [{ name: 'amount', type: O.Integer, value: 2 }], 'text', /required and was not sent/],
  ];
  for (const [what, options, name, rule] of cases) {
    test(`${what} fails through the error path: OptionMismatchError, the user's answer, one Error event`, T, async () => {
      const errorsBefore = errors.length;
      const commandErrorsBefore = commandErrors;
      const ranBefore = ran.length;
      const answer = await remind(options).response();
      assert.equal(ran.length, ranBefore, 'the handler never runs');
      assert.equal(answer.kind, 'reply');
      assert.equal(answer.ephemeral, true);
      assert.equal(errors.length, errorsBefore + 1, 'one Error event');
      assert.equal(commandErrors, commandErrorsBefore + 1, 'one CommandError event');
      const error = errors.at(-1)?.error;
      assert.ok(error instanceof OptionMismatchError, String(error));
      assert.equal(error.code, 'LANTERN_ERR_OPTION_MISMATCH');
      assert.deepEqual([error.command, error.option], ['/remind', name]);
      assert.match(error.rule, rule);
      assert.equal(errors.at(-1)?.source, '/remind');
    });
  }

  test('a channel of a type the definition does not list is refused', T, async () => {
    const voice = guild.channel('voice');
    const errorsBefore = errors.length;
    await discord
      .as(alice, guild.channel('general'))
      .interact(InteractionType.ApplicationCommand, {
        id: '1',
        name: 'remind',
        type: 1,
        options: [text, { name: 'where', type: O.Channel, value: voice.id }],
        resolved: { channels: { [voice.id]: { id: voice.id, name: 'voice', type: ChannelType.GuildVoice, permissions: '0' } } },
      })
      .response();
    assert.match((errors.at(-1)?.error as OptionMismatchError).rule, /channel of type 2 is not one of channelTypes 0/);
    assert.equal(errors.length, errorsBefore + 1);
  });

  test('an extra option under a subcommand is refused, and one that fits runs', T, async () => {
    const as = discord.as(alice, guild.channel('general'));
    const errorsBefore = errors.length;
    await as
      .interact(InteractionType.ApplicationCommand, {
        id: '1',
        name: 'tools',
        type: 1,
        options: [{ name: 'set', type: O.Subcommand, options: [{ name: 'off', type: O.Boolean, value: true }] }],
      })
      .response();
    assert.equal((errors.at(-1)?.error as OptionMismatchError).option, 'off');
    assert.equal(errors.length, errorsBefore + 1);
    assert.equal((await as.slash('tools set', { on: true }, { allowUnregistered: true }).response()).message?.content, 'true');
  });

  test('values that fit every rule reach the handler as sent', T, async () => {
    const ranBefore = ran.length;
    const answer = await remind([
      text,
      { name: 'unit', type: O.String, value: 'h' },
      { name: 'amount', type: O.Integer, value: 48 },
      { name: 'ratio', type: O.Number, value: 0.5 },
      { name: 'loud', type: O.Boolean, value: false },
    ]).response();
    assert.equal(answer.message?.content, 'noted');
    assert.deepEqual(ran.slice(ranBefore), [{ text: 'call mum', unit: 'h', amount: 48, ratio: 0.5, loud: false, where: undefined }]);
  });
});
