/**
 * Every interaction kind besides slash commands, end to end: a real discord.js client (inside a Lantern Client)
 * against the fake Discord. User and message commands, buttons, every select menu kind, modals and autocomplete
 * each get a successful run with its Completion event, a failure with its own error event and an `Error` named
 * after the handler, and the user's answer under each traceback policy. Component routing (exact, templates,
 * RegExp, one message with a timeout on a FakeClock), unknown custom ids, Discord's limits and extensions too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ActionRowBuilder,
  ApplicationCommandType,
  ButtonBuilder,
  ButtonStyle,
  ChannelSelectMenuBuilder,
  ComponentType,
  GuildMember,
  MentionableSelectMenuBuilder,
  RoleSelectMenuBuilder,
  StringSelectMenuBuilder,
  TextInputStyle,
  UserSelectMenuBuilder,
} from 'discord.js';
import type { MessageActionRowComponentBuilder, User } from 'discord.js';
import type { APIMessage } from 'discord-api-types/v10';
import {
  button,
  Client,
  command,
  ComponentDefinitionError,
  ModalDefinitionError,
  DuplicateCommandError,
  DuplicateHandlerError,
  Events,
  field,
  messageCommand,
  modal,
  option,
  selectMenu,
  userCommand,
} from '../../src/index.js';
import type { ClientOptions, ComponentContext, TracebackMode } from '../../src/index.js';
import { DEFAULT_MESSAGES } from '../../src/client/options.js';
import { DEFAULT_ERROR_MESSAGE } from '../../src/client/error-answer.js';
import { FakeClock } from '../../src/testing/index.js';
import type { FakeDiscord, FakeUser, InteractionHandle, InteractionResponse } from '../../src/testing/index.js';
import { recordOutcomes, startBot, startFake } from '../support/bot.js';
import type { RecordedOutcome, TestBot } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';

/**
 * A bot on its own fake: alice (not an owner) and bob (the application's owner) in one guild with two text
 * channels and a role. `act` waits for a handle's first answer and for the bot to finish with it.
 */
async function world(options: ClientOptions = {}, setup: (bot: Client, discord: FakeDiscord) => unknown = () => undefined) {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const bob = discord.addUser({ username: 'bob' });
  const carol = discord.addUser({ username: 'carol' });
  const guild = discord.addGuild({
    name: 'g',
    members: [alice, bob, carol],
    roles: [{ name: 'Mod' }],
    channels: [{ name: 'general' }, { name: 'random' }],
  });
  discord.setOwners([bob]);
  let recorded: RecordedOutcome[] = [];
  const testBot = await startBot(discord, options, async (bot) => {
    recorded = recordOutcomes(bot);
    await setup(bot, discord);
  });
  const as = (user: FakeUser = alice) => discord.as(user, guild.channel('general'));
  const act = async (handle: InteractionHandle): Promise<InteractionHandle> => {
    await handle.response();
    await testBot.bot.idle();
    return handle;
  };
  /** Runs `/name` (a panelCommand) and returns the message it posted. */
  const post = async (name = 'panel', user: FakeUser = alice): Promise<APIMessage> => {
    const handle = await act(as(user).slash(name));
    assert.ok(handle.message, `/${name} posted no message`);
    return handle.message;
  };
  /** `<event> <source>` for each outcome event from position `from` on. */
  const outcomes = (from = 0) => recorded.slice(from).map((r) => `${r.name} ${r.source}`);
  return { discord, alice, bob, carol, guild, as, act, post, recorded, outcomes, ...testBot };
}

type Row = ActionRowBuilder<MessageActionRowComponentBuilder>;

function row(...components: MessageActionRowComponentBuilder[]): Row {
  return new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(...components);
}

function buttonComponent(customId: string, label = customId): ButtonBuilder {
  return new ButtonBuilder().setCustomId(customId).setLabel(label).setStyle(ButtonStyle.Secondary);
}

/** A slash command that posts a message carrying the components under test, as a bot's own command would. */
function panelCommand(name: string, rows: () => Row[]) {
  return command({ name, description: 'Posts components', run: (ctx) => ctx.reply({ content: name, components: rows() }) });
}

function thrower(message: string) {
  return (): never => {
    throw new TypeError(message);
  };
}

function lines(logged: TestBot['logged'], level: 'warn' | 'error', from = 0): string[] {
  return logged
    .slice(from)
    .filter((line) => line.level === level)
    .map((line) => line.message);
}

function lastAnswer(handle: InteractionHandle): InteractionResponse {
  const last = handle.responses.at(-1);
  assert.ok(last, 'the user got no answer at all');
  return last;
}

/** The ephemeral traceback embed, naming the error and pointing into this file. */
function assertTraceback(handle: InteractionHandle, type: string, message: string): void {
  const answer = lastAnswer(handle);
  assert.equal(answer.ephemeral, true, 'the error answer is ephemeral');
  const embed = answer.message?.embeds[0];
  assert.equal(embed?.title, `Error: ${type}`);
  const description = embed.description ?? '';
  assert.ok(description.includes(`${type}: ${message}`), description);
  assert.match(description, /client\/router\.test\.ts:\d+/);
}

/** The ephemeral friendly text, and nothing of the error anywhere the user can see. */
function assertFriendly(handle: InteractionHandle, text: string, errorText: string): void {
  const answer = lastAnswer(handle);
  assert.equal(answer.ephemeral, true, 'the error answer is ephemeral');
  assert.equal(answer.message?.content, text);
  assert.deepEqual(answer.message.embeds, []);
  for (const response of handle.responses) assert.ok(!JSON.stringify(response.message).includes(errorText), 'the error reached the user');
}

function assertNotice(handle: InteractionHandle, text = DEFAULT_MESSAGES.unknownComponent): void {
  assert.equal(handle.responses.length, 1);
  const answer = lastAnswer(handle);
  assert.equal(answer.kind, 'reply');
  assert.equal(answer.ephemeral, true);
  assert.equal(answer.message?.content, text);
}

// ---- 1. context menu commands ----

