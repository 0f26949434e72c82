/**
 * The guards with a store, on their own: a GuardStore kept in this file's memory (shared as another process would
 * share it) and the Guards on a FakeClock for the pauses between polls. Pinned down: a stored slot is held while the
 * handler runs and given back after; with `wait` the store is asked again after 50 ms, then twice as long each time up
 * to a second, until the slot frees, the wait runs out (`timeoutMs`, or what is left of the interaction's 15 minutes)
 * or the bot stops, and a bot that stopped or an interaction past its lifetime is refused before `onWait`; a store
 * that fails falls back to the in-process limit; stored cooldowns refuse with the refusing cooldown's own definition
 * and give back every use taken before; each handler and bucket is its own in the store; definitions whose store is
 * not one, or whose wait is 0 ms, are refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checks, CommandOnCooldown, GuardDefinitionError, MaxConcurrencyReached } from '../../src/index.js';
import type { CooldownTake, GuardStore, InteractionContext, StoredCooldown, StoredSlot } from '../../src/index.js';
import { guardLayer, Guards, validateGuards } from '../../src/checks/guard.js';
import type { GuardLayer } from '../../src/checks/guard.js';
import { FakeClock } from '../../src/testing/index.js';
import { outcome, waitUntil } from '../support/resources.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** Bounds each test: a wait that never ends fails the test instead of hanging the file. */
const BOUNDED = { timeout: 20_000 };

/** Counts kept for every process, as Redis would keep them; `failing` makes every call reject, as a store that is down. */
class SharedStore implements GuardStore {
  readonly name = 'shared';
  failing = false;
  /** When each `acquireSlot` call arrived, on `clock`. */
  readonly asked: number[] = [];
  readonly #held = new Map<string, number>();
  readonly #stamps = new Map<string, number[]>();

  constructor(private readonly clock: FakeClock) {}

  held(key?: string): number {
    if (key !== undefined) return this.#held.get(key) ?? 0;
    return [...this.#held.values()].reduce((sum, n) => sum + n, 0);
  }

  acquireSlot(key: string, limit: number): Promise<StoredSlot | undefined> {
    this.asked.push(this.clock.now());
    if (this.failing) return Promise.reject(new Error('store down'));
    const held = this.held(key);
    if (held >= limit) return Promise.resolve(undefined);
    this.#held.set(key, held + 1);
    let released = false;
    return Promise.resolve({
      release: () => {
        if (released) return;
        released = true;
        this.#held.set(key, this.held(key) - 1);
      },
    });
  }

  takeCooldowns(uses: readonly StoredCooldown[]): Promise<CooldownTake> {
    if (this.failing) return Promise.reject(new Error('store down'));
    const now = this.clock.now();
    let refusal: { retryAfterMs: number; index: number } | undefined;
    uses.forEach(({ key, uses: allowed, windowMs }, index) => {
      const stamps = (this.#stamps.get(key) ?? []).filter((stamp) => stamp + windowMs > now);
      this.#stamps.set(key, stamps);
      const oldest = stamps.length >= allowed ? stamps[stamps.length - allowed] : undefined;
      if (oldest === undefined) return;
      const retryAfterMs = oldest + windowMs - now;
      if (!refusal || retryAfterMs > refusal.retryAfterMs) refusal = { retryAfterMs, index };
    });
    if (refusal) return Promise.resolve({ refused: true, ...refusal });
    for (const { key } of uses) this.#stamps.get(key)?.push(now);
    return Promise.resolve({
      refused: false,
      refund: () => {
        for (const { key } of uses) {
          const stamps = this.#stamps.get(key) ?? [];
          stamps.splice(stamps.lastIndexOf(now), 1);
        }
      },
    });
  }

  ping(): Promise<void> {
    return this.failing ? Promise.reject(new Error('store down')) : Promise.resolve();
  }
}

/** What the guards read of an interaction: who ran it, where, and when it arrived. */
function subject(userId: string, receivedAt = performance.now()): InteractionContext {
  return { user: { id: userId }, guildId: 'g1', channelId: 'c1', receivedAt } as unknown as InteractionContext;
}

/** A promise settled from outside. */
function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** Lets every promise reaction queued so far run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function maxConcurrencyReached(error: unknown): MaxConcurrencyReached {
  assert.ok(error instanceof MaxConcurrencyReached, `expected MaxConcurrencyReached, got ${String(error)}`);
  return error;
}

function world() {
  const clock = new FakeClock(0);
  const reported: string[] = [];
  const guards = new Guards(clock, {
    error: ({ source }) => reported.push(`error ${source}`),
    info: (message) => reported.push(`info ${message}`),
  });
  const store = new SharedStore(clock);
  return { clock, guards, store, reported };
}

/** Holds a slot of `key` from outside this process (another shard); resolves with its release. */
async function heldElsewhere(store: SharedStore, key: string, limit = 1): Promise<() => void> {
  const slot = await store.acquireSlot(key, limit);
  assert.ok(slot, 'the other process got its slot');
  return () => {
    slot.release();
  };
}

test('a stored slot is held while the handler runs and given back when it ends', BOUNDED, async () => {
  const { guards, store } = world();
  const layers: GuardLayer[] = [{ key: '/x', maxConcurrency: { bucket: 'user', limit: 1, store } }];
  const heldWhileRunning: number[] = [];
  for (let run = 0; run < 2; run += 1) {
    assert.equal(
      await outcome(
        guards.run(subject('alice'), layers, async () => {
          heldWhileRunning.push(store.held());
          await settle();
        }),
      ),
      'ran',
    );
    assert.equal(store.held(), 0);
  }
  assert.deepEqual(heldWhileRunning, [1, 1]);
});

test('a full stored slot refuses at once without mode wait: not timed out, the handler never runs', BOUNDED, async () => {
  const { guards, store } = world();
  await heldElsewhere(store, '/x:global:');
  let ran = false;
  const error = maxConcurrencyReached(
    await outcome(
      guards.run(subject('alice'), [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, store } }], async () => {
        ran = true;
        await settle();
      }),
    ),
  );
  assert.equal(ran, false);
  assert.deepEqual([error.limit, error.bucket, error.timedOut], [1, 'global', false]);
  assert.equal(store.asked.length, 2);
});

