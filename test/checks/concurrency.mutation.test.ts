/**
 * The in-process concurrency queue around runs that leave it early, on a FakeClock: a queued run whose onWait fails
 * takes no slot from the runs ahead of or behind it, a run that gives up (its wait ran out) leaves the queue so the
 * runs after it get their turn and the slot is not handed to nobody, and giving up while a run holds the slot keeps
 * that run counted against the limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MaxConcurrencyReached } from '../../src/index.js';
import { ConcurrencyLimiter } from '../../src/checks/concurrency.js';
import type { ConcurrencyOptions, Release } from '../../src/checks/concurrency.js';
import { FakeClock } from '../../src/testing/index.js';

const WAIT: ConcurrencyOptions = { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 60_000 };
const REFUSE: ConcurrencyOptions = { bucket: 'global', limit: 1 };

function subject(userId: string) {
  return { user: { id: userId }, guildId: 'g', channelId: 'c', receivedAt: performance.now() };
}

/** Lets every promise reaction queued so far run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A queued acquire and whether it has got its slot yet. */
function queued(acquire: Promise<Release>) {
  const state: { release: Release | undefined; error: unknown } = { release: undefined, error: undefined };
  acquire.then(
    (release) => (state.release = release),
    (error: unknown) => (state.error = error),
  );
  // Read through functions: the state changes behind the test's back, as the queue moves.
  return { slot: () => state.release, error: () => state.error };
}

test('a queued run whose onWait fails takes no slot: the run queued before it still waits for the holder', async () => {
  const limiter = new ConcurrencyLimiter(new FakeClock(0));
  const releaseFirst = await limiter.acquire('/report', WAIT, subject('alice'));
  const bob = queued(limiter.acquire('/report', WAIT, subject('bob')));
  const refused = new Error('the defer failed');
  await assert.rejects(
    limiter.acquire('/report', WAIT, subject('carol'), () => Promise.reject(refused)),
    (error) => error === refused,
  );
  await settle();
  assert.equal(bob.slot(), undefined, 'bob got a slot while alice still held the only one');
  releaseFirst();
  await settle();
  const bobSlot = bob.slot();
  assert.ok(bobSlot, 'bob got the slot alice gave back');
  bobSlot();
  assert.equal(limiter.size, 0);
});

test('a queued run that gives up leaves the queue: the slot goes to the runs after it, then back to the limit', async () => {
  const clock = new FakeClock(0);
  const limiter = new ConcurrencyLimiter(clock);
  const releaseFirst = await limiter.acquire('/report', WAIT, subject('alice'));
  const bob = queued(limiter.acquire('/report', WAIT, subject('bob')));
  const carol = queued(limiter.acquire('/report', { ...WAIT, timeoutMs: 1000 }, subject('carol')));
  await clock.advance(1000);
  const carolError = carol.error();
  assert.ok(carolError instanceof MaxConcurrencyReached && carolError.timedOut, 'carol gave up');
  releaseFirst();
  await settle();
  const bobSlot = bob.slot();
  assert.ok(bobSlot, 'bob got the slot');
  bobSlot();
  // Nobody waits now: the slot is free for a newcomer, not handed to carol who left.
  const release = await limiter.acquire('/report', REFUSE, subject('dave'));
  release();
  assert.equal(limiter.size, 0);
});

test('a run that gives up while its onWait is still under way, and whose onWait then fails, leaves the others queued', async () => {
  const clock = new FakeClock(0);
  const limiter = new ConcurrencyLimiter(clock);
  const releaseFirst = await limiter.acquire('/report', WAIT, subject('alice'));
  let failDefer: (error: Error) => void = () => undefined;
  const deferring = new Promise<void>((_, reject) => {
    failDefer = reject;
  });
  const bob = queued(limiter.acquire('/report', { ...WAIT, timeoutMs: 1000 }, subject('bob'), () => deferring));
  const carol = queued(limiter.acquire('/report', WAIT, subject('carol')));
  await clock.advance(1000);
  failDefer(new Error('the defer failed'));
  await settle();
  assert.ok(bob.error() instanceof Error, 'bob left');
  releaseFirst();
  await settle();
  const carolSlot = carol.slot();
  assert.ok(carolSlot, 'carol got the slot alice gave back');
  carolSlot();
  assert.equal(limiter.size, 0);
});

test('a queued run giving up while another holds the slot: the holder still counts, a newcomer is refused', async () => {
  const clock = new FakeClock(0);
  const limiter = new ConcurrencyLimiter(clock);
  const releaseFirst = await limiter.acquire('/report', WAIT, subject('alice'));
  const bob = queued(limiter.acquire('/report', { ...WAIT, timeoutMs: 1000 }, subject('bob')));
  await clock.advance(1000);
  assert.ok(bob.error() instanceof MaxConcurrencyReached, 'bob gave up');
  assert.equal(limiter.size, 1);
  await assert.rejects(limiter.acquire('/report', REFUSE, subject('carol')), MaxConcurrencyReached);
  releaseFirst();
  assert.equal(limiter.size, 0);
});