test('context menu commands are registered with their types beside slash commands; a slash and a user command share a name', async () => {
  const w = await world({}, (bot) => {
    bot.addCommand(
      command({ name: 'profile', description: 'Your profile', run: (ctx) => ctx.reply('slash profile') }),
      userCommand({ name: 'profile', run: (ctx) => ctx.reply(`user profile of ${ctx.targetUser.username}`) }),
      messageCommand({ name: 'Quote message', run: (ctx) => ctx.reply(`> ${ctx.targetMessage.content}`) }),
    );
    assert.throws(() => bot.addCommand(userCommand({ name: 'profile', run: () => undefined })), DuplicateCommandError);
  });
  const registered = w.discord.commands
    .list()
    .map((c) => `${ApplicationCommandType[c.type]} ${c.name}`)
    .sort();
  assert.deepEqual(registered, ['ChatInput profile', 'Message Quote message', 'User profile']);

  assert.equal((await w.act(w.as().slash('profile'))).message?.content, 'slash profile');
  assert.equal((await w.act(w.as().userCommand('profile', w.bob))).message?.content, 'user profile of bob');
  const said = w.as(w.bob).say('hello there');
  assert.equal((await w.act(w.as().messageCommand('Quote message', said))).message?.content, '> hello there');

  // Discord returns context menu commands with an empty description; that must not look like a change.
  const again = await w.bot.syncCommands();
  assert.deepEqual(again.updated, []);
  assert.deepEqual(w.outcomes(), [
    'CommandCompletion /profile',
    'CommandCompletion user command profile',
    'CommandCompletion message command Quote message',
  ]);
});

test('a user command gets its target user and member: CommandCompletion, or CommandError and Error "user command Inspect"', async () => {
  const w = await world({}, (bot) => {
    bot.addCommand(
      userCommand({
        name: 'Inspect',
        run: async (ctx) => {
          const target: User = ctx.targetUser;
          if (target.username === 'carol') throw new TypeError('carol cannot be inspected');
          const member = ctx.targetMember;
          assert.ok(member instanceof GuildMember, 'the target member is a discord.js GuildMember in a guild');
          await ctx.reply({
            content: `${target.username} (member ${member.id === target.id ? 'yes' : 'no'}) by ${ctx.user.username}`,
            ephemeral: true,
          });
        },
      }),
    );
  });

  const ok = await w.act(w.as().userCommand('Inspect', w.bob));
  assert.deepEqual(
    ok.responses.map((r) => [r.kind, r.ephemeral, r.message?.content]),
    [['reply', true, 'bob (member yes) by alice']],
  );
  const completion = w.recorded[0];
  assert.equal(completion?.name, 'CommandCompletion');
  assert.equal((completion.event as { command?: string }).command, 'user command Inspect');
  assert.ok((completion.event.durationMs ?? -1) >= 0);

  const failed = await w.act(w.as().userCommand('Inspect', w.carol));
  assert.deepEqual(w.outcomes(1), ['CommandError user command Inspect', 'Error user command Inspect']);
  assert.equal((w.recorded[1]?.event as { command?: string }).command, 'user command Inspect');
  assert.equal(w.errors[0]?.error.message, 'carol cannot be inspected');
  assert.equal(w.errors[0].ctx?.kind, 'userCommand');
  assertTraceback(failed, 'TypeError', 'carol cannot be inspected');
  assert.deepEqual(
    lines(w.logged, 'error').map((line) => line.split('\n')[0]),
    ['Error in user command Inspect: TypeError: carol cannot be inspected'],
  );
});

test('a message command gets its target message: CommandCompletion, or CommandError and Error "message command Quote"', async () => {
  const w = await world({}, (bot) => {
    bot.addCommand(
      messageCommand({
        name: 'Quote',
        run: async (ctx) => {
          const { targetMessage } = ctx;
          if (targetMessage.content === 'unquotable') throw new RangeError('that cannot be quoted');
          await ctx.reply(`${targetMessage.author.username} said: ${targetMessage.content}`);
        },
      }),
    );
  });
  const ok = await w.act(w.as().messageCommand('Quote', w.as(w.bob).say('hi all')));
  assert.equal(ok.message?.content, 'bob said: hi all');
  assert.equal(lastAnswer(ok).ephemeral, false);

  const failed = await w.act(w.as().messageCommand('Quote', w.as(w.bob).say('unquotable')));
  assert.deepEqual(w.outcomes(), [
    'CommandCompletion message command Quote',
    'CommandError message command Quote',
    'Error message command Quote',
  ]);
  assert.equal(w.errors[0]?.ctx?.kind, 'messageCommand');
  assertTraceback(failed, 'RangeError', 'that cannot be quoted');
});

// ---- 2. buttons and select menus ----

test(
  'a button with a {param} template gets typed params and updates its ' +
    'message; a failure is ComponentError and Error "button delete:{id}"',
  async () => {
    const remove = button({
      customId: 'delete:{id}',
      run: async (ctx) => {
        const id: string = ctx.params.id;
        // @ts-expect-error -- the template names no such parameter
        const nope: unknown = ctx.params.nope;
        assert.equal(nope, undefined);
        if (id === 'bad') throw new RangeError(`cannot delete ${id}`);
        await ctx.update({ content: `deleted ${id}` });
        if (id === 'late') throw new TypeError('failed after the update');
      },
    });
    // @ts-expect-error -- a template's id needs its params
    assert.throws(() => remove.id(), /needs a value for \{id\}/);
    const w = await world({}, (bot) => {
      bot.addComponent(remove);
      bot.addCommand(
        panelCommand('panel', () => [row(...['42', 'bad', 'late'].map((id) => buttonComponent(remove.id({ id }), `Delete ${id}`)))]),
      );
    });

    const panel = await w.post();
    const clicked = await w.act(w.as().click(panel, 'delete:42'));
    assert.deepEqual(
      clicked.responses.map((r) => r.kind),
      ['update'],
    );
    assert.equal(w.discord.message(panel.id)?.content, 'deleted 42');
    const completion = w.recorded.at(-1);
    assert.equal(`${String(completion?.name)} ${String(completion?.source)}`, 'ComponentCompletion button delete:{id}');
    const ctx = completion?.event.ctx as ComponentContext;
    assert.deepEqual({ ...ctx.params }, { id: '42' });
    assert.equal(ctx.kind, 'button');
    assert.equal(ctx.customId, 'delete:42');
    assert.equal(ctx.message.id, panel.id);
    assert.deepEqual(ctx.values, []);

    const from = w.recorded.length;
    const failed = await w.act(w.as().click(panel, 'delete:bad'));
    assert.deepEqual(w.outcomes(from), ['ComponentError button delete:{id}', 'Error button delete:{id}']);
    assert.equal(w.errors[0]?.error.message, 'cannot delete bad');
    assert.equal(w.errors[0].extension, undefined);
    assertTraceback(failed, 'RangeError', 'cannot delete bad');
    assert.equal(w.discord.message(panel.id)?.content, 'deleted 42', 'a failed click leaves the message alone');

    // Failing after update: the message keeps the update, the error comes as an ephemeral follow-up.
    const late = await w.act(w.as().click(panel, 'delete:late'));
    assert.deepEqual(
      late.responses.map((r) => [r.kind, r.ephemeral]),
      [
        ['update', false],
        ['followUp', true],
      ],
    );
    assertTraceback(late, 'TypeError', 'failed after the update');
    assert.equal(w.discord.message(panel.id)?.content, 'deleted late');
  },
);

