/**
 * How the in-memory cooldowns keep their memory bounded, on a FakeClock: a burst of new buckets is swept of the
 * expired ones as soon as the map reaches 1024 logs, before the minute's sweep is due, and a bucket whose only use
 * was given back (the run was refused later) is dropped at the next sweep; the first sweep is due a minute after the
 * tracker is made, however late the first use comes. Of two cooldowns refusing with the same wait, the outer layer's
 * is the one the user is told of.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandOnCooldown } from '../../src/index.js';
import { CooldownTracker } from '../../src/checks/cooldown.js';
import { FakeClock } from '../../src/testing/index.js';

function subject(userId: string) {
  return { user: { id: userId }, guildId: 'g', channelId: 'c' };
}

const onePerSecond = { key: '/ping', cooldown: { bucket: 'user', uses: 1, windowMs: 1000 } } as const;

test('once 1024 buckets are kept, the next use sweeps the expired ones, before the minute is up', async () => {
  const clock = new FakeClock(0);
  const tracker = new CooldownTracker(clock);
  for (let user = 0; user < 1024; user += 1) tracker.take(subject(`user${String(user)}`), [onePerSecond]);
  assert.equal(tracker.size, 1024);
  await clock.advance(1000);
  tracker.take(subject('newcomer'), [onePerSecond]);
  assert.equal(tracker.size, 1);
});

test('a bucket whose only use was given back is dropped at the next sweep', async () => {
  const clock = new FakeClock(0);
  const tracker = new CooldownTracker(clock);
  tracker.take(subject('alice'), [onePerSecond])();
  assert.equal(tracker.size, 1);
  await clock.advance(60_000);
  tracker.take(subject('bob'), [onePerSecond]);
  assert.equal(tracker.size, 1);
});

test('the first sweep is due a minute after the tracker is made, not a minute after its first use', async () => {
  const clock = new FakeClock(0);
  const tracker = new CooldownTracker(clock);
  await clock.advance(50_000);
  tracker.take(subject('alice'), [onePerSecond]);
  await clock.advance(10_000);
  tracker.take(subject('bob'), [onePerSecond]);
  assert.equal(tracker.size, 1, 'alice’s expired log was not swept at the minute');
});

test('of two cooldowns refusing with the same wait, the outer layer’s definition is the one refusing', () => {
  const tracker = new CooldownTracker(new FakeClock(0));
  const layers = [
    { key: 'bot', cooldown: { bucket: 'global', uses: 1, windowMs: 1000 } },
    { key: '/ping', cooldown: { bucket: 'user', uses: 1, windowMs: 1000 } },
  ] as const;
  tracker.take(subject('alice'), layers);
  assert.throws(
    () => tracker.take(subject('alice'), layers),
    (error) => error instanceof CommandOnCooldown && error.bucket === 'global' && error.retryAfterMs === 1000,
  );
});
