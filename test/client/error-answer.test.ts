/**
 * What the user whose command failed is sent, read back from the fake Discord as they would see it: the traceback
 * with every cause, or the friendly text within Discord's 2000 characters, the reference always whole at its end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ButtonStyle, ComponentType } from 'discord.js';
import { command, Events, Redactor } from '../../src/index.js';
import type { ClientOptions } from '../../src/index.js';
import { tracebackEmbed } from '../../src/client/error-answer.js';
import type { FakeUser, InteractionResponse } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';

const MESSAGE_CONTENT_LIMIT = 2000;

/**
 * A bot whose `/fail` throws `error` (the friendly text unless `options` say otherwise; they may name its user,
 * alice); an Error listener gives each failure `reference` when one is given.
 */
async function failingBot(error: () => Error, options: ClientOptions | ((alice: FakeUser) => ClientOptions), reference?: string) {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const chosen = typeof options === 'function' ? options(alice) : options;
  const { bot, logged } = await startBot(discord, { sendCommandTracebacks: false, ...chosen }, (b) => {
    b.addCommand(
      command({
        name: 'fail',
        description: 'Fails',
        run: () => {
          throw error();
        },
      }),
    );
    if (reference !== undefined)
      b.listen(Events.Error, (event) => {
        event.reference = reference;
      });
  });
  const answer = async (): Promise<InteractionResponse> => {
    const handle = discord.as(alice, guild.channel('general')).slash('fail');
    await handle.response();
    await bot.idle();
    const last = handle.responses.at(-1);
    assert.ok(last?.message, `the user got no answer; the log says: ${JSON.stringify(logged)}`);
    return last;
  };
  return { answer, logged };
}