test('a button that defers its update and then fails keeps its message; the error comes as an ephemeral follow-up', async () => {
  const w = await world({}, (bot) => {
    bot.addComponent(
      button({
        customId: 'slow',
        run: async (ctx) => {
          await ctx.deferUpdate();
          throw new TypeError('failed after deferUpdate');
        },
      }),
    );
    bot.addCommand(panelCommand('panel', () => [row(buttonComponent('slow'))]));
  });
  const panel = await w.post();
  const handle = await w.act(w.as().click(panel, 'slow'));
  assert.deepEqual(w.outcomes(1), ['ComponentError button slow', 'Error button slow']);
  // After deferUpdate, @original is the message the button is on: deleting it to make room for an ephemeral
  // answer (what send() does after a deferred reply) would delete the bot's panel.
  assert.deepEqual(
    handle.responses.map((r) => [r.kind, r.ephemeral]),
    [
      ['deferUpdate', false],
      ['followUp', true],
    ],
  );
  assert.ok(w.discord.message(panel.id), 'the panel message was deleted by the error answer');
  assertTraceback(handle, 'TypeError', 'failed after deferUpdate');
});

test(
  'select menus of every kind (string, user, role, channel, mentionable) give their ' +
    'picks in ctx.values; a failure is ComponentError and Error "select pick:{kind}"',
  async () => {
    const picks: { kind: string; values: readonly string[]; componentType: ComponentType; names: string[] }[] = [];
    const pick = selectMenu({
      customId: 'pick:{kind}',
      run: async (ctx) => {
        if (ctx.values.includes('boom')) throw new TypeError('boom was picked');
        const { interaction } = ctx;
        const names = interaction.isUserSelectMenu()
          ? interaction.users.map((u) => u.username)
          : interaction.isRoleSelectMenu()
            ? interaction.roles.map((r) => r.name)
            : interaction.isChannelSelectMenu()
              ? interaction.channels.map((c) => ('name' in c ? String(c.name) : '?'))
              : interaction.isMentionableSelectMenu()
                ? [...interaction.users.map((u) => u.username), ...interaction.roles.map((r) => r.name)]
                : [...ctx.values];
        picks.push({ kind: ctx.params.kind, values: ctx.values, componentType: interaction.componentType, names });
        await ctx.reply({ content: `picked ${names.join(', ')}`, ephemeral: true });
      },
    });
    const w = await world({}, (bot) => {
      bot.addComponent(pick);
      bot.addCommand(
        panelCommand('panel', () => [
          row(
            new StringSelectMenuBuilder()
              .setCustomId(pick.id({ kind: 'string' }))
              .setMaxValues(2)
              .addOptions({ label: 'Tea', value: 'tea' }, { label: 'Cake', value: 'cake' }, { label: 'Boom', value: 'boom' }),
          ),
          row(new UserSelectMenuBuilder().setCustomId(pick.id({ kind: 'user' }))),
          row(new RoleSelectMenuBuilder().setCustomId(pick.id({ kind: 'role' }))),
          row(new ChannelSelectMenuBuilder().setCustomId(pick.id({ kind: 'channel' }))),
          row(new MentionableSelectMenuBuilder().setCustomId(pick.id({ kind: 'mentionable' })).setMaxValues(2)),
        ]),
      );
    });
    const mod = w.guild.role('Mod');
    const random = w.guild.channel('random');
    const panel = await w.post();
    const answers = [
      await w.act(w.as().select(panel, 'pick:string', ['tea', 'cake'])),
      await w.act(w.as().select(panel, 'pick:user', [w.bob])),
      await w.act(w.as().select(panel, 'pick:role', [mod])),
      await w.act(w.as().select(panel, 'pick:channel', [random])),
      await w.act(w.as().select(panel, 'pick:mentionable', [w.carol, mod])),
    ].map((handle) => [lastAnswer(handle).ephemeral, lastAnswer(handle).message?.content]);
    assert.deepEqual(answers, [
      [true, 'picked tea, cake'],
      [true, 'picked bob'],
      [true, 'picked Mod'],
      [true, 'picked random'],
      [true, 'picked carol, Mod'],
    ]);
    assert.deepEqual(
      picks.map(({ kind, values, componentType }) => [kind, [...values], componentType]),
      [
        ['string', ['tea', 'cake'], ComponentType.StringSelect],
        ['user', [w.bob.id], ComponentType.UserSelect],
        ['role', [mod.id], ComponentType.RoleSelect],
        ['channel', [random.id], ComponentType.ChannelSelect],
        ['mentionable', [w.carol.id, mod.id], ComponentType.MentionableSelect],
      ],
    );
    assert.deepEqual(
      w.outcomes(1),
      Array.from({ length: 5 }, () => 'ComponentCompletion select pick:{kind}'),
    );
    assert.equal((w.recorded[1]?.event.ctx as ComponentContext).kind, 'select');

    const from = w.recorded.length;
    const failed = await w.act(w.as().select(panel, 'pick:string', ['boom']));
    assert.deepEqual(w.outcomes(from), ['ComponentError select pick:{kind}', 'Error select pick:{kind}']);
    assertTraceback(failed, 'TypeError', 'boom was picked');
  },
);

