/**
 * Events Relay (Sentry's ingest server) takes whole: text cut by Lantern or the SDK never ends in half an emoji, tags
 * keep Relay's limits and hold no newline whoever set them, each context stays within 8 KiB, the interaction's kind
 * is not read as the context's type, and a 50035's failing fields survive the SDK's depth limit. The receiver also
 * checks every event against Relay's schema and limits (see test/fixtures/sentry-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Sentry from '@sentry/node';
import { command, option } from '../../../src/index.js';
import type { ErrorEvent } from '../../../src/index.js';
import { FakeClock } from '../../../src/testing/index.js';
import type { ReceivedEvent } from '../../../src/testing/index.js';
import { waitUntil } from '../../support/resources.js';
import { checkSentryEvent, schemaAvailable } from '../../support/sentry-event-check.js';
import { sentryBot, startReceiver } from '../../fixtures/sentry-support.js';

const receiver = await startReceiver();
const clock = new FakeClock(Date.parse('2025-03-01T00:00:00Z'));
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** 1,201 UTF-16 units: any cut at an even length splits an emoji. */
const EMOJI_TEXT = `a${'😀'.repeat(600)}`;
const OPTION_NAMES = Array.from({ length: 10 }, (_, n) => `text${String(n)}`);
const TASK_NAME = `digest\nnightly ${'🌙'.repeat(150)}`;

const main = await sentryBot(receiver, {
  client: { clock },
  setup: (bot) => {
    bot.addCommand(
      command({
        name: 'long',
        description: 'Long options',
        options: Object.fromEntries(OPTION_NAMES.map((name) => [name, option.string({ description: 'Text', required: true })])),
        run: () => {
          Sentry.setTag('emoji_note', `x${'😀'.repeat(150)}`);
          Sentry.setTag('a_key_that_is_much_longer_than_32_characters', 'kept');
          Sentry.setTag('multi', 'line\nbreak');
          throw new Error('long options failed');
        },
      }),
    );
    bot.task({
      name: TASK_NAME,
      every: 60_000,
      run: () => {
        throw new Error('nightly failed');
      },
    });
  },
});

async function eventFor(source: string): Promise<ReceivedEvent> {
  await waitUntil(() => main.errors.some((e: ErrorEvent) => e.source === source && e.reference !== undefined));
  const reference = main.errors.findLast((e) => e.source === source)?.reference;
  return receiver.waitForEvent(reference ?? '');
}

function wellFormed(text: unknown): boolean {
  return typeof text === 'string' && !LONE_SURROGATE.test(text);
}

test(
  'ten long options cut mid-emoji: every value stays valid Unicode, the interaction context stays within 8 KiB, ' +
    'and its kind is interaction_type',
  async () => {
    const handle = main.discord
      .as(main.alice, main.guild.channel('general'))
      .slash('long', Object.fromEntries(OPTION_NAMES.map((name) => [name, EMOJI_TEXT])));
    await handle.response();
    const event = await eventFor('/long');
    const interaction = event.contexts?.interaction;
    assert.ok(interaction, 'no interaction context');
    assert.ok(Buffer.byteLength(JSON.stringify(interaction)) <= 8192, `${String(Buffer.byteLength(JSON.stringify(interaction)))} bytes`);
    const options = interaction.options as Record<string, string>;
    assert.deepEqual(Object.keys(options), OPTION_NAMES, 'every option is kept, cut');
    for (const value of Object.values(options)) {
      assert.ok(wellFormed(value), JSON.stringify(value.slice(-4)));
      assert.ok(value.endsWith('…') && EMOJI_TEXT.startsWith(value.slice(0, -1)), 'a cut value is the start of what was typed');
    }
    assert.equal(interaction.interaction_type, 'slash');
    assert.equal('type' in interaction, false, "a type field would become the context's type in Relay");
  },
);

