/**
 * The channel bucket when Discord names no channel: each user is a bucket of their own, so one user's uses never
 * count against another's. And the key of every bucket, in a guild and outside one, pinned: a guild store counts by
 * it, so shards running two versions of the bot during a rolling deploy must name each bucket the same.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandOnCooldown } from '../../src/index.js';
import { BUCKET_TYPES, bucketKey } from '../../src/checks/bucket.js';
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

test('each bucket’s key, in a guild and in a DM, is the one every version of the bot gives a store', () => {
  const inGuild = { user: { id: 'u1' }, guildId: 'g1', channelId: 'c1' };
  const inDm = { user: { id: 'u1' }, guildId: null, channelId: 'd1' };
  const keys = (ctx: typeof inGuild | typeof inDm) => Object.fromEntries(BUCKET_TYPES.map((bucket) => [bucket, bucketKey(bucket, ctx)]));
  assert.deepEqual(keys(inGuild), { user: 'u1', member: 'g1:u1', guild: 'g1', channel: 'c1', global: '' });
  assert.deepEqual(keys(inDm), { user: 'u1', member: 'dm:u1', guild: 'dm:u1', channel: 'd1', global: '' });
});
