import type { APIInteractionDataResolved } from 'discord-api-types/v10';
import { FakeChannel, roleToAPI, userToAPI } from '../state.js';
import type { FakeRole, FakeState, FakeUser } from '../state.js';

/** A file a fake user attaches to an attachment option. */
export interface AttachmentInput {
  readonly name: string;
  readonly data: Buffer | string;
  readonly contentType?: string;
}

type Bucket = 'users' | 'members' | 'roles' | 'channels' | 'attachments';

/**
 * Builds an interaction's `data.resolved`: the users (with their members), roles, channels and files that its
 * options or select values name, shaped as Discord sends them to the user acting in `channel`.
 */
export class Resolver {
  private readonly buckets: Partial<Record<Bucket, Record<string, unknown>>> = {};

  constructor(
    private readonly state: FakeState,
    private readonly actor: FakeUser,
    private readonly channel: FakeChannel,
  ) {}

  /** The `resolved` object, or undefined when nothing was resolved (Discord then omits it). */
  get resolved(): APIInteractionDataResolved | undefined {
    return Object.keys(this.buckets).length > 0 ? (this.buckets as APIInteractionDataResolved) : undefined;
  }

  user(target: FakeUser): string {
    this.put('users', target.id, userToAPI(target));
    const guild = this.channel.guild;
    const member = guild?.members.get(target.id);
    if (member && guild) this.put('members', target.id, guild.resolvedMember(member, this.channel));
    return target.id;
  }

  role(role: FakeRole): string {
    this.put('roles', role.id, roleToAPI(role));
    return role.id;
  }

  /** A channel, with the acting user's permissions there. */
  channelOption(target: FakeChannel): string {
    const guild = target.guild;
    this.put('channels', target.id, target.toResolved(guild?.members.has(this.actor.id) ? guild.permissionsOf(this.actor, target) : 0n));
    return target.id;
  }

  /** Stores the file so its URL serves it, as Discord's CDN would. */
  attachment(input: AttachmentInput): string {
    const stored = this.state.storeFile({
      filename: input.name,
      contentType: input.contentType ?? 'application/octet-stream',
      data: Buffer.from(input.data),
    });
    this.put('attachments', stored.id, {
      id: stored.id,
      filename: stored.filename,
      size: stored.data.length,
      url: stored.url,
      proxy_url: stored.url,
      content_type: stored.contentType,
      ephemeral: true,
    });
    return stored.id;
  }

  private put(bucket: Bucket, id: string, value: unknown): void {
    (this.buckets[bucket] ??= {})[id] = value;
  }
}

export function isRole(value: object): value is FakeRole {
  return !(value instanceof FakeChannel) && 'guildId' in value && 'permissions' in value;
}
