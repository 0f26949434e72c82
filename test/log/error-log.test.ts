/**
 * The default `Error` listener's log lines under repetition: a command failing in a loop is logged in full
 * `errorLogLimit` times a minute, its repeats are counted and summarised in one line, and nothing is lost (a
 * different error, the next minute, a stop). Real discord.js against the fake Discord, on a FakeClock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, ClientOptionsError, command, Events, Redactor } from '../../src/index.js';
import type { ClientOptions } from '../../src/index.js';
import { ErrorLog } from '../../src/log/error-log.js';
import { Log } from '../../src/log/log.js';
import { FakeClock } from '../../src/testing/index.js';
import { recordingLogger, startBot, startFake } from '../support/bot.js';

const MINUTE = 60_000;

/** A bot whose `/lookup` throws the same error each time (or one naming `which` when given). */
async function world(options: ClientOptions = {}) {
  const clock = new FakeClock(Date.UTC(2026, 11, 1, 12, 0, 0));
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  let nextReference = 0;
  const testBot = await startBot(discord, { clock, ...options }, (bot) => {
    bot.addCommand(
      command({
        name: 'lookup',
        description: 'Lookup',
        run: () => {
          throw new TypeError('the lookup service is unavailable');
        },
      }),
    );
    bot.addCommand(
      command({
        name: 'other',
        description: 'Other',
        run: () => {
          throw new RangeError('the other service is unavailable');
        },
      }),
    );
    // What a tracker does: give each failure a reference.
    bot.listen(Events.Error, (event) => {
      event.reference = `ref-${String(++nextReference)}`;
    });
  });
  const run = async (name: string, times = 1) => {
    for (let i = 0; i < times; i++) {
      const handle = discord.as(alice, guild.channel('general')).slash(name, {});
      const answer = await handle.response();
      assert.equal(answer.ephemeral, true, 'every failure is still answered');
    }
    await testBot.bot.idle();
  };
  const errorLines = () => testBot.logged.filter((line) => line.level === 'error').map((line) => line.message);
  return { ...testBot, clock, run, errorLines };
}

test(
  'an error repeating in a loop is logged in full 5 times a minute; ' + 'its repeats are counted in one line when the minute is over',
  async () => {
    const { run, errorLines, errors, clock } = await world();
    await run('lookup', 12);
    assert.equal(errors.length, 12, 'every failure is still an Error event');
    const full = errorLines();
    assert.equal(full.length, 5, full.join('\n---\n'));
    for (const [i, line] of full.entries()) {
      assert.match(
        line,
        new RegExp(`^Error in /lookup \\(reference ref-${String(i + 1)}\\): TypeError: the lookup service is unavailable\\n\\s+at `),
      );
    }

    await clock.advance(MINUTE);
    const summary = errorLines().slice(5);
    assert.deepEqual(summary, [
      'Error in /lookup: the same error 7 more times since 2026-12-01T12:00:00.000Z, not ' +
        'logged in full (TypeError: the lookup service is unavailable; latest reference ref-12)',
    ]);

    // A new minute: the error is logged in full again.
    await run('lookup');
    assert.equal(errorLines().length, 7);
    assert.match(errorLines()[6] ?? '', /^Error in \/lookup \(reference ref-13\): TypeError: the lookup service is unavailable\n\s+at /);
  },
);

test('a different error, or the same error from another command, has its own count', async () => {
  const { run, errorLines } = await world({ errorLogLimit: 1 });
  await run('lookup', 3);
  await run('other', 2);
  const lines = errorLines();
  assert.equal(lines.length, 2, lines.join('\n---\n'));
  assert.match(lines[0] ?? '', /^Error in \/lookup .*TypeError: the lookup service/);
  assert.match(lines[1] ?? '', /^Error in \/other .*RangeError: the other service/);
});

test('counts still open are written when the bot stops', async () => {
  const { bot, run, errorLines, clock } = await world({ errorLogLimit: 2 });
  await run('lookup', 4);
  await clock.advance(MINUTE - 1);
  assert.equal(errorLines().length, 2, 'the minute is not over: nothing is written yet');
  await run('other', 3);
  await bot.stop();
  const lines = errorLines();
  assert.equal(lines.length, 6, lines.join('\n---\n'));
  assert.match(
    lines[4] ?? '',
    new RegExp(
      '^Error in /lookup: the same error 2 more times since 2026-12-01T12:00:00\\.000Z, not logged in full ' +
        '\\(TypeError: the lookup service is unavailable; latest reference ref-4\\)$',
    ),
  );
  assert.match(lines[5] ?? '', /^Error in \/other: the same error once more since .*latest reference ref-7\)$/);
  assert.equal(clock.pendingTimers, 0, 'no summary timer outlives the bot');
});

