/**
 * A task stopped and started again while an iteration runs: the running iteration goes on (its signal aborted),
 * nothing starts beside it, and the schedule picks up once it ends. On a FakeClock, against the fake Discord.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';

const MINUTE = 60_000;
const START = Date.parse('2025-03-01T00:10:00Z');

const discord = await startFake();

/** A task whose first iteration waits for `finishFirst`; it records each start, the most at once, and each signal. */
async function slowFirstIteration(runOnStart: boolean) {
  const clock = new FakeClock(START);
  let finishFirst: () => void = () => undefined;
  const firstMayEnd = new Promise<void>((resolve) => (finishFirst = resolve));
  const starts: number[] = [];
  const signals: AbortSignal[] = [];
  let active = 0;
  let mostActive = 0;
  let task: ReturnType<Client['task']> | undefined;
  const { bot, errors } = await startBot(discord, { clock }, (b) => {
    task = b.task({
      name: 'report',
      every: MINUTE,
      runOnStart,
      run: async ({ iteration, signal }) => {
        starts.push((clock.now() - START) / MINUTE);
        signals.push(signal);
        mostActive = Math.max(mostActive, ++active);
        if (iteration === 1) await firstMayEnd;
        active -= 1;
      },
    });
  });
  assert.ok(task);
  return { clock, bot, errors, task, starts, signals, finishFirst, mostActive: () => mostActive };
}

test('a task stopped and started during an iteration never runs a second one beside it; the schedule resumes after it', async () => {
  const { clock, bot, errors, task, starts, signals, finishFirst, mostActive } = await slowFirstIteration(false);
  await clock.advance(MINUTE);
  assert.deepEqual(starts, [1]);

  task.stop();
  assert.equal(task.running, false);
  assert.equal(signals[0]?.aborted, true, 'the running iteration is told to stop');
  task.start();
  assert.equal(task.running, true);
  assert.equal(task.nextRunAt, undefined, 'the running iteration plans the next one when it ends');
  await clock.advance(5 * MINUTE);
  assert.deepEqual(starts, [1], 'nothing started beside the running iteration');

  finishFirst();
  await bot.idle();
  assert.deepEqual(task.nextRunAt, new Date(START + 7 * MINUTE));
  await clock.advance(MINUTE);
  assert.deepEqual(starts, [1, 7]);
  assert.equal(signals[1]?.aborted, false, 'the next iteration has a fresh signal');
  assert.equal(mostActive(), 1);
  assert.equal(task.iterations, 2);
  assert.deepEqual(errors, []);
});

test('with runOnStart, start() during a running iteration does not run one at once beside it', async () => {
  const { clock, bot, task, starts, finishFirst, mostActive } = await slowFirstIteration(true);
  assert.deepEqual(starts, [0], 'the first iteration ran as the bot started');
  task.stop();
  task.start();
  task.start();
  assert.deepEqual(starts, [0]);
  await clock.advance(3 * MINUTE);
  assert.deepEqual(starts, [0]);
  finishFirst();
  await bot.idle();
  await clock.advance(MINUTE);
  assert.deepEqual(starts, [0, 4]);
  assert.equal(mostActive(), 1);
});
