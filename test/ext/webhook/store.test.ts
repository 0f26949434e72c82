import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issueIdOf } from '../../../src/ext/webhook/index.js';
import type { IssueStatus, PendingReport, ReporterStore, StatusChange } from '../../../src/ext/webhook/index.js';
import { groupError } from '../../../src/errors/grouping.js';
import { DiscordFaults } from '../../../src/testing/index.js';
import { buttonsOf, failure, isDigest, MINUTE, reporterBot, SECOND, textOf } from './support.js';

/** A store as `lantern/ext/local` would be one: statuses and pending messages kept across bots (here, in a map). */
class KeepingStore implements ReporterStore {
  readonly statuses = new Map<string, IssueStatus>();
  readonly changes: { issueId: string; status: IssueStatus; change: StatusChange }[] = [];
  pending: PendingReport | undefined;

  status(issueId: string): IssueStatus | undefined {
    return this.statuses.get(issueId);
  }

  setStatus(issueId: string, status: IssueStatus, change: StatusChange): void {
    this.statuses.set(issueId, status);
    this.changes.push({ issueId, status, change });
  }

  linkFor(issueId: string): string {
    return `https://errors.example/issues/${issueId}`;
  }

  savePending(pending: PendingReport): void {
    this.pending = pending;
  }

  takePending(): PendingReport | undefined {
    const { pending } = this;
    this.pending = undefined;
    return pending;
  }
}

test('an owner’s Resolve goes to the store, and an issue the store holds as resolved comes back as a regression', async () => {
  const store = new KeepingStore();
  const first = await reporterBot({ applicationOwned: true, options: { store } });
  await first.bot.reportError({ source: 'task a', error: failure(1) });
  await first.pass(5 * SECOND);
  const post = first.hook.executions[0]!;
  assert.match(textOf(post), /\[The issue's page\]\(https:\/\/errors\.example\/issues\/[0-9a-f]{16}\)/);
  const button = buttonsOf(post).find((b) => b.label === 'Resolve')!;
  await first.discord.as(first.alice, first.channel).click(post, button.customId).response('reply');
  const id = issueIdOf(groupError('task a', failure(1)).key);
  assert.deepEqual(
    store.changes.map((c) => [c.issueId, c.status.state, c.change.userId]),
    [[id, 'resolved', first.alice.id]],
  );
  await first.bot.stop();

  // The next run of the bot (the store outlived it): the same error is an issue that was resolved.
  const second = await reporterBot({ options: { store } });
  await second.bot.reportError({ source: 'task a', error: failure(1) });
  await second.pass(5 * SECOND);
  assert.equal(second.hook.executions[0]?.content, '**Back after being resolved**: RangeError: import step 1 failed');
  assert.equal(store.statuses.get(id)?.state, 'open');
});

test('what cannot be posted at stop is kept in the store and posted at the next start', async () => {
  const store = new KeepingStore();
  const first = await reporterBot({ options: { store, flushTimeoutMs: 2000 } });
  await first.bot.reportError({ source: 'task a', error: failure(1) });
  await first.pass(5 * SECOND);
  for (let i = 0; i < 7; i++) await first.bot.reportError({ source: 'task a', error: failure(1) });
  await first.pass(MINUTE);
  first.discord.failNext({ method: 'POST', route: '/webhooks/:id/:token', ...DiscordFaults.serverError(503), times: Infinity });
  await first.bot.stop();
  assert.equal(first.hook.executions.length, 1);
  assert.equal(store.pending?.messages.length, 1);
  assert.ok(first.logged.some((l) => l.message === 'Error webhook: 1 message not posted before stop, kept for the next start'));

  const second = await reporterBot({ options: { store } });
  await second.pass(2 * SECOND);
  const kept = second.hook.executions[0];
  assert.ok(kept && isDigest(kept));
  assert.match(textOf(kept), /\*\*7×\*\* RangeError: import step 1 failed · `task a` · 8 in all/);
  assert.equal(store.takePending(), undefined, 'given back once');
});

test('a store that throws is logged once and the reporter goes on in memory', async () => {
  const broken: ReporterStore = {
    status: () => {
      throw new Error('database is locked');
    },
    setStatus: () => {
      throw new Error('database is locked');
    },
  };
  const { bot, hook, pass, logged } = await reporterBot({ options: { store: broken } });
  for (let kind = 0; kind < 3; kind++) await bot.reportError({ source: `task ${String(kind)}`, error: failure(kind) });
  await pass(5 * SECOND);
  assert.equal(hook.executions.length, 1);
  assert.equal(hook.executions[0]?.embeds.length, 3);
  assert.equal(logged.filter((l) => l.message.includes('its store failed')).length, 1);
});
