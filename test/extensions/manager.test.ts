/**
 * The extension manager's edges, each failure's message exactly: loading twice, unloading or reloading what is not
 * loaded, an object without a name or setup, reloading an extension given as an object, a reload whose old version
 * fails too, the order extensions stop in, and what an extension's guards and missing onError mean for its commands.
 * A real bot on the fake Discord.
 */
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { checks, command, defineExtension, ExtensionLoadError, ExtensionStateError, RepliableContext } from '../../src/index.js';
import type { ErrorEvent, Extension, InteractionErrorEvent } from '../../src/index.js';
import { startBot, startFake } from '../support/bot.js';

const discord = await startFake();
const alice = discord.addUser({ username: 'alice' });
const guild = discord.addGuild({ name: 'g', members: [alice] });
const actor = discord.as(alice, guild.channel('general'));

/** An extension that records its setups and teardowns in `steps`; its setup throws while `failing.now` is true. */
function recorded(name: string, steps: string[], failing = { now: false }): Extension<unknown> {
  return defineExtension({
    name,
    setup(_bot, options) {
      steps.push(`setup ${name} ${JSON.stringify(options)}`);
      if (failing.now) throw new Error(`${name} cannot start`);
      return () => void steps.push(`teardown ${name}`);
    },
  });
}

async function rejection(work: Promise<unknown>): Promise<Error> {
  return work.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error as Error,
  );
}

test('loading a name twice, unloading or reloading one not loaded: ExtensionStateError saying what to do', async () => {
  const { bot } = await startBot(discord);
  await bot.loadExtension(recorded('solo', []));
  const twice = await rejection(bot.loadExtension(recorded('solo', [])));
  assert.ok(twice instanceof ExtensionStateError);
  assert.equal(twice.message, 'Extension solo is already loaded; use reloadExtension to replace it');
  for (const work of [bot.unloadExtension('ghost'), bot.reloadExtension('ghost')]) {
    const error = await rejection(work);
    assert.ok(error instanceof ExtensionStateError);
    assert.equal(error.message, 'Extension ghost is not loaded');
    assert.equal(error.code, 'LANTERN_ERR_EXTENSION_STATE');
  }
  assert.deepEqual(bot.extensions, ['solo']);
});

test('an object without a name or without setup is refused by name, and the Error event names it too', async () => {
  const events: ErrorEvent[] = [];
  const { bot } = await startBot(discord, {}, (b) => b.listen('Error', (event) => void events.push(event)));
  const nameless = await rejection(bot.loadExtension({ setup: () => undefined } as unknown as Extension<unknown>));
  assert.ok(nameless instanceof ExtensionLoadError);
  assert.equal(nameless.message, 'Extension extension: an extension given as an object needs a `name`');
  const setupless = await rejection(bot.loadExtension({ name: 'hollow' } as unknown as Extension<unknown>));
  assert.equal(setupless.message, 'Extension hollow: it has no `setup` function');
  assert.deepEqual(
    events.map(({ source, extension }) => [source, extension]),
    [
      ['extension extension', 'extension'],
      ['extension hollow', 'hollow'],
    ],
  );
  assert.deepEqual(bot.extensions, []);
});

test('reloading an extension given as an object sets the same one up again with its options', async () => {
  const steps: string[] = [];
  const { bot } = await startBot(discord, {}, (b) => b.loadExtension(recorded('inline', steps), { level: 2 }));
  await bot.reloadExtension('inline');
  assert.deepEqual(steps, ['setup inline {"level":2}', 'teardown inline', 'setup inline {"level":2}']);
  assert.deepEqual(bot.extensions, ['inline']);
});

test('a reload whose setup fails, and the old one fails again, unloads the extension and says so', async () => {
  const steps: string[] = [];
  const failing = { now: false };
  const { bot } = await startBot(discord, {}, (b) => b.loadExtension(recorded('flaky', steps, failing)));
  failing.now = true;
  const error = await rejection(bot.reloadExtension('flaky'));
  assert.ok(error instanceof ExtensionLoadError);
  assert.equal(error.message, 'Extension flaky: the new version failed and so did the previous one; the extension is unloaded');
  assert.equal((error.cause as Error).message, 'Extension flaky: setup threw');
  assert.deepEqual(bot.extensions, []);
  assert.deepEqual(steps, ['setup flaky undefined', 'teardown flaky', 'setup flaky undefined', 'setup flaky undefined']);
});

