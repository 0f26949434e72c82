/**
 * Which breadcrumbs an event carries: an interaction's event has what happened in that interaction only, never
 * what the bot or the app did outside it (console lines, requests of listeners), which go with background events.
 * And a Discord error with a 5xx status is tagged as Discord's outage, not as Discord's refusal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiscordAPIError } from 'discord.js';
import type { RESTOptions } from 'discord.js';
import sentry from '../../../src/ext/sentry/index.js';
import { Client, command } from '../../../src/index.js';
import type { ReceivedEvent } from '../../../src/testing/index.js';
import { recordingLogger } from '../../support/bot.js';
import { sentryBot, sentryOptions, startReceiver, thrown } from '../../fixtures/sentry-support.js';

const receiver = await startReceiver();

/** Runs `print` without its output reaching the test report (console calls still become Sentry breadcrumbs). */
function quietly(print: () => void): void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    print();
  } finally {
    process.stdout.write = write;
  }
}

type MakeRequest = (this: RESTOptions, ...args: Parameters<RESTOptions['makeRequest']>) => ReturnType<RESTOptions['makeRequest']>;

/** The bot's REST options, with `makeRequest` as the plain function property discord.js calls on them. */
function requestMaker(bot: Client): { makeRequest: MakeRequest } {
  return bot.discord.rest.options;
}

function messages(event: ReceivedEvent): string[] {
  return (event.breadcrumbs ?? []).map((b) => `${String(b.category)}: ${typeof b.message === 'string' ? b.message : ''}`);
}

test('a breadcrumb made outside any interaction is in the next background event, never in an interaction’s event', async () => {
  const w = await sentryBot(receiver, {
    setup: (bot) => {
      bot.addCommand(
        command({
          name: 'fail',
          description: 'Fails',
          run: () => {
            quietly(() => {
              console.log('inside the interaction');
            });
            throw new Error('the command failed');
          },
        }),
      );
    },
  });
  quietly(() => {
    console.log('outside any interaction');
  });

  await w.discord.as(w.alice, w.guild.channel('general')).slash('fail').response();
  await w.bot.idle();
  const failed = w.errors.find((e) => e.source === '/fail');
  const inside = await receiver.waitForEvent(failed?.reference ?? '');
  assert.equal(thrown(inside)?.value, 'the command failed');
  const crumbs = messages(inside);
  assert.ok(crumbs[0]?.startsWith('interaction: /fail (slash) from user'), crumbs.join('\n'));
  assert.ok(crumbs.includes('console: inside the interaction'), crumbs.join('\n'));
  assert.ok(!crumbs.some((line) => line.includes('outside any interaction')), crumbs.join('\n'));
  assert.ok(!crumbs.some((line) => line.startsWith('discord.gateway')), 'the gateway is not part of the interaction');

  const background = await w.bot.reportError({ source: 'poller', error: new Error('the poller failed') });
  const outside = await receiver.waitForEvent(background.reference ?? '');
  const lately = messages(outside);
  assert.ok(lately.includes('console: outside any interaction'), lately.join('\n'));
  assert.ok(lately.includes('discord.gateway: shard 0 ready'), lately.join('\n'));
  assert.ok(!lately.some((line) => line.includes('inside the interaction') || line.startsWith('interaction:')), lately.join('\n'));
});

test('a DiscordAPIError with status 500 is tagged as a server error; with 4xx as an API error', async () => {
  const w = await sentryBot(receiver);
  const apiError = (status: number) =>
    new DiscordAPIError(
      { code: 0, message: 'Internal Server Error' },
      0,
      status,
      'POST',
      'https://discord.com/api/v10/channels/1234567890123456789/messages',
      {},
    );
  const outage = await w.bot.reportError({ source: 'announce', error: apiError(500) });
  const outageEvent = await receiver.waitForEvent(outage.reference ?? '');
  assert.equal(outageEvent.tags?.failure, 'discord_server_error');
  assert.equal(outageEvent.tags.discord_status, '500');
  assert.deepEqual(outageEvent.fingerprint, ['discord-api-error', '0', 'POST', '/channels/:id/messages']);

  const refusal = await w.bot.reportError({ source: 'announce', error: apiError(499) });
  const refusalEvent = await receiver.waitForEvent(refusal.reference ?? '');
  assert.equal(refusalEvent.tags?.failure, 'discord_api_error');
  assert.equal(refusalEvent.tags.discord_status, '499');
});

test(
  "an interaction's REST calls are its breadcrumbs (method, route, status) through the app's own makeRequest; " +
    'after unloading, that makeRequest still works',
  async () => {
    let appCalls = 0;
    const w = await sentryBot(receiver, {
      setup: (bot) => {
        // The app wraps the REST client's makeRequest after Sentry did (a proxy, a metrics hook).
        const options = requestMaker(bot);
        const underneath = options.makeRequest;
        options.makeRequest = function (this: RESTOptions, url, init) {
          appCalls++;
          return underneath.call(this, url, init);
        };
        bot.addCommand(
          command({
            name: 'late',
            description: 'Defers, then fails',
            run: async (ctx) => {
              await ctx.defer();
              throw new Error('failed after deferring');
            },
          }),
        );
      },
    });
    const channel = w.guild.channel('general');
    await w.discord.as(w.alice, channel).slash('late').response();
    await w.bot.idle();
    const failed = w.errors.find((e) => e.source === '/late');
    const event = await receiver.waitForEvent(failed?.reference ?? '');
    const rest = (event.breadcrumbs ?? []).filter((b) => b.category === 'discord.rest');
    assert.deepEqual(
      rest.map((b) => b.data),
      [{ method: 'POST', url: '/interactions/:id/:token/callback', status_code: 204 }],
      'the defer, and nothing of the answer sent after the event was made',
    );
    assert.deepEqual(
      rest.map((b) => b.type),
      ['http'],
      'shown by Sentry as an HTTP request',
    );
    assert.ok(!JSON.stringify(event).includes(w.discord.token), 'no token in the event');

    const callsBefore = appCalls;
    await w.bot.unloadExtension('sentry');
    await w.discord.as(w.bob, channel).slash('late').response();
    await w.bot.idle();
    assert.ok(appCalls > callsBefore, "the app's makeRequest still serves every call");
  },
);

test('unloading Sentry puts back the REST client makeRequest it wrapped, and stops listening to its rate limits', async () => {
  const bot = new Client({ logger: recordingLogger().logger, handleProcessErrors: false });
  const options = requestMaker(bot);
  const original = options.makeRequest;
  const rateLimitListeners = bot.discord.rest.listenerCount('rateLimited');
  await bot.loadExtension(sentry, sentryOptions(receiver));
  assert.notEqual(options.makeRequest, original, 'Sentry wraps it');
  assert.equal(bot.discord.rest.listenerCount('rateLimited'), rateLimitListeners + 1);
  await bot.unloadExtension('sentry');
  assert.equal(options.makeRequest, original);
  assert.equal(bot.discord.rest.listenerCount('rateLimited'), rateLimitListeners, 'a reload would not add a second one');
});