test(
  'a RegExp custom id gives its named groups as params; an exact ' + 'id beats any pattern; patterns are tried in the order added',
  async () => {
    const answered: string[] = [];
    const w = await world({}, (bot) => {
      bot.addComponent(
        button({
          customId: /^page:(?<book>[a-z]+):(?<n>\d+)$/,
          run: (ctx) => {
            // A RegExp's groups are not known to the type system: any name, maybe undefined.
            const book: string | undefined = ctx.params.book;
            // @ts-expect-error -- a group may be missing
            const n: string = ctx.params.n;
            answered.push(`regexp book=${String(book)} n=${n}`);
            return ctx.deferUpdate();
          },
        }),
      );
      bot.addComponent(
        button({
          customId: 'page:{book}:{n}',
          run: (ctx) => {
            answered.push(`template book=${ctx.params.book} n=${ctx.params.n}`);
            return ctx.deferUpdate();
          },
        }),
      );
      bot.addComponent(
        button({
          customId: 'page:intro:1',
          run: (ctx) => {
            answered.push(`exact ${JSON.stringify(ctx.params)}`);
            return ctx.deferUpdate();
          },
        }),
      );
      bot.addCommand(
        panelCommand('panel', () => [
          row(
            buttonComponent('page:intro:1'),
            buttonComponent('page:intro:2'),
            buttonComponent('page:intro:last'),
            buttonComponent('page:a:b:c'),
          ),
        ]),
      );
    });
    const panel = await w.post();
    for (const id of ['page:intro:1', 'page:intro:2', 'page:intro:last', 'page:a:b:c']) {
      const handle = await w.act(w.as().click(panel, id));
      assert.deepEqual(
        handle.responses.map((r) => r.kind),
        ['deferUpdate'],
      );
    }
    assert.deepEqual(answered, ['exact {}', 'regexp book=intro n=2', 'template book=intro n=last', 'template book=a n=b:c']);
    assert.deepEqual(w.outcomes(1), [
      'ComponentCompletion button page:intro:1',
      'ComponentCompletion button ^page:(?<book>[a-z]+):(?<n>\\d+)$',
      'ComponentCompletion button page:{book}:{n}',
      'ComponentCompletion button page:{book}:{n}',
    ]);
  },
);

test('custom ids: .id() builds them and refuses over 100 characters; a taken id or pattern throws DuplicateHandlerError', async () => {
  const confirm = button({ customId: 'confirm', run: () => undefined });
  assert.equal(confirm.id(), 'confirm');
  const remove = button({ customId: 'delete:{kind}:{id}', run: () => undefined });
  assert.equal(remove.id({ kind: 'post', id: '42' }), 'delete:post:42');
  assert.throws(() => remove.id({ kind: 'post', id: 'x'.repeat(100) }), /Discord allows 100/);
  assert.throws(() => remove.id({ kind: 'post', id: '' }), /needs a value for \{id\}/);
  // 'a:b' would be read back as kind 'a', id 'b:42'.
  assert.throws(() => remove.id({ kind: 'a:b', id: '42' }), /would not be read back as given/);
  assert.throws(() => button({ customId: /^x$/, run: () => undefined }).id({}), /cannot build a custom id/);
  assert.throws(
    () => button({ customId: 'x'.repeat(101), run: () => undefined }),
    (error: unknown) => error instanceof ComponentDefinitionError && /longer than 100 characters/.test(error.message),
  );
  assert.throws(() => selectMenu({ customId: '', run: () => undefined }), ComponentDefinitionError);

  const w = await world({}, (bot) => {
    bot.addComponent(confirm);
    bot.addComponent(remove);
    bot.addComponent(button({ customId: /^page:\d+$/, run: () => undefined }));
  });
  const isDuplicate = (error: unknown) => error instanceof DuplicateHandlerError && /already registered \(by the bot\)/.test(error.message);
  assert.throws(() => w.bot.addComponent(button({ customId: 'confirm', run: () => undefined })), isDuplicate);
  assert.throws(() => w.bot.addComponent(button({ customId: 'delete:{kind}:{id}', run: () => undefined })), isDuplicate);
  // The same template with other parameter names matches the same ids: the second would never run.
  assert.throws(() => w.bot.addComponent(button({ customId: 'delete:{type}:{key}', run: () => undefined })), isDuplicate);
  assert.throws(() => w.bot.addComponent(button({ customId: /^page:\d+$/, run: () => undefined })), isDuplicate);
  // Each kind has its own ids: a select menu or a modal may reuse a button's.
  const removeSelect = w.bot.addComponent(selectMenu({ customId: 'confirm', run: () => undefined }));
  w.bot.addModal(modal({ customId: 'confirm', title: 'Confirm', fields: { why: field.short({ label: 'Why' }) }, run: () => undefined }));
  assert.throws(
    () =>
      w.bot.addModal(modal({ customId: 'confirm', title: 'Again', fields: { why: field.short({ label: 'Why' }) }, run: () => undefined })),
    isDuplicate,
  );
  // Removing a handler frees its id.
  assert.throws(() => w.bot.addComponent(selectMenu({ customId: 'confirm', run: () => undefined })), isDuplicate);
  removeSelect();
  w.bot.addComponent(selectMenu({ customId: 'confirm', run: () => undefined }));
});

