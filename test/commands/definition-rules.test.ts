import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChannelType } from 'discord.js';
import { Client, command, CommandDefinitionError, option, subcommand, userCommand } from '../../src/index.js';
import type { CommandDefinition } from '../../src/index.js';
import { startBot, startFake } from '../support/bot.js';

const run = () => undefined;
/** Definitions as JavaScript (or a cast) can write them: the compiler no longer stands in the way. */
const loose = (value: unknown): never => value as never;

function newClient(): Client {
  return new Client({ token: 'unused', logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
}

const one = (options: object): CommandDefinition =>
  command({ name: 'remind', description: 'Set a reminder', options: loose(options), run });

/** [what, definition, the command named, the option named, the rule] */
const cases: [string, CommandDefinition, string, string | undefined, RegExp][] = [
  [
    "an integer option's minValue of 'one'",
    one({ amount: loose(option.integer({ description: 'How many', minValue: loose('one') })) }),
    '/remind',
    'amount',
    /minValue must be an integer/,
  ],
  [
    'a number bound that is not finite',
    one({ ratio: option.number({ description: 'Ratio', maxValue: Infinity }) }),
    '/remind',
    'ratio',
    /maxValue must be a number/,
  ],
  [
    'an integer bound of 1.5',
    one({ n: option.integer({ description: 'N', minValue: 1.5 }) }),
    '/remind',
    'n',
    /minValue must be an integer/,
  ],
  [
    'minValue above maxValue',
    one({ n: option.integer({ description: 'N', minValue: 5, maxValue: 1 }) }),
    '/remind',
    'n',
    /minValue \(5\) must not be greater than maxValue \(1\)/,
  ],
  [
    'string choice values on an integer option',
    one({ n: loose({ type: 4, description: 'N', choices: [{ name: 'one', value: '1' }] }) }),
    '/remind',
    'n',
    /value of choice "one" must be an integer/,
  ],
  [
    'number choice values on a string option',
    one({ s: loose({ type: 3, description: 'S', choices: [{ name: 'one', value: 1 }] }) }),
    '/remind',
    's',
    /must be a string of at most 100 characters/,
  ],
  [
    'a description that is a number',
    one({ s: loose({ type: 3, description: 5 }) }),
    '/remind',
    's',
    /description must be a string \(got 5\)/,
  ],
  [
    'minLength greater than maxLength',
    one({ s: option.string({ description: 'S', minLength: 10, maxLength: 5 }) }),
    '/remind',
    's',
    /minLength \(10\) must not be greater than maxLength \(5\)/,
  ],
  [
    'maxLength of 10000 (Discord allows 6000)',
    one({ s: option.string({ description: 'S', maxLength: 10_000 }) }),
    '/remind',
    's',
    /maxLength must be an integer from 1 to 6000/,
  ],
  [
    'a negative minLength',
    one({ s: option.string({ description: 'S', minLength: -1 }) }),
    '/remind',
    's',
    /minLength must be an integer from 0 to 6000/,
  ],
  [
    'a channel type that does not exist',
    one({ c: option.channel({ description: 'C', channelTypes: [99 as ChannelType] }) }),
    '/remind',
    'c',
    /channelTypes holds 99/,
  ],
  [
    'an option type that does not exist',
    one({ x: loose({ type: 12, description: 'X' }) }),
    '/remind',
    'x',
    /type 12 is not an option type/,
  ],
  ['an option name with capitals', one({ Amount: option.integer({ description: 'N' }) }), '/remind', 'Amount', /must be 1-32 lowercase/],
  [
    '26 choices',
    one({ s: option.string({ description: 'S', choices: Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: `${i}` })) }) }),
    '/remind',
    's',
    /at most 25 choices/,
  ],
  [
    'a localization for a locale Discord does not know',
    one({ s: option.string({ description: 'S', descriptionLocalizations: loose({ klingon: 'x' }) }) }),
    '/remind',
    's',
    /"klingon", which is not a locale/,
  ],
  [
    'a localized option name with a space',
    one({ s: option.string({ description: 'S', nameLocalizations: { de: 'zwei worte' } }) }),
    '/remind',
    's',
    /nameLocalizations\["de"\] must be 1-32 lowercase/,
  ],
  [
    'required as a string',
    one({ s: loose({ type: 3, description: 'S', required: 'yes' }) }),
    '/remind',
    's',
    /`required` must be true or false/,
  ],
  [
    'a command description of 101 characters',
    command({ name: 'long', description: 'd'.repeat(101), run }),
    '/long',
    undefined,
    /description must have 1-100 characters/,
  ],
  [
    'a command whose description is a number',
    command({ name: 'num', description: loose(5), run }),
    '/num',
    undefined,
    /description must be a string/,
  ],
  [
    'contexts that are not InteractionContextType values',
    command({ name: 'ctx', description: 'C', contexts: loose([7]), run }),
    '/ctx',
    undefined,
    /contexts holds 7/,
  ],
  [
    'permissions that are not permissions',
    command({ name: 'perm', description: 'P', defaultMemberPermissions: loose('Everything'), run }),
    '/perm',
    undefined,
    /defaultMemberPermissions "Everything"/,
  ],
  [
    'a guild id that is not one',
    command({ name: 'here', description: 'H', guilds: ['home'], run }),
    '/here',
    undefined,
    /guilds holds "home"/,
  ],
  [
    'a context-menu command with a description',
    loose(userCommand(loose({ name: 'Inspect', description: 'no', run }))),
    'user command Inspect',
    undefined,
    /`description` does not belong/,
  ],
];