test(
  'with mode wait the store is asked again after 50 ms, then twice as long each time up to a second, and the run ' +
    'takes the slot once it frees, holding it in the store until it ends',
  BOUNDED,
  async () => {
    const { clock, guards, store } = world();
    const releaseOther = await heldElsewhere(store, '/x:global:');
    let waits = 0;
    let heldWhileRunning: number | undefined;
    const run = outcome(
      guards.run(
        subject('alice'),
        [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 15_000, store } }],
        async () => {
          heldWhileRunning = store.held();
          await settle();
        },
        { onWait: () => (waits += 1) },
      ),
    );
    await waitUntil(() => clock.pendingTimers === 1);
    await clock.advance(3550);
    assert.deepEqual(store.asked, [0, 0, 50, 150, 350, 750, 1550, 2550, 3550]);
    assert.equal(heldWhileRunning, undefined);
    assert.equal(waits, 1);

    releaseOther();
    await clock.advance(1000);
    assert.equal(await run, 'ran');
    assert.equal(heldWhileRunning, 1);
    assert.equal(store.held(), 0);
    assert.equal(store.asked.at(-1), 4550);
  },
);

test('a wait for a stored slot without onWait ends at timeoutMs on the guards’ clock, refused as timed out', BOUNDED, async () => {
  const { clock, guards, store } = world();
  await heldElsewhere(store, '/x:global:');
  const run = outcome(
    guards.run(subject('alice'), [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 300, store } }], () =>
      assert.fail('the handler ran without a slot'),
    ),
  );
  await waitUntil(() => clock.pendingTimers === 1);
  // A FakeClock runs the wait out as it runs a wait in memory out: no real time passes here.
  await clock.advance(300);
  const error = maxConcurrencyReached(await run);
  assert.equal(error.timedOut, true);
  // Asked at once, after 50 ms, after 150 ms, and at the deadline (the last pause cut to what was left).
  assert.deepEqual(store.asked, [0, 0, 50, 150, 300]);
});

