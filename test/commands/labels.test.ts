/**
 * One naming of commands everywhere, as their users wrote them: `/ping` (`/note add` with a subcommand), `user command
 * Who is this`, `message command Quote`, in errors, Error events and log lines alike.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Client,
  command,
  CommandDefinitionError,
  DuplicateCommandError,
  messageCommand,
  subcommand,
  userCommand,
} from '../../src/index.js';
import { startBot, startFake } from '../support/bot.js';

const run = () => undefined;

test('a duplicate definition names the command as written: /ping, user command Who is this, message command Quote', () => {
  const bot = new Client({ token: 'not-used' });
  const definitions = [
    command({ name: 'ping', description: 'Ping', run }),
    userCommand({ name: 'Who is this', run }),
    messageCommand({ name: 'Quote', run }),
  ];
  bot.addCommand(...definitions);
  const messages = definitions.map((definition) => {
    try {
      bot.addCommand(definition);
    } catch (error) {
      assert.ok(error instanceof DuplicateCommandError);
      return error.message;
    }
    return assert.fail('a duplicate was added');
  });
  assert.deepEqual(messages, [
    '/ping is already defined (by the bot)',
    'user command Who is this is already defined (by the bot)',
    'message command Quote is already defined (by the bot)',
  ]);
  assert.throws(() => bot.addCommand(command({ name: 'pong', description: 'A', run }), command({ name: 'pong', description: 'B', run })), {
    message: '/pong is already defined (by the same addCommand call)',
  });
});

test('an invalid definition names the command the same way', () => {
  const bot = new Client({ token: 'not-used' });
  assert.throws(
    () => bot.addCommand(userCommand({ name: ' Who', run })),
    (error: unknown) => {
      assert.ok(error instanceof CommandDefinitionError);
      assert.match(error.message, /^user command {2}Who: name " Who" must be/);
      return true;
    },
  );
  assert.throws(
    () => bot.addCommand(command({ name: 'note', description: 'Notes', subcommands: { Add: subcommand({ description: 'Add', run }) } })),
    { message: /^\/note Add: subcommand name "Add" must be/ },
  );
});

test('Error events and log lines name context-menu and slash commands as the definitions do', async () => {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const fail = () => {
    throw new Error('failed');
  };
  const { bot, errors, logged } = await startBot(discord, { sendCommandTracebacks: false }, (b) => {
    b.addCommand(
      userCommand({ name: 'Who is this', run: fail }),
      messageCommand({ name: 'Quote', run: fail }),
      command({ name: 'note', description: 'Notes', subcommands: { add: subcommand({ description: 'Add', run: fail }) } }),
    );
  });
  const as = discord.as(alice, guild.channel('general'));
  const message = as.say('quotable');
  await as.userCommand('Who is this', alice).response();
  await as.messageCommand('Quote', message).response();
  await as.slash('note add').response();
  await bot.idle();
  await as.userCommand('Ghost', alice, { allowUnregistered: true }).response();
  await bot.idle();
  assert.deepEqual(
    errors.map((e) => e.source),
    ['user command Who is this', 'message command Quote', '/note add'],
  );
  assert.match(logged.at(-1)?.message ?? '', /^LANTERN_ERR_UNKNOWN_COMMAND: Received user command Ghost, which this bot does not define/);
});
