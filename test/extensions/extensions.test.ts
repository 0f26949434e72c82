import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Client, command, defineExtension, ExtensionLoadError, ExtensionStateError } from '../../src/index.js';
import type { ErrorEvent, Extension } from '../../src/index.js';
import type { FakeDiscord } from '../../src/testing/index.js';
import type { FunOptions } from '../fixtures/extensions/fun.js';
import { recordingLogger, startBot, startFake } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';

const FUN = './test/fixtures/extensions/fun.ts';

function registered(discord: FakeDiscord): string[] {
  return discord.commands
    .list()
    .map((c) => c.name)
    .sort();
}

/** The rejection of `work`, failing the test when it resolves. */
async function rejection(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

function assertLoadError(error: unknown, extension: string): asserts error is ExtensionLoadError {
  assert.ok(error instanceof ExtensionLoadError, `expected an ExtensionLoadError, got ${String(error)}`);
  assert.equal(error.code, 'LANTERN_ERR_EXTENSION_LOAD');
  assert.equal(error.extension, extension);
}

async function world() {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  return { discord, actor: discord.as(alice, guild.channel('general')) };
}

test(
  'an extension loads by a path relative to the working directory, by absolute ' +
    'path, by file URL and as an object; options reach setup and its commands answer',
  async () => {
    const { discord, actor } = await world();
    const seen: string[] = [];
    const { bot, errors } = await startBot(discord, {}, async (bot) => {
      assert.equal(await bot.loadExtension<FunOptions>(FUN, { greeting: 'Hello', seen }), 'fun');
    });
    assert.deepEqual(bot.extensions, ['fun']);
    assert.deepEqual(registered(discord), ['joke']);
    assert.equal((await actor.slash('joke', { topic: 'cats' }).response()).message?.content, 'Hello, a joke about cats');

    await bot.unloadExtension('fun');
    assert.equal(await bot.loadExtension<FunOptions>(resolve(FUN), { greeting: 'Hi', seen }), 'fun');
    assert.equal((await actor.slash('joke', { topic: 'dogs' }).response()).message?.content, 'Hi, a joke about dogs');

    await bot.unloadExtension('fun');
    await bot.loadExtension<FunOptions>(pathToFileURL(resolve(FUN)).href, { greeting: 'Hey', seen });
    assert.equal((await actor.slash('joke').response()).message?.content, 'Hey, a joke about nothing');

    const echo = defineExtension<{ word: string }>({
      name: 'echo',
      setup(scoped, options) {
        scoped.addCommand(command({ name: 'echo', description: 'Echo', run: (ctx) => ctx.reply(options.word) }));
      },
    });
    assert.equal(await bot.loadExtension(echo, { word: 'pong' }), 'echo');
    assert.deepEqual(bot.extensions, ['fun', 'echo']);
    await waitUntil(() => registered(discord).includes('echo'));
    assert.deepEqual(registered(discord), ['echo', 'joke']);
    assert.equal((await actor.slash('echo').response()).message?.content, 'pong');
    assert.deepEqual(errors, []);
  },
);

test(
  'unloadExtension runs the teardown and removes its commands ' + '(from Discord too) and listeners; other extensions keep theirs',
  async () => {
    const { discord, actor } = await world();
    const seen: string[] = [];
    const botGuilds: string[] = [];
    const util = defineExtension<string[]>({
      name: 'util',
      setup(scoped, log) {
        scoped.addCommand(command({ name: 'ping', description: 'Ping', run: (ctx) => ctx.reply('pong') }));
        scoped.listen('Error', ({ source }) => {
          log.push(`util saw error from ${source}`);
        });
      },
    });
    const { bot } = await startBot(discord, {}, async (bot) => {
      await bot.loadExtension<FunOptions>(FUN, { greeting: 'Hello', seen });
      await bot.loadExtension(util, seen);
      // Registered after the extensions: once it has seen a guild, theirs have run too.
      bot.listen('guildCreate', (guild) => {
        botGuilds.push(guild.name);
      });
    });
    assert.deepEqual(registered(discord), ['joke', 'ping']);
    await bot.reportError({ source: 'probe 1', error: new Error('probe') });
    discord.addGuild({ name: 'before' });
    await waitUntil(() => botGuilds.includes('before'));
    assert.deepEqual(seen, ['fun saw error from probe 1', 'util saw error from probe 1', 'fun saw guild before']);

    seen.length = 0;
    await bot.unloadExtension('fun');
    assert.deepEqual(seen, ['fun teardown']);
    assert.deepEqual(bot.extensions, ['util']);
    assert.deepEqual(
      bot.commands.map((c) => c.name),
      ['ping'],
    );
    await waitUntil(() => registered(discord).join() === 'ping');

    seen.length = 0;
    await bot.reportError({ source: 'probe 2', error: new Error('probe') });
    discord.addGuild({ name: 'after' });
    await waitUntil(() => botGuilds.includes('after'));
    assert.deepEqual(seen, ['util saw error from probe 2']);
    assert.equal((await actor.slash('ping').response()).message?.content, 'pong');
    // A client with a stale list still sends /joke: the bot says it is gone instead of failing.
    const stale = await actor.slash('joke', {}, { allowUnregistered: true }).response();
    assert.equal(stale.ephemeral, true);
    assert.match(stale.message?.content ?? '', /not available/);

    await assert.rejects(bot.unloadExtension('fun'), ExtensionStateError);
  },
);

test(
  'reloadExtension picks up a changed module, and keeps the loaded ' + 'version when the new one throws in setup or does not parse',
  async (t) => {
    const { discord, actor } = await world();
    const { bot, errors } = await startBot(discord);
    // An ES module scope, and a CommonJS one (no package.json: tsx compiles `.ts` there to CommonJS).
    for (const scope of ['esm', 'cjs'] as const) {
      await t.test(scope, async () => {
        const dir = mkdtempSync(join(tmpdir(), `lantern-ext-${scope}-`));
        after(() => {
          rmSync(dir, { recursive: true, force: true });
        });
        if (scope === 'esm') writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
        const file = join(dir, 'versioned.ts');
        const name = `versioned-${scope}`;
        const write = (body: string) => {
          writeFileSync(file, `export const name = '${name}';\nexport function setup(bot) {\n${body}\n}\n`);
        };
        const version = (reply: string) =>
          `  bot.addCommand({ name: 'version-${scope}', description: 'Which version runs', run: (ctx) => ctx.reply('${reply}') });`;
        const ask = async () => (await actor.slash(`version-${scope}`).response()).message?.content;

        write(version('v1'));
        assert.equal(await bot.loadExtension(file), name);
        await waitUntil(() => registered(discord).includes(`version-${scope}`));
        assert.equal(await ask(), 'v1');

        write(version('v2'));
        await bot.reloadExtension(name);
        assert.equal(await ask(), 'v2', 'the reload ran the changed module');

        write(
          `  bot.addCommand({ name: 'leftover-${scope}', description: 'Added before the ` +
            `failure', run: (ctx) => ctx.reply('x') });\n  throw new Error('v3 cannot start');`,
        );
        errors.length = 0;
        const thrown = await rejection(bot.reloadExtension(name));
        assertLoadError(thrown, name);
        assert.match(thrown.message, /previous version is loaded again/);
        assert.match(String((thrown.cause as Error).cause), /v3 cannot start/);
        assert.deepEqual(
          errors.map((e) => e.source),
          [`extension ${name}`],
        );
        assert.ok(bot.extensions.includes(name));
        assert.ok(!bot.commands.some((c) => c.name === `leftover-${scope}`));
        assert.equal(await ask(), 'v2', 'the previous version answers again');

        writeFileSync(file, `export const name = '${name}';\nexport function setup(bot) {\n  bot.addCommand( ;\n`);
        const unparsable = await rejection(bot.reloadExtension(name));
        assertLoadError(unparsable, name);
        assert.match(unparsable.message, /could not import/);
        assert.ok(unparsable.cause instanceof Error);
        assert.equal(await ask(), 'v2');

        write(version('v5'));
        await bot.reloadExtension(name);
        assert.equal(await ask(), 'v5', 'a good version loads after failed ones');
        await bot.unloadExtension(name);
      });
    }
    await bot.syncCommands();
    assert.deepEqual(registered(discord), []);
    await assert.rejects(bot.reloadExtension('versioned-esm'), ExtensionStateError);
  },
);

test('a failing setup throws ExtensionLoadError, an earlier extension sees the Error event, and what it added is removed', async () => {
  const { discord, actor } = await world();
  const tracked: ErrorEvent[] = [];
  const brokenSeen: string[] = [];
  const tracker = defineExtension({
    name: 'tracker',
    setup(scoped) {
      scoped.listen('Error', (event) => {
        tracked.push(event);
      });
    },
  });
  const { bot } = await startBot(discord, {}, async (bot) => {
    await bot.loadExtension(tracker);
  });

  const error = await rejection(bot.loadExtension('./test/fixtures/extensions/broken.ts', { seen: brokenSeen }));
  assertLoadError(error, 'broken');
  assert.match(error.message, /setup threw/);
  assert.equal((error.cause as Error).message, 'the database is unreachable');
  assert.equal(tracked.length, 1);
  assert.equal(tracked[0]?.source, 'extension broken');
  assert.equal(tracked[0].extension, 'broken');
  assert.equal(tracked[0].error, error);
  assert.deepEqual(bot.extensions, ['tracker']);
  assert.deepEqual(
    bot.commands.map((c) => c.name),
    [],
  );
  await bot.syncCommands();
  assert.deepEqual(registered(discord), []);
  await bot.reportError({ source: 'probe', error: new Error('probe') });
  assert.deepEqual(brokenSeen, [], "the failed extension's listener is gone");

  tracked.length = 0;
  const noSetup = await rejection(bot.loadExtension('./test/fixtures/extensions/no-setup.ts'));
  assertLoadError(noSetup, './test/fixtures/extensions/no-setup.ts');
  assert.match(noSetup.message, /exports no `setup/);
  const missing = await rejection(bot.loadExtension('./test/fixtures/extensions/missing.ts'));
  assertLoadError(missing, './test/fixtures/extensions/missing.ts');
  assert.match(missing.message, /could not import/);
  assert.equal((missing.cause as NodeJS.ErrnoException).code, 'ERR_MODULE_NOT_FOUND');
  const notAnExtension = await rejection(bot.loadExtension({ name: 'plain' } as unknown as Extension));
  assertLoadError(notAnExtension, 'plain');
  const nameless = await rejection(bot.loadExtension({ setup: () => undefined }));
  assertLoadError(nameless, 'extension');
  assert.deepEqual(
    tracked.map((e) => e.source),
    [
      'extension ./test/fixtures/extensions/no-setup.ts',
      'extension ./test/fixtures/extensions/missing.ts',
      'extension plain',
      'extension extension',
    ],
  );

  const seen: string[] = [];
  await bot.loadExtension<FunOptions>(FUN, { greeting: 'Hello', seen });
  const twice = await rejection(bot.loadExtension<FunOptions>(resolve(FUN), { greeting: 'Again', seen }));
  assert.ok(twice instanceof ExtensionStateError);
  assert.equal(twice.code, 'LANTERN_ERR_EXTENSION_STATE');
  assert.deepEqual(bot.extensions, ['tracker', 'fun']);
  assert.deepEqual(seen, [], 'the loaded one was not torn down');
  await waitUntil(() => registered(discord).includes('joke'));
  assert.equal((await actor.slash('joke').response()).message?.content, 'Hello, a joke about nothing');
});

test('a teardown that throws becomes an Error event, and unloading still removes what the extension added', async () => {
  const { discord } = await world();
  const seen: string[] = [];
  const fragile = defineExtension({
    name: 'fragile',
    async setup(scoped) {
      scoped.addCommand(command({ name: 'fragile', description: 'Fragile', run: (ctx) => ctx.reply('ok') }));
      scoped.listen('Error', ({ source }) => {
        seen.push(source);
      });
      await Promise.resolve();
      return async () => {
        await Promise.resolve();
        throw new Error('cleanup failed');
      };
    },
  });
  const { bot, errors } = await startBot(discord);
  await bot.loadExtension(fragile);
  await waitUntil(() => registered(discord).includes('fragile'));

  await bot.unloadExtension('fragile');
  const event = errors.find((e) => e.source === 'extension fragile teardown');
  assert.ok(event, `no teardown error in ${errors.map((e) => e.source).join(', ')}`);
  assert.equal(event.error.message, 'cleanup failed');
  assert.equal(event.extension, 'fragile');
  assert.deepEqual(bot.extensions, []);
  assert.deepEqual(bot.commands, []);
  await waitUntil(() => registered(discord).length === 0);
  seen.length = 0;
  await bot.reportError({ source: 'probe', error: new Error('probe') });
  assert.deepEqual(seen, []);
});

test('bare specifiers import as packages: a module without setup and a missing package give a clean ExtensionLoadError', async () => {
  const { logger } = recordingLogger();
  const bot = new Client({ logger, handleProcessErrors: false });
  const errors: ErrorEvent[] = [];
  bot.listen('Error', (event) => {
    errors.push(event);
  });

  const builtin = await rejection(bot.loadExtension('node:path'));
  assertLoadError(builtin, 'node:path');
  assert.match(builtin.message, /node:path exports no `setup/);

  const missing = await rejection(bot.loadExtension('lantern-ext-that-does-not-exist/sentry'));
  assertLoadError(missing, 'lantern-ext-that-does-not-exist/sentry');
  assert.match(missing.message, /could not import lantern-ext-that-does-not-exist\/sentry/);
  assert.equal((missing.cause as NodeJS.ErrnoException).code, 'ERR_MODULE_NOT_FOUND');

  assert.deepEqual(
    errors.map((e) => e.source),
    ['extension node:path', 'extension lantern-ext-that-does-not-exist/sentry'],
  );
  assert.deepEqual(bot.extensions, []);
});

test(
  'a package subpath resolves through the package exports (lantern/testing imports, but is no extension)',
  { skip: !existsSync('dist/testing/index.js') && 'needs `npm run build`' },
  async () => {
    const { logger } = recordingLogger();
    const bot = new Client({ logger, handleProcessErrors: false });
    // @ts-expect-error lantern/testing is none of Lantern's extensions: a compile error, and at run time an ExtensionLoadError
    const error = await rejection(bot.loadExtension('lantern/testing'));
    assertLoadError(error, 'lantern/testing');
    assert.match(error.message, /lantern\/testing exports no `setup/);
  },
);
