import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ApplicationCommandOptionType,
  Attachment,
  ChannelType,
  GuildMember,
  InteractionContextType,
  PermissionFlagsBits,
  Role,
  TextChannel,
  User,
} from 'discord.js';
import {
  Client,
  command,
  CommandDefinitionError,
  CommandSyncError,
  DuplicateCommandError,
  OptionMismatchError,
  option,
  subcommand,
} from '../../src/index.js';
import type { CommandContext, CommandDefinition } from '../../src/index.js';
import { DiscordFaults } from '../../src/testing/index.js';
import type { FakeDiscord, FakeGuild, FakeUser, RecordedRequest } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';

interface World {
  discord: FakeDiscord;
  alice: FakeUser;
  guild: FakeGuild;
}

async function world(options: Parameters<typeof startFake>[0] = {}): Promise<World> {
  const discord = await startFake(options);
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({
    name: 'Lantern HQ',
    members: [alice],
    roles: [{ name: 'Mod' }],
    channels: [{ name: 'general' }, { name: 'voice', type: ChannelType.GuildVoice }],
  });
  return { discord, alice, guild };
}

/** The REST requests to a command route (global or guild) from position `from` on. */
function commandRequests(discord: FakeDiscord, from = 0): RecordedRequest[] {
  return discord.requests.slice(from).filter((r) => /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(r.path));
}

function isCode(type: abstract new (...args: never[]) => Error, code: string) {
  return (error: unknown): boolean => error instanceof type && (error as Error & { code: string }).code === code;
}

// ---- 1. typed options ----

/** Every option kind, required ones first. `seen` receives what the handler got. */
function everythingCommand(seen: Record<string, unknown>[]) {
  return command({
    name: 'everything',
    description: 'Every option kind',
    options: {
      colour: option.string({
        description: 'Colour',
        required: true,
        choices: [
          { name: 'Red', value: 'red' },
          { name: 'Blue', value: 'blue' },
        ],
      }),
      count: option.integer({ description: 'Count', required: true, minValue: 1, maxValue: 10 }),
      ratio: option.number({ description: 'Ratio', required: true, minValue: 0, maxValue: 1 }),
      loud: option.boolean({ description: 'Loud', required: true }),
      friend: option.user({ description: 'Friend', required: true }),
      where: option.channel({ description: 'Where', required: true, channelTypes: [ChannelType.GuildText] }),
      role: option.role({ description: 'Role', required: true }),
      who: option.mentionable({ description: 'Who', required: true }),
      file: option.attachment({ description: 'File', required: true }),
      note: option.string({ description: 'Note', maxLength: 20 }),
      limit: option.integer({ description: 'Limit' }),
      size: option.number({
        description: 'Size',
        choices: [
          { name: 'Small', value: 1 },
          { name: 'Large', value: 2.5 },
        ],
      }),
    },
    run: async (ctx) => {
      // Compile-time checks: tsc runs over this file.
      const count: number = ctx.options.count;
      const ratio: number = ctx.options.ratio;
      const loud: boolean = ctx.options.loud;
      const colour: 'red' | 'blue' = ctx.options.colour;
      const friend: User = ctx.options.friend;
      const file: Attachment = ctx.options.file;
      const note: string | undefined = ctx.options.note;
      const size: 1 | 2.5 | undefined = ctx.options.size;
      // @ts-expect-error -- an optional option may be undefined
      const noteRequired: string = ctx.options.note;
      // @ts-expect-error -- an optional integer may be undefined
      const limitRequired: number = ctx.options.limit;
      // @ts-expect-error -- a string with choices is the union of its values, not any string
      const notAColour = ctx.options.colour === 'green';
      // @ts-expect-error -- a number with choices is the union of its values
      const notASize: 3 | undefined = ctx.options.size;
      // @ts-expect-error -- no option of that name
      const unknown: unknown = ctx.options.nope;
      const assignOption = () => {
        // @ts-expect-error -- options are read-only (and frozen at runtime)
        ctx.options.count = 2;
      };
      seen.push({
        ...ctx.options,
        frozen: Object.isFrozen(ctx.options),
        assignOption,
        typed: [count, ratio, loud, colour, friend, file, note, size, noteRequired, limitRequired, notAColour, notASize, unknown],
      });
      await ctx.reply(`${colour} x${String(count)}`);
    },
  });
}

