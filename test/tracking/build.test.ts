/**
 * The TrackedEvent builder: one event per `Error` event for every tracker, grouped the Discord-aware way, its stack
 * parsed with the bot's own frames marked, and redacted before anything is cut.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiscordAPIError } from 'discord.js';
import { buildTrackedEvent, eventIdFor, groupEvent, newEventId, normalizeMessage } from '../../src/tracking/build.js';
import { parseStack } from '../../src/tracking/stack.js';
import { Client, ClientOptionsError } from '../../src/index.js';
import { errorEvent, idleBot } from '../support/tracking.js';

const BOT_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB';
const SECRET = 'sk-live-0123456789abcdef';

function divide(a: number): Error {
  return new RangeError(`Cannot divide ${String(a)} by zero`);
}

function build(source: string, error: Error, bot = idleBot()) {
  return buildTrackedEvent(bot, errorEvent(source, error), {
    eventId: newEventId(),
    timestamp: 1_700_000_000_000,
    release: 'r1',
    environment: 'test',
  });
}

function missingPermission(channelId: string): DiscordAPIError {
  return new DiscordAPIError(
    { code: 50013, message: 'Missing Permissions' },
    50013,
    403,
    'POST',
    `https://discord.com/api/v10/channels/${channelId}/messages`,
    { body: {} },
  );
}

test('numbers in a message never split a group: Cannot divide 3 by zero and Cannot divide 4 by zero are one issue', () => {
  const bot = idleBot();
  const three = groupEvent(errorEvent('/divide', divide(3)), bot.redactor);
  const four = groupEvent(errorEvent('/divide', divide(4)), bot.redactor);
  assert.equal(three.fingerprint, four.fingerprint);
  assert.match(three.fingerprint, /^[0-9a-f]{16}$/);
  assert.equal(three.key.at(-1), 'Cannot divide <n> by zero');
});

test('ids, hex strings, UUIDs and quoted values in a message are taken out of the grouping key; words stay', () => {
  assert.equal(normalizeMessage('Unknown member 1575076475218956291 in 123456789012345678'), 'Unknown member <id> in <id>');
  assert.equal(normalizeMessage('blob 9f86d081884c7d65 and 3f2504e0-4f89-11d3-9a0c-0305e82c3301'), 'blob <hex> and <uuid>');
  assert.equal(normalizeMessage(`Option 'colour' is not "red"`), 'Option <value> is not <value>');
  assert.equal(normalizeMessage("can't read the user's role"), "can't read the user's role");
  const bot = idleBot();
  const a = groupEvent(errorEvent('/ban', new Error('cannot ban 111111111111111111')), bot.redactor);
  const b = groupEvent(errorEvent('/ban', new Error('cannot kick 111111111111111111')), bot.redactor);
  assert.notEqual(a.fingerprint, b.fingerprint);
});

test('errors of another type, source or throwing function are other groups', () => {
  const bot = idleBot();
  const base = groupEvent(errorEvent('/divide', divide(1)), bot.redactor).fingerprint;
  const otherType = groupEvent(errorEvent('/divide', new TypeError('Cannot divide 1 by zero')), bot.redactor).fingerprint;
  const otherSource = groupEvent(errorEvent('/split', divide(1)), bot.redactor).fingerprint;
  const otherFunction = groupEvent(errorEvent('/divide', new RangeError('Cannot divide 1 by zero')), bot.redactor).fingerprint;
  assert.equal(new Set([base, otherType, otherSource, otherFunction]).size, 4);
});

test('a Discord error is grouped by code, method and route template, whatever command or channel it came from', () => {
  const bot = idleBot();
  const inGeneral = groupEvent(errorEvent('/announce', missingPermission('111111111111111111')), bot.redactor);
  const inRandom = groupEvent(errorEvent('/remind', missingPermission('222222222222222222')), bot.redactor);
  assert.equal(inGeneral.fingerprint, inRandom.fingerprint);
  assert.deepEqual(inGeneral.key, ['discord-api-error', '50013', 'POST', '/channels/:id/messages']);
  const event = build('/announce', missingPermission('111111111111111111'));
  assert.equal(event.tags.discord_code, '50013');
  assert.equal(event.tags.failure, 'discord_api_error');
  assert.equal(event.contexts.discord?.route, '/channels/:id/messages');
});

test('the event id is 32 lowercase hex digits; a reference an earlier tracker gave is kept as the id', () => {
  assert.match(newEventId(), /^[0-9a-f]{32}$/);
  const reference = 'a'.repeat(32);
  assert.equal(eventIdFor(errorEvent('/x', new Error('x'), { reference })), reference);
  assert.match(eventIdFor(errorEvent('/x', new Error('x'), { reference: 'not-an-id' })), /^[0-9a-f]{32}$/);
});

test("the stack becomes frames, innermost first, and only the bot's own files are in-app", () => {
  const frames = parseStack(
    [
      'Error: boom',
      '    at Object.run (/srv/bot/src/commands/divide.ts:12:9)',
      '    at async Object.run (file:///srv/bot/dist/tasks.js:3:1)',
      '    at handler (/srv/bot/node_modules/discord.js/src/client.js:1:2)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at JSON.parse (<anonymous>)',
      '    at eval (eval at build (/srv/bot/src/build.ts:1:1), <anonymous>:4:7)',
      '    at /srv/bot/src/anonymous.ts:7:3',
      'Caused by: Error: inner',
      '    at inner (/srv/bot/src/inner.ts:1:1)',
    ].join('\n'),
    '/srv/bot',
  );
  assert.deepEqual(
    frames.map((frame) => [frame.file, frame.line, frame.function, frame.inApp]),
    [
      ['src/commands/divide.ts', 12, 'Object.run', true],
      ['dist/tasks.js', 3, 'Object.run', true],
      ['node_modules/discord.js/src/client.js', 1, 'handler', false],
      ['node:internal/process/task_queues', 95, 'process.processTicksAndRejections', false],
      ['<anonymous>', undefined, 'JSON.parse', false],
      ['<anonymous>', 4, 'eval', false],
      ['src/anonymous.ts', 7, undefined, true],
    ],
  );
});

test("Lantern's own frames are not in-app, so an error Lantern throws is placed in the bot's code that called it", () => {
  let thrown: Error | undefined;
  try {
    new Client({ errorLogLimit: 0 });
  } catch (error) {
    thrown = error as Error;
  }
  assert.ok(thrown instanceof ClientOptionsError);
  const event = build('startup', thrown);
  const first = event.error.frames[0];
  assert.ok(first && !first.inApp && first.file.startsWith('src/'), `innermost frame: ${JSON.stringify(first)}`);
  const own = event.error.frames.find((frame) => frame.inApp);
  assert.equal(own?.file, 'test/tracking/build.test.ts');
  assert.match(event.culprit, /^test\/tracking\/build\.test\.ts:\d+ in /);
});

test('title, culprit, level, causes, release and environment come from the error and the options', () => {
  const cause = new AggregateError([new Error('first'), new TypeError('second')], 'both failed');
  const event = build('task digest', new Error('digest failed\nsecond line', { cause }));
  assert.equal(event.title, 'Error: digest failed');
  assert.equal(event.level, 'error');
  assert.equal(event.source, 'task digest');
  assert.deepEqual(event.error.causes, [
    { type: 'AggregateError', message: 'both failed' },
    { type: 'Error', message: 'first' },
    { type: 'TypeError', message: 'second' },
  ]);
  assert.match(event.error.stack, /Caused by: AggregateError: both failed/);
  assert.equal(event.release, 'r1');
  assert.equal(event.environment, 'test');
  assert.equal(event.tags.source, 'task digest');
  assert.ok(event.contexts.bot);
  const expected = buildTrackedEvent(idleBot(), errorEvent('/limited', new Error('cooldown'), { expected: true }), {
    eventId: newEventId(),
    timestamp: 1,
    release: undefined,
    environment: undefined,
  });
  assert.equal(expected.level, 'info');
});

test('the bot token and registered secrets are redacted everywhere in the event, keys included', () => {
  const bot = idleBot({ token: BOT_TOKEN, secrets: [SECRET] });
  bot.addSecret(BOT_TOKEN, 'TOKEN');
  const error = new Error(`login with ${BOT_TOKEN} failed`, { cause: new Error(`key ${SECRET} refused`) });
  const event = buildTrackedEvent(bot, errorEvent(`/use ${SECRET}`, error), {
    eventId: newEventId(),
    timestamp: 1,
    release: SECRET,
    environment: undefined,
    breadcrumbs: [{ timestamp: 0, category: 'log', level: 'info', message: `saw ${BOT_TOKEN}`, data: { [SECRET]: SECRET } }],
  });
  const text = JSON.stringify(event);
  assert.ok(!text.includes(BOT_TOKEN), 'the bot token is in the event');
  assert.ok(!text.includes(SECRET), 'the registered secret is in the event');
  assert.match(event.title, /\[REDACTED TOKEN\]/);
  assert.ok(event.groupingKey.every((part) => !part.includes(SECRET)));
});

test('long values are cut only after redaction, so no part of a secret across the cut is left', () => {
  const bot = idleBot({ secrets: [SECRET] });
  // The secret straddles where the message is cut (8192 characters).
  const message = `${'x'.repeat(8180)}${SECRET}${'y'.repeat(200_000)}`;
  const event = build('/big', new Error(message), bot);
  const text = JSON.stringify(event);
  for (let i = 0; i + 8 <= SECRET.length; i++)
    assert.ok(!text.includes(SECRET.slice(i, i + 8)), `a piece of the secret is left: ${SECRET.slice(i, i + 8)}`);
  assert.ok(event.error.message.length <= 8192);
  assert.ok(event.error.stack.length <= 16_384);
  assert.ok(event.title.length <= 200);
  assert.ok(text.length < 64 * 1024, `the event is ${String(text.length)} characters`);
});

test('an event outside an interaction has no user and no interaction breadcrumb; given breadcrumbs are kept, oldest first', () => {
  const event = buildTrackedEvent(idleBot(), errorEvent('listener ready', new Error('x')), {
    eventId: newEventId(),
    timestamp: 10,
    release: undefined,
    environment: undefined,
    breadcrumbs: [
      { timestamp: 1, category: 'discord.gateway', level: 'info', message: 'shard 0 ready' },
      { timestamp: 2, category: 'discord.gateway', level: 'warning', message: 'shard 0 disconnected (close code 1006)' },
    ],
  });
  assert.equal(event.user, undefined);
  assert.deepEqual(
    event.breadcrumbs.map((b) => b.message),
    ['shard 0 ready', 'shard 0 disconnected (close code 1006)'],
  );
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(event)));
});

test('a token right after a line break, or a secret with unusual characters in it, is redacted like any other', () => {
  const odd = 'odd\n\u0000\nsecret "quoted" \\ value';
  const bot = idleBot({ secrets: [odd] });
  bot.addSecret(BOT_TOKEN, 'TOKEN');
  const event = buildTrackedEvent(bot, errorEvent('/paste', new Error(`first line\n${BOT_TOKEN}\nthird ${odd}`)), {
    eventId: newEventId(),
    timestamp: 1,
    release: undefined,
    environment: undefined,
  });
  const text = JSON.stringify(event);
  assert.ok(!text.includes(BOT_TOKEN.slice(0, 24)));
  assert.ok(!event.error.message.includes(odd));
  assert.match(event.error.message, /^first line\n\[REDACTED TOKEN\]\nthird \[REDACTED SECRET\]$/);
});
