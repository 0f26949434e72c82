import assert from 'node:assert/strict';
import { test } from 'node:test';
import { command } from '../../../src/index.js';
import { sentryBot, startReceiver } from '../../fixtures/sentry-support.js';

test('smoke', async () => {
  const receiver = await startReceiver();
  const w = await sentryBot(receiver, { sentry: { outbox: { path: '/tmp/smoke/outbox.db' }, feedback: true }, setup: (bot) => bot.addCommand(command({ name: 'boom', description: 'x', run: () => { throw new Error('kaboom'); } })) });
  const reply = await w.discord.as(w.alice, w.guild.channel('general')).slash('boom').response('reply');
  console.log(JSON.stringify(reply.message?.content), JSON.stringify(reply.message?.components));
  const ref = /`([0-9a-f]{32})`/.exec(reply.message?.content ?? '')?.[1];
  assert.ok(ref);
  const event = await receiver.waitForEvent(ref);
  console.log(event.event_id);
  const t0 = performance.now(); await w.bot.stop(); console.log('stop ms', performance.now() - t0); console.log(w.logged.filter((l) => l.level === 'warn'));
});