test('a repeat let through in a new minute writes the count still open before its own full line', async () => {
  const clock = new FakeClock(0);
  const { logger, logged } = recordingLogger();
  const redactor = new Redactor();
  const log = new ErrorLog(new Log(logger, redactor), redactor, clock, 1);
  const error = new Error('flaky');
  log.error('task poll', error, undefined, undefined);
  // Repeats counted from 30 s: their summary is due at 90 s, but the limit's minute ends at 60 s.
  await clock.advance(30_000);
  log.error('task poll', error, 'ref-a', undefined);
  log.error('task poll', error, 'ref-b', undefined);
  await clock.advance(30_000);
  assert.equal(logged.length, 1);
  log.error('task poll', error, 'ref-c', undefined);
  const lines = logged.map((line) => line.message);
  assert.equal(lines.length, 3, lines.join('\n---\n'));
  assert.equal(
    lines[1],
    'Error in task poll: the same error 2 more times since 1970-01-01T00:00:30.000Z, ' +
      'not logged in full (Error: flaky; latest reference ref-b)',
  );
  assert.match(lines[2] ?? '', /^Error in task poll \(reference ref-c\): Error: flaky\n\s+at /);
  assert.equal(clock.pendingTimers, 0, "the written count's timer is cleared");
  await clock.advance(MINUTE);
  assert.equal(logged.length, 3, 'the count is not written twice');
});

test('memory stays bounded: past 1,000 counted errors the oldest count is written early', () => {
  const clock = new FakeClock(0);
  const { logger, logged } = recordingLogger();
  const redactor = new Redactor();
  const log = new ErrorLog(new Log(logger, redactor), redactor, clock, 1);
  // 1,000 different errors: one from each of 1,000 listeners.
  const failures = Array.from({ length: 1000 }, (_, i) => ({
    source: `listener ready ${String(i)}`,
    error: new Error(`failure ${String(i)}`),
  }));
  for (const { source, error } of failures) log.error(source, error, undefined, undefined);
  for (const { source, error } of failures) log.error(source, error, undefined, undefined);
  assert.equal(logged.length, 1000, 'each in full once; each repeat counted');
  const newest = new Error('failure 1000');
  log.error('listener ready 1000', newest, undefined, undefined);
  log.error('listener ready 1000', newest, undefined, undefined);
  assert.equal(logged.length, 1000 + 2, 'the newest in full, and the oldest count written to make room for its own');
  assert.match(logged.at(-1)?.message ?? '', /^Error in listener ready 0: the same error once more since .*\(Error: failure 0\)$/);
  assert.equal(clock.pendingTimers, 1000);
  log.flush();
  assert.equal(logged.length, 1002 + 1000);
  assert.equal(clock.pendingTimers, 0);
});

test('errorLogLimit: Infinity logs every repeat in full; a limit no log could use is refused in new Client()', async () => {
  const { run, errorLines } = await world({ errorLogLimit: Infinity });
  await run('lookup', 8);
  assert.equal(errorLines().length, 8);
  for (const limit of [0, -1, 2.5, Number.NaN]) {
    assert.throws(
      () => new Client({ errorLogLimit: limit }),
      (error: unknown) =>
        error instanceof ClientOptionsError && error.message.includes('errorLogLimit') && error.message.includes(String(limit)),
    );
  }
});

test('counted repeats stay redacted: a secret in the message never reaches the summary line', () => {
  const { logger, logged } = recordingLogger();
  const redactor = new Redactor();
  redactor.add('sk-live-0123456789', 'API KEY');
  const clock = new FakeClock(0);
  const log = new ErrorLog(new Log(logger, redactor), redactor, clock, 1);
  const error = new Error('the key sk-live-0123456789 was refused');
  log.error('/pay', error, undefined, undefined);
  log.error('/pay', error, undefined, undefined);
  log.flush();
  assert.equal(logged.length, 2);
  for (const { message } of logged) {
    assert.ok(!message.includes('sk-live-0123456789'), message);
    assert.ok(message.includes('[REDACTED API KEY]'), message);
  }
});