describe('typed options', () => {
  test('every option kind arrives in ctx.options with its runtime value', async () => {
    const { discord, alice, guild } = await world();
    const bob = discord.addUser({ username: 'bob' });
    guild.addMember(bob);
    const seen: Record<string, unknown>[] = [];
    await startBot(discord, {}, (bot) => bot.addCommand(everythingCommand(seen)));

    const registered = discord.commands.list().find((c) => c.name === 'everything');
    const where = registered?.options?.find((o) => o.name === 'where') as { channel_types?: number[] } | undefined;
    assert.deepEqual(where?.channel_types, [ChannelType.GuildText]);

    const all = discord.as(alice, guild.channel('general')).slash('everything', {
      colour: 'blue',
      count: 3,
      ratio: 0.25,
      loud: false,
      friend: bob,
      where: guild.channel('general'),
      role: guild.role('Mod'),
      who: bob,
      file: { name: 'log.txt', data: 'hello', contentType: 'text/plain' },
      note: 'hi',
      limit: 7,
      size: 2.5,
    });
    assert.equal((await all.response()).message?.content, 'blue x3');
    const got = seen[0]!;
    assert.equal(got.frozen, true);
    assert.throws(got.assignOption as () => void, TypeError);
    assert.equal(got.colour, 'blue');
    assert.equal(got.count, 3);
    assert.equal(got.ratio, 0.25);
    assert.equal(got.loud, false);
    assert.ok(got.friend instanceof User);
    assert.equal(got.friend.id, bob.id);
    assert.ok(got.where instanceof TextChannel);
    assert.equal(got.where.id, guild.channel('general').id);
    assert.ok(got.role instanceof Role);
    assert.equal(got.role.name, 'Mod');
    assert.ok(got.who instanceof GuildMember, 'a mentionable guild member arrives as a GuildMember');
    assert.equal(got.who.id, bob.id);
    assert.ok(got.file instanceof Attachment);
    assert.equal(got.file.name, 'log.txt');
    assert.equal(got.note, 'hi');
    assert.equal(got.limit, 7);
    assert.equal(got.size, 2.5);

    const some = discord.as(alice, guild.channel('general')).slash('everything', {
      colour: 'red',
      count: 10,
      ratio: 1,
      loud: true,
      friend: alice,
      where: guild.channel('general'),
      role: guild.role('Mod'),
      who: guild.role('Mod'),
      file: { name: 'a.png', data: Buffer.from([1, 2, 3]) },
    });
    assert.equal((await some.response()).message?.content, 'red x10');
    const second = seen[1]!;
    assert.equal(second.loud, true);
    assert.ok(second.who instanceof Role, 'a mentionable role arrives as a Role');
    for (const name of ['note', 'limit', 'size']) {
      assert.ok(name in second, `${name} is a key of ctx.options`);
      assert.equal(second[name], undefined, `omitted optional ${name} is undefined`);
    }
  });
});

// ---- 2. subcommands and groups ----

