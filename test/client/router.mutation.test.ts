/**
 * The router's answer deadline: Discord forgets an unanswered interaction 3 s after it arrived, so the 2.5 s the
 * error answer may wait for slow error handlers count from the interaction's arrival, not from the failure.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { checks, command, Events } from '../../src/index.js';
import type { CommandContext } from '../../src/index.js';
import { startBot, startFake } from '../support/bot.js';

const HANDLER_MS = 1500;
const UNACKNOWLEDGED_DEADLINE_MS = 2500;

async function world(run: (ctx: CommandContext) => Promise<never>) {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const testBot = await startBot(discord, { stopTimeoutMs: 300, sendCommandTracebacks: false }, (bot) => {
    bot.addCommand(command({ name: 'slow', description: 'Slow, then fails', run }));
    // An error handler that never finishes: the answer must not wait for it past Discord's patience.
    bot.listen(Events.CommandError, () => new Promise<never>(() => undefined));
  });
  const waited = () => {
    const warning = testBot.logged.find((line) => line.level === 'warn' && line.message.includes('still running after'));
    assert.ok(warning, JSON.stringify(testBot.logged));
    return Number(/still running after (\d+) ms/.exec(warning.message)?.[1]);
  };
  return { ...testBot, waited, slash: () => discord.as(alice, guild.channel('general')).slash('slow') };
}

test('a handler that fails 1.5 s after the interaction arrived leaves the error handlers only the rest of the 2.5 s', async () => {
  const { slash, waited, logged } = await world(async () => {
    await sleep(HANDLER_MS);
    throw new Error('failed late');
  });
  const handle = slash();
  const answer = await handle.response();
  assert.equal(answer.kind, 'reply');
  assert.equal(answer.ephemeral, true);
  assert.ok(answer.message?.content.startsWith('Sorry, something went wrong.'), JSON.stringify(answer.message));
  // Whatever the machine's speed, at least HANDLER_MS of the deadline was gone when the handler failed.
  assert.ok(waited() <= UNACKNOWLEDGED_DEADLINE_MS - HANDLER_MS, `waited ${String(waited())} ms for the error handlers`);
  assert.ok(!logged.some((line) => line.message.startsWith('Could not tell the user')), JSON.stringify(logged));
});

test('once the interaction is deferred, the answer waits up to 5 s for the error handlers, then is sent', async () => {
  const { slash, waited } = await world(async (ctx) => {
    await ctx.defer({ ephemeral: true });
    throw new Error('failed after deferring');
  });
  const handle = slash();
  const answer = await handle.response('followUp', { timeout: 10_000 });
  assert.ok(answer.message?.content.startsWith('Sorry, something went wrong.'), JSON.stringify(answer.message));
  assert.equal(waited(), 5000);
});

/** A bot on the fake Discord with `setup`'s commands, tracebacks off, and a user to run them. */
async function plainWorld(setup: Parameters<typeof startBot>[2], options: Parameters<typeof startBot>[1] = {}) {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const bob = discord.addUser({ username: 'bob' });
  const guild = discord.addGuild({ name: 'g', members: [alice, bob] });
  const testBot = await startBot(discord, { sendCommandTracebacks: false, ...options }, setup);
  return { ...testBot, as: (user = alice) => discord.as(user, guild.channel('general')), bob };
}

/** `/boom`, which throws `boom`, with `onError` when given. */
function boom(onError?: () => never) {
  return command({
    name: 'boom',
    description: 'Fails',
    run: () => {
      throw new Error('boom');
    },
    ...(onError ? { onError } : {}),
  });
}

test('an error handler that answers within the deadline is the only answer: the default one waits for it', async () => {
  const { as, bot } = await plainWorld((b) => {
    b.addCommand(boom());
    b.listen(Events.CommandError, async (event) => {
      await sleep(300);
      await event.ctx.reply({ content: 'We are on it.', ephemeral: true });
      event.handled = true;
    });
  });
  const handle = as().slash('boom');
  assert.equal((await handle.response()).message?.content, 'We are on it.');
  await bot.idle();
  assert.deepEqual(
    handle.responses.map(({ kind, message }) => [kind, message?.content]),
    [['reply', 'We are on it.']],
  );
});

test("a completed command's event tells how long it took from the interaction's arrival", async () => {
  const durations: number[] = [];
  const { as, bot } = await plainWorld((b) => {
    b.addCommand(
      command({
        name: 'nap',
        description: 'Naps',
        run: async (ctx) => {
          await sleep(50);
          await ctx.reply('rested');
        },
      }),
    );
    b.listen(Events.CommandCompletion, (event) => void durations.push(event.durationMs));
  });
  const started = performance.now();
  await as().slash('nap').response();
  await bot.idle();
  const elapsed = performance.now() - started;
  assert.equal(durations.length, 1);
  assert.ok((durations[0] ?? 0) >= 45 && (durations[0] ?? 0) <= elapsed, `${String(durations[0])} ms of ${String(elapsed)}`);
});

test("an onError that throws is reported as the handler's onError, and the user still gets the default answer", async () => {
  const { as, bot, errors } = await plainWorld((b) => {
    b.addCommand(
      boom(() => {
        throw new Error('the handler broke too');
      }),
    );
  });
  const handle = as().slash('boom');
  assert.ok((await handle.response()).message?.content.startsWith('Sorry, something went wrong.'));
  await bot.idle();
  assert.deepEqual(
    errors.map(({ source, error }) => [source, error.message]),
    [
      ['/boom onError', 'the handler broke too'],
      ['/boom', 'boom'],
    ],
  );
});

test("an expectedErrorMessages text that throws is reported, and the user gets the check's own text", async () => {
  const { as, bot, errors } = await plainWorld(
    (b) => {
      b.addCommand(command({ name: 'ban', description: 'Ban', checks: [checks.custom('staffOnly', () => 'Staff only.')], run: noAnswer }));
    },
    {
      expectedErrorMessages: {
        check: () => {
          throw new Error('the translation table is missing');
        },
      },
    },
  );
  assert.equal((await as().slash('ban').response()).message?.content, 'Staff only.');
  await bot.idle();
  assert.deepEqual(
    errors.filter((event) => !event.expected).map(({ source, error }) => [source, error.message]),
    [['expectedErrorMessages', 'the translation table is missing']],
  );
});

test('a run that waits for a concurrency slot is deferred while it waits, so Discord does not give up on it', async () => {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let runs = 0;
  const { as, bob, bot } = await plainWorld((b) => {
    b.addCommand(
      command({
        name: 'report',
        description: 'One at a time',
        maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 10_000 },
        run: async (ctx) => {
          runs += 1;
          if (runs === 1) await gate;
          await ctx.send('report ready');
        },
      }),
    );
  });
  const first = as().slash('report');
  const second = as(bob).slash('report');
  assert.equal((await second.response()).kind, 'deferReply');
  open();
  await first.response();
  await bot.idle();
  assert.equal(second.responses.at(-1)?.message?.content, 'report ready', JSON.stringify(second.responses.map(({ kind }) => kind)));
});

function noAnswer(): void {
  assert.fail('a refused command does not run');
}
