/**
 * setupSinks on its own: sinks set up in order and torn down in reverse, every teardown run whatever another threw,
 * and a setup that throws leaving nothing attached. A real Client, not started: sinks only need the bot.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, setupSinks } from '../../src/index.js';
import type { Sink } from '../../src/index.js';
import { recordingLogger } from '../support/bot.js';

function quietBot() {
  const { logger, logged } = recordingLogger();
  return { bot: new Client({ logger }), logged };
}

/** A sink that records its setup and its teardown in `steps`; its teardown waits a turn first, or throws `fails`. */
function sink(name: string, steps: string[], fails?: Error): Sink {
  return {
    name,
    setup: () => {
      steps.push(`setup ${name}`);
      return async () => {
        await sleep(1);
        steps.push(`teardown ${name}`);
        if (fails) throw fails;
      };
    },
  };
}

test('sinks are set up in order and torn down in reverse, each teardown awaited before the next', async () => {
  const { bot } = quietBot();
  const steps: string[] = [];
  const silent: Sink = { name: 'silent', setup: () => void steps.push('setup silent') };
  const teardown = setupSinks(bot, [sink('a', steps), silent, sink('b', steps), sink('c', steps)]);
  assert.deepEqual(steps, ['setup a', 'setup silent', 'setup b', 'setup c']);
  await teardown();
  assert.deepEqual(steps.slice(4), ['teardown c', 'teardown b', 'teardown a']);
});

test('a teardown that throws does not keep the others from running; the first error is thrown once all have run', async () => {
  const { bot } = quietBot();
  const steps: string[] = [];
  const first = new Error('c would not close');
  const teardown = setupSinks(bot, [sink('a', steps), sink('b', steps, new Error('b would not close')), sink('c', steps, first)]);
  await assert.rejects(
    async () => {
      await teardown();
    },
    (error) => error === first,
  );
  assert.deepEqual(steps.slice(3), ['teardown c', 'teardown b', 'teardown a']);
});

test('each teardown failure after the first is logged with its sink’s name, redacted', async () => {
  const { bot, logged } = quietBot();
  bot.redactor.add('sk-live-0123456789', 'API KEY');
  const steps: string[] = [];
  const teardown = setupSinks(bot, [
    sink('local store', steps, new Error('disk full near sk-live-0123456789')),
    sink('quiet', steps),
    sink('webhook', steps, new Error('webhook gone')),
    sink('sentry client', steps, new Error('first')),
  ]);
  await assert.rejects(
    async () => {
      await teardown();
    },
    { message: 'first' },
  );
  assert.deepEqual(logged, [
    { level: 'warn', message: 'Tearing down webhook failed too: Error: webhook gone' },
    { level: 'warn', message: 'Tearing down local store failed too: Error: disk full near [REDACTED API KEY]' },
  ]);
});

test('a setup that throws tears down the sinks set up before it, in reverse, and throws its own error', async () => {
  const { bot, logged } = quietBot();
  const steps: string[] = [];
  const refused = new Error('no DSN');
  const broken: Sink = {
    name: 'broken',
    setup: () => {
      throw refused;
    },
  };
  assert.throws(
    () => setupSinks(bot, [sink('a', steps), sink('b', steps), broken, sink('never', steps)]),
    (error) => error === refused,
  );
  await sleep(20);
  assert.deepEqual(steps, ['setup a', 'setup b', 'teardown b', 'teardown a']);
  assert.deepEqual(logged, []);
});

test('a teardown failing after a failed setup is logged, not left as an unhandled rejection', async () => {
  const { bot, logged } = quietBot();
  const steps: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const broken: Sink = {
      name: 'broken',
      setup: () => {
        throw new Error('no DSN');
      },
    };
    assert.throws(() => setupSinks(bot, [sink('a', steps, new Error('a would not close')), broken]), /no DSN/);
    await sleep(20);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
  assert.deepEqual(logged, [
    { level: 'warn', message: 'Tearing down the sinks set up before broken failed too: Error: a would not close' },
  ]);
});