test('an interaction near the end of its 15 minutes waits for a stored slot only for what is left of them', BOUNDED, async () => {
  const guards = new Guards();
  const store = new SharedStore(new FakeClock(0));
  await heldElsewhere(store, '/x:global:');
  const receivedAt = performance.now() - (15 * MINUTE - 300);
  const error = maxConcurrencyReached(
    await outcome(
      guards.run(subject('alice', receivedAt), [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', store } }], () =>
        assert.fail('the handler ran without a slot'),
      ),
    ),
  );
  assert.equal(error.timedOut, true);
});

test('an interaction past its lifetime is refused as timed out without waiting, and onWait is not called', BOUNDED, async () => {
  const { guards, store } = world();
  await heldElsewhere(store, '/x:global:');
  let waits = 0;
  const error = maxConcurrencyReached(
    await outcome(
      guards.run(
        subject('alice', performance.now() - 16 * MINUTE),
        [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', store } }],
        () => assert.fail('the handler ran without a slot'),
        { onWait: () => (waits += 1) },
      ),
    ),
  );
  assert.equal(error.timedOut, true);
  assert.equal(waits, 0);
  assert.equal(store.asked.length, 2);
});

test('once the bot stopped, a full stored slot is refused as timed out without waiting or calling onWait', BOUNDED, async () => {
  const { guards, store } = world();
  await heldElsewhere(store, '/x:global:');
  guards.stop();
  let waits = 0;
  const error = maxConcurrencyReached(
    await outcome(
      guards.run(
        subject('alice'),
        [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 15_000, store } }],
        () => assert.fail('the handler ran without a slot'),
        { onWait: () => (waits += 1) },
      ),
    ),
  );
  assert.equal(error.timedOut, true);
  assert.equal(waits, 0);
});

test('stop() ends a run polling for a stored slot: refused as timed out at once, even though the slot just freed', BOUNDED, async () => {
  const { clock, guards, store } = world();
  const releaseOther = await heldElsewhere(store, '/x:global:');
  const run = outcome(
    guards.run(
      subject('alice'),
      [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 15_000, store } }],
      () => assert.fail('the handler ran after the bot stopped'),
    ),
  );
  await waitUntil(() => clock.pendingTimers === 1);
  await clock.advance(50);
  assert.equal(store.asked.length, 3);
  releaseOther();
  // No time passes on the clock: only stop() can end the pause before the next ask.
  guards.stop();
  assert.equal(maxConcurrencyReached(await run).timedOut, true);
  assert.equal(store.asked.length, 3);
  assert.equal(store.held(), 0);
});

test('a store that fails while a run polls it: the run takes a slot of the in-process limit and runs', BOUNDED, async () => {
  const { clock, guards, store, reported } = world();
  await heldElsewhere(store, '/x:global:');
  let ran = false;
  const run = outcome(
    guards.run(
      subject('alice'),
      [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 15_000, store } }],
      async () => {
        ran = true;
        await settle();
      },
    ),
  );
  await waitUntil(() => clock.pendingTimers === 1);
  store.failing = true;
  await clock.advance(50);
  assert.equal(await run, 'ran');
  assert.equal(ran, true);
  assert.deepEqual(reported, ['error guard store shared']);
  guards.stop();
});

