/**
 * How the guards watch a store's health, through `Guards` with a store kept in this file: a store that fails is one
 * Error report, even when several runs see it fail together; from then on it is not asked until a ping (every second)
 * answers; a ping slower than that second is not sent again meanwhile; once the bot stops, a ping still on its way
 * does not report the store back, and no new one is sent; without a reporter the fallback and the return are silent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CooldownTake, GuardStore, InteractionContext, StoredSlot } from '../../src/index.js';
import { Guards } from '../../src/checks/guard.js';
import type { GuardLayer } from '../../src/checks/guard.js';
import { FakeClock } from '../../src/testing/index.js';
import { waitUntil } from '../support/resources.js';

/** The store probes a failed store on this interval (real time). */
const PROBE_MS = 1000;
const BOUNDED = { timeout: 20_000 };

/** A store whose answers the test decides: `failing` rejects every call; `holdPings` leaves pings unanswered. */
class FlakyStore implements GuardStore {
  readonly name = 'flaky';
  failing = false;
  holdPings = false;
  takes = 0;
  pings = 0;
  /** Answers the pings held so far, as a store that is back. */
  answerPings: () => void = () => undefined;
  /** Lets a failing call reject only when the test says (two runs failing together). */
  gate: Promise<void> = Promise.resolve();

  async takeCooldowns(): Promise<CooldownTake> {
    this.takes += 1;
    await this.gate;
    if (this.failing) throw new Error('store down');
    return { refused: false, refund: () => undefined };
  }

  acquireSlot(): Promise<StoredSlot | undefined> {
    return Promise.resolve({ release: () => undefined });
  }

  ping(): Promise<void> {
    this.pings += 1;
    if (this.holdPings)
      return new Promise((resolve) => {
        this.answerPings = resolve;
      });
    return this.failing ? Promise.reject(new Error('store down')) : Promise.resolve();
  }
}

function subject(userId: string): InteractionContext {
  return { user: { id: userId }, guildId: 'g1', channelId: 'c1', receivedAt: performance.now() } as unknown as InteractionContext;
}

function recordingReporter() {
  const reported: string[] = [];
  return {
    reported,
    reporter: {
      error: ({ source }: { source: string }) => reported.push(`error ${source}`),
      info: (message: string) => reported.push(`info ${message.split(':')[0] ?? ''}`),
    },
  };
}

/** Guards on a FakeClock reporting into `reported`, and a store that fails until told otherwise. */
function storeDown() {
  const { reported, reporter } = recordingReporter();
  const guards = new Guards(new FakeClock(0), reporter);
  const store = new FlakyStore();
  store.failing = true;
  return { reported, guards, store };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function layers(store: GuardStore): GuardLayer[] {
  return [{ key: '/spin', cooldown: { bucket: 'user', uses: 100, windowMs: 60_000, store } }];
}

test('without a reporter, a store that fails is counted for in memory silently, and used again once it answers', BOUNDED, async () => {
  const guards = new Guards(new FakeClock(0));
  const store = new FlakyStore();
  store.failing = true;
  await guards.run(subject('alice'), layers(store), () => Promise.resolve());
  assert.equal(store.takes, 1);
  store.failing = false;
  await waitUntil(() => store.pings > 0, 5 * PROBE_MS);
  await guards.run(subject('alice'), layers(store), () => Promise.resolve());
  assert.equal(store.takes, 2);
  guards.stop();
});

test(
  'a store that failed is not asked by the runs after, until a ping answers; then it is, and that is one info line',
  BOUNDED,
  async () => {
    const { reported, guards, store } = storeDown();
    await guards.run(subject('alice'), layers(store), () => Promise.resolve());
    await guards.run(subject('alice'), layers(store), () => Promise.resolve());
    await guards.run(subject('bob'), layers(store), () => Promise.resolve());
    assert.equal(store.takes, 1);
    store.failing = false;
    await waitUntil(() => reported.length === 2, 5 * PROBE_MS);
    await guards.run(subject('alice'), layers(store), () => Promise.resolve());
    assert.equal(store.takes, 2);
    assert.deepEqual(reported, ['error guard store flaky', 'info Guard store flaky answers again']);
    guards.stop();
  },
);

test('runs that see the store fail together make one Error report and one probe', BOUNDED, async () => {
  const { reported, guards, store } = storeDown();
  let open: () => void = () => undefined;
  store.gate = new Promise((resolve) => {
    open = resolve;
  });
  const runs = [
    guards.run(subject('alice'), layers(store), () => Promise.resolve()),
    guards.run(subject('bob'), layers(store), () => Promise.resolve()),
  ];
  await waitUntil(() => store.takes === 2);
  open();
  await Promise.all(runs);
  assert.deepEqual(reported, ['error guard store flaky']);
  await waitUntil(() => store.pings > 0, 5 * PROBE_MS);
  // A second probe would ping within the same second.
  await sleep(PROBE_MS / 2);
  assert.equal(store.pings, 1);
  guards.stop();
});

test(
  'a ping slower than the probe interval is not sent again before it answers; one still on its way when the bot stops ' +
    'does not report the store back, and none is sent after',
  BOUNDED,
  async () => {
    const { reported, guards, store } = storeDown();
    store.holdPings = true;
    await guards.run(subject('alice'), layers(store), () => Promise.resolve());
    await waitUntil(() => store.pings === 1, 5 * PROBE_MS);
    await sleep(1.5 * PROBE_MS);
    assert.equal(store.pings, 1);

    guards.stop();
    store.failing = false;
    store.answerPings();
    await sleep(1.5 * PROBE_MS);
    assert.equal(store.pings, 1);
    assert.deepEqual(reported, ['error guard store flaky']);
  },
);
