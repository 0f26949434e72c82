/**
 * The Sentry outbox through each way Sentry can be down: hundreds of failures while it is (users get references),
 * then recovery: every referenced event arrives exactly once, the log said once that delivery was failing (why,
 * never the DSN) and once that it works again, with how many were late.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOutboxStatus } from '../../../src/ext/sentry/index.js';
import type { SentryReceiver } from '../../../src/testing/index.js';
import { waitUntil } from '../../support/resources.js';
import { arrivals, outboxBot, queuedAtLeast, waitForAll } from '../../fixtures/outbox-support.js';
import { startReceiver } from '../../fixtures/sentry-support.js';

const receiver = await startReceiver();
const COMMANDS = 20;
const BACKGROUND = 380;

interface Outage {
  readonly name: string;
  readonly enter: (receiver: SentryReceiver) => Promise<void>;
  /** What the warning names as the reason. */
  readonly reason: RegExp;
}

const OUTAGES: readonly Outage[] = [
  { name: 'refuses connections', enter: (r) => r.setMode('refuse'), reason: /connection refused/ },
  { name: 'answers 500', enter: (r) => r.setMode('error'), reason: /Sentry answered 500/ },
  {
    name: 'answers 429 with Retry-After and X-Sentry-Rate-Limits',
    enter: (r) => r.setMode('rateLimit', { retryAfterSeconds: 1 }),
    reason: /rate limited by Sentry for 1 second/,
  },
  {
    name: 'answers 429 with Retry-After only',
    enter: (r) => r.setMode('rateLimit', { retryAfterSeconds: 1, headers: 'retry-after' }),
    reason: /rate limited by Sentry/,
  },
  {
    name: 'answers 429 with X-Sentry-Rate-Limits only',
    enter: (r) => r.setMode('rateLimit', { retryAfterSeconds: 1, headers: 'rate-limits' }),
    reason: /rate limited by Sentry/,
  },
  { name: 'reads requests and never answers', enter: (r) => r.setMode('hang'), reason: /did not answer within 1000 ms/ },
  { name: 'accepts connections and never reads them', enter: (r) => r.setMode('stall'), reason: /did not answer within 1000 ms/ },
];

for (const outage of OUTAGES) {
  const name = `while Sentry ${outage.name}, failures wait in the outbox; after it recovers each referenced event arrives exactly once`;
  test(name, async (t) => {
    receiver.clear();
    const world = await outboxBot(receiver);
    await outage.enter(receiver);
    try {
      const references = [...(await world.failCommands(COMMANDS)), ...(await world.failInBackground(BACKGROUND))];
      await world.bot.idle();
      const waiting = new Set(references);
      await waitUntil(() => world.logged.some((line) => /delivery is failing/.test(line.message)), 10_000);
      assert.equal(receiver.events.filter((event) => waiting.has(event.event_id)).length, 0, 'events got through the outage');
      // Every one of them reaches the file, not only memory.
      // The failing state is written to the file with the next batch, a moment after the log line.
      const during = await queuedAtLeast(world.path, references.length, 20_000, (status) => status.lastError !== undefined);
      assert.ok(during.failingSince !== undefined && during.lastError !== undefined);
      assert.match(during.lastError, outage.reason);

      await receiver.setMode('accept');
      await waitForAll(receiver, references);
      await waitUntil(() => world.logged.some((line) => /delivery works again/.test(line.message)), 15_000);
      const counts = arrivals(receiver);
      assert.deepEqual(
        references.filter((reference) => counts.get(reference) !== 1),
        [],
        'events that did not arrive exactly once',
      );

      const warnings = world.logged.filter((line) => line.level === 'warn').map((line) => line.message);
      const failing = warnings.filter((line) => /delivery is failing/.test(line));
      assert.equal(failing.length, 1, warnings.join('\n'));
      assert.match(failing[0] ?? '', outage.reason);
      const recovered = warnings.filter((line) => /delivery works again/.test(line));
      assert.equal(recovered.length, 1);
      const late = Number(/(\d+) events? (?:was|were) delivered late/.exec(recovered[0] ?? '')?.[1]);
      assert.ok(late >= references.length, recovered[0]);
      const key = new URL(receiver.dsn).username;
      for (const line of world.logged) assert.ok(!line.message.includes(key), `the DSN's key in: ${line.message}`);
      const after = await readOutboxStatus(world.path);
      assert.equal(after?.failingSince, undefined);
      assert.ok((after?.today.delivered ?? 0) >= references.length);
      t.diagnostic(`${String(references.length)} failures; ${String(receiver.requests)} requests; ${recovered[0] ?? ''}`);
    } finally {
      await receiver.setMode('accept');
      await world.bot.stop();
    }
  });
}