test(
  'a one-message handler answers only on its message until its timeout ' +
    '(FakeClock); then onTimeout runs and the button gets the notice',
  async () => {
    const clock = new FakeClock();
    const timedOut: string[] = [];
    const poll = command({
      name: 'poll',
      description: 'Start a poll',
      options: { topic: option.string({ description: 'Topic', required: true }) },
      run: async (ctx) => {
        const { topic } = ctx.options;
        await ctx.reply({ content: `Poll: ${topic}`, components: [row(buttonComponent('vote', 'Vote'))] });
        const message = await ctx.interaction.fetchReply();
        ctx.bot.addComponent(button({ customId: 'vote', run: (click) => click.reply({ content: `voted on ${topic}`, ephemeral: true }) }), {
          message,
          timeoutMs: 60_000,
          onTimeout: async () => {
            timedOut.push(topic);
            if (topic === 'broken') throw new Error('could not close the poll');
            await ctx.editReply({ content: `Poll closed: ${topic}` });
          },
        });
      },
    });
    const w = await world({ clock }, (bot) =>
      bot.addCommand(
        poll,
        panelCommand('panel', () => [row(buttonComponent('vote', 'Vote'))]),
      ),
    );
    const lunch = (await w.act(w.as().slash('poll', { topic: 'lunch' }))).message;
    const broken = (await w.act(w.as().slash('poll', { topic: 'broken' }))).message;
    const stray = await w.post();
    assert.ok(lunch && broken);
    assert.equal(clock.pendingTimers, 2);

    const vote = async (message: APIMessage, user = w.bob) => w.act(w.as(user).click(message, 'vote'));
    assert.equal(lastAnswer(await vote(lunch)).message?.content, 'voted on lunch');
    assert.equal(lastAnswer(await vote(broken)).message?.content, 'voted on broken');
    assertNotice(await vote(stray));

    await clock.advance(59_999);
    assert.deepEqual(timedOut, []);
    assert.equal(lastAnswer(await vote(lunch, w.carol)).message?.content, 'voted on lunch');

    await clock.advance(1);
    assert.deepEqual(timedOut, ['lunch', 'broken']);
    assert.equal(clock.pendingTimers, 0);
    await waitUntil(() => w.discord.message(lunch.id)?.content === 'Poll closed: lunch');
    await w.bot.idle();
    assert.deepEqual(
      w.errors.map((e) => [e.source, e.error.message]),
      [['button vote onTimeout', 'could not close the poll']],
    );

    const before = w.logged.length;
    assertNotice(await vote(lunch));
    assertNotice(await vote(broken));
    const expired = w.logged.slice(before);
    assert.equal(expired.length, 2, 'one log line per expired click');
    assert.ok(
      expired.every((line) => line.level === 'warn' && line.message.includes('button "vote"')),
      JSON.stringify(expired),
    );
    assert.deepEqual(
      w.outcomes().filter((o) => o.startsWith('Component')),
      Array.from({ length: 3 }, () => 'ComponentCompletion button vote'),
    );
  },
);

test(
  'on its message a one-message handler wins over a persistent ' + 'one with the same custom id; removing it hands the message back',
  async () => {
    const w = await world({}, (bot) => {
      bot.addComponent(button({ customId: 'vote', run: (ctx) => ctx.reply({ content: 'persistent', ephemeral: true }) }));
      bot.addCommand(panelCommand('panel', () => [row(buttonComponent('vote'))]));
    });
    const first = await w.post();
    const second = await w.post();
    const removeOneMessage = w.bot.addComponent(
      button({ customId: 'vote', run: (ctx) => ctx.reply({ content: 'one message', ephemeral: true }) }),
      { message: first.id },
    );
    const answer = async (message: APIMessage) => lastAnswer(await w.act(w.as().click(message, 'vote'))).message?.content;
    assert.equal(await answer(first), 'one message');
    assert.equal(await answer(second), 'persistent');
    removeOneMessage();
    assert.equal(await answer(first), 'persistent');
  },
);

// ---- 3. modals ----

test('modal definitions Discord would refuse throw ModalDefinitionError', () => {
  const fields = { text: field.short({ label: 'Text' }) };
  const refused = (input: Parameters<typeof modal>[0], problem: RegExp) => {
    assert.throws(
      () => modal(input),
      (error: unknown) => error instanceof ModalDefinitionError && problem.test(error.message),
    );
  };
  refused({ customId: 'long', title: 'T'.repeat(46), fields, run: () => undefined }, /title must have 1-45 characters/);
  refused({ customId: 'empty', title: '', fields, run: () => undefined }, /title/);
  const six = Object.fromEntries(Array.from({ length: 6 }, (_, n) => [`f${String(n)}`, field.short({ label: `Field ${String(n)}` })]));
  refused({ customId: 'six', title: 'Six', fields: six, run: () => undefined }, /1 to 5 fields/);
  refused({ customId: 'none', title: 'None', fields: {}, run: () => undefined }, /1 to 5 fields/);
  refused(
    { customId: 'label', title: 'Label', fields: { text: field.short({ label: 'L'.repeat(46) }) }, run: () => undefined },
    /label must have 1-45/,
  );
  refused(
    {
      customId: 'lengths',
      title: 'Lengths',
      fields: { text: field.short({ label: 'Text', minLength: 10, maxLength: 5 }) },
      run: () => undefined,
    },
    /minLength/,
  );
  // Five fields are fine.
  modal({ customId: 'five', title: 'Five', fields: Object.fromEntries(Object.entries(six).slice(0, 5)), run: () => undefined });
});

