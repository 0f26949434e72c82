/**
 * `lantern/ext/sentry`: configuration (no DSN, a bad DSN, no SDK, filters, options passed to Sentry), storm
 * control, process-level errors, flushing on stop and closing on unload, and two bots in one process.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import * as Sentry from '@sentry/node';
import { Client, command, ExtensionLoadError } from '../../../src/index.js';
import type { ErrorEvent } from '../../../src/index.js';
import sentry, { SentryDsnError, SentryOptionsError } from '../../../src/ext/sentry/index.js';
import type { SentryOptions } from '../../../src/ext/sentry/index.js';
import { FakeClock } from '../../../src/testing/index.js';
import type { ReceivedEvent, SentryReceiver } from '../../../src/testing/index.js';
import { recordingLogger, startBot, startFake } from '../../support/bot.js';
import { ENVIRONMENT, RELEASE, sentryBot, sentryOptions, startReceiver, thrown } from '../../fixtures/sentry-support.js';

const run = promisify(execFile);
const MINUTE = 60_000;
const receiver = await startReceiver();

function failing(name: string, message = `${name} failed`) {
  return command({
    name,
    description: name,
    run: () => {
      throw new Error(message);
    },
  });
}

/** A bot with Sentry and one failing command per name; `fail(name)` runs one and returns its `Error` event. */
async function botWith(options: SentryOptions, names: string[] = ['boom'], target: SentryReceiver = receiver) {
  const world = await sentryBot(target, { sentry: options, setup: (bot) => bot.addCommand(...names.map((name) => failing(name))) });
  const fail = async (name = names[0] ?? 'boom'): Promise<ErrorEvent> => {
    const before = world.errors.length;
    await world.discord.as(world.alice, world.guild.channel('general')).slash(name).response();
    await world.bot.idle();
    const error = world.errors[before];
    assert.ok(error, `no Error event from /${name}`);
    return error;
  };
  return { ...world, fail };
}

function eventsWithValue(value: string): ReceivedEvent[] {
  return receiver.events.filter((event) => thrown(event)?.value === value);
}

test('without a DSN the bot runs with one log line and sends nothing; SENTRY_DSN is read when the option is absent', async () => {
  const saved = process.env.SENTRY_DSN;
  try {
    delete process.env.SENTRY_DSN;
    const before = receiver.requests;
    const { fail, logged } = await botWith({ dsn: undefined });
    const error = await fail();
    assert.equal(error.reference, undefined);
    assert.deepEqual(
      logged.filter((line) => line.message.includes('Sentry')).map((line) => `${line.level}: ${line.message}`),
      ['warn: Sentry: no DSN (the `dsn` option or SENTRY_DSN), so errors are not sent to Sentry'],
    );
    assert.equal(receiver.requests, before);

    process.env.SENTRY_DSN = receiver.dsn;
    const fromEnvironment = await botWith({ dsn: undefined }, ['envboom']);
    const captured = await fromEnvironment.fail();
    assert.equal(thrown(await receiver.waitForEvent(captured.reference ?? ''))?.value, 'envboom failed');
    await fromEnvironment.bot.stop();
  } finally {
    if (saved === undefined) delete process.env.SENTRY_DSN;
    else process.env.SENTRY_DSN = saved;
  }
});

test('a DSN Sentry would not accept fails the load with SentryDsnError, without quoting the DSN', async () => {
  for (const [dsn, problem] of [
    ['not a dsn at all', /is not a URL/],
    ['https://sentry.example/42', /no public key/],
    ['ftp://key@sentry.example/42', /must start with https/],
    ['https://secretkey@sentry.example/project', /numeric project id/],
  ] as const) {
    const bot = new Client({ logger: recordingLogger().logger, handleProcessErrors: false });
    const error = await bot.loadExtension(sentry, { dsn }).then(
      () => assert.fail(`${dsn} was accepted`),
      (thrownError: unknown) => thrownError,
    );
    assert.ok(error instanceof ExtensionLoadError);
    assert.ok(error.cause instanceof SentryDsnError, dsn);
    assert.equal(error.cause.code, 'LANTERN_ERR_SENTRY_DSN');
    assert.match(error.cause.message, problem);
    assert.ok(!error.cause.message.includes(dsn));
  }
});

