import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientStateError, defineExtension, TaskDefinitionError } from '../../src/index.js';
import type { Client, TaskContext, TaskDefinition, TaskErrorEvent } from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const START = Date.parse('2025-03-01T00:10:00Z');

const discord = await startFake();

/** A bot on the fake Discord whose tasks run on a FakeClock at START. */
async function clockedBot(setup: (bot: Client) => unknown = () => undefined) {
  const clock = new FakeClock(START);
  return { clock, ...(await startBot(discord, { clock }, setup)) };
}

/** A promise the test settles by hand. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** Minutes since START, for readable assertions. */
const minutesIn = (at: number) => (at - START) / MINUTE;

const noop = () => undefined;

test(
  'FakeClock fires due timers in time order, skips cleared ones, ' + "and lets each callback's promise chain settle before the next",
  async () => {
    const clock = new FakeClock(START);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`c at ${minutesIn(clock.now())}`), 3 * MINUTE);
    clock.setTimeout(() => {
      void (async () => {
        seen.push('a started');
        for (let step = 0; step < 5; step++) await Promise.resolve();
        seen.push('a finished');
      })();
    }, MINUTE);
    clock.setTimeout(() => seen.push('b, set second for the same time'), MINUTE);
    const cleared = clock.setTimeout(() => seen.push('cleared'), 2 * MINUTE);
    clock.clearTimeout(cleared);
    clock.setTimeout(() => seen.push('later'), 10 * MINUTE);
    assert.equal(clock.pendingTimers, 4);

    await clock.advance(5 * MINUTE);
    assert.deepEqual(seen, ['a started', 'a finished', 'b, set second for the same time', 'c at 3']);
    assert.equal(clock.now(), START + 5 * MINUTE);
    assert.equal(clock.pendingTimers, 1);

    await clock.advanceTo(new Date(START + 10 * MINUTE));
    assert.deepEqual(seen.at(-1), 'later');
    assert.equal(clock.pendingTimers, 0);
    await assert.rejects(clock.advanceTo(START), RangeError);
    await assert.rejects(clock.advance(-1), RangeError);
  },
);

test('an interval task runs at the simulated times once the bot is ready, and its handle tells its state', async () => {
  const runs: { at: number; iteration: number; ready: boolean }[] = [];
  let task: ReturnType<Client['task']> | undefined;
  const { bot, clock, errors } = await clockedBot((b) => {
    task = b.task({
      name: 'heartbeat',
      every: MINUTE,
      run: ({ iteration, bot: running }) => void runs.push({ at: minutesIn(clock.now()), iteration, ready: running.discord.isReady() }),
    });
    assert.equal(task.running, false);
    assert.equal(task.nextRunAt, undefined);
  });
  assert.ok(task);
  assert.equal(task.running, true);
  assert.deepEqual(task.nextRunAt, new Date(START + MINUTE));

  await clock.advance(3.5 * MINUTE);
  assert.deepEqual(
    runs,
    [1, 2, 3].map((minute) => ({ at: minute, iteration: minute, ready: true })),
  );
  assert.equal(task.iterations, 3);
  assert.deepEqual(task.nextRunAt, new Date(START + 4 * MINUTE));
  assert.equal(task.name, 'heartbeat');
  assert.equal(bot.discord.isReady(), true);
  assert.deepEqual(errors, []);
});

test('a cron task fires at the top of each hour, in local time or in the timezone it names', async () => {
  const local: number[] = [];
  const kolkata: number[] = [];
  const { clock, errors } = await clockedBot((b) => {
    b.task({ name: 'hourly', cron: '0 * * * *', run: () => void local.push(clock.now()) });
    b.task({ name: 'hourly-ist', cron: '0 * * * *', timezone: 'Asia/Kolkata', run: () => void kolkata.push(clock.now()) });
  });
  await clock.advance(2 * HOUR);
  // Whatever the machine's zone, a 2-hour window holds exactly two local hour boundaries.
  assert.equal(local.length, 2);
  for (const at of local) assert.deepEqual([new Date(at).getMinutes(), new Date(at).getSeconds()], [0, 0]);
  // India is UTC+5:30, so its hours begin at half past in UTC.
  assert.deepEqual(
    kolkata.map((at) => new Date(at).toISOString()),
    ['2025-03-01T00:30:00.000Z', '2025-03-01T01:30:00.000Z'],
  );
  assert.deepEqual(errors, []);
});

