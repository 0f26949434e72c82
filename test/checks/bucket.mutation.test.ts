/**
 * The channel bucket when Discord names no channel: each user is a bucket of their own, so one user's uses never
 * count against another's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandOnCooldown } from '../../src/index.js';
import { CooldownTracker } from '../../src/checks/cooldown.js';
import { FakeClock } from '../../src/testing/index.js';

test('without a channel, the channel bucket is the user’s own', () => {
  const tracker = new CooldownTracker(new FakeClock(0));
  const perChannel = [{ key: '/ping', cooldown: { bucket: 'channel', uses: 1, windowMs: 60_000 } }] as const;
  const nowhere = (userId: string) => ({ user: { id: userId }, guildId: null, channelId: null });
  tracker.take(nowhere('alice'), perChannel);
  assert.doesNotThrow(() => tracker.take(nowhere('bob'), perChannel));
  assert.throws(() => tracker.take(nowhere('alice'), perChannel), CommandOnCooldown);
});