test(
  'a modal shown from a button comes back with typed fields (an empty optional ' +
    'one is undefined): ModalCompletion, or ModalError and Error "modal feedback"',
  async () => {
    const received: { text: string; email: string | undefined }[] = [];
    const feedback = modal({
      customId: 'feedback',
      title: 'Feedback',
      fields: {
        text: field.paragraph({ label: 'What happened?', maxLength: 500 }),
        email: field.short({ label: 'Email', required: false, placeholder: 'you@example.com' }),
      },
      run: async (ctx) => {
        const text: string = ctx.fields.text;
        const email: string | undefined = ctx.fields.email;
        // @ts-expect-error -- an optional field may be undefined
        const emailRequired: string = ctx.fields.email;
        // @ts-expect-error -- no field of that name
        const nope: unknown = ctx.fields.nope;
        assert.equal(nope, undefined);
        assert.equal(emailRequired, email);
        if (text === 'boom') throw new TypeError('feedback store is down');
        received.push({ text, email });
        await ctx.reply({ content: `Thanks${email ? `, we will write to ${email}` : ''}!`, ephemeral: true });
      },
    });
    const report = modal({
      customId: 'report:{eventId}',
      title: 'Report',
      fields: { details: field.paragraph({ label: 'Details' }) },
      run: (ctx) => ctx.reply({ content: `report ${ctx.params.eventId}: ${ctx.fields.details}`, ephemeral: true }),
    });
    const w = await world({}, (bot) => {
      bot.addModal(feedback);
      bot.addModal(report);
      bot.addComponent(button({ customId: 'feedback:open', run: (ctx) => ctx.showModal(feedback.build()) }));
      bot.addCommand(
        panelCommand('panel', () => [row(buttonComponent('feedback:open', 'Feedback'))]),
        command({
          name: 'report',
          description: 'Report an event',
          run: (ctx) => ctx.showModal(report.build({ eventId: 'E42' }, { details: 'It crashed' })),
        }),
      );
    });
    const panel = await w.post();
    const open = async () => {
      const opened = await w.act(w.as().click(panel, 'feedback:open'));
      assert.deepEqual(
        opened.responses.map((r) => r.kind),
        ['showModal'],
      );
      return opened;
    };

    const opened = await open();
    assert.equal(opened.modal?.custom_id, 'feedback');
    assert.equal(opened.modal.title, 'Feedback');
    const inputs = opened.modal.components.map(
      (r) => (r as unknown as { components: { custom_id: string; style: number; required: boolean; label: string }[] }).components[0],
    );
    assert.deepEqual(
      inputs.map((i) => [i?.custom_id, i?.style, i?.required, i?.label]),
      [
        ['text', TextInputStyle.Paragraph, true, 'What happened?'],
        ['email', TextInputStyle.Short, false, 'Email'],
      ],
    );

    const empty = await w.act(w.as().submitModal(opened, { text: 'The button did nothing' }));
    assert.equal(lastAnswer(empty).message?.content, 'Thanks!');
    const filled = await w.act(w.as().submitModal(await open(), { text: 'Again', email: 'a@example.com' }));
    assert.equal(lastAnswer(filled).message?.content, 'Thanks, we will write to a@example.com!');
    assert.deepEqual(received, [
      { text: 'The button did nothing', email: undefined },
      { text: 'Again', email: 'a@example.com' },
    ]);
    assert.deepEqual(
      w.outcomes().filter((o) => o.startsWith('Modal')),
      ['ModalCompletion modal feedback', 'ModalCompletion modal feedback'],
    );

    const from = w.recorded.length;
    const failed = await w.act(w.as().submitModal(await open(), { text: 'boom' }));
    assert.deepEqual(w.outcomes(from), ['ComponentCompletion button feedback:open', 'ModalError modal feedback', 'Error modal feedback']);
    assert.equal(w.errors[0]?.ctx?.kind, 'modal');
    assertTraceback(failed, 'TypeError', 'feedback store is down');

    // From a slash command, a template modal pre-filled: its params come back with the submission.
    const reporting = await w.act(w.as().slash('report'));
    assert.equal(reporting.modal?.custom_id, 'report:E42');
    assert.equal((reporting.modal.components[0] as unknown as { components: { value?: string }[] }).components[0]?.value, 'It crashed');
    const reported = await w.act(w.as().submitModal(reporting, { details: 'It crashed twice' }));
    assert.equal(lastAnswer(reported).message?.content, 'report E42: It crashed twice');
    assert.equal(w.outcomes().at(-1), 'ModalCompletion modal report:{eventId}');
  },
);

// ---- 4. autocomplete ----

test(
  'autocomplete answers values and { name, value } choices within Discord limits: ' +
    '25 of them, names cut to 100, over-long values dropped with one warning',
  async () => {
    const typed: { value: unknown; option: string; other: unknown }[] = [];
    const w = await world({}, (bot) => {
      bot.addCommand(
        command({
          name: 'search',
          description: 'Search',
          options: {
            query: option.string({
              description: 'What to look for',
              required: true,
              autocomplete: (ctx) => {
                typed.push({ value: ctx.value, option: ctx.option, other: ctx.optionValue('limit') });
                if (ctx.value === 'ap') return ['apple', { name: 'Apricot', value: 'apricot' }];
                if (ctx.value === 'many') return Array.from({ length: 30 }, (_, n) => `item ${String(n)}`);
                return [{ name: 'n'.repeat(150), value: 'short' }, 'v'.repeat(101), { name: 'ok', value: 'x'.repeat(101) }, 'fine'];
              },
            }),
            limit: option.integer({ description: 'How many', autocomplete: () => [5, { name: 'ten', value: 10 }] }),
          },
          run: (ctx) => ctx.reply(ctx.options.query),
        }),
      );
    });
    const registered = w.discord.commands.list().find((c) => c.name === 'search');
    assert.deepEqual(
      registered?.options?.map((o) => [o.name, 'autocomplete' in o ? o.autocomplete : undefined]),
      [
        ['query', true],
        ['limit', true],
      ],
    );

    const suggest = async (values: Record<string, string | number>, focused: string) => {
      const handle = await w.act(w.as().autocomplete('search', values, focused));
      assert.deepEqual(
        handle.responses.map((r) => r.kind),
        ['autocomplete'],
      );
      return (lastAnswer(handle).choices ?? []).map((c) => ({ name: c.name, value: c.value }));
    };
    assert.deepEqual(await suggest({ query: 'ap', limit: 3 }, 'query'), [
      { name: 'apple', value: 'apple' },
      { name: 'Apricot', value: 'apricot' },
    ]);
    assert.deepEqual(typed[0], { value: 'ap', option: 'query', other: 3 });
    assert.deepEqual(await suggest({ query: 'x', limit: 1 }, 'limit'), [
      { name: '5', value: 5 },
      { name: 'ten', value: 10 },
    ]);

    const many = await suggest({ query: 'many' }, 'query');
    assert.deepEqual(
      many.map((c) => c.value),
      Array.from({ length: 25 }, (_, n) => `item ${String(n)}`),
    );

    const before = w.logged.length;
    const long = await suggest({ query: 'long' }, 'query');
    assert.deepEqual(long, [
      { name: `${'n'.repeat(99)}…`, value: 'short' },
      { name: 'fine', value: 'fine' },
    ]);
    assert.equal(long[0]?.name.length, 100);
    const warnings = lines(w.logged, 'warn', before);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /autocomplete \/search query suggested 2 values longer than 100 characters/);

    assert.deepEqual(w.outcomes(), [
      'AutocompleteCompletion autocomplete /search query',
      'AutocompleteCompletion autocomplete /search limit',
      'AutocompleteCompletion autocomplete /search query',
      'AutocompleteCompletion autocomplete /search query',
    ]);
    assert.deepEqual(w.errors, []);
  },
);

