/**
 * A login that fails rejects start() with a LoginError that says what to check: the token Discord refused, or a
 * Discord it could not reach. Real discord.js against the fake Discord, and against a port nobody listens on.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { GatewayIntentBits } from 'discord.js';
import { Client, LoginError } from '../../src/index.js';
import { recordingLogger, startFake } from '../support/bot.js';

test('a token Discord refuses is a LoginError naming the token, with discord.js error as its cause', async () => {
  const discord = await startFake();
  const bot = new Client({ token: 'not-the-token-of-this-bot', logger: recordingLogger().logger, discord: { rest: discord.rest } });
  await assert.rejects(bot.start(), (error: unknown) => {
    assert.ok(error instanceof LoginError);
    assert.equal(error.code, 'LANTERN_ERR_LOGIN');
    assert.match(error.message, /^Could not log in to Discord: Discord refused the bot token \(401 Unauthorized\)\. Check DISCORD_TOKEN/);
    assert.equal((error.cause as { code?: string }).code, 'TokenInvalid');
    return true;
  });
  assert.equal(bot.discord.isReady(), false);
});

test('intents the application may not use are a LoginError naming the intents', async () => {
  const discord = await startFake({ privilegedIntents: 0 });
  const bot = new Client({
    token: discord.token,
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.MessageContent],
    logger: recordingLogger().logger,
    discord: { rest: discord.rest },
  });
  await assert.rejects(bot.start(), /^LoginError: Could not log in to Discord: Discord refused the gateway intents \(close code 4014\)/);
});

test('a Discord nobody answers for (a closed port) is a LoginError naming the network', async () => {
  // A port that was free a moment ago and is closed now.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => {
        resolve(free);
      });
    });
  });
  const bot = new Client({
    token: `${Buffer.from('123456789012345678').toString('base64url')}.GaBcDe.${'y'.repeat(38)}`,
    logger: recordingLogger().logger,
    discord: { rest: { api: `http://127.0.0.1:${String(port)}/api`, retries: 0 } },
  });
  await assert.rejects(bot.start(), (error: unknown) => {
    assert.ok(error instanceof LoginError, String(error));
    assert.match(error.message, /^Could not log in to Discord: Discord could not be reached \(.*ECONNREFUSED.*\)\. Check the network/);
    return true;
  });
});
