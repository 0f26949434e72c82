/**
 * The Sentry client as the extension builds it for a bot: its integrations. A bot that serves HTTP in the same
 * process (a health check; the fake Discord in a test) is still no web server whose requests are sessions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sentryBot, startReceiver } from '../../fixtures/sentry-support.js';
import { localServer } from '../../support/http-server.js';

const receiver = await startReceiver();

test('a bot process serving HTTP (a health check, the fake Discord) sends no release-health sessions', async () => {
  const { port } = await localServer();
  const { bot, discord, alice, guild, errors } = await sentryBot(receiver, {
    setup: (b) => {
      b.addCommand({
        name: 'fail',
        description: 'Fails',
        run: () => {
          throw new Error('failed');
        },
      });
    },
  });
  for (let n = 0; n < 5; n++) assert.equal(await (await fetch(`http://127.0.0.1:${String(port)}/health`)).text(), 'ok');
  await discord.as(alice, guild.channel('general')).slash('fail').response();
  await bot.idle();
  // Stopping flushes the client, and with it any session aggregate the SDK was holding.
  await bot.stop();
  const reference = errors.find((e) => e.source === '/fail')?.reference;
  assert.ok(reference && receiver.events.some((event) => event.event_id === reference), 'the error itself was sent');
  assert.deepEqual(
    receiver.envelopes.flatMap((envelope) => envelope.items.map((item) => item.header.type)).filter((type) => type.startsWith('session')),
    [],
  );
});

test('with tracing on, fetch is traced but leaves no breadcrumbs, which undici would file under the wrong interaction', async () => {
  const url = `http://127.0.0.1:${String((await localServer()).port)}/page`;
  const { bot, discord, alice, guild, errors } = await sentryBot(receiver, {
    sentry: { tracesSampleRate: 1 },
    setup: (b) => {
      b.addCommand({
        name: 'fetches',
        description: 'Fetches, then fails',
        run: async () => {
          assert.equal(await (await fetch(url)).text(), 'ok');
          throw new Error('failed after a fetch');
        },
      });
    },
  });
  await discord.as(alice, guild.channel('general')).slash('fetches').response();
  await bot.idle();
  await bot.stop();
  const reference = errors.find((e) => e.source === '/fetches')?.reference;
  const event = receiver.events.find((received) => received.event_id === reference);
  assert.ok(event, 'the error was sent');
  const crumbs = (event.breadcrumbs ?? []).map((crumb) => `${String(crumb.category)} ${JSON.stringify(crumb.data ?? {})}`);
  assert.ok(crumbs.length > 0 && crumbs.every((crumb) => !crumb.includes('/page')), crumbs.join('\n'));
  const spans = receiver.itemsOfType('span').flatMap((item) => (item.payload as { items?: { name?: string }[] }).items ?? []);
  const transactions = receiver
    .itemsOfType('transaction')
    .flatMap((item) => (item.payload as { spans?: { description?: string }[] }).spans ?? []);
  assert.ok(
    [...spans.map((span) => span.name), ...transactions.map((span) => span.description)].some((name) => name?.includes('GET')),
    'the fetch was traced',
  );
});
