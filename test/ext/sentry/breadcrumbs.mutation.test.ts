/**
 * Which breadcrumbs an event carries: an interaction's event has what happened in that interaction only, never
 * what the bot or the app did outside it (console lines, requests of listeners), which go with background events.
 * And a Discord error with a 5xx status is tagged as Discord's outage, not as Discord's refusal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiscordAPIError } from 'discord.js';
import { command } from '../../../src/index.js';
import type { ReceivedEvent } from '../../../src/testing/index.js';
import { sentryBot, startReceiver, thrown } from '../../fixtures/sentry-support.js';

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