describe('subcommands and groups', () => {
  test('each path reaches its handler, and ctx.command names it', async () => {
    const { discord, alice, guild } = await world();
    const admin = command({
      name: 'admin',
      description: 'Admin tools',
      subcommands: {
        ping: subcommand({ description: 'Ping', run: (ctx) => ctx.reply(`ping: ${ctx.command}`) }),
        kick: subcommand({
          description: 'Kick someone',
          options: { who: option.user({ description: 'Who', required: true }), why: option.string({ description: 'Why' }) },
          run: (ctx) => ctx.reply(`kick ${ctx.options.who.username} (${ctx.options.why ?? 'no reason'}): ${ctx.command}`),
        }),
      },
      groups: {
        role: {
          description: 'Roles',
          subcommands: {
            add: subcommand({
              description: 'Add a role',
              options: { role: option.role({ description: 'Role', required: true }) },
              run: (ctx) => ctx.reply(`add ${ctx.options.role.name}: ${ctx.command}`),
            }),
            remove: subcommand({ description: 'Remove a role', run: (ctx) => ctx.reply(`remove: ${ctx.command}`) }),
          },
        },
      },
    });
    const top = command({ name: 'top', description: 'Top level', run: (ctx) => ctx.reply(`top: ${ctx.command}`) });
    await startBot(discord, {}, (bot) => bot.addCommand(admin, top));
    const as = discord.as(alice, guild.channel('general'));
    const answer = async (path: string, options = {}) => (await as.slash(path, options).response()).message?.content;
    assert.equal(await answer('admin ping'), 'ping: /admin ping');
    assert.equal(await answer('admin kick', { who: alice, why: 'spam' }), 'kick alice (spam): /admin kick');
    assert.equal(await answer('admin kick', { who: alice }), 'kick alice (no reason): /admin kick');
    assert.equal(await answer('admin role add', { role: guild.role('Mod') }), 'add Mod: /admin role add');
    assert.equal(await answer('admin role remove'), 'remove: /admin role remove');
    assert.equal(await answer('top'), 'top: /top');
  });
});

// ---- 3. definition validation ----

describe('definition validation', () => {
  const run = (ctx: CommandContext) => ctx.reply('x');
  const invalid: [string, CommandDefinition][] = [
    ['an uppercase name', command({ name: 'Ping', description: 'd', run })],
    ['a name with a space', command({ name: 'two words', description: 'd', run })],
    ['a name over 32 characters', command({ name: 'x'.repeat(33), description: 'd', run })],
    ['an empty description', command({ name: 'empty', description: '', run })],
    ['a description over 100 characters', command({ name: 'long', description: 'd'.repeat(101), run })],
    ['a bad option name', command({ name: 'opt', description: 'd', options: { 'Bad Name': option.string({ description: 'd' }) }, run })],
    [
      'an option description over 100',
      command({ name: 'opt', description: 'd', options: { a: option.string({ description: 'd'.repeat(101) }) }, run }),
    ],
    [
      'a required option after an optional one',
      command({
        name: 'order',
        description: 'd',
        options: { a: option.string({ description: 'a' }), b: option.string({ description: 'b', required: true }) },
        run,
      }),
    ],
    [
      '26 choices',
      command({
        name: 'many',
        description: 'd',
        options: {
          a: option.integer({ description: 'a', choices: Array.from({ length: 26 }, (_, i) => ({ name: `n${String(i)}`, value: i })) }),
        },
        run,
      }),
    ],
    [
      'choices with autocomplete',
      command({
        name: 'auto',
        description: 'd',
        options: { a: option.string({ description: 'a', autocomplete: true, choices: [{ name: 'x', value: 'x' }] }) },
        run,
      }),
    ],
    [
      '26 options',
      command({
        name: 'wide',
        description: 'd',
        options: Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`o${String(i)}`, option.boolean({ description: 'o' })])),
        run,
      }),
    ],
    ['a parent with no subcommands', command({ name: 'parent', description: 'd' })],
    ['a parent with empty subcommands', command({ name: 'parent', description: 'd', subcommands: {} })],
    ['a bad subcommand name', command({ name: 'parent', description: 'd', subcommands: { Sub: subcommand({ description: 'd', run }) } })],
    ['a group with no subcommands', command({ name: 'parent', description: 'd', groups: { g: { description: 'd', subcommands: {} } } })],
    [
      'a subcommand with a long description',
      command({
        name: 'parent',
        description: 'd',
        groups: { g: { description: 'd', subcommands: { s: subcommand({ description: 'd'.repeat(101), run }) } } },
      }),
    ],
  ];

  test('invalid definitions throw CommandDefinitionError from addCommand, before any request', async () => {
    const { discord } = await world();
    const { bot } = await startBot(discord, {}, (b) => b.addCommand(command({ name: 'ok', description: 'Fine', run })));
    const before = discord.requests.length;
    for (const [what, definition] of invalid) {
      assert.throws(() => bot.addCommand(definition), isCode(CommandDefinitionError, 'LANTERN_ERR_COMMAND_DEFINITION'), what);
    }
    assert.deepEqual(
      bot.commands.map((c) => c.name),
      ['ok'],
    );
    // Nothing invalid reached the registry: an explicit sync finds Discord already up to date.
    const result = await bot.syncCommands();
    assert.deepEqual(result.updated, []);
    assert.deepEqual(
      commandRequests(discord, before).map((r) => r.method),
      ['GET'],
    );
    assert.deepEqual(
      discord.commands.list().map((c) => c.name),
      ['ok'],
    );
  });

  test('the error names the command and the problem', () => {
    const [, order] = invalid.find(([what]) => what.startsWith('a required option'))!;
    const bot = newClient();
    assert.throws(() => bot.addCommand(order), /\/order.*option b.*required options must come before optional/);
  });

  test('a duplicate name throws DuplicateCommandError and keeps the first', () => {
    const bot = newClient();
    const first = command({ name: 'dup', description: 'First', run });
    bot.addCommand(first);
    assert.throws(
      () => bot.addCommand(command({ name: 'dup', description: 'Second', run })),
      isCode(DuplicateCommandError, 'LANTERN_ERR_DUPLICATE_COMMAND'),
    );
    assert.deepEqual(bot.commands, [first]);
  });

  test('addCommand with several definitions adds none when one is invalid or a duplicate', () => {
    const bot = newClient();
    assert.throws(
      () => bot.addCommand(command({ name: 'a', description: 'A', run }), command({ name: 'B', description: 'B', run })),
      CommandDefinitionError,
    );
    assert.throws(
      () => bot.addCommand(command({ name: 'c', description: 'C', run }), command({ name: 'c', description: 'C again', run })),
      DuplicateCommandError,
    );
    assert.deepEqual(bot.commands, []);
  });
});

