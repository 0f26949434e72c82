/**
 * What an interaction's scope gives its events: tracing turned on by `tracesSampler` alone, `maxBreadcrumbs` over
 * Lantern's own breadcrumbs too, the app's `beforeBreadcrumb` dropping breadcrumbs of interactions and of the
 * background alike, and Lantern's breadcrumbs of an interaction made only when an event of it is built.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Breadcrumb } from '@sentry/node';
import { command } from '../../../src/index.js';
import { sentryBot, startReceiver } from '../../fixtures/sentry-support.js';

const receiver = await startReceiver();

interface StreamedSpan {
  readonly name?: string;
  readonly trace_id?: string;
  readonly attributes?: Readonly<Record<string, { readonly value?: unknown } | undefined>>;
}

/** A `/fail` command that edits its answer `edits` times (a REST call each), then throws. */
function failingAfter(edits: number) {
  return command({
    name: 'fail',
    description: 'Edits its answer, then fails',
    run: async (ctx) => {
      await ctx.reply('working');
      for (let edit = 1; edit <= edits; edit++) await ctx.editReply(`step ${String(edit)}`);
      throw new Error('failed after its edits');
    },
  });
}

test('`tracesSampler` alone turns tracing on: the interaction is a span of op discord.interaction, named after it', async () => {
  const w = await sentryBot(receiver, {
    sentry: { tracesSampler: () => 1 },
    setup: (bot) => bot.addCommand(failingAfter(0)),
  });
  await w.discord.as(w.alice, w.guild.channel('general')).slash('fail').response();
  await w.bot.idle();
  const event = await receiver.waitForEvent(w.errors.at(-1)?.reference ?? '');
  await w.bot.stop();
  const traceId = event.contexts?.trace?.trace_id;
  assert.ok(typeof traceId === 'string');
  // The SDK streams spans: one `span` item holds a list of them, each with its op as an attribute.
  const spans = receiver
    .itemsOfType('span')
    .flatMap((item) => (item.payload as { items?: readonly StreamedSpan[] }).items ?? [])
    .filter((span) => span.trace_id === traceId && span.name === '/fail');
  assert.equal(spans.length, 1, 'one span of the interaction in the event’s trace');
  assert.equal(spans[0]?.attributes?.['sentry.op']?.value, 'discord.interaction');
});

test('`maxBreadcrumbs` bounds an interaction’s event, Lantern’s own breadcrumbs included: the newest are kept', async () => {
  const w = await sentryBot(receiver, {
    sentry: { maxBreadcrumbs: 3 },
    setup: (bot) => bot.addCommand(failingAfter(5)),
  });
  await w.discord.as(w.alice, w.guild.channel('general')).slash('fail').response();
  await w.bot.idle();
  const event = await receiver.waitForEvent(w.errors.at(-1)?.reference ?? '');
  const crumbs = event.breadcrumbs ?? [];
  assert.equal(crumbs.length, 3, JSON.stringify(crumbs));
  assert.ok(
    crumbs.every((crumb) => crumb.category === 'discord.rest'),
    'the arrival and the first calls are the oldest, and go',
  );
  const methods = crumbs.map((crumb) => (crumb.data as { method?: string } | undefined)?.method);
  assert.deepEqual(methods, ['PATCH', 'PATCH', 'PATCH'], 'the last three edits');
});

test('breadcrumbs the app’s `beforeBreadcrumb` drops are gone: made late for an interaction, or at once outside one', async () => {
  const dropped = new Set(['interaction', 'discord.gateway']);
  const w = await sentryBot(receiver, {
    sentry: { beforeBreadcrumb: (crumb: Breadcrumb) => (dropped.has(crumb.category ?? '') ? null : crumb) },
    setup: (bot) => bot.addCommand(failingAfter(1)),
  });
  await w.discord.as(w.alice, w.guild.channel('general')).slash('fail').response();
  await w.bot.idle();
  const ofInteraction = await receiver.waitForEvent(w.errors.at(-1)?.reference ?? '');
  const interactionCategories = (ofInteraction.breadcrumbs ?? []).map((crumb) => crumb.category);
  assert.ok(interactionCategories.includes('discord.rest'), 'the others are kept');
  assert.deepEqual(
    interactionCategories.filter((category) => category !== 'discord.rest'),
    [],
    'neither the arrival nor an empty breadcrumb in its place',
  );

  const resumed = new Promise((resolve) => w.bot.discord.once('shardResume', resolve));
  w.discord.gateway.close(4000);
  await resumed;
  const background = await w.bot.reportError({ source: 'after resume', error: new Error('after resume') });
  const ofBackground = await receiver.waitForEvent(background.reference ?? '');
  assert.deepEqual(
    w.errors.map((e) => e.source),
    ['/fail', 'after resume'],
    'dropping a gateway breadcrumb fails no listener',
  );
  for (const crumb of ofBackground.breadcrumbs ?? []) {
    assert.ok(typeof crumb.category === 'string' && !dropped.has(crumb.category), `kept: ${JSON.stringify(crumb)}`);
  }
});

test('an interaction that succeeds makes none of Lantern’s breadcrumbs: `beforeBreadcrumb` sees them only for a failure', async () => {
  const seen: string[] = [];
  const w = await sentryBot(receiver, {
    sentry: {
      beforeBreadcrumb: (crumb: Breadcrumb) => {
        seen.push(crumb.category ?? '');
        return crumb;
      },
    },
    setup: (bot) => {
      bot.addCommand(failingAfter(1));
      bot.addCommand(command({ name: 'ok', description: 'Succeeds', run: (ctx) => ctx.reply('fine') }));
    },
  });
  const general = w.guild.channel('general');
  seen.length = 0;
  await w.discord.as(w.alice, general).slash('ok').response();
  await w.bot.idle();
  assert.deepEqual(
    seen.filter((category) => category === 'interaction' || category === 'discord.rest'),
    [],
    'nothing made for an interaction no event needs',
  );
  await w.discord.as(w.alice, general).slash('fail').response();
  await w.bot.idle();
  await receiver.waitForEvent(w.errors.at(-1)?.reference ?? '');
  assert.ok(seen.includes('interaction') && seen.includes('discord.rest'), seen.join(', '));
});
