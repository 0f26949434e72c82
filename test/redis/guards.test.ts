/**
 * A Lantern bot (in this process, on the fake Discord) whose guards use a real redis-server: a slow Redis (every
 * client paused) costs the user at most the command timeout, is one Error event and a fallback to memory, and its
 * return is one info line; guard stores that are not stores are refused when the command is defined.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { Client, command, GuardDefinitionError, GuardStoreUnavailable } from '../../src/index.js';
import { redisStore } from '../../src/redis/index.js';
import { startBot, startFake } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';
import { redisSkipReason, startRedisServer } from '../support/redis-server.js';

const skip = redisSkipReason();
const server = skip ? undefined : await startRedisServer();

test(
  'a Redis that does not answer costs the user at most commandTimeoutMs: the guard counts in memory, one Error event ' +
    '(source guard store redis) says so, and one info line says when Redis answers again',
  { skip, timeout: 60_000 },
  async (t) => {
    assert.ok(server);
    const admin = new Redis(server.url);
    after(() => {
      admin.disconnect();
    });
    const store = redisStore(server.url, { commandTimeoutMs: 250 });
    after(() => store.close());
    const discord = await startFake();
    const alice = discord.addUser({ username: 'alice' });
    const guild = discord.addGuild({ name: 'g', members: [alice] });
    const { errors, logged } = await startBot(discord, { syncCommands: false }, (bot) => {
      bot.addCommand(
        command({
          name: 'spin',
          description: 'Two spins a minute per user',
          cooldown: { bucket: 'user', uses: 2, windowMs: 60_000, store },
          run: (ctx) => ctx.reply('spun'),
        }),
      );
    });
    const spin = async () => {
      const handle = discord.as(alice, guild.channel('general')).slash('spin', {}, { allowUnregistered: true });
      return (await handle.response(undefined, { timeout: 10_000 })).message?.content;
    };
    assert.equal(await spin(), 'spun');
    await store.ping();

    await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
    const startedAt = performance.now();
    // The second use of the window: in Redis it would be allowed too, so only the answer's arrival shows the fallback.
    assert.equal(await spin(), 'spun');
    t.diagnostic(`answered ${(performance.now() - startedAt).toFixed(0)} ms into the pause (command timeout 250 ms)`);
    // In memory this process has seen one use so far: a second one is allowed, a third is not.
    assert.equal(await spin(), 'spun');
    assert.match((await spin()) ?? '', /doing that too often/);
    const unavailable = errors.filter(({ error }) => error instanceof GuardStoreUnavailable);
    assert.equal(unavailable.length, 1);
    const [event] = unavailable;
    assert.ok(event);
    assert.equal(event.source, 'guard store redis');
    assert.match(String((event.error.cause as Error | undefined)?.message), /did not answer within 250 ms/);
    assert.equal(event.error.message.includes(server.url), false);

    await waitUntil(
      () => logged.some(({ level, message }) => level === 'info' && /^Guard store redis answers again/.test(message)),
      30_000,
    );
    assert.equal(errors.filter(({ error }) => error instanceof GuardStoreUnavailable).length, 1);
  },
);

test('a guard store that is not one is refused when the command is added', () => {
  const bot = new Client({ logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  assert.throws(
    () =>
      bot.addCommand(
        command({
          name: 'spin',
          description: 'x',
          cooldown: { bucket: 'user', uses: 1, windowMs: 1000, store: { name: 'redis' } as never },
          run: () => undefined,
        }),
      ),
    (error) => error instanceof GuardDefinitionError && /cooldown\.store must be a guard store/.test(error.message),
  );
  assert.throws(
    () =>
      bot.addCommand(
        command({
          name: 'solo',
          description: 'x',
          maxConcurrency: { bucket: 'global', limit: 1, store: 'redis://localhost' as never },
          run: () => undefined,
        }),
      ),
    /maxConcurrency\.store must be a guard store, such as redisStore\(redis\) from lantern\/redis/,
  );
  assert.doesNotThrow(() =>
    bot.addCommand(
      command({
        name: 'fine',
        description: 'x',
        cooldown: { bucket: 'user', uses: 1, windowMs: 1000, store: redisStore('redis://127.0.0.1:1', { redis: { lazyConnect: true } }) },
        run: () => undefined,
      }),
    ),
  );
});