test('without @sentry/node installed, loading fails with an error that names `npm install @sentry/node`, DSN or not', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/sentry-missing.ts'], {
    env: { ...process.env, SENTRY_DSN: '' },
  });
  const outcomes = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { dsn: boolean; name?: string; cause?: { name: string; code: string; message: string } });
  assert.equal(outcomes.length, 2);
  for (const outcome of outcomes) {
    assert.equal(outcome.name, 'ExtensionLoadError');
    assert.equal(outcome.cause?.name, 'SentryMissingError');
    assert.equal(outcome.cause.code, 'LANTERN_ERR_SENTRY_MISSING');
    assert.match(outcome.cause.message, /npm install @sentry\/node/);
  }
});

test(
  'filter: sees each event with the Lantern event in its hint, can ' +
    'change or drop it; a filter that throws drops the event and says so',
  async () => {
    const seenSources: string[] = [];
    const { fail, bot, logged } = await botWith(
      {
        filter: (event, hint) => {
          const source = hint.lantern?.source ?? '?';
          seenSources.push(source);
          if (source === '/secret') return null;
          if (source === '/broken') throw new Error('filter bug');
          return { ...event, tags: { ...event.tags, filtered: 'yes' } };
        },
      },
      ['kept', 'secret', 'broken'],
    );
    const kept = await fail('kept');
    const dropped = await fail('secret');
    const broken = await fail('broken');
    assert.equal((await receiver.waitForEvent(kept.reference ?? '')).tags?.filtered, 'yes');
    await bot.stop();
    assert.deepEqual(seenSources, ['/kept', '/secret', '/broken']);
    assert.ok(!receiver.events.some((e) => e.event_id === dropped.reference || e.event_id === broken.reference));
    assert.ok(
      logged.some(
        (line) =>
          line.level === 'warn' && line.message.startsWith('Sentry: the event filter threw, so the event was not sent: Error: filter bug'),
      ),
    );
  },
);

test('captureExpected sends expected errors too', async () => {
  const { bot } = await botWith({ captureExpected: true });
  const expected = await bot.reportError({ source: '/boom', error: new Error('on cooldown'), expected: true });
  assert.equal(thrown(await receiver.waitForEvent(expected.reference ?? ''))?.value, 'on cooldown');
});

test(
  'other Sentry options pass through: dist, serverName, initialScope, ' +
    'maxBreadcrumbs, beforeBreadcrumb, beforeSend, ignoreErrors, integrations',
  async () => {
    const { fail, bot } = await botWith(
      {
        dist: '7',
        serverName: 'shard-host-1',
        initialScope: { tags: { team: 'core' } },
        maxBreadcrumbs: 2,
        beforeBreadcrumb: (breadcrumb) => ({ ...breadcrumb, data: { ...breadcrumb.data, seen: true } }),
        beforeSend: (event) => ({ ...event, extra: { ...event.extra, beforeSend: 'ran' } }),
        ignoreErrors: [/ignored failed/],
        integrations: [Sentry.extraErrorDataIntegration()],
      },
      ['boom', 'ignored'],
    );
    const ignored = await fail('ignored');
    const error = await bot.reportError({ source: 'probe', error: Object.assign(new Error('with data'), { orderId: 'A-17' }) });
    const event = await receiver.waitForEvent(error.reference ?? '');
    const commandEvent = await receiver.waitForEvent((await fail('boom')).reference ?? '');
    assert.equal(event.dist, '7');
    assert.equal(event.server_name, 'shard-host-1');
    assert.equal(event.tags?.team, 'core');
    assert.equal(event.extra?.beforeSend, 'ran');
    assert.deepEqual(event.contexts?.Error, { orderId: 'A-17' });
    assert.ok((commandEvent.breadcrumbs?.length ?? 0) <= 2);
    assert.ok(commandEvent.breadcrumbs?.every((b) => (b.data as { seen?: boolean } | undefined)?.seen === true));
    await bot.stop();
    assert.ok(!receiver.events.some((e) => e.event_id === ignored.reference));
  },
);