test('a cron run months away fires exactly on time, waiting in steps a Node timer can hold', async () => {
  const runs: string[] = [];
  const delays: number[] = [];
  // Node fires a timer set beyond 2^31 - 1 ms at once, so no single wait may be longer.
  class RecordingClock extends FakeClock {
    override setTimeout(callback: () => void, delayMs: number) {
      delays.push(delayMs);
      return super.setTimeout(callback, delayMs);
    }
  }
  const clock = new RecordingClock(START);
  const { bot, errors } = await startBot(discord, { clock });
  const task = bot.task({
    name: 'new-year',
    cron: '0 0 1 1 *',
    timezone: 'UTC',
    run: () => void runs.push(new Date(clock.now()).toISOString()),
  });
  assert.deepEqual(task.nextRunAt, new Date('2026-01-01T00:00:00Z'));
  await clock.advanceTo(new Date('2025-12-31T23:59:59Z'));
  assert.deepEqual(runs, []);
  await clock.advanceTo(new Date('2026-01-02T00:00:00Z'));
  assert.deepEqual(runs, ['2026-01-01T00:00:00.000Z']);
  assert.deepEqual(task.nextRunAt, new Date('2027-01-01T00:00:00Z'));
  assert.ok(delays.length > 1 && delays.every((delay) => delay <= 2 ** 31 - 1), `waits: ${delays.join(', ')}`);
  assert.deepEqual(errors, []);
});

test('runOnStart runs one iteration as the bot starts, then follows the schedule', async () => {
  const runs: number[] = [];
  const clock = new FakeClock(START);
  const { errors } = await startBot(discord, { clock }, (b) => {
    b.task({ name: 'warm-cache', every: 10 * MINUTE, runOnStart: true, run: () => void runs.push(minutesIn(clock.now())) });
  });
  assert.deepEqual(runs, [0]);
  await clock.advance(25 * MINUTE);
  assert.deepEqual(runs, [0, 10, 20]);
  assert.deepEqual(errors, []);
});

test('a failing iteration becomes a TaskError and an Error with source task <name> and its iteration; the schedule goes on', async () => {
  const taskErrors: TaskErrorEvent[] = [];
  let task: ReturnType<Client['task']> | undefined;
  const { clock, errors, logged } = await clockedBot((b) => {
    b.listen('TaskError', (event) => void taskErrors.push(event));
    task = b.task({
      name: 'feed',
      every: MINUTE,
      run: ({ iteration }) => {
        if (iteration === 2) throw new RangeError('the feed is unavailable');
      },
    });
  });
  assert.ok(task);
  await clock.advance(3 * MINUTE);

  assert.equal(taskErrors.length, 1);
  const taskError = taskErrors[0];
  assert.ok(taskError);
  assert.deepEqual(taskError.task, { name: 'feed', iteration: 2 });
  assert.equal(taskError.extension, undefined);
  assert.equal(errors.length, 1);
  const error = errors[0];
  assert.ok(error);
  assert.equal(error.source, 'task feed');
  assert.deepEqual(error.task, { name: 'feed', iteration: 2 });
  assert.equal(error.error, taskError.error);
  assert.match(error.error.message, /the feed is unavailable/);
  assert.ok(
    logged.some(({ level, message }) => level === 'error' && message.startsWith('Error in task feed: RangeError: the feed is unavailable')),
  );
  assert.equal(task.iterations, 3);
  assert.equal(task.running, true);
  assert.equal(task.consecutiveFailures, 0);
});