test(
  'a run that falls back to the in-process limit while polling waits there for what is left of its wait, no less and no longer',
  BOUNDED,
  async () => {
    const { clock, guards, store, reported } = world();
    await heldElsewhere(store, '/x:global:');
    const layers: GuardLayer[] = [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 15_000, store } }];
    // Alice runs in memory while the store is down, and keeps her slot.
    store.failing = true;
    const finish = deferred();
    const alice = outcome(guards.run(subject('alice'), layers, () => finish.promise));
    store.failing = false;
    await waitUntil(() => reported.length === 2, 5 * SECOND);
    // Bob finds the store full and polls it; it fails again, and he queues behind alice in memory.
    const bob = outcome(guards.run(subject('bob'), layers, () => assert.fail('bob ran')));
    await waitUntil(() => clock.pendingTimers === 1);
    store.failing = true;
    await clock.advance(50);
    let bobDone = false;
    void bob.then(() => (bobDone = true));
    // 10 ms short of the 15 s bob may wait in all, counted from his arrival, not from the fallback.
    await clock.advance(15 * SECOND - 60);
    assert.equal(bobDone, false, 'bob gave up before his wait ran out');
    // 10 ms past them.
    await clock.advance(20);
    assert.equal(bobDone, true, 'bob still waits past his timeout');
    assert.equal(maxConcurrencyReached(await bob).timedOut, true);
    finish.resolve();
    assert.equal(await alice, 'ran');
    assert.deepEqual(reported.slice(0, 2), [
      'error guard store shared',
      'info Guard store shared answers again: cooldowns and concurrency limits are shared through it again',
    ]);
    guards.stop();
  },
);

test('a store that is down: the in-process limit holds (a second run here is refused) and its slot is given back', BOUNDED, async () => {
  const { guards, store } = world();
  store.failing = true;
  const layers: GuardLayer[] = [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, store } }];
  const finish = deferred();
  const first = outcome(guards.run(subject('alice'), layers, () => finish.promise));
  await settle();
  assert.equal(maxConcurrencyReached(await outcome(guards.run(subject('bob'), layers, () => Promise.resolve()))).timedOut, false);
  finish.resolve();
  assert.equal(await first, 'ran');
  assert.equal(await outcome(guards.run(subject('carol'), layers, () => Promise.resolve())), 'ran');
  guards.stop();
});

test('each user’s bucket and each handler has its own slots in the store', BOUNDED, async () => {
  const { guards, store } = world();
  const finish = deferred();
  const perUser = (key: string): GuardLayer[] => [{ key, maxConcurrency: { bucket: 'user', limit: 1, store } }];
  const first = outcome(guards.run(subject('alice'), perUser('/x'), () => finish.promise));
  await settle();
  assert.equal(await outcome(guards.run(subject('bob'), perUser('/x'), () => Promise.resolve())), 'ran');
  assert.equal(await outcome(guards.run(subject('alice'), perUser('/y'), () => Promise.resolve())), 'ran');
  assert.ok(maxConcurrencyReached(await outcome(guards.run(subject('alice'), perUser('/x'), () => Promise.resolve()))));
  finish.resolve();
  assert.equal(await first, 'ran');
});

test('a stored cooldown refuses with the store’s wait and the definition of the cooldown that refused', BOUNDED, async () => {
  const { clock, guards, store } = world();
  const layers: GuardLayer[] = [
    { key: 'extension economy', checks: [] },
    { key: 'bot', cooldown: { bucket: 'global', uses: 5, windowMs: MINUTE, store } },
    { key: '/daily', cooldown: { bucket: 'user', uses: 1, windowMs: 10 * SECOND, store } },
  ];
  assert.equal(await outcome(guards.run(subject('alice'), layers, () => Promise.resolve())), 'ran');
  await clock.advance(4 * SECOND);
  const error = await outcome(guards.run(subject('alice'), layers, () => assert.fail('the handler ran on cooldown')));
  assert.ok(error instanceof CommandOnCooldown, `expected CommandOnCooldown, got ${String(error)}`);
  assert.deepEqual([error.retryAfterMs, error.bucket, error.uses, error.windowMs], [6 * SECOND, 'user', 1, 10 * SECOND]);
});

test('a refusal by a stored cooldown gives back the in-process use taken before it', BOUNDED, async () => {
  const { guards, store } = world();
  const bot: GuardLayer = { key: 'bot', cooldown: { bucket: 'user', uses: 2, windowMs: MINUTE } };
  const daily: GuardLayer[] = [bot, { key: '/daily', cooldown: { bucket: 'user', uses: 1, windowMs: MINUTE, store } }];
  assert.equal(await outcome(guards.run(subject('alice'), daily, () => Promise.resolve())), 'ran');
  assert.ok((await outcome(guards.run(subject('alice'), daily, () => Promise.resolve()))) instanceof CommandOnCooldown);
  // The bot-wide cooldown counted one use, not two: one more command may run.
  assert.equal(await outcome(guards.run(subject('alice'), [bot], () => Promise.resolve())), 'ran');
  assert.ok((await outcome(guards.run(subject('alice'), [bot], () => Promise.resolve()))) instanceof CommandOnCooldown);
});