test(
  'storm control: past the limit per group per minute occurrences ' + "are counted, not built; the count rides on the group's next event",
  async () => {
    const clock = new FakeClock(Date.parse('2025-03-01T00:00:00Z'));
    let built = 0;
    const { fail, bot } = await botWith({ clock, eventsPerGroupPerMinute: 3, beforeSend: (event) => ((built += 1), event) }, [
      'loop',
      'other',
    ]);
    const first: ErrorEvent[] = [];
    for (let i = 0; i < 10; i++) first.push(await fail('loop'));
    const other = await fail('other');
    const ids = first.map((e) => e.reference);
    assert.equal(new Set(ids.slice(0, 3)).size, 3);
    // Held back occurrences point the user at the group's last event: same issue, an id Sentry has.
    assert.deepEqual(ids.slice(3), Array<string | undefined>(7).fill(ids[2]));
    await receiver.waitForEvent(other.reference ?? '');

    await clock.advance(MINUTE);
    const next: ErrorEvent[] = [];
    for (let i = 0; i < 5; i++) next.push(await fail('loop'));
    const afterWindow = await receiver.waitForEvent(next[0]?.reference ?? '');
    assert.deepEqual(afterWindow.contexts?.storm, { suppressed_before: 7, limit_per_minute: 3 });
    await bot.stop();

    // 3 + 3 in the two windows, then at stop the latest held-back one with the count of the others.
    const loops = eventsWithValue('loop failed').filter((e) => e.tags?.guild_id === first[0]?.ctx?.guildId);
    assert.equal(loops.length, 7);
    assert.deepEqual(loops.at(-1)?.contexts?.storm, { suppressed_before: 1, limit_per_minute: 3 });
    assert.equal(built, 8, 'the SDK built only the events that were sent');
  },
);

test(
  'storm control over all groups: past eventsPerMinute distinct errors are held back, then sent as the budget ' +
    'refills, each under the id its user was given',
  async () => {
    const clock = new FakeClock(Date.parse('2025-03-02T00:00:00Z'));
    const names = Array.from({ length: 8 }, (_, i) => `distinct${String(i)}`);
    // A bucket of 3 (a tenth of 30), refilled at one event every 2 s of the fake clock.
    const { fail, bot } = await botWith({ clock, eventsPerMinute: 30 }, names);
    const failures: ErrorEvent[] = [];
    for (const name of names) failures.push(await fail(name));
    const references = failures.map((failure) => failure.reference ?? '');
    assert.ok(references.every((reference) => /^[0-9a-f]{32}$/.test(reference)));
    assert.equal(new Set(references).size, 8, 'each group is promised its own event');
    for (const reference of references.slice(0, 3)) await receiver.waitForEvent(reference);
    const received = () => references.filter((reference) => receiver.events.some((event) => event.event_id === reference)).length;
    // The release runs every second of real time; on the fake clock no budget has come back yet.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(received(), 3, 'the held-back groups wait for the budget');

    await clock.advance(2000);
    const fourth = await receiver.waitForEvent(references[3] ?? '');
    assert.equal(thrown(fourth)?.value, 'distinct3 failed', 'the oldest held-back group goes first, under its promised id');
    await clock.advance(MINUTE);
    for (const reference of references.slice(4, 7)) await receiver.waitForEvent(reference);
    assert.equal(received(), 7, 'a refilled bucket holds 3, no more');
    await bot.stop();
    // The last held-back group is sent at the stop, still under the id its user got.
    assert.equal(thrown(await receiver.waitForEvent(references[7] ?? ''))?.value, 'distinct7 failed');
    for (const name of names) assert.equal(eventsWithValue(`${name} failed`).length, 1, `${name} was sent once`);
  },
);