test(
  'a failing autocomplete is answered with no suggestions: ' + 'AutocompleteError and Error "autocomplete /search query", one log line',
  async () => {
    const w = await world({}, (bot) => {
      bot.addCommand(
        command({
          name: 'search',
          description: 'Search',
          options: {
            query: option.string({
              description: 'What',
              required: true,
              autocomplete: async () => Promise.reject(new TypeError('search index offline')),
            }),
          },
          run: (ctx) => ctx.reply(ctx.options.query),
        }),
      );
    });
    const handle = await w.act(w.as().autocomplete('search', { query: 'ap' }, 'query'));
    assert.deepEqual(
      handle.responses.map((r) => [r.kind, r.choices]),
      [['autocomplete', []]],
    );
    assert.deepEqual(w.outcomes(), ['AutocompleteError autocomplete /search query', 'Error autocomplete /search query']);
    assert.equal(w.errors[0]?.error.message, 'search index offline');
    assert.equal(w.errors[0].ctx?.kind, 'autocomplete');
    const errorLines = lines(w.logged, 'error');
    assert.equal(errorLines.length, 1);
    assert.match(errorLines[0] ?? '', /^Error in autocomplete \/search query: TypeError: search index offline\n\s+at /);
  },
);

// ---- 5. the user's answer under each traceback policy, for every repliable kind ----

/** One failing handler of each repliable kind (slash commands are covered in errors.test.ts). */
function addFailingHandlers(bot: Client): void {
  const ask = modal({
    customId: 'ask',
    title: 'Ask',
    fields: { question: field.short({ label: 'Question' }) },
    run: thrower('modal failed'),
  });
  bot.addCommand(
    userCommand({ name: 'Inspect', run: thrower('user command failed') }),
    messageCommand({ name: 'Quote', run: thrower('message command failed') }),
    panelCommand('panel', () => [
      row(buttonComponent('boom'), buttonComponent('ask')),
      row(new StringSelectMenuBuilder().setCustomId('choose').addOptions({ label: 'A', value: 'a' })),
    ]),
  );
  bot.addComponent(button({ customId: 'boom', run: thrower('button failed') }));
  bot.addComponent(selectMenu({ customId: 'choose', run: thrower('select failed') }));
  // A button and a modal may share a custom id: each kind routes on its own.
  bot.addComponent(button({ customId: 'ask', run: (ctx) => ctx.showModal(ask.build()) }));
  bot.addModal(ask);
}

/** Each failing kind and the source its events carry. */
const FAILING_SOURCES = {
  'user command': 'user command Inspect',
  'message command': 'message command Quote',
  button: 'button boom',
  select: 'select choose',
  modal: 'modal ask',
} as const;

type FailingKind = keyof typeof FAILING_SOURCES;

async function failEveryKind(w: Awaited<ReturnType<typeof world>>, user: FakeUser): Promise<Record<FailingKind, InteractionHandle>> {
  const panel = await w.post('panel', user);
  const opened = await w.act(w.as(user).click(panel, 'ask'));
  return {
    'user command': await w.act(w.as(user).userCommand('Inspect', w.carol)),
    'message command': await w.act(w.as(user).messageCommand('Quote', w.as(w.carol).say('quote me'))),
    button: await w.act(w.as(user).click(panel, 'boom')),
    select: await w.act(w.as(user).select(panel, 'choose', ['a'])),
    modal: await w.act(w.as(user).submitModal(opened, { question: 'why?' })),
  };
}

/** With tracebacks off the friendly text comes from `errorMessage`; with 'owners' non-owners read the default. */
const POLICIES: readonly { mode: TracebackMode; options: ClientOptions; friendly: (source: string, user: FakeUser) => string }[] = [
  { mode: true, options: {}, friendly: () => 'never shown' },
  {
    mode: false,
    options: { errorMessage: (event) => `${event.source} failed for ${event.ctx.user.username}` },
    friendly: (source, user) => `${source} failed for ${user.username}`,
  },
  { mode: 'owners', options: {}, friendly: () => DEFAULT_ERROR_MESSAGE },
];

for (const { mode, options, friendly } of POLICIES) {
  test(
    `sendCommandTracebacks: ${String(mode)} decides every kind's answer (bob ` +
      `owns the bot, alice does not); each failure has its own event and source`,
    async () => {
      const w = await world({ sendCommandTracebacks: mode, ...options }, addFailingHandlers);
      for (const user of [w.alice, w.bob]) {
        const from = w.recorded.length;
        const handles = await failEveryKind(w, user);
        const seesTraceback = mode === true || (mode === 'owners' && user === w.bob);
        for (const [kind, source] of Object.entries(FAILING_SOURCES) as [FailingKind, string][]) {
          const handle = handles[kind];
          assert.equal(handle.responses.length, 1, `${kind}: one answer`);
          if (seesTraceback) assertTraceback(handle, 'TypeError', `${kind} failed`);
          else assertFriendly(handle, friendly(source, user), `${kind} failed`);
        }
        assert.deepEqual(
          w.outcomes(from).filter((o) => !o.includes('Completion')),
          [
            'CommandError user command Inspect',
            'Error user command Inspect',
            'CommandError message command Quote',
            'Error message command Quote',
            'ComponentError button boom',
            'Error button boom',
            'ComponentError select choose',
            'Error select choose',
            'ModalError modal ask',
            'Error modal ask',
          ],
        );
      }
      assert.equal(lines(w.logged, 'error').length, 2 * Object.keys(FAILING_SOURCES).length, 'one log line per failure');
    },
  );
}

// ---- 6. unknown custom ids ----

function addStalePanel(bot: Client): void {
  const ghost = modal({ customId: 'ghost', title: 'Ghost', fields: { text: field.short({ label: 'Text' }) }, run: () => undefined });
  // The modal is built but never added: its submission has no handler, like one from before a restart.
  bot.addComponent(button({ customId: 'form', run: (ctx) => ctx.showModal(ghost.build()) }));
  bot.addCommand(
    panelCommand('panel', () => [
      row(buttonComponent('gone'), buttonComponent('form')),
      row(new StringSelectMenuBuilder().setCustomId('old').addOptions({ label: 'A', value: 'a' })),
    ]),
  );
}