test('the bot stopping unloads its extensions, the last loaded first', async () => {
  const steps: string[] = [];
  const { bot } = await startBot(discord, {}, async (b) => {
    for (const name of ['tracker', 'store', 'games']) await b.loadExtension(recorded(name, steps));
  });
  await bot.stop();
  assert.deepEqual(steps.slice(3), ['teardown games', 'teardown store', 'teardown tracker']);
  assert.deepEqual(bot.extensions, []);
});

test("an extension's checks guard its commands, and one without onError leaves a failure to the bot's answer", async () => {
  const events: ErrorEvent[] = [];
  const staff = defineExtension({
    name: 'staff',
    checks: [checks.custom('staffOnly', () => 'Staff only.')],
    setup(scoped) {
      scoped.addCommand(command({ name: 'ban', description: 'Ban', run: (ctx) => ctx.reply('banned') }));
    },
  });
  const fragile = defineExtension({
    name: 'fragile',
    setup(scoped) {
      scoped.addCommand(
        command({
          name: 'crash',
          description: 'Fails',
          run: () => {
            throw new Error('fragile broke');
          },
        }),
      );
    },
  });
  const { bot } = await startBot(discord, { sendCommandTracebacks: false }, async (b) => {
    b.listen('Error', (event) => void events.push(event));
    await b.loadExtension(staff);
    await b.loadExtension(fragile);
  });
  const refused = await actor.slash('ban').response();
  assert.equal(refused.message?.content, 'Staff only.');
  const failed = actor.slash('crash');
  await failed.response();
  await bot.idle();
  assert.equal(failed.responses.at(-1)?.message?.content, 'Sorry, something went wrong. The bot\u2019s developers have been told.');
  assert.deepEqual(
    events.filter((event) => !event.expected).map(({ source, extension, error }) => [source, extension, error.message]),
    [['/crash', 'fragile', 'fragile broke']],
  );
});

test("an extension's onError sees its commands' failures first and may answer them itself", async () => {
  const seen: string[] = [];
  const careful = defineExtension({
    name: 'careful',
    setup(scoped) {
      scoped.addCommand(
        command({
          name: 'risky',
          description: 'Fails',
          run: () => {
            throw new Error('risky broke');
          },
        }),
      );
    },
    async onError(event: InteractionErrorEvent) {
      seen.push(`${event.source}: ${event.error instanceof Error ? event.error.message : ''}`);
      if (event.ctx instanceof RepliableContext) await event.ctx.send({ content: 'The careful extension is on it.', ephemeral: true });
      event.handled = true;
    },
  });
  const { bot } = await startBot(discord, { sendCommandTracebacks: false }, (b) => b.loadExtension(careful));
  const handle = actor.slash('risky');
  assert.equal((await handle.response()).message?.content, 'The careful extension is on it.');
  await bot.idle();
  assert.deepEqual(seen, ['/risky: risky broke']);
  assert.equal(handle.responses.length, 1);
});

test('invalid guards on an extension, a nameless object without setup, and a load failure without a cause', async () => {
  const { bot } = await startBot(discord);
  const badGuards = await rejection(
    bot.loadExtension(defineExtension({ name: 'strict', cooldown: { bucket: 'user', uses: 0, windowMs: 1000 }, setup: () => undefined })),
  );
  assert.equal(badGuards.message, 'Extension strict: its guards are invalid');
  assert.match((badGuards.cause as Error).message, /^extension strict: cooldown\.uses must be a whole number of at least 1 \(got 0\)$/);
  const hollow = await rejection(bot.loadExtension({} as unknown as Extension<unknown>));
  assert.equal(hollow.message, 'Extension extension: it has no `setup` function');
  assert.equal('cause' in hollow, false, 'nothing caused it');
  assert.deepEqual(bot.extensions, []);
});

test('a setup that returns something other than a function has no teardown: unloading it reports nothing', async () => {
  const events: ErrorEvent[] = [];
  const odd = defineExtension({ name: 'odd', setup: () => ({ note: 'not a teardown' }) });
  const { bot } = await startBot(discord, {}, async (b) => {
    b.listen('Error', (event) => void events.push(event));
    await b.loadExtension(odd);
  });
  await bot.unloadExtension('odd');
  assert.deepEqual(events, []);
});

test('an extension loads by a path that goes up a folder first', async () => {
  const { bot } = await startBot(discord);
  const seen: string[] = [];
  const up = `../${basename(process.cwd())}/test/fixtures/extensions/fun.ts`;
  assert.equal(await bot.loadExtension(up, { greeting: 'Up', seen }), 'fun');
  await bot.unloadExtension('fun');
  assert.deepEqual(seen, ['fun teardown']);
});