test('tags the handler set with Sentry.setTag are fitted too: a value cut mid-emoji, a key over 32, a newline', async () => {
  const event = await eventFor('/long');
  const tags = event.tags ?? {};
  assert.ok(wellFormed(tags.emoji_note) && String(tags.emoji_note).length <= 200, String(tags.emoji_note));
  assert.equal(tags.a_key_that_is_much_longer_than_3, 'kept');
  assert.equal(tags.multi, 'line break');
});

test('a task whose name holds a newline and emoji: its task and source tags hold neither a newline nor half an emoji', async () => {
  await clock.advance(60_000);
  const event = await eventFor(`task ${TASK_NAME}`);
  const tags = event.tags ?? {};
  for (const key of ['task', 'source']) {
    const value = String(tags[key]);
    assert.ok(!/[\r\n]/.test(value) && wellFormed(value) && value.length <= 200, `${key}: ${JSON.stringify(value)}`);
    assert.match(value, /digest nightly 🌙/);
  }
  assert.equal(event.contexts?.task?.name, TASK_NAME, 'the context keeps the name as it is');
});

test("a refused command sync (50035): Discord's failing fields reach the discord context, past the SDK's depth limit", async () => {
  main.discord.failNext({
    method: 'PUT',
    route: '/applications/:id/commands',
    status: 400,
    body: {
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        0: {
          options: {
            1: { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 32 in length.' }] } },
            2: { description: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } },
          },
        },
      },
    },
  });
  main.bot.addCommand(command({ name: 'later', description: 'Added while running', run: (ctx) => ctx.reply('later') }));
  await main.bot.syncCommands();
  const event = await eventFor('command sync');
  assert.deepEqual(event.contexts?.discord?.errors, [
    '0.options.1.name: BASE_TYPE_BAD_LENGTH Must be between 1 and 32 in length.',
    '0.options.2.description: BASE_TYPE_REQUIRED This field is required',
  ]);
  assert.equal(event.contexts.discord.message, 'Invalid Form Body');
});

test('text the SDK itself cuts (maxValueLength) mid-emoji is still valid Unicode when it is sent', async () => {
  const cutting = await sentryBot(receiver, {
    sentry: { maxValueLength: 50 },
    setup: (bot) => {
      bot.addCommand(
        command({
          name: 'emoji',
          description: 'Fails with emoji',
          run: () => {
            throw new Error(`a${'😀'.repeat(100)}`);
          },
        }),
      );
    },
  });
  await cutting.discord.as(cutting.alice, cutting.guild.channel('general')).slash('emoji').response();
  await waitUntil(() => cutting.errors.some((e) => e.reference !== undefined));
  const event = await receiver.waitForEvent(cutting.errors[0]?.reference ?? '');
  const value = event.exception?.values?.at(-1)?.value ?? '';
  assert.ok(value.length > 0 && value.length < 60, `the SDK cut the message: ${value}`);
  assert.ok(wellFormed(value), JSON.stringify(value));
});

test('the event check itself finds what Relay refuses: a lone surrogate, tags over the limits or with a newline, a big context', () => {
  const problems = checkSentryEvent({
    event_id: 'e'.repeat(32),
    level: schemaAvailable ? 'loud' : 'error',
    message: 'half an emoji \ud83d',
    tags: { ['k'.repeat(33)]: 'v', long: 'v'.repeat(201), newline: 'a\nb' },
    contexts: { big: { text: 'x'.repeat(8200) } },
  });
  const expected = [
    /lone surrogate/,
    /tag key "k+" is over 32/,
    /tag long is 201 characters/,
    /tag newline holds a newline/,
    /context big/,
  ];
  if (schemaAvailable) expected.push(/\/level: "loud" is not one of/);
  for (const pattern of expected)
    assert.ok(
      problems.some((problem) => pattern.test(problem)),
      `${String(pattern)} in ${problems.join('; ')}`,
    );
  assert.deepEqual(checkSentryEvent({ event_id: 'f'.repeat(32), level: 'error', tags: { fine: 'yes' } }), []);
});
