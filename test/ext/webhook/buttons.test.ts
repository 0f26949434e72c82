import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIMessage } from 'discord-api-types/v10';
import { buttonsOf, failure, isDigest, MINUTE, reporterBot, SECOND, textOf } from './support.js';

const HOUR = 60 * MINUTE;

/** The custom id of the button labelled `label` on `message`. */
function buttonId(message: APIMessage, label: string): string {
  const found = buttonsOf(message).find((button) => button.label === label);
  assert.ok(found, `a button "${label}"`);
  return found.customId;
}

test('on the bot application’s own webhook, a post of new issues carries a Resolve and a Mute button per issue', async () => {
  const { bot, hook, pass, executes } = await reporterBot({ applicationOwned: true });
  await bot.reportError({ source: 'task a', error: failure(1) });
  await bot.reportError({ source: 'task b', error: failure(2) });
  await pass(5 * SECOND);

  const [post] = hook.executions;
  assert.ok(post);
  const labels = buttonsOf(post).map((button) => button.label);
  assert.deepEqual(labels, ['Resolve 1', 'Mute 1 for 24 h', 'Resolve 2', 'Mute 2 for 24 h']);
  assert.match(post.embeds[0]?.title ?? '', /^1\. RangeError/);
  assert.deepEqual((executes()[0]?.body as { allowed_mentions?: unknown }).allowed_mentions, { parse: [] });
});

test('Resolve works for an owner (the issue comes back as a new post when it happens again) and politely refuses anyone else', async () => {
  const { bot, hook, pass, discord, alice, bob, channel } = await reporterBot({ applicationOwned: true });
  await bot.reportError({ source: 'task a', error: failure(1, 'the sync failed') });
  await pass(5 * SECOND);
  const post = hook.executions[0]!;
  const resolve = buttonId(post, 'Resolve');

  const refused = await discord.as(bob, channel).click(post, resolve).response('reply');
  assert.equal(refused.ephemeral, true);
  assert.equal(refused.message?.content, "Sorry, only this bot's owners can resolve or mute its issues.");
  await bot.reportError({ source: 'task a', error: failure(1, 'the sync failed') });
  await pass(5 * SECOND);
  assert.equal(hook.executions.length, 1, 'still open: a repeat waits for the digest');

  const resolved = await discord.as(alice, channel).click(post, resolve).response('reply');
  assert.equal(resolved.ephemeral, true);
  assert.match(resolved.message?.content ?? '', /^Resolved \*\*RangeError: the sync failed\*\* \(issue `[0-9a-f]{16}`\)/);
  await bot.reportError({ source: 'task a', error: failure(1, 'the sync failed') });
  await pass(5 * SECOND);
  assert.equal(hook.executions.length, 2);
  const back = hook.executions[1]!;
  assert.equal(back.content, '**Back after being resolved**: RangeError: the sync failed');
  assert.match(back.embeds[0]?.footer?.text ?? '', /seen 3 times · it had been resolved/);
});

test('Mute for 24 h leaves the issue out of digests for 24 hours, then it is listed again', async () => {
  const { bot, hook, pass, discord, alice, channel, clock } = await reporterBot({ applicationOwned: true });
  await bot.reportError({ source: 'task noisy', error: failure(1) });
  await bot.reportError({ source: 'task other', error: failure(2) });
  await pass(5 * SECOND);
  const muted = await discord
    .as(alice, channel)
    .click(hook.executions[0]!, buttonId(hook.executions[0]!, 'Mute 1 for 24 h'))
    .response('reply');
  assert.match(muted.message?.content ?? '', /^Muted \*\*RangeError: import step 1 failed\*\*.* until <t:\d+:f>/);

  const repeatBoth = async () => {
    for (let i = 0; i < 3; i++) {
      await bot.reportError({ source: 'task noisy', error: failure(1) });
      await bot.reportError({ source: 'task other', error: failure(2) });
    }
  };
  await repeatBoth();
  await pass(5 * MINUTE);
  const digest = hook.executions.at(-1)!;
  assert.ok(isDigest(digest));
  assert.match(textOf(digest), /`task other`/);
  assert.doesNotMatch(textOf(digest), /`task noisy`/, 'muted');

  await clock.advance(24 * HOUR);
  await bot.idle();
  await repeatBoth();
  await pass(5 * MINUTE + 5 * SECOND);
  const later = hook.executions.at(-1)!;
  assert.ok(isDigest(later) && later !== digest);
  assert.match(textOf(later), /\*\*3×\*\* RangeError: import step 1 failed · `task noisy`/, 'the mute has run out');
});

test('on a webhook a user made, posts carry no buttons (Discord would not show them)', async () => {
  const { bot, hook, pass, executes } = await reporterBot({ applicationOwned: false });
  await bot.reportError({ source: 'task a', error: failure(1) });
  await pass(5 * SECOND);
  assert.deepEqual(hook.executions[0]?.components, []);
  assert.equal((executes()[0]?.body as { components?: unknown }).components, undefined);
});