test('a concurrency refusal gives back the stored cooldown’s use: the user may run again once the slot frees', BOUNDED, async () => {
  const { guards, store } = world();
  const layers: GuardLayer[] = [
    { key: '/render', cooldown: { bucket: 'user', uses: 2, windowMs: MINUTE, store }, maxConcurrency: { bucket: 'global', limit: 1 } },
  ];
  const finish = deferred();
  const first = outcome(guards.run(subject('alice'), layers, () => finish.promise));
  await settle();
  assert.ok(maxConcurrencyReached(await outcome(guards.run(subject('alice'), layers, () => Promise.resolve()))));
  finish.resolve();
  assert.equal(await first, 'ran');
  assert.equal(await outcome(guards.run(subject('alice'), layers, () => Promise.resolve())), 'ran');
});

test('a maxConcurrency wait of 0 ms is refused when defined', () => {
  assert.throws(
    () => {
      validateGuards({ maxConcurrency: { bucket: 'user', limit: 1, mode: 'wait', timeoutMs: 0 } }, '/x');
    },
    (error) =>
      error instanceof GuardDefinitionError &&
      error.message === '/x: maxConcurrency.timeoutMs must be a positive number of milliseconds (got 0)',
  );
});

test('a parameterless built-in check listed uncalled is refused with the call to write instead', () => {
  // Read as values: the factories are compared by identity, never called here.
  const factories = new Map(Object.entries(checks));
  for (const [name, call] of [
    ['guildOnly', 'checks.guildOnly()'],
    ['dmOnly', 'checks.dmOnly()'],
    ['ownerOnly', 'checks.ownerOnly()'],
    ['userPermissions', 'checks.userPermissions(...)'],
  ] as const) {
    assert.throws(
      () => {
        validateGuards({ checks: [factories.get(name) as never] }, '/x');
      },
      (error) => error instanceof GuardDefinitionError && error.message.endsWith(`call it: ${call}`),
      call,
    );
  }
});

test('a store missing any one of name, takeCooldowns, acquireSlot or ping is not a guard store', () => {
  const clock = new FakeClock(0);
  const real = new SharedStore(clock);
  const complete = {
    name: 'shared',
    takeCooldowns: real.takeCooldowns.bind(real),
    acquireSlot: real.acquireSlot.bind(real),
    ping: real.ping.bind(real),
  };
  assert.doesNotThrow(() => {
    validateGuards({ maxConcurrency: { bucket: 'user', limit: 1, store: complete } }, '/x');
  });
  for (const missing of ['name', 'takeCooldowns', 'acquireSlot', 'ping'] as const) {
    const store = { ...complete, [missing]: undefined } as unknown as GuardStore;
    assert.throws(
      () => {
        validateGuards({ cooldown: { bucket: 'user', uses: 1, windowMs: 1000, store } }, '/x');
      },
      /^GuardDefinitionError: \/x: cooldown\.store must be a guard store/,
      missing,
    );
    assert.throws(
      () => {
        validateGuards({ maxConcurrency: { bucket: 'user', limit: 1, store } }, '/x');
      },
      /^GuardDefinitionError: \/x: maxConcurrency\.store must be a guard store/,
      missing,
    );
  }
});

test('a handler without guards, or with empty guard options, gets no layer; one with any guard gets one', () => {
  assert.equal(guardLayer('/x', undefined), undefined);
  assert.equal(guardLayer('/x', {}), undefined);
  const cooldown = { bucket: 'user', uses: 1, windowMs: 1000 } as const;
  assert.deepEqual(guardLayer('/x', { cooldown }), { key: '/x', checks: undefined, cooldown, maxConcurrency: undefined });
});
