/**
 * The in-memory cooldowns on their own, on a FakeClock: the longest wait of several exhausted cooldowns is the one
 * told, a refund takes back one use once, and the logs of buckets whose uses have all expired are dropped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandOnCooldown } from '../../src/index.js';
import { CooldownTracker } from '../../src/checks/cooldown.js';
import { FakeClock } from '../../src/testing/index.js';

const MINUTE = 60_000;

function subject(userId: string) {
  return { user: { id: userId }, guildId: 'g', channelId: 'c' };
}

const onePerMinute = { key: '/daily', cooldown: { bucket: 'user', uses: 1, windowMs: MINUTE } } as const;
const onePerTenMinutes = { key: 'extension economy', cooldown: { bucket: 'user', uses: 1, windowMs: 10 * MINUTE } } as const;

test('when several cooldowns are exhausted, the longest wait is the one told, whatever their order', () => {
  for (const layers of [
    [onePerTenMinutes, onePerMinute],
    [onePerMinute, onePerTenMinutes],
  ]) {
    const clock = new FakeClock(0);
    const tracker = new CooldownTracker(clock);
    tracker.take(subject('alice'), layers);
    assert.throws(
      () => tracker.take(subject('alice'), layers),
      (error) => error instanceof CommandOnCooldown && error.retryAfterMs === 10 * MINUTE && error.windowMs === 10 * MINUTE,
    );
  }
});

test('a refund takes back its use once; calling it again takes back nothing more', () => {
  const clock = new FakeClock(0);
  const tracker = new CooldownTracker(clock);
  const twoPerMinute = [{ key: '/roll', cooldown: { bucket: 'user', uses: 2, windowMs: MINUTE } }] as const;
  tracker.take(subject('alice'), twoPerMinute);
  const refund = tracker.take(subject('alice'), twoPerMinute);
  refund();
  refund();
  tracker.take(subject('alice'), twoPerMinute);
  assert.throws(() => tracker.take(subject('alice'), twoPerMinute), CommandOnCooldown);
});

test('a refund after its use expired leaves a later use alone', async () => {
  const clock = new FakeClock(0);
  const tracker = new CooldownTracker(clock);
  const onePerTenSeconds = [{ key: '/ping', cooldown: { bucket: 'user', uses: 1, windowMs: 10_000 } }] as const;
  const refund = tracker.take(subject('alice'), onePerTenSeconds);
  await clock.advance(10_000);
  tracker.take(subject('alice'), onePerTenSeconds);
  refund();
  assert.throws(() => tracker.take(subject('alice'), onePerTenSeconds), CommandOnCooldown);
});

test('the logs of buckets whose uses all expired are dropped once a sweep is due, and live ones are kept', async () => {
  const clock = new FakeClock(0);
  const tracker = new CooldownTracker(clock);
  for (const user of ['a', 'b', 'c']) tracker.take(subject(user), [onePerMinute]);
  tracker.take(subject('d'), [onePerTenMinutes]);
  assert.equal(tracker.size, 4);
  await clock.advance(MINUTE - 1);
  tracker.take(subject('e'), [onePerMinute]);
  assert.equal(tracker.size, 5, 'no sweep before its interval');
  await clock.advance(1);
  tracker.take(subject('f'), [onePerMinute]);
  assert.equal(tracker.size, 3, 'a, b and c expired; d, e and f are live');
});