test('stopAfterFailures stops the task after n failures in a row with one warning; start() resumes it with a fresh count', async () => {
  const { bot, clock, errors, logged } = await clockedBot();
  const abortedAtStart: boolean[] = [];
  const task = bot.task({
    name: 'flaky',
    every: MINUTE,
    stopAfterFailures: 3,
    run: ({ signal }) => {
      abortedAtStart.push(signal.aborted);
      return Promise.reject(new Error('upstream down'));
    },
  });
  await clock.advance(10 * MINUTE);

  assert.equal(task.iterations, 3);
  assert.equal(task.running, false);
  assert.equal(task.nextRunAt, undefined);
  assert.equal(task.consecutiveFailures, 3);
  assert.equal(clock.pendingTimers, 0);
  assert.deepEqual(
    errors.map((event) => event.task?.iteration),
    [1, 2, 3],
  );
  const warnings = logged.filter(({ level }) => level === 'warn').map(({ message }) => message);
  assert.deepEqual(warnings, [
    'Task flaky stopped after 3 failed iterations in a row (the last: Error: upstream down); task.start() resumes it',
  ]);

  task.start();
  assert.equal(task.running, true);
  assert.equal(task.consecutiveFailures, 0);
  await clock.advance(MINUTE);
  assert.equal(task.iterations, 4);
  assert.equal(task.consecutiveFailures, 1);
  assert.deepEqual(abortedAtStart, [false, false, false, false], 'a resumed task gets a fresh signal');
});

test('a success resets the failure count, so failures that are not in a row never stop the task', async () => {
  const { bot, clock, logged } = await clockedBot();
  const task = bot.task({
    name: 'patchy',
    every: MINUTE,
    stopAfterFailures: 3,
    run: ({ iteration }) => {
      if (iteration % 3 !== 0) throw new Error(`attempt ${String(iteration)} failed`);
    },
  });
  const counts: number[] = [];
  for (let minute = 0; minute < 7; minute++) {
    await clock.advance(MINUTE);
    counts.push(task.consecutiveFailures);
  }
  assert.deepEqual(counts, [1, 2, 0, 1, 2, 0, 1]);
  assert.equal(task.running, true);
  assert.deepEqual(
    logged.filter(({ level }) => level === 'warn'),
    [],
  );
});

test('iterations never overlap: a run slower than the interval delays the next one', async () => {
  const starts: number[] = [];
  let active = 0;
  let mostActive = 0;
  const { bot, clock, errors } = await clockedBot();
  const task = bot.task({
    name: 'slow-report',
    every: MINUTE,
    run: async () => {
      starts.push(clock.now() - START);
      mostActive = Math.max(mostActive, ++active);
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 90 * SECOND));
      active -= 1;
    },
  });
  await clock.advance(7 * MINUTE);
  // Each run takes 90 s and the next comes a minute after it ends.
  assert.deepEqual(starts, [60 * SECOND, 210 * SECOND, 360 * SECOND]);
  assert.equal(mostActive, 1);
  assert.equal(task.nextRunAt, undefined, 'the third run is still going, so nothing is planned yet');
  await clock.advance(30 * SECOND);
  assert.deepEqual(task.nextRunAt, new Date(START + 510 * SECOND));
  assert.deepEqual(errors, []);
});