test('storm limits below one event a minute fail the load with SentryOptionsError, naming the option', async () => {
  for (const [option, value] of [
    ['eventsPerMinute', 0],
    ['eventsPerMinute', Number.NaN],
    ['eventsPerGroupPerMinute', -1],
    ['eventsPerGroupPerMinute', '20'],
  ] as const) {
    const bot = new Client({ logger: recordingLogger().logger, handleProcessErrors: false });
    const error = await bot.loadExtension(sentry, sentryOptions(receiver, { [option]: value })).then(
      () => assert.fail(`${option}: ${String(value)} was accepted`),
      (thrownError: unknown) => thrownError,
    );
    assert.ok(error instanceof ExtensionLoadError);
    assert.ok(error.cause instanceof SentryOptionsError);
    assert.equal(error.cause.code, 'LANTERN_ERR_SENTRY_OPTIONS');
    assert.match(error.cause.message, new RegExp(`option ${option}: must be a number of events, at least 1`));
  }
});

test(
  'unhandled rejections and uncaught exceptions are captured once, as ' +
    'unhandled, and the process neither exits on them nor keeps anything open',
  async () => {
    const env = { ...process.env, SENTRY_TEST_DSN: receiver.dsn, SENTRY_DSN: '', SENTRY_RELEASE: '', SENTRY_ENVIRONMENT: '' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/sentry-process-errors.ts'], { env, timeout: 30_000 });
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string | boolean>);
    const last = lines.at(-1);
    assert.equal(last?.stopped, true);
    assert.equal(last.listenersAfter, last.listenersBefore, 'Sentry or the bot left process listeners behind');
    for (const [source, message] of [
      ['unhandled rejection', 'rejected in bot code'],
      ['uncaught exception', 'thrown in a timer'],
    ] as const) {
      const line = lines.find((l) => l.source === source);
      assert.ok(line, `no Error event from ${source}`);
      assert.equal(line.message, message);
      const event = await receiver.waitForEvent(String(line.reference));
      assert.deepEqual(thrown(event)?.mechanism, { type: 'lantern', handled: false });
      assert.equal(event.tags?.source, source);
      assert.equal(event.level, 'error');
      assert.equal(eventsWithValue(message).length, 1, `${message} was captured more than once`);
    }
  },
);

test('stop() delivers what was captured before it returns; unload closes the client and releases the process-wide one', async () => {
  const { fail, bot, logged } = await botWith({}, ['last']);
  // While loaded, the app's own Sentry calls go to the bot's client too.
  assert.ok(Sentry.getClient());
  const appEventId = Sentry.captureException(new Error('from the app'));
  const last = await fail('last');
  await bot.unloadExtension('sentry');
  assert.ok(
    receiver.events.some((e) => e.event_id === last.reference),
    'the last event was not delivered by the time unload returned',
  );
  assert.ok(receiver.events.some((e) => e.event_id === appEventId));
  assert.equal(Sentry.getClient(), undefined);
  assert.ok(!logged.some((line) => line.message.includes('not every event was delivered')));
  const after = await fail('last');
  assert.equal(after.reference, undefined);
});

test('two bots in one process: each sends to its own DSN with its own name, and their interactions never mix', async () => {
  const other = await startReceiver();
  const discord = await startFake({ botUsername: 'second-bot' });
  const carol = discord.addUser({ username: 'carol' });
  const guild = discord.addGuild({ name: 'h', members: [carol] });
  const second = await startBot(discord, { sendCommandTracebacks: false }, async (bot) => {
    await bot.loadExtension(sentry, sentryOptions(other));
    bot.addCommand(
      command({
        name: 'boom',
        description: 'boom',
        run: () => {
          Sentry.addBreadcrumb({ category: 'test', message: 'second bot handler' });
          throw new Error('second bot failed');
        },
      }),
    );
  });
  const first = await botWith({}, ['boom']);
  const runs = await Promise.all([
    first.fail(),
    second.bot.idle().then(async () => {
      await discord.as(carol, guild.channel('general')).slash('boom').response();
      await second.bot.idle();
      return second.errors.at(-1);
    }),
  ]);
  const [fromFirst, fromSecond] = runs;
  const firstEvent = await receiver.waitForEvent(fromFirst.reference ?? '');
  const secondEvent = await other.waitForEvent(fromSecond?.reference ?? '');
  assert.equal(firstEvent.tags?.bot_name, 'lantern-bot');
  assert.equal(secondEvent.tags?.bot_name, 'second-bot');
  assert.equal(secondEvent.release, RELEASE);
  assert.equal(secondEvent.environment, ENVIRONMENT);
  assert.deepEqual(secondEvent.user, { id: carol.id, username: 'carol' });
  assert.ok(secondEvent.breadcrumbs?.some((b) => b.message === 'second bot handler'));
  assert.ok(!firstEvent.breadcrumbs?.some((b) => b.message === 'second bot handler'));
  assert.ok(!receiver.events.some((e) => e.event_id === fromSecond?.reference));
  assert.ok(!other.events.some((e) => e.event_id === fromFirst.reference));
  await second.bot.stop();
  await first.bot.stop();
});