test('an unknown button, select menu or modal gets an ephemeral notice and exactly one log line, and no Error event', async () => {
  const w = await world({}, addStalePanel);
  const panel = await w.post();
  const form = await w.act(w.as().click(panel, 'form'));
  const cases: [InteractionHandle, RegExp][] = [];
  for (const [start, name] of [
    [() => w.as().click(panel, 'gone'), /button "gone"/],
    [() => w.as().select(panel, 'old', ['a']), /select "old"/],
    [() => w.as().submitModal(form, { text: 'hi' }), /modal "ghost"/],
  ] as const) {
    const before = w.logged.length;
    const handle = await w.act(start());
    assertNotice(handle);
    const logged = w.logged.slice(before);
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.equal(logged[0]?.level, 'warn');
    assert.match(logged[0].message, /LANTERN_ERR_UNKNOWN_COMPONENT/);
    assert.match(logged[0].message, name);
    assert.match(logged[0].message, new RegExp(`from user ${w.alice.id}`));
    cases.push([handle, name]);
  }
  assert.equal(cases.length, 3);
  assert.deepEqual(w.errors, []);
});

test('unknownComponentMessage: null leaves an unknown component unanswered, with its one log line', async () => {
  const w = await world({ unknownComponentMessage: null }, addStalePanel);
  const panel = await w.post();
  const before = w.logged.length;
  const handle = w.as().click(panel, 'gone');
  await waitUntil(() => w.logged.length > before);
  await w.bot.idle();
  assert.equal(handle.acknowledged, false);
  assert.deepEqual(handle.responses, []);
  const logged = w.logged.slice(before);
  assert.equal(logged.length, 1);
  assert.match(logged[0]?.message ?? '', /LANTERN_ERR_UNKNOWN_COMPONENT.*button "gone"/);
  assert.doesNotMatch(logged[0]?.message ?? '', /answered with a notice/);
});

// ---- 7. error handlers ----

test(
  "an extension's onError sees its button, modal and autocomplete failures after the handler's own, " +
    'before the global events; unloading removes its handlers',
  async () => {
    const order: string[] = [];
    const orderForm = modal({
      customId: 'order',
      title: 'Order',
      fields: { item: field.short({ label: 'Item' }) },
      run: thrower('orders are closed'),
    });
    const w = await world({}, async (bot) => {
      await bot.loadExtension({
        name: 'shop',
        setup(scoped: Client) {
          scoped.addCommand(
            command({
              name: 'shop',
              description: 'Shop',
              options: { item: option.string({ description: 'Item', autocomplete: thrower('catalogue offline') }) },
              run: (ctx) => ctx.reply({ content: 'Shop', components: [row(buttonComponent('buy:tea'), buttonComponent('order'))] }),
            }),
          );
          scoped.addComponent(
            button({
              customId: 'buy:{item}',
              run: thrower('out of stock'),
              onError: (event) => {
                order.push(`button onError ${event.source} ${String(event.handled)}`);
              },
            }),
          );
          scoped.addComponent(button({ customId: 'order', run: (ctx) => ctx.showModal(orderForm.build()) }));
          scoped.addModal(orderForm);
        },
        onError: (event) => {
          order.push(`extension ${event.source}`);
        },
      });
      for (const name of [Events.ComponentError, Events.ModalError, Events.AutocompleteError, Events.Error] as const) {
        bot.listen(name, (event: { source: string; extension: string | undefined }) => {
          order.push(`${name} ${event.source} (${String(event.extension)})`);
        });
      }
    });
    const shop = await w.post('shop');
    const bought = await w.act(w.as().click(shop, 'buy:tea'));
    assertTraceback(bought, 'TypeError', 'out of stock');
    assert.deepEqual(order.splice(0), [
      'button onError button buy:{item} false',
      'extension button buy:{item}',
      'ComponentError button buy:{item} (shop)',
      'Error button buy:{item} (shop)',
    ]);

    const opened = await w.act(w.as().click(shop, 'order'));
    assertTraceback(await w.act(w.as().submitModal(opened, { item: 'tea' })), 'TypeError', 'orders are closed');
    assert.deepEqual(order.splice(0), ['extension modal order', 'ModalError modal order (shop)', 'Error modal order (shop)']);

    await w.act(w.as().autocomplete('shop', { item: 't' }, 'item'));
    assert.deepEqual(order.splice(0), [
      'extension autocomplete /shop item',
      'AutocompleteError autocomplete /shop item (shop)',
      'Error autocomplete /shop item (shop)',
    ]);

    await w.bot.unloadExtension('shop');
    assertNotice(await w.act(w.as().click(shop, 'buy:tea')));
    assertNotice(await w.act(w.as().submitModal(opened, { item: 'tea' })));
    assert.deepEqual(order, []);
  },
);

test('a component error handled and answered by onError gets no second answer; handled without an answer still gets one', async () => {
  const w = await world({}, (bot) => {
    bot.addComponent(
      button({
        customId: 'polite',
        run: thrower('polite failed'),
        onError: async (event) => {
          await event.ctx.send({ content: 'Sorry, the shop is closed.', ephemeral: true });
          event.handled = true;
        },
      }),
    );
    bot.addComponent(
      button({
        customId: 'flag',
        run: thrower('flag failed'),
        onError: (event) => {
          event.handled = true;
        },
      }),
    );
    bot.addCommand(panelCommand('panel', () => [row(buttonComponent('polite'), buttonComponent('flag'))]));
  });
  const panel = await w.post();
  const polite = await w.act(w.as().click(panel, 'polite'));
  assert.deepEqual(
    polite.responses.map((r) => [r.kind, r.ephemeral, r.message?.content]),
    [['reply', true, 'Sorry, the shop is closed.']],
  );
  assert.equal(w.errors[0]?.handled, true, 'the Error event says it was handled');

  const flagged = await w.act(w.as().click(panel, 'flag'));
  assert.equal(flagged.responses.length, 1);
  assertTraceback(flagged, 'TypeError', 'flag failed');
  assert.deepEqual(
    w.errors.map((e) => [e.source, e.handled]),
    [
      ['button polite', true],
      ['button flag', true],
    ],
  );
});