test('stop() stops the tasks, aborts their signal and waits for a running iteration before unloading extensions', async () => {
  const order: string[] = [];
  const release = deferred();
  let aborted: Promise<void> | undefined;
  const { bot, clock } = await clockedBot(async (b) => {
    await b.loadExtension(defineExtension({ name: 'watcher', setup: () => () => void order.push('extension unloaded') }));
  });
  const task = bot.task({
    name: 'backup',
    every: MINUTE,
    run: async ({ signal }: TaskContext) => {
      order.push('run started');
      aborted = new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          resolve();
        });
      });
      await aborted;
      order.push('run saw the abort');
      await release.promise;
      order.push('run ended');
    },
  });
  await clock.advance(MINUTE);
  assert.deepEqual(order, ['run started']);

  const stopping = bot.stop().then(() => order.push('bot stopped'));
  await aborted;
  assert.equal(task.running, false);
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, ['run started', 'run saw the abort'], 'stop() must still be waiting for the iteration');
  release.resolve();
  await stopping;
  assert.deepEqual(order, ['run started', 'run saw the abort', 'run ended', 'extension unloaded', 'bot stopped']);

  await clock.advance(10 * MINUTE);
  assert.equal(task.iterations, 1);
  assert.equal(clock.pendingTimers, 0);
  assert.throws(
    () => {
      task.start();
    },
    matchesState(`Task ${task.name} cannot start: the bot has stopped`),
  );
  assert.throws(
    () => bot.task({ name: 'late', every: MINUTE, run: noop }),
    matchesState('Task late was added after stop(); a stopped bot runs no tasks'),
  );
});

/** Asserts a ClientStateError with exactly this message. */
function matchesState(message: string) {
  return (error: unknown) => error instanceof ClientStateError && error.message === message;
}

test('a task added by an extension belongs to it: its errors name the extension, and unloading stops and removes it', async () => {
  let task: ReturnType<Client['task']> | undefined;
  const reminders = defineExtension({
    name: 'reminders',
    setup(scoped) {
      task = scoped.task({
        name: 'remind',
        every: MINUTE,
        run: ({ iteration }) => {
          if (iteration === 1) throw new Error('no reminder channel');
        },
      });
    },
  });
  const { bot, clock, errors } = await clockedBot((b) => b.loadExtension(reminders));
  assert.ok(task);
  await clock.advance(2 * MINUTE);
  assert.equal(task.iterations, 2);
  assert.deepEqual(
    errors.map(({ source, extension, task: run }) => ({ source, extension, run })),
    [{ source: 'task remind', extension: 'reminders', run: { name: 'remind', iteration: 1 } }],
  );

  await bot.unloadExtension('reminders');
  assert.equal(task.running, false);
  assert.equal(clock.pendingTimers, 0);
  await clock.advance(10 * MINUTE);
  assert.equal(task.iterations, 2);
  assert.throws(() => {
    task?.start();
  }, matchesState('Task remind was removed when its extension unloaded; add it again to run it'));

  // The name is free again, and reloading the extension brings the task back.
  await bot.loadExtension(reminders);
  assert.equal(task.running, true);
  await clock.advance(MINUTE);
  assert.equal(task.iterations, 1);
  assert.throws(
    () => bot.task({ name: 'remind', every: MINUTE, run: noop }),
    /^TaskDefinitionError: Task remind: a task with this name was already added \(by extension reminders\)$/,
  );
});

