/**
 * Interactions no real Discord client would send, delivered through the fake as raw payloads: whatever discord.js
 * cannot read while Lantern routes them ends in the normal error path (an `Error` event, an answer), never in an
 * unhandled rejection; a command addressed wrongly is logged saying what is wrong with it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InteractionType } from 'discord-api-types/v10';
import { command, option, subcommand } from '../../src/index.js';
import type { FakeDiscord } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';

const SLASH = 1;
const SUBCOMMAND = 1;
const SUBCOMMAND_GROUP = 2;
const STRING = 3;

/** Rejections that escaped anything: none may, whatever arrives. */
const escaped: unknown[] = [];
process.on('unhandledRejection', (reason) => {
  escaped.push(reason);
});

async function world() {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const suggested: string[] = [];
  const testBot = await startBot(discord, {}, (bot) => {
    bot.addCommand(
      command({
        name: 'search',
        description: 'Search',
        options: {
          query: option.string({
            description: 'What to look for',
            autocomplete: (ctx) => {
              suggested.push(ctx.value);
              return ['apple'];
            },
          }),
        },
        run: (ctx) => ctx.reply(`found ${ctx.options.query ?? 'nothing'}`),
      }),
      command({
        name: 'note',
        description: 'Notes',
        subcommands: {
          add: subcommand({
            description: 'Add a note',
            options: { text: option.string({ description: 'The note', autocomplete: () => ['a note'] }) },
            run: (ctx) => ctx.reply('added'),
          }),
          list: subcommand({ description: 'List the notes', run: (ctx) => ctx.reply('none') }),
        },
      }),
    );
  });
  const as = discord.as(alice, guild.channel('general'));
  const idOf = (name: string) => registeredId(discord, name);
  /** Sends `data` as it is and waits for the bot's first answer and for the bot to be done with it. */
  const send = async (type: InteractionType, data: Record<string, unknown>) => {
    const handle = as.interact(type, data);
    await handle.response();
    await testBot.bot.idle();
    return handle;
  };
  return { discord, as, idOf, send, suggested, ...testBot };
}

function registeredId(discord: FakeDiscord, name: string): string {
  const found = discord.commands.list().find((c) => c.name === name);
  assert.ok(found, `/${name} is not registered`);
  return found.id;
}

test(
  'an autocomplete discord.js cannot read (no focused option) is an Error event named after the autocomplete, ' +
    'answered with no suggestions; the bot keeps suggesting',
  async () => {
    const w = await world();
    const search = { id: w.idOf('search'), name: 'search', type: SLASH };
    const note = { id: w.idOf('note'), name: 'note', type: SLASH };
    const shapes: [string, Record<string, unknown>][] = [
      ['an option, none focused', { ...search, options: [{ name: 'query', type: STRING, value: 'ap' }] }],
      ['no options at all', search],
      ['a subcommand with no focused option', { ...note, options: [{ name: 'add', type: SUBCOMMAND, options: [] }] }],
    ];
    for (const [shape, data] of shapes) {
      const before = w.errors.length;
      const handle = await w.send(InteractionType.ApplicationCommandAutocomplete, data);
      assert.deepEqual(
        handle.responses.map((r) => [r.kind, r.choices]),
        [['autocomplete', []]],
        shape,
      );
      const errors = w.errors.slice(before);
      assert.deepEqual(
        errors.map((e) => e.source),
        [`autocomplete /${String(data.name)}`],
        shape,
      );
      assert.match(errors[0]?.error.message ?? '', /focused option/, shape);
    }
    assert.deepEqual(escaped, [], 'a rejection escaped the router');
    assert.deepEqual(w.suggested, [], 'no handler ran for an unreadable autocomplete');

    const typed = await w.send(InteractionType.ApplicationCommandAutocomplete, {
      ...search,
      options: [{ name: 'query', type: STRING, value: 'ap', focused: true }],
    });
    assert.deepEqual(typed.responses[0]?.choices, [{ name: 'apple', value: 'apple' }]);
    assert.equal(w.errors.length, shapes.length);
  },
);

test(
  'a command addressed wrongly says what is wrong: ' + 'no subcommand, an unknown subcommand or group, a subcommand of a plain command',
  async () => {
    const w = await world();
    const note = { id: w.idOf('note'), name: 'note', type: SLASH };
    const search = { id: w.idOf('search'), name: 'search', type: SLASH };
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { ...note, options: [] },
        /^LANTERN_ERR_UNKNOWN_SUBCOMMAND: Received \/note, but it names no subcommand, and \/note runs only through/,
      ],
      [
        { ...note, options: [{ name: 'zap', type: SUBCOMMAND, options: [] }] },
        /^LANTERN_ERR_UNKNOWN_SUBCOMMAND: Received \/note zap, but \/note has no subcommand "zap" \(it has add, list\)/,
      ],
      [
        { ...note, options: [{ name: 'old', type: SUBCOMMAND_GROUP, options: [{ name: 'add', type: SUBCOMMAND, options: [] }] }] },
        /^LANTERN_ERR_UNKNOWN_SUBCOMMAND: Received \/note old add, but \/note has no group "old" \(it has none\)/,
      ],
      [
        { ...search, options: [{ name: 'deep', type: SUBCOMMAND, options: [] }] },
        /^LANTERN_ERR_UNKNOWN_SUBCOMMAND: Received \/search deep, but \/search has no subcommands/,
      ],
    ];
    for (const [data, line] of cases) {
      const before = w.logged.length;
      const handle = await w.send(InteractionType.ApplicationCommand, data);
      assert.equal(handle.responses[0]?.ephemeral, true, 'the user is answered with the notice');
      const lines = w.logged.slice(before).map((entry) => entry.message);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0] ?? '', line);
      assert.doesNotMatch(lines[0] ?? '', /does not define/);
    }

    const before = w.logged.length;
    await w.send(InteractionType.ApplicationCommandAutocomplete, {
      ...note,
      options: [{ name: 'text', type: STRING, value: 'x', focused: true }],
    });
    assert.match(
      w.logged.at(before)?.message ?? '',
      /^LANTERN_ERR_UNKNOWN_SUBCOMMAND: Received \/note, but it names no subcommand.*autocomplete of text/,
    );

    const ghost = await w.send(InteractionType.ApplicationCommand, { id: '1', name: 'ghost', type: SLASH });
    assert.equal(ghost.responses.length, 1);
    assert.match(w.logged.at(-1)?.message ?? '', /^LANTERN_ERR_UNKNOWN_COMMAND: Received \/ghost, which this bot does not define/);
    assert.deepEqual(w.errors, []);
  },
);