describe('command definitions are checked as Discord checks them, before any request', () => {
  for (const [what, definition, commandName, optionName, rule] of cases) {
    test(`${what} is refused, naming the command, the option and the rule`, () => {
      assert.throws(
        () => newClient().addCommand(definition),
        (error: unknown) => {
          assert.ok(error instanceof CommandDefinitionError, String(error));
          assert.deepEqual([error.command, error.option], [commandName, optionName]);
          assert.match(error.rule, rule);
          assert.match(
            error.message,
            new RegExp(`^Command ${commandName.replace('/', '\\/')}${optionName ? ` \\(option ${optionName}\\)` : ''}: `),
          );
          return true;
        },
      );
    });
  }

  test('a command over 8000 characters in all is refused; the same command at 7976 is taken', () => {
    // 25 choices of 100 + 100 characters per option: 5000 + 4 per option; the command adds 6 + 14.
    const options = (valueLength: number) =>
      Object.fromEntries(
        ['aa', 'bb'].map((name) => [
          name,
          option.string({
            description: 'd',
            choices: Array.from({ length: 25 }, (_, i) => ({ name: `${i}`.padEnd(100, 'n'), value: `${i}`.padEnd(valueLength, 'v') })),
          }),
        ]),
      );
    const big = command({ name: 'remind', description: 'Set a reminder', options: options(60), run });
    assert.throws(() => newClient().addCommand(big), /\/remind: its names, descriptions and choices add up to 8026 characters/);
    assert.doesNotThrow(() =>
      newClient().addCommand(command({ name: 'remind', description: 'Set a reminder', options: options(59), run })),
    );
  });

  test('a localization counts toward the 8000 in its own locale', () => {
    const long = 'l'.repeat(100);
    const choices = Array.from({ length: 25 }, (_, i) => ({ name: `${i}`, value: `${i}`, nameLocalizations: { de: long } }));
    const options = Object.fromEntries(['a', 'b', 'c', 'd'].map((name) => [name, option.string({ description: 'd', choices })]));
    assert.throws(
      () => newClient().addCommand(command({ name: 'big', description: 'Big', options, run })),
      /add up to 10\d\d\d characters/,
    );
  });

  test('subcommands and groups are checked the same way, naming their path', () => {
    const definition = command({
      name: 'admin',
      description: 'Admin',
      groups: {
        config: {
          description: 'Config',
          subcommands: { set: subcommand({ description: 'Set', options: { v: option.string({ description: 'V', maxLength: 0 }) }, run }) },
        },
      },
    });
    assert.throws(
      () => newClient().addCommand(definition),
      (error: unknown) => error instanceof CommandDefinitionError && error.command === '/admin config set' && error.option === 'v',
    );
  });

  test('a refused definition leaves the registry as it was and makes no request', async () => {
    const discord = await startFake();
    const { bot } = await startBot(discord, {}, (b) => b.addCommand(command({ name: 'ok', description: 'Fine', run })));
    const before = discord.requests.length;
    assert.throws(
      () => bot.addCommand(one({ s: option.string({ description: 'S', minLength: 3, maxLength: 2 }) })),
      CommandDefinitionError,
    );
    assert.deepEqual(
      bot.commands.map((c) => c.name),
      ['ok'],
    );
    await bot.syncCommands();
    assert.deepEqual(
      discord.requests.slice(before).map((r) => r.method),
      ['GET'],
    );
  });
});
