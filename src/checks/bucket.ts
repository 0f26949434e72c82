/** Whose uses a cooldown or concurrency limit counts together. */
export type BucketType = 'user' | 'member' | 'guild' | 'channel' | 'global';

export const BUCKET_TYPES: readonly BucketType[] = ['user', 'member', 'guild', 'channel', 'global'];

/** What a bucket is told apart by: an interaction context, or anything with the same ids. */
export interface BucketSubject {
  readonly user: { readonly id: string };
  readonly guildId: string | null;
  readonly channelId: string | null;
}

/**
 * The bucket an interaction falls in:
 * - `user`: the user, everywhere;
 * - `member`: the user within one guild; outside guilds (DMs, group DMs) all of the user's DMs count as one place;
 * - `guild`: the guild; outside guilds, each user on their own (a DM is nobody else's server);
 * - `channel`: the channel (a DM is a channel); the user when Discord names no channel;
 * - `global`: everyone together.
 */
export function bucketKey(bucket: BucketType, ctx: BucketSubject): string {
  switch (bucket) {
    case 'user':
      return ctx.user.id;
    case 'member':
      return `${ctx.guildId ?? 'dm'}:${ctx.user.id}`;
    case 'guild':
      return ctx.guildId ?? `dm:${ctx.user.id}`;
    case 'channel':
      return ctx.channelId ?? `user:${ctx.user.id}`;
    case 'global':
      return '';
  }
}
