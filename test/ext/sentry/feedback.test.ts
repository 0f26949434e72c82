/**
 * Feedback from Discord end to end: the "Report this" button under the error answer, its modal, the report reaching
 * Sentry twice linked to the event (feedback and user_report) and the local store beside its issue; a second report
 * and another user's refused.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ComponentType, InteractionType } from 'discord.js';
import type { APIMessage } from 'discord.js';
import local from '../../../src/ext/local/index.js';
import { ErrorStore } from '../../../src/ext/local/store.js';
import { feedbackTexts } from '../../../src/ext/sentry/feedback-texts.js';
import { waitUntil } from '../../support/resources.js';
import { tempFolder } from '../../support/tracking.js';
import { outboxBot } from '../../fixtures/outbox-support.js';
import { startReceiver } from '../../fixtures/sentry-support.js';

const receiver = await startReceiver();
const REFERENCE = /Error reference: `([0-9a-f]{32})`/;

/** The custom id and label of the only button under `message`. */
function buttonOf(message: APIMessage | undefined): { customId: string; label: string } {
  const rows = (message?.components ?? []) as { components?: { type: number; custom_id?: string; label?: string }[] }[];
  const button = rows.flatMap((row) => row.components ?? []).find((component) => component.type === (ComponentType.Button as number));
  assert.ok(button?.custom_id !== undefined, `no button under ${JSON.stringify(message?.components)}`);
  return { customId: button.custom_id, label: button.label ?? '' };
}

test('a user reports the error they got: button and modal in their language, both Sentry items linked, the local store', async () => {
  receiver.clear();
  const storePath = join(tempFolder('lantern-feedback-'), 'errors.db');
  const world = await outboxBot(receiver, {
    sentry: { feedback: true },
    setup: (bot) => bot.loadExtension(local, { path: storePath }),
  });
  const channel = world.guild.channel('general');
  const alice = world.discord.as(world.alice, channel);
  const fr = feedbackTexts('fr');
  try {
    const answer = (await alice.slash('boom').response('reply')).message;
    const reference = REFERENCE.exec(answer?.content ?? '')?.[1];
    assert.ok(answer && reference, `no reference in ${JSON.stringify(answer?.content)}`);
    const { customId, label } = buttonOf(answer);
    assert.equal(label, fr.button);
    assert.ok(customId.includes(reference), 'the reference is in the custom id, so the button outlives a restart');

    const opened = alice.click(answer, customId);
    const shown = await opened.response('showModal');
    assert.equal(shown.modal?.title, fr.title);

    const secretLine = `I typed /boom, my token is ${world.discord.token}`;
    const thanks = await alice.submitModal(opened, { what: secretLine }).response('reply');
    assert.equal(thanks.message?.content, fr.thanks);

    await waitUntil(() => receiver.itemsOfType('feedback').length > 0 && receiver.itemsOfType('user_report').length > 0, 15_000);
    const feedback = (
      receiver.itemsOfType('feedback')[0]?.payload as {
        contexts?: { feedback?: { message: string; associated_event_id: string; name: string } };
      }
    ).contexts?.feedback;
    assert.ok(feedback, 'a feedback item without its feedback context');
    assert.equal(feedback.associated_event_id, reference);
    assert.equal(feedback.name, 'alice');
    assert.match(feedback.message, /^I typed \/boom, my token is /);
    assert.ok(!feedback.message.includes(world.discord.token), 'the bot token reached Sentry in a report');
    const userReport = receiver.itemsOfType('user_report')[0]?.payload as { event_id: string; comments: string };
    assert.equal(userReport.event_id, reference);
    assert.equal(userReport.comments, feedback.message);

    const store = await ErrorStore.open(storePath, { readonly: true });
    try {
      const kept = store.feedbackForEvent(reference);
      assert.equal(kept.length, 1);
      assert.equal(kept[0]?.message, userReport.comments);
    } finally {
      store.close();
    }

    // Once only: a second report on the same error is refused, and nothing more is sent.
    const again = await alice.click(answer, customId).response('reply');
    assert.equal(again.message?.content, fr.alreadySent);
    await world.bot.idle();
    assert.equal(receiver.itemsOfType('user_report').length, 1);
  } finally {
    await world.bot.stop();
  }
});

test("another user may not report on someone else's error, and an unknown reference is refused politely", async () => {
  receiver.clear();
  const world = await outboxBot(receiver, { sentry: { feedback: true } });
  const channel = world.guild.channel('general');
  const alice = world.discord.as(world.alice, channel);
  const bob = world.discord.as(world.bob, channel);
  try {
    const answer = (await alice.slash('boom').response('reply')).message;
    assert.ok(answer);
    const { customId } = buttonOf(answer);
    // Bob cannot see Alice's answer; a client that forges the click sends its custom id all the same.
    const click = { custom_id: customId, component_type: ComponentType.Button };
    const forged = bob.interact(InteractionType.MessageComponent, click, { message: answer });
    assert.equal((await forged.response('reply')).message?.content, feedbackTexts('de').notYours);

    const unknown = customId.replace(/[0-9a-f]{32}/, '0'.repeat(32));
    const stale = alice.interact(InteractionType.MessageComponent, { ...click, custom_id: unknown }, { message: answer });
    assert.equal((await stale.response('reply')).message?.content, feedbackTexts('fr').expired);
    await world.bot.idle();
    assert.equal(receiver.itemsOfType('feedback').length, 0);
  } finally {
    await world.bot.stop();
  }
});
