/**
 * The default log entry of an error: one header line, the bot's own frames first, at most two others and a count
 * of the rest, causes kept; `logStack: 'full'` for every frame. A real bot on the fake Discord, whose handler
 * throws through a library (discord.js's Collection) and Lantern's router.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Collection } from 'discord.js';
import { Client, ClientOptionsError, command, Events } from '../../src/index.js';
import type { ClientOptions } from '../../src/index.js';
import { startBot, startFake } from '../support/bot.js';

function throwInsideALibrary(): never {
  new Collection([[1, 'one']]).map(() => {
    throw new TypeError('boom in a callback', { cause: new RangeError('the cause\nwith a second line') });
  });
  throw new Error('unreachable');
}

async function errorLineOf(options: ClientOptions): Promise<string> {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const { bot, logged } = await startBot(discord, options, (b) => {
    b.addCommand(command({ name: 'compact', description: 'Compact', run: throwInsideALibrary }));
    b.listen(Events.Error, (event) => {
      event.reference = 'ref-1';
    });
  });
  await discord.as(alice, guild.channel('general')).slash('compact').response();
  await bot.idle();
  const line = logged.find((l) => l.level === 'error' && l.message.startsWith('Error in /compact'));
  assert.ok(line, JSON.stringify(logged));
  return line.message;
}

test('the default entry: a header, the bot frames first, two others, a count of the rest by place, and the cause', async () => {
  const entry = await errorLineOf({});
  const lines = entry.split('\n');
  assert.equal(lines[0], 'Error in /compact (reference ref-1): TypeError: boom in a callback');
  const frames = lines.filter((line) => /^\s+at /.test(line));
  const first = frames[0] ?? '';
  assert.match(first, /test[/\\]log[/\\]entry\.test\.ts:\d+:\d+/, 'the first frame is the bot code that threw');
  const outer = lines.slice(
    0,
    lines.findIndex((line) => line.includes('Caused by:')),
  );
  const outerFrames = outer.filter((line) => /^\s+at /.test(line));
  const own = outerFrames.filter((line) => line.includes('entry.test.ts'));
  assert.ok(own.length >= 2, 'the callback and the function that called the library');
  assert.deepEqual(outerFrames.slice(0, own.length), own, "the bot's own frames come first");
  assert.ok(outerFrames.length - own.length <= 2, `at most two other frames: ${outer.join('\n')}`);
  const summary = outer.at(-1) ?? '';
  const counted = /^ {4}… (\d+) more frames: (.+)$/.exec(summary);
  assert.ok(counted, `the last line counts the rest: ${summary}`);
  const byPlace = [...(counted[2] ?? '').matchAll(/(\d+) in (node_modules|Lantern|Node's internals)/g)];
  assert.equal(
    byPlace.reduce((sum, [, n]) => sum + Number(n), 0),
    Number(counted[1]),
    summary,
  );
  assert.ok(
    byPlace.some(([, , place]) => place === 'Lantern'),
    'the router frames are counted as Lantern',
  );
  assert.ok(lines.length <= 16, `compact: ${String(lines.length)} lines\n${entry}`);
  const cause = lines.findIndex((line) => line === '  Caused by: RangeError: the cause');
  assert.ok(cause > 0, entry);
  assert.equal(lines[cause + 1], '    with a second line', 'the rest of the message stays under its title');
  assert.match(lines[cause + 2] ?? '', /^ {6}at .*entry\.test\.ts:\d+:\d+/);
});

test("logStack: 'full' logs every frame, as the traceback shows them", async () => {
  const entry = await errorLineOf({ logStack: 'full' });
  const lines = entry.split('\n');
  assert.equal(lines[0], 'Error in /compact (reference ref-1): TypeError: boom in a callback');
  assert.ok(!entry.includes('more frames'), entry);
  assert.ok(lines.filter((line) => line.includes('router.ts')).length >= 2, 'the Lantern frames are there');
  assert.ok(
    lines.some((line) => line.includes('node_modules')),
    'so are the library frames',
  );
});

test('a logStack other than compact or full is refused in new Client()', () => {
  assert.throws(
    () => new Client({ logStack: 'short' as 'full' }),
    (error: unknown) => error instanceof ClientOptionsError && error.message.includes('logStack') && error.message.includes('short'),
  );
});