test('each invalid definition throws a TaskDefinitionError naming the task and the problem, and adds nothing', async () => {
  const { bot, clock } = await clockedBot();
  const invalid: [Partial<Record<keyof TaskDefinition, unknown>>, RegExp][] = [
    [{ name: 'both', every: MINUTE, cron: '* * * * *', run: noop }, /^Task both: give either `every` or `cron`, not both$/],
    [{ name: 'neither', run: noop }, /^Task neither: it needs a schedule: `every` \(milliseconds\) or `cron`/],
    [{ name: 'zero', every: 0, run: noop }, /^Task zero: `every` must be a positive number of milliseconds, got 0$/],
    [{ name: 'negative', every: -5, run: noop }, /^Task negative: `every` must be a positive number of milliseconds, got -5$/],
    [{ name: 'nan', every: Number.NaN, run: noop }, /^Task nan: `every` must be a positive number of milliseconds, got NaN$/],
    [{ name: 'minute-61', cron: '61 * * * *', run: noop }, /^Task minute-61: `cron` '61 \* \* \* \*' is not a valid pattern: .*minute/],
    [{ name: 'words', cron: 'every monday', run: noop }, /^Task words: `cron` 'every monday' is not a valid pattern/],
    [
      { name: 'zone', cron: '0 * * * *', timezone: 'Mars/Olympus_Mons', run: noop },
      /^Task zone: `timezone` 'Mars\/Olympus_Mons' is not an IANA time zone/,
    ],
    [
      { name: 'zone-interval', every: MINUTE, timezone: 'UTC', run: noop },
      /^Task zone-interval: `timezone` applies to `cron` schedules only$/,
    ],
    [{ name: 'no-run', every: MINUTE }, /^Task no-run: `run` must be a function$/],
    [
      { name: 'limit', every: MINUTE, stopAfterFailures: 0, run: noop },
      /^Task limit: `stopAfterFailures` must be a positive whole number, got 0$/,
    ],
    [{ name: '', every: MINUTE, run: noop }, /^Task \(unnamed\): it needs a `name`$/],
    [{ name: '   ', every: MINUTE, run: noop }, /^Task \(unnamed\): it needs a `name`$/],
    [{ every: MINUTE, run: noop }, /^Task \(unnamed\): it needs a `name`$/],
    [{ name: 42, every: MINUTE, run: noop }, /^Task \(unnamed\): it needs a `name`$/],
    [
      { name: 'object-every', every: { ms: 5 }, run: noop },
      /^Task object-every: `every` must be a positive number of milliseconds, got \{"ms":5\}$/,
    ],
    [{ name: 'number-cron', cron: 5, run: noop }, /^Task number-cron: `cron` must be a pattern string, got 5$/],
    [{ name: 'feb-30', cron: '0 0 30 2 *', run: noop }, /^Task feb-30: `cron` '0 0 30 2 \*' never matches after now$/],
    [{ name: 'number-zone', cron: '0 * * * *', timezone: 5, run: noop }, /^Task number-zone: `timezone` '5' is not an IANA time zone/],
  ];
  for (const [definition, message] of invalid) {
    assert.throws(
      () => bot.task(definition as TaskDefinition),
      (error: unknown) => {
        assert.ok(
          error instanceof TaskDefinitionError,
          `expected a TaskDefinitionError for ${String(definition.name)}, got ${String(error)}`,
        );
        assert.equal(error.code, 'LANTERN_ERR_TASK_DEFINITION');
        assert.match(error.message, message);
        return true;
      },
    );
  }
  assert.ok(
    (() => {
      try {
        bot.task({ name: 'cause', cron: '61 * * * *', run: noop });
      } catch (error) {
        return (error as Error).cause instanceof Error;
      }
      return false;
    })(),
    "a rejected pattern keeps the parser's error as cause",
  );
  assert.throws(
    () => bot.task({ name: 'no-cause', every: 0, run: noop }),
    (error: unknown) => error instanceof TaskDefinitionError && !('cause' in error),
    'a problem of the definition itself has no cause',
  );
  assert.equal(clock.pendingTimers, 0, 'no invalid definition was scheduled');

  bot.task({ name: 'both', every: MINUTE, run: noop });
  assert.throws(
    () => bot.task({ name: 'both', cron: '* * * * *', run: noop }),
    /^TaskDefinitionError: Task both: a task with this name was already added \(by the bot\)$/,
  );
  assert.equal(clock.pendingTimers, 1);
});

test('a task added while the bot runs starts at once', async () => {
  const runs: string[] = [];
  const { bot, clock, errors } = await clockedBot();
  await clock.advance(3 * MINUTE);
  const later = bot.task({ name: 'later', every: 5 * MINUTE, run: () => void runs.push(`later at ${minutesIn(clock.now())}`) });
  assert.equal(later.running, true);
  assert.deepEqual(later.nextRunAt, new Date(START + 8 * MINUTE));
  bot.task({ name: 'now', every: HOUR, runOnStart: true, run: () => void runs.push(`now at ${minutesIn(clock.now())}`) });
  assert.deepEqual(runs, ['now at 3']);
  await clock.advance(5 * MINUTE);
  assert.deepEqual(runs, ['now at 3', 'later at 8']);
  assert.deepEqual(errors, []);
});