/** A client that never starts: validation needs no Discord. */
function newClient(): Client {
  return new Client({ token: 'unused', logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
}

// ---- 4. sync ----

/** A rich set of definitions, made fresh for each "process". */
function definitions(description = 'Everything') {
  const run = (ctx: CommandContext) => ctx.reply('ok');
  return [
    { ...everythingCommand([]), description },
    command({
      name: 'admin',
      description: 'Admin tools',
      defaultMemberPermissions: PermissionFlagsBits.ManageGuild,
      contexts: [InteractionContextType.Guild],
      nameLocalizations: { fr: 'administration' },
      subcommands: { ping: subcommand({ description: 'Ping', descriptionLocalizations: { de: 'Pingen' }, run }) },
      groups: {
        role: {
          description: 'Roles',
          subcommands: {
            add: subcommand({ description: 'Add', options: { role: option.role({ description: 'Role', required: true }) }, run }),
          },
        },
      },
    }),
    command({ name: 'plain', description: 'No options', nsfw: false, run }),
  ];
}

describe('command sync', () => {
  test('the first start registers once; a restart with the same definitions only reads; a change writes', async () => {
    const { discord } = await world();
    const first = await startBot(discord, {}, (bot) => bot.addCommand(...definitions()));
    const firstRequests = commandRequests(discord);
    assert.deepEqual(
      firstRequests.map((r) => r.method),
      ['GET', 'PUT'],
    );
    assert.deepEqual(
      discord.commands
        .list()
        .map((c) => c.name)
        .sort(),
      ['admin', 'everything', 'plain'],
    );
    const ids = discord.commands.list().map((c) => c.id);
    await first.bot.stop();

    const mark = discord.requests.length;
    const second = await startBot(discord, {}, (bot) => bot.addCommand(...definitions()));
    assert.deepEqual(
      commandRequests(discord, mark).map((r) => r.method),
      ['GET'],
      'same definitions: no PUT',
    );
    assert.deepEqual(second.errors, []);
    await second.bot.stop();

    const changed = discord.requests.length;
    const third = await startBot(discord, {}, (bot) => bot.addCommand(...definitions('Every option kind, renamed')));
    assert.deepEqual(
      commandRequests(discord, changed).map((r) => r.method),
      ['GET', 'PUT'],
    );
    assert.equal(discord.commands.list().find((c) => c.name === 'everything')?.description, 'Every option kind, renamed');
    assert.deepEqual(
      discord.commands.list().map((c) => c.id),
      ids,
      'ids survive the overwrite',
    );
    assert.deepEqual(third.errors, []);
  });

  test('a changed option (type, required, choices, min/max) is a difference', async () => {
    const { discord } = await world();
    const make = (opts: Parameters<typeof option.integer>[0]) =>
      command({ name: 'n', description: 'N', options: { v: option.integer(opts) }, run: (ctx) => ctx.reply('n') });
    const variants = [
      make({ description: 'V' }),
      make({ description: 'V', required: true }),
      make({ description: 'V', required: true, minValue: 1 }),
      make({ description: 'V', required: true, minValue: 1, maxValue: 5 }),
      make({ description: 'V', required: true, choices: [{ name: 'one', value: 1 }] }),
      make({ description: 'V', required: true, choices: [{ name: 'one', value: 2 }] }),
      command({
        name: 'n',
        description: 'N',
        options: { v: option.number({ description: 'V', required: true, choices: [{ name: 'one', value: 2 }] }) },
        run: (ctx) => ctx.reply('n'),
      }),
    ];
    for (const [i, variant] of variants.entries()) {
      const mark = discord.requests.length;
      const { bot } = await startBot(discord, {}, (b) => b.addCommand(variant));
      assert.deepEqual(
        commandRequests(discord, mark).map((r) => r.method),
        ['GET', 'PUT'],
        `variant ${String(i)} is written`,
      );
      const again = discord.requests.length;
      await bot.syncCommands();
      assert.deepEqual(
        commandRequests(discord, again).map((r) => r.method),
        ['GET'],
        `variant ${String(i)} then matches`,
      );
      await bot.stop();
    }
  });

  test('guild commands and devGuilds register in their guilds, not globally', async () => {
    const { discord, alice, guild } = await world();
    const other = discord.addGuild({ name: 'Other', members: [alice] });
    const { bot } = await startBot(discord, {}, (b) =>
      b.addCommand(
        command({ name: 'everywhere', description: 'Global', run: (ctx) => ctx.reply('global') }),
        command({ name: 'local', description: 'Guild only', guilds: [guild.id], run: (ctx) => ctx.reply('local') }),
      ),
    );
    assert.deepEqual(
      discord.commands.list().map((c) => c.name),
      ['everywhere'],
    );
    assert.deepEqual(
      discord.commands.list(guild.id).map((c) => c.name),
      ['local'],
    );
    assert.deepEqual(discord.commands.list(other.id), []);
    assert.equal((await discord.as(alice, guild.channel('general')).slash('local').response()).message?.content, 'local');
    assert.throws(() => discord.as(alice, other.channel('general')).slash('local'), /No ChatInput command "local" is registered here/);
    await bot.stop();

    const dev = await world();
    const devBot = await startBot(dev.discord, { devGuilds: [dev.guild.id] }, (b) =>
      b.addCommand(command({ name: 'dev', description: 'In dev guilds', run: (ctx) => ctx.reply('dev') })),
    );
    assert.deepEqual(dev.discord.commands.list(), []);
    assert.deepEqual(
      dev.discord.commands.list(dev.guild.id).map((c) => c.name),
      ['dev'],
    );
    assert.ok(
      commandRequests(dev.discord).every((r) => r.path.includes('/guilds/')),
      'devGuilds: no global request',
    );
    assert.equal((await dev.discord.as(dev.alice, dev.guild.channel('general')).slash('dev').response()).message?.content, 'dev');
    assert.deepEqual(devBot.errors, []);
  });

  test('commands added and removed while running reach Discord shortly after', async () => {
    const { discord, alice, guild } = await world();
    const { bot, errors } = await startBot(discord, {}, (b) =>
      b.addCommand(command({ name: 'base', description: 'Base', run: (ctx) => ctx.reply('base') })),
    );
    const names = (guildId?: string) =>
      discord.commands
        .list(guildId)
        .map((c) => c.name)
        .sort();

    bot.addCommand(command({ name: 'later', description: 'Added later', run: (ctx) => ctx.reply('later') }));
    bot.addCommand(command({ name: 'mine', description: 'Guild, added later', guilds: [guild.id], run: (ctx) => ctx.reply('mine') }));
    await waitUntil(() => names().includes('later') && names(guild.id).includes('mine'));
    assert.deepEqual(names(), ['base', 'later']);
    assert.equal((await discord.as(alice, guild.channel('general')).slash('later').response()).message?.content, 'later');
    assert.equal((await discord.as(alice, guild.channel('general')).slash('mine').response()).message?.content, 'mine');

    assert.equal(bot.removeCommand('later'), true);
    assert.equal(bot.removeCommand('later'), false);
    await waitUntil(() => !names().includes('later'));
    assert.deepEqual(names(), ['base']);

    assert.equal(bot.removeCommand('mine'), true);
    await waitUntil(() => names(guild.id).length === 0);
    assert.deepEqual(names(), ['base']);
    assert.deepEqual(errors, []);
  });

  test('several changes in a row end in one state equal to the definitions', async () => {
    const { discord } = await world();
    const { bot, errors } = await startBot(discord);
    const mark = discord.requests.length;
    for (const name of ['a', 'b', 'c', 'd']) bot.addCommand(command({ name, description: name, run: (ctx) => ctx.reply(name) }));
    bot.removeCommand('b');
    await waitUntil(() => discord.commands.list().length === 3);
    assert.deepEqual(
      discord.commands.list().map((c) => c.name),
      ['a', 'c', 'd'],
    );
    assert.equal(commandRequests(discord, mark).filter((r) => r.method === 'PUT').length, 1, 'changes made together are one sync');
    assert.deepEqual(errors, []);
  });
});

// ---- 5. failed sync ----

describe('failed sync', () => {
  test('a 403 on the global commands becomes an Error event; guild commands still sync and the bot answers', async () => {
    const { discord, alice, guild } = await world();
    discord.failNext({ route: '/applications/:app/commands', ...DiscordFaults.missingAccess() });
    const { errors } = await startBot(discord, {}, (b) =>
      b.addCommand(
        command({ name: 'global', description: 'Global', run: (ctx) => ctx.reply('global') }),
        command({ name: 'here', description: 'Guild', guilds: [guild.id], run: (ctx) => ctx.reply('here') }),
      ),
    );
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.source, 'command sync');
    assert.ok(isCode(CommandSyncError, 'LANTERN_ERR_COMMAND_SYNC')(errors[0].error));
    assert.match(errors[0].error.message, /global/);
    assert.deepEqual(discord.commands.list(), []);
    assert.equal((await discord.as(alice, guild.channel('general')).slash('here').response()).message?.content, 'here');
    // Discord had the global command from before (or a retry later): the bot still runs it.
    assert.equal(
      (await discord.as(alice, guild.channel('general')).slash('global', {}, { allowUnregistered: true }).response()).message?.content,
      'global',
    );
  });

  test('a 500 while running becomes an Error event; the next sync recovers', async () => {
    const { discord, alice, guild } = await world();
    const { bot, errors } = await startBot(discord, {}, (b) =>
      b.addCommand(command({ name: 'base', description: 'Base', run: (ctx) => ctx.reply('base') })),
    );
    discord.failNext({ route: /\/commands$/, ...DiscordFaults.serverError(500), times: Infinity });
    bot.addCommand(command({ name: 'later', description: 'Later', run: (ctx) => ctx.reply('later') }));
    await waitUntil(() => errors.length > 0, 5000);
    assert.equal(errors[0]?.source, 'command sync');
    assert.ok(isCode(CommandSyncError, 'LANTERN_ERR_COMMAND_SYNC')(errors[0].error));
    assert.ok(errors[0].error.cause, 'the HTTP error is the cause');
    discord.faults.clear();
    assert.equal((await discord.as(alice, guild.channel('general')).slash('base').response()).message?.content, 'base');
    const result = await bot.syncCommands();
    assert.deepEqual(result.updated, ['global']);
    assert.deepEqual(
      discord.commands
        .list()
        .map((c) => c.name)
        .sort(),
      ['base', 'later'],
    );
  });
});

// ---- 6. option mismatch ----

describe('an option that does not match its definition', () => {
  test('another type → OptionMismatchError on /name, and an ephemeral answer', async () => {
    const { discord, alice, guild } = await world();
    let ran = false;
    const { errors } = await startBot(discord, { syncCommands: false }, (b) =>
      b.addCommand(
        command({
          name: 'count',
          description: 'Count',
          options: { n: option.integer({ description: 'N', required: true }) },
          run: async (ctx) => {
            ran = true;
            await ctx.reply(String(ctx.options.n));
          },
        }),
      ),
    );
    // Discord holds an older registration where `n` was a string.
    discord.commands.overwrite([
      {
        name: 'count',
        description: 'Count',
        options: [{ type: ApplicationCommandOptionType.String, name: 'n', description: 'N', required: true }],
      },
    ]);
    const answer = await discord.as(alice, guild.channel('general')).slash('count', { n: 'seven' }).response();
    assert.equal(answer.ephemeral, true);
    assert.equal(answer.kind, 'reply');
    assert.equal(ran, false, 'the handler never sees a wrong value');
    assert.equal(errors[0]?.source, '/count');
    assert.ok(isCode(OptionMismatchError, 'LANTERN_ERR_OPTION_MISMATCH')(errors[0].error));
    assert.match(answer.message?.embeds[0]?.title ?? '', /OptionMismatchError/);
  });

  test('a required option missing, and a subcommand option of another type, are mismatches too', async () => {
    const { discord, alice, guild } = await world();
    const { errors } = await startBot(discord, { syncCommands: false, sendCommandTracebacks: false }, (b) =>
      b.addCommand(
        command({
          name: 'need',
          description: 'Need',
          options: { who: option.user({ description: 'Who', required: true }) },
          run: (ctx) => ctx.reply(ctx.options.who.id),
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
      ),
    );
    const as = discord.as(alice, guild.channel('general'));
    const missing = await as.slash('need', {}, { allowUnregistered: true }).response();
    assert.equal(missing.ephemeral, true);
    const wrong = await as.slash('tools set', { on: 'yes' }, { allowUnregistered: true }).response();
    assert.equal(wrong.ephemeral, true);
    assert.deepEqual(
      errors.map((e) => e.source),
      ['/need', '/tools set'],
    );
    assert.ok(errors.every((e) => e.error instanceof OptionMismatchError));
    const fine = await as.slash('tools set', { on: true }, { allowUnregistered: true }).response();
    assert.equal(fine.message?.content, 'true');
  });
});

// ---- 7. ctx.send ----

describe('ctx.send', () => {
  async function sendWorld(run: (ctx: CommandContext) => Promise<void>) {
    const { discord, alice, guild } = await world();
    const done: string[] = [];
    const { errors, bot } = await startBot(discord, {}, (b) => b.addCommand(command({ name: 'go', description: 'Go', run })));
    bot.listen('CommandCompletion', ({ command: path }) => {
      done.push(path);
    });
    const handle = discord.as(alice, guild.channel('general')).slash('go');
    await waitUntil(() => done.length === 1 || errors.length > 0);
    assert.deepEqual(errors, []);
    return { handle, discord, guild };
  }

  test('not acknowledged: a reply', async () => {
    const { handle } = await sendWorld(async (ctx) => {
      await ctx.send('hello');
    });
    assert.deepEqual(
      handle.responses.map((r) => r.kind),
      ['reply'],
    );
    assert.equal(handle.message?.content, 'hello');
  });

  test('after a defer: fills the deferred message, then follows up', async () => {
    const { handle, guild } = await sendWorld(async (ctx) => {
      await ctx.defer();
      await ctx.send('first');
      await ctx.send('second');
    });
    assert.deepEqual(
      handle.responses.map((r) => r.kind),
      ['deferReply', 'followUp', 'followUp'],
    );
    assert.equal(handle.message?.content, 'first', 'the deferred message was filled');
    assert.deepEqual(
      guild.channel('general').messages.map((m) => m.content),
      ['first', 'second'],
    );
  });

  test('after a reply: a follow-up, and the reply stays', async () => {
    const { handle, guild } = await sendWorld(async (ctx) => {
      await ctx.reply('reply');
      await ctx.send('more');
      await ctx.send({ content: 'secret', ephemeral: true });
    });
    assert.deepEqual(
      handle.responses.map((r) => [r.kind, r.ephemeral]),
      [
        ['reply', false],
        ['followUp', false],
        ['followUp', true],
      ],
    );
    assert.equal(handle.message?.content, 'reply');
    assert.deepEqual(
      guild.channel('general').messages.map((m) => m.content),
      ['reply', 'more'],
    );
  });

  test('ephemeral after a public defer: the thinking message goes, an ephemeral follow-up comes', async () => {
    const { handle, guild } = await sendWorld(async (ctx) => {
      await ctx.defer();
      await ctx.send({ content: 'only you', ephemeral: true });
      await ctx.send('everyone');
    });
    assert.deepEqual(
      handle.responses.map((r) => [r.kind, r.ephemeral]),
      [
        ['deferReply', false],
        ['deleteReply', false],
        ['followUp', true],
        ['followUp', false],
      ],
    );
    const ephemeral = handle.responses[2]!;
    assert.equal(ephemeral.message?.content, 'only you');
    assert.deepEqual(
      guild.channel('general').messages.map((m) => m.content),
      ['everyone'],
      'only the public one is in the channel',
    );
  });

  test('ephemeral after an ephemeral defer, or after the defer was filled: no delete', async () => {
    const a = await sendWorld(async (ctx) => {
      await ctx.defer({ ephemeral: true });
      await ctx.send({ content: 'quiet', ephemeral: true });
    });
    assert.deepEqual(
      a.handle.responses.map((r) => [r.kind, r.ephemeral]),
      [
        ['deferReply', true],
        ['followUp', true],
      ],
    );
    assert.equal(a.handle.message?.content, 'quiet');

    const b = await sendWorld(async (ctx) => {
      await ctx.defer();
      await ctx.send('public');
      await ctx.send({ content: 'private', ephemeral: true });
    });
    assert.deepEqual(
      b.handle.responses.map((r) => [r.kind, r.ephemeral]),
      [
        ['deferReply', false],
        ['followUp', false],
        ['followUp', true],
      ],
    );
    assert.equal(b.handle.message?.content, 'public');
  });

  test('an error after a defer fills the thinking message with the ephemeral traceback only when it was ephemeral', async () => {
    const { discord, alice, guild } = await world();
    const { errors } = await startBot(discord, {}, (b) =>
      b.addCommand(
        command({
          name: 'boom',
          description: 'Boom',
          run: async (ctx) => {
            await ctx.defer();
            throw new Error('kaboom');
          },
        }),
      ),
    );
    const handle = discord.as(alice, guild.channel('general')).slash('boom');
    await handle.response('followUp');
    assert.deepEqual(
      handle.responses.map((r) => [r.kind, r.ephemeral]),
      [
        ['deferReply', false],
        ['deleteReply', false],
        ['followUp', true],
      ],
    );
    assert.equal(errors[0]?.source, '/boom');
    assert.deepEqual(guild.channel('general').messages, [], 'the traceback is not shown to the channel');
  });
});