test("Lantern's own log line of an error is neither a breadcrumb nor (with captureConsole) a second event", async () => {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  // Errors logged as the default console logger does, with the output kept out of the test report.
  const lines: string[] = [];
  const consoleLogger = {
    info: () => undefined,
    warn: () => undefined,
    error: (m: string) => {
      console.error(`[lantern] ${m}`);
    },
  };
  const { bot, errors } = await startBot(discord, { sendCommandTracebacks: false, logger: consoleLogger }, async (b) => {
    await b.loadExtension(sentry, sentryOptions(receiver, { integrations: [Sentry.captureConsoleIntegration({ levels: ['error'] })] }));
    b.addCommand(failing('twice', 'logged and captured'));
  });
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  try {
    await discord.as(alice, guild.channel('general')).slash('twice').response();
    await bot.idle();
    await bot.reportError({ source: 'after', error: new Error('the next one') });
  } finally {
    process.stderr.write = write;
  }
  assert.ok(
    lines.some((line) => line.startsWith('[lantern] Error in /twice')),
    'the log line was written',
  );
  const next = await receiver.waitForEvent(errors.at(-1)?.reference ?? '');
  assert.ok(!next.breadcrumbs?.some((b) => String(b.message).startsWith('[lantern] Error in')));
  await bot.stop();
  assert.equal(
    receiver.events.filter(
      (e) => (e.message ?? '').includes('logged and captured') || thrown(e)?.value?.includes('[lantern] Error in /twice'),
    ).length,
    0,
  );
  assert.equal(eventsWithValue('logged and captured').length, 1);
});

test(
  'tracing, when asked for: each interaction is a span of its own ' + 'trace, its error event is linked to it, and spans are redacted too',
  async () => {
    const tokens: string[] = [];
    const world = await sentryBot(receiver, {
      sentry: { tracesSampleRate: 1 },
      setup: (bot) =>
        bot.addCommand(
          command({
            name: 'traced',
            description: 'traced',
            run: async (ctx) => {
              tokens.push(ctx.interaction.token);
              await ctx.defer();
              throw new Error('traced failure');
            },
          }),
        ),
    });
    await world.discord.as(world.alice, world.guild.channel('general')).slash('traced').response();
    await world.bot.idle();
    const event = await receiver.waitForEvent(world.errors.at(-1)?.reference ?? '');
    await world.bot.stop();
    const traceId = event.contexts?.trace?.trace_id;
    const spans = receiver.envelopes.filter(
      (e) =>
        e.header.trace?.trace_id === traceId && e.items.some((item) => item.header.type === 'span' || item.header.type === 'transaction'),
    );
    assert.ok(spans.length > 0, "no span was sent for the interaction's trace");
    assert.equal(spans[0]?.header.trace?.transaction, '/traced');
    for (const envelope of receiver.envelopes) for (const token of tokens) assert.ok(!envelope.raw.includes(token));
  },
);

test(
  '`lantern/ext/sentry` resolves as a package specifier',
  { skip: !existsSync('dist/ext/sentry/index.js') && 'needs `npm run build`' },
  async () => {
    const { fail, bot } = await botWith({});
    await bot.unloadExtension('sentry');
    await bot.loadExtension('lantern/ext/sentry', sentryOptions(receiver));
    const error = await fail();
    assert.equal(thrown(await receiver.waitForEvent(error.reference ?? ''))?.value, 'boom failed');
  },
);