test('start() on a task already running changes nothing: one timer, its failure count and its signal kept', async () => {
  const { bot, clock } = await clockedBot();
  const gate = deferred();
  const signals: AbortSignal[] = [];
  const task = bot.task({
    name: 'steady',
    every: MINUTE,
    run: async ({ iteration, signal }) => {
      signals.push(signal);
      if (iteration === 1) throw new Error('first run failed');
      await gate.promise;
    },
  });
  task.start();
  assert.equal(clock.pendingTimers, 1, 'a second start() plans no second timer');
  await clock.advance(MINUTE);
  assert.equal(task.iterations, 1);
  assert.equal(task.consecutiveFailures, 1);
  task.start();
  assert.equal(task.consecutiveFailures, 1, 'start() on a running task does not reset its count');
  await clock.advance(MINUTE);
  assert.equal(task.iterations, 2, 'iteration 2 is under way');
  task.start();
  task.stop();
  assert.equal(signals[1]?.aborted, true, "stop() aborts the running iteration's signal, whatever start() did meanwhile");
  gate.resolve();
  await bot.idle();
  await clock.advance(10 * MINUTE);
  assert.equal(task.iterations, 2, 'a task stopped during a successful iteration plans no next one');
  assert.equal(clock.pendingTimers, 0);
});

test('a task stopped during an iteration that then fails is not also stopped for its failures', async () => {
  const { bot, clock, logged } = await clockedBot();
  const gate = deferred();
  const task = bot.task({
    name: 'halting',
    every: MINUTE,
    stopAfterFailures: 1,
    run: async () => {
      await gate.promise;
      throw new Error('gave up');
    },
  });
  await clock.advance(MINUTE);
  task.stop();
  gate.resolve();
  await bot.idle();
  assert.equal(task.running, false);
  assert.deepEqual(
    logged.filter(({ level, message }) => level === 'warn' && message.includes('stopped after')),
    [],
    'the app stopped it; its failure limit did not',
  );
});

test("unloading an extension removes its tasks only: the bot's own keep running", async () => {
  const ticker = defineExtension({
    name: 'ticker',
    setup(scoped) {
      scoped.task({ name: 'tick', every: MINUTE, run: noop });
    },
  });
  const { bot, clock } = await clockedBot((b) => b.loadExtension(ticker));
  const own = bot.task({ name: 'own', every: MINUTE, run: noop });
  await bot.unloadExtension('ticker');
  await clock.advance(2 * MINUTE);
  assert.equal(own.running, true);
  assert.equal(own.iterations, 2);
  bot.task({ name: 'tick', every: MINUTE, run: noop });
});

test('a cron task whose pattern is one moment runs at it, then stops with one warning instead of failing', async () => {
  const { bot, clock, logged, errors } = await clockedBot();
  const runs: number[] = [];
  const task = bot.task({
    name: 'launch',
    cron: '2025-03-01T01:00:00',
    timezone: 'UTC',
    run: () => void runs.push(minutesIn(clock.now())),
  });
  assert.deepEqual(task.nextRunAt, new Date('2025-03-01T01:00:00Z'));
  await clock.advance(3 * HOUR);
  assert.deepEqual(runs, [50]);
  assert.equal(task.running, false);
  assert.equal(task.nextRunAt, undefined);
  assert.deepEqual(
    logged.filter(({ level }) => level === 'warn').map(({ message }) => message),
    ['Task launch has stopped: its cron pattern matches no later time'],
  );
  assert.deepEqual(errors, []);
  assert.equal(clock.pendingTimers, 0);
});
