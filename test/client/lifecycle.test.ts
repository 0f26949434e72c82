/**
 * Starting and stopping a Lantern bot: the token, the states, and a stop that waits for running handlers
 * (bounded), answers newcomers, unloads extensions in reverse order, survives a reconnect in progress and lets
 * the process exit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, ClientStateError, command } from '../../src/index.js';
import { recordingLogger, startBot, startFake } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';

async function world() {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  return { discord, alice, actor: discord.as(alice, guild.channel('general')) };
}

test('start() without a token throws TokenMissingError; DISCORD_TOKEN is read when the option is absent', async () => {
  const saved = process.env.DISCORD_TOKEN;
  try {
    delete process.env.DISCORD_TOKEN;
    const bot = new Client({ logger: recordingLogger().logger, handleProcessErrors: false });
    await assert.rejects(bot.start(), { name: 'TokenMissingError', code: 'LANTERN_ERR_TOKEN_MISSING' });

    const { discord } = await world();
    process.env.DISCORD_TOKEN = discord.token;
    const fromEnv = new Client({ logger: recordingLogger().logger, handleProcessErrors: false, discord: { rest: discord.rest } });
    await fromEnv.start();
    assert.equal(fromEnv.discord.isReady(), true);
    await fromEnv.stop();
  } finally {
    if (saved === undefined) delete process.env.DISCORD_TOKEN;
    else process.env.DISCORD_TOKEN = saved;
  }
});

test('start() twice, or after stop(), throws ClientStateError; stop() twice is harmless', async () => {
  const { discord } = await world();
  const { bot } = await startBot(discord);
  await assert.rejects(bot.start(), { name: 'ClientStateError', code: 'LANTERN_ERR_CLIENT_STATE' });
  await bot.stop();
  await bot.stop();
  await assert.rejects(bot.start(), ClientStateError);
  await assert.rejects(bot.syncCommands(), ClientStateError, 'a stopped client has no application to sync');
});

test('a wrong token rejects start() with a clear error instead of hanging, and leaves nothing running', async () => {
  const { discord } = await world();
  const bot = new Client({
    token: 'not-the-token-of-this-bot',
    logger: recordingLogger().logger,
    handleProcessErrors: false,
    discord: { rest: discord.rest },
  });
  await assert.rejects(bot.start(), /token/i);
  assert.equal(bot.discord.isReady(), false);
  assert.equal(discord.gateway.shards.length, 0);
});

test('stop() waits for a running handler, answers newcomers with a notice, then unloads extensions last-loaded first', async () => {
  const { discord, actor } = await world();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const order: string[] = [];
  let running = 0;
  const { bot } = await startBot(discord, {}, async (b) => {
    b.addCommand(
      command({
        name: 'slow',
        description: 'Slow',
        run: async (ctx) => {
          running++;
          await released;
          await ctx.reply('done at last');
        },
      }),
    );
    for (const name of ['first', 'second']) await b.loadExtension({ name, setup: () => () => order.push(name) });
  });
  const slow = actor.slash('slow');
  await waitUntil(() => running === 1);
  const stopping = bot.stop();
  const late = await actor.slash('slow').response();
  assert.equal(late.ephemeral, true);
  assert.match(late.message?.content ?? '', /restarting/i);
  assert.equal(running, 1, 'the late interaction never reached the handler');
  release();
  await stopping;
  assert.equal((await slow.response()).message?.content, 'done at last');
  assert.deepEqual(order, ['second', 'first']);
  assert.equal(bot.discord.isReady(), false);
  assert.deepEqual(bot.extensions, []);
});

test('stop() is bounded by stopTimeoutMs for a handler that never finishes, and says so in the log', async () => {
  const { discord, actor } = await world();
  let started = false;
  const { bot, logged } = await startBot(discord, { stopTimeoutMs: 200 }, (b) =>
    b.addCommand(
      command({
        name: 'hang',
        description: 'Never returns',
        run: () => {
          started = true;
          return new Promise(() => undefined);
        },
      }),
    ),
  );
  actor.slash('hang');
  await waitUntil(() => started);
  const begun = performance.now();
  await bot.stop();
  const took = performance.now() - begun;
  assert.ok(took >= 190 && took < 1200, `stop took ${took.toFixed(0)} ms for a 200 ms timeout`);
  assert.ok(
    logged.some((line) => line.level === 'warn' && /1 handlers still running after 200 ms/.test(line.message)),
    JSON.stringify(logged),
  );
  assert.equal(bot.discord.isReady(), false);
});

test('stop() while a shard is reconnecting lets it settle, then closes it: nothing reconnects afterwards', async () => {
  const { discord } = await world();
  const { bot } = await startBot(discord);
  let identifiesOrResumes = 0;
  const count = () => {
    identifiesOrResumes++;
    return false;
  };
  void discord.gateway.waitForResume(count, 3000).catch(() => undefined);
  void discord.gateway.waitForIdentify(count, 3000).catch(() => undefined);
  discord.gateway.close(4000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await bot.stop();
  const afterStop = identifiesOrResumes;
  await new Promise((resolve) => setTimeout(resolve, 800));
  assert.equal(identifiesOrResumes, afterStop, 'no session was opened after stop() returned');
  assert.equal(discord.gateway.shards.length, 0);
});