/** Builds errors with two stack frames each, so the whole traceback fits the embed. */
function shortStacks(build: () => Error): () => Error {
  return () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 2;
    try {
      return build();
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

test('the traceback a user is shown holds the cause of a cause and every member of an AggregateError', async () => {
  const { answer } = await failingBot(
    shortStacks(
      () =>
        new Error('the /fail command failed', {
          cause: new AggregateError(
            [
              new TypeError('the first lookup failed'),
              new RangeError('the second lookup failed', { cause: new Error('its socket closed') }),
            ],
            'both lookups failed',
            { cause: new SyntaxError('the config is unreadable') },
          ),
        }),
    ),
    { sendCommandTracebacks: true },
  );
  const { message, ephemeral } = await answer();
  assert.equal(ephemeral, true);
  const description = message?.embeds[0]?.description ?? '';
  const shown = description.split('\n').filter((line) => line.length > 0 && !line.trimStart().startsWith('at ') && !line.startsWith('```'));
  assert.deepEqual(shown, [
    'Error: the /fail command failed',
    'Caused by: AggregateError: both lookups failed',
    '  [0] TypeError: the first lookup failed',
    '  [1] RangeError: the second lookup failed',
    '  Caused by: Error: its socket closed',
    'Caused by: SyntaxError: the config is unreadable',
  ]);
});

for (const reference of ['4f2c9a0b1d2e3f405162738495a6b7c8', `https://tracker.example.com/issues/${'7'.repeat(120)}`]) {
  const name =
    'a friendly text too long for Discord is cut to fit, ' +
    `and the reference (${String(reference.length)} characters) stays whole at its end`;
  test(name, async () => {
    const long = `Something broke. ${'Please try again later. '.repeat(250)}`;
    const { answer } = await failingBot(() => new Error('x'), { errorMessage: long }, reference);
    const { message, ephemeral } = await answer();
    assert.equal(ephemeral, true);
    const content = message?.content ?? '';
    assert.ok(content.length <= MESSAGE_CONTENT_LIMIT, `${String(content.length)} characters`);
    const suffix = `\nError reference: \`${reference}\``;
    assert.ok(content.endsWith(suffix), content.slice(-200));
    const text = content.slice(0, -suffix.length);
    assert.ok(long.startsWith(text), 'the text is the start of the message');
    assert.ok(text.length >= 1800, `only ${String(text.length)} characters of the message were kept`);
  });
}

test('a friendly text that fits is sent whole, redacted, with the reference after it', async () => {
  const secret = 'hunter2-correct-horse';
  const { answer } = await failingBot(
    () => new Error('x'),
    { errorMessage: (event) => `The ${event.source} command failed (key ${secret}).`, secrets: [secret] },
    'ref-42',
  );
  const { message } = await answer();
  assert.equal(message?.content, 'The /fail command failed (key [REDACTED SECRET]).\nError reference: `ref-42`');
});

test('without a reference the friendly text is all the answer holds', async () => {
  const { answer } = await failingBot(() => new Error('x'), { errorMessage: 'That did not work.' });
  const { message } = await answer();
  assert.equal(message?.content, 'That did not work.');
  assert.deepEqual(message.embeds, []);
});

test("the traceback embed's title is the redacted type, its footer the reference, and a fence in the text cannot close the block", () => {
  const redactor = new Redactor();
  redactor.add('hunter2-correct-horse', 'KEY');
  const error = new Error('a ``` fence and hunter2-correct-horse');
  error.name = `Key hunter2-correct-horse ${'x'.repeat(300)}`;
  const embed = tracebackEmbed(error, redactor, 'ref-7');
  assert.equal(embed.title?.length, 256);
  assert.ok(embed.title.startsWith('Error: Key [REDACTED KEY] xxx'), embed.title);
  assert.deepEqual(embed.footer, { text: 'Error reference: ref-7' });
  const description = embed.description ?? '';
  assert.equal(description.split('```').length, 3, description);
  assert.ok(description.includes('a `\u200b`` fence and [REDACTED KEY]'), description);
  assert.equal(tracebackEmbed(new Error('x'), redactor, undefined).footer, undefined);
});

test('a traceback that fills the embed exactly is shown whole; one character more is cut with an ellipsis', () => {
  const redactor = new Redactor();
  const room = 4096 - '```\n'.length - '\n```'.length;
  const withText = (length: number) => {
    const error = new Error('m');
    error.stack = `Error: m\n${'x'.repeat(length - 'Error: m\n'.length)}`;
    return tracebackEmbed(error, redactor, undefined).description ?? '';
  };
  const exact = withText(room);
  assert.equal(exact.length, 4096);
  assert.ok(exact.endsWith('x\n```'), exact.slice(-10));
  const over = withText(room + 1);
  assert.equal(over.length, 4096);
  assert.ok(over.endsWith('x\n…\n```'), over.slice(-10));
});

test('with tracebacks off, a bot owner whose command fails is shown the friendly text, not the traceback', async () => {
  const { answer } = await failingBot(
    () => new Error('the database password is wrong'),
    (alice) => ({
      sendCommandTracebacks: false,
      ownerIds: [alice.id],
      errorMessage: 'That did not work.',
    }),
  );
  const { message } = await answer();
  assert.equal(message?.content, 'That did not work.');
  assert.deepEqual(message.embeds, []);
});

test("with tracebacks for owners, the bot's owner sees the traceback and anyone else the friendly text", async () => {
  const forOwner = await failingBot(
    () => new Error('the cache is cold'),
    (alice) => ({
      sendCommandTracebacks: 'owners',
      ownerIds: [alice.id],
    }),
  );
  const owner = await forOwner.answer();
  assert.equal(owner.message?.embeds[0]?.title, 'Error: Error');
  const forOthers = await failingBot(() => new Error('the cache is cold'), {
    sendCommandTracebacks: 'owners',
    ownerIds: ['111111111111111111'],
    errorMessage: 'That did not work.',
  });
  const other = await forOthers.answer();
  assert.equal(other.message?.content, 'That did not work.');
});

test("rows of buttons added past Discord's five are left off, and the user still gets the friendly text with the first five", async () => {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const row = (index: number) => ({
    type: ComponentType.ActionRow as const,
    components: [
      { type: ComponentType.Button as const, style: ButtonStyle.Secondary as const, custom_id: `row-${String(index)}`, label: 'Help' },
    ],
  });
  const { bot } = await startBot(discord, { sendCommandTracebacks: false, errorMessage: 'That did not work.' }, (b) => {
    b.addCommand(
      command({
        name: 'fail',
        description: 'Fails',
        run: () => {
          throw new Error('x');
        },
      }),
    );
    b.listen(Events.Error, (event) => {
      event.answerComponents = [0, 1, 2, 3, 4, 5, 6].map(row);
    });
  });
  const handle = discord.as(alice, guild.channel('general')).slash('fail');
  await handle.response();
  await bot.idle();
  const message = handle.responses.at(-1)?.message;
  assert.equal(message?.content, 'That did not work.');
  assert.deepEqual(
    (message.components ?? []).map((r) => ('components' in r ? r.components.map((c) => ('custom_id' in c ? c.custom_id : '')) : [])),
    [['row-0'], ['row-1'], ['row-2'], ['row-3'], ['row-4']],
  );
});
