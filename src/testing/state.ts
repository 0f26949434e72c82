import { EventEmitter } from 'node:events';
import { DiscordSnowflake } from '@sapphire/snowflake';
import {
  ChannelType,
  GatewayIntentBits,
  MessageFlags,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  MessageReferenceType,
  MessageType,
  OverwriteType,
  VideoQualityMode,
} from 'discord-api-types/v10';
import type {
  ChannelFlags,
  GuildMemberFlags,
  Locale,
  RoleFlags,
  APIAttachment,
  APIChannel,
  APIEmbed,
  APIGuild,
  APIGuildMember,
  APIInteractionDataResolvedChannel,
  APIInteractionDataResolvedGuildMember,
  APIMessage,
  APIOverwrite,
  APIRole,
  APIUser,
  APIActionRowComponent,
  APIComponentInMessageActionRow,
} from 'discord-api-types/v10';
import { FakeDiscordError } from './errors.js';
import { storedComponents, storedEmbeds } from './message-shape.js';
import { DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, computePermissions } from './permissions.js';
import { waitForEmit } from './wait.js';

/**
 * A real-looking snowflake (19 digits today): discord.js keys its rate-limit queues on `\d{17,19}`. Ids whose
 * creation time a bot may read (messages, interactions) take the fake's clock.
 */
export function snowflake(timestamp?: number): string {
  return DiscordSnowflake.generate(timestamp === undefined ? {} : { timestamp }).toString();
}

export interface FakeUser {
  readonly id: string;
  readonly username: string;
  readonly globalName: string | null;
  readonly bot: boolean;
  /** The badges on the profile (`UserFlags`), sent as `public_flags` and `flags`; discord.js reads them as `user.flags`. */
  readonly publicFlags: number;
  /** The locale the user's Discord client sends with each interaction. */
  locale: string;
}

export interface UserInit {
  username: string;
  globalName?: string;
  locale?: string;
  bot?: boolean;
  /** `UserFlags` bits, e.g. `UserFlags.ActiveDeveloper`. Default 0. */
  publicFlags?: number;
}

export interface FakeRole {
  readonly id: string;
  readonly guildId: string;
  readonly name: string;
  permissions: bigint;
  readonly position: number;
  readonly color: number;
  readonly hoist: boolean;
  readonly mentionable: boolean;
  readonly managed: boolean;
}

export interface RoleInit {
  name: string;
  permissions?: bigint;
  color?: number;
  hoist?: boolean;
  mentionable?: boolean;
}

export interface FakeMember {
  readonly user: FakeUser;
  roles: string[];
  nick: string | null;
  readonly joinedAt: string;
}

export interface MemberInit {
  roles?: (FakeRole | string)[];
  nick?: string;
}

export interface ChannelInit {
  name: string;
  type?: ChannelType;
  topic?: string;
  nsfw?: boolean;
  parent?: FakeChannel;
  permissionOverwrites?: OverwriteInit[];
}

export interface OverwriteInit {
  /** A role, a user, or @everyone via `guild.everyone`. */
  target: FakeRole | FakeUser;
  allow?: bigint;
  deny?: bigint;
}

export interface GuildInit {
  name: string;
  /** Defaults to a new user named `<guild name> owner`. */
  owner?: FakeUser;
  preferredLocale?: string;
  /** Defaults to one text channel named `general`. */
  channels?: ChannelInit[];
  roles?: RoleInit[];
  members?: FakeUser[];
  /** The bot's managed role; defaults to a talk-only set (no moderation, no Administrator). */
  botPermissions?: bigint;
  everyonePermissions?: bigint;
}

/** A file the bot uploaded, kept so a test can read back exactly what was sent. */
export interface StoredFile {
  readonly id: string;
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
}

export interface MessageInit {
  author: APIUser;
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  attachments?: APIAttachment[];
  flags?: number;
  type?: MessageType;
  webhookId?: string;
  applicationId?: string;
  interactionMetadata?: APIMessage['interaction_metadata'];
  /** Makes the message a reply to another one. */
  reference?: { message_id: string };
}

export interface DispatchRequest {
  readonly t: string;
  readonly d: unknown;
  /** Routes the event to the shard holding this guild; null (DMs) goes to shard 0. */
  readonly guildId: string | null;
  readonly intent: number | null;
}

export interface StoredMessageEvent {
  readonly channel: FakeChannel;
  readonly message: APIMessage;
}

const GUILD_TEXT_TYPES = new Set<ChannelType>([
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildVoice,
  ChannelType.GuildStageVoice,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
]);

export class FakeChannel {
  readonly id = snowflake();
  readonly type: ChannelType;
  readonly name: string | null;
  readonly guildId: string | null;
  readonly parentId: string | null;
  readonly position: number;
  readonly topic: string | null;
  readonly nsfw: boolean;
  readonly permissionOverwrites: APIOverwrite[];
  readonly recipient: FakeUser | null;
  /** Messages posted here, oldest first; ephemeral interaction responses are not channel messages. */
  readonly messages: APIMessage[] = [];

  constructor(
    private readonly state: FakeState,
    init: {
      name: string | null;
      type: ChannelType;
      guildId: string | null;
      parentId?: string | null;
      position?: number;
      topic?: string;
      nsfw?: boolean;
      permissionOverwrites?: APIOverwrite[];
      recipient?: FakeUser;
    },
  ) {
    this.type = init.type;
    this.name = init.name;
    this.guildId = init.guildId;
    this.parentId = init.parentId ?? null;
    this.position = init.position ?? 0;
    this.topic = init.topic ?? null;
    this.nsfw = init.nsfw ?? false;
    this.permissionOverwrites = init.permissionOverwrites ?? [];
    this.recipient = init.recipient ?? null;
  }

  get guild(): FakeGuild | null {
    return this.guildId === null ? null : this.state.guild(this.guildId);
  }

  get isTextBased(): boolean {
    return this.type === ChannelType.DM || GUILD_TEXT_TYPES.has(this.type);
  }

  /** Resolves with the first message posted here from now on that passes `accept`. */
  waitForMessage(accept: (message: APIMessage) => boolean = () => true, { timeout = 5000 } = {}): Promise<APIMessage> {
    return waitForEmit<StoredMessageEvent>(
      this.state.events,
      'message',
      (e) => e.channel === this && accept(e.message),
      timeout,
      `a message in channel ${this.name ?? this.id}`,
    ).then((e) => e.message);
  }

  /**
   * The channel as Discord describes one of its type: text and announcement channels carry a topic and slowmode,
   * voice and stage channels a bitrate and user limit, categories neither; DMs their recipient.
   */
  toAPI(): APIChannel {
    if (this.type === ChannelType.DM) {
      return {
        id: this.id,
        type: ChannelType.DM,
        name: null,
        last_message_id: this.lastMessageId,
        recipients: this.recipient ? [userToAPI(this.recipient)] : [],
        flags: 0 as ChannelFlags,
      };
    }
    const base = {
      id: this.id,
      guild_id: this.guildId ?? '',
      name: this.name ?? '',
      position: this.position,
      parent_id: this.parentId,
      nsfw: this.nsfw,
      permission_overwrites: this.permissionOverwrites,
      flags: 0 as ChannelFlags,
    };
    switch (this.type) {
      case ChannelType.GuildCategory:
        // A category is never inside another.
        return { ...base, type: ChannelType.GuildCategory, parent_id: null };
      case ChannelType.GuildVoice:
      case ChannelType.GuildStageVoice:
        return {
          ...base,
          type: this.type,
          last_message_id: this.lastMessageId,
          rate_limit_per_user: 0,
          bitrate: 64_000,
          user_limit: 0,
          rtc_region: null,
          video_quality_mode: VideoQualityMode.Auto,
        };
      default:
        return {
          ...base,
          type: this.type as ChannelType.GuildText,
          topic: this.topic,
          last_message_id: this.lastMessageId,
          rate_limit_per_user: 0,
        };
    }
  }

  /** The channel as interaction `resolved.channels` carries it: id, name, type and the acting user's permissions. */
  toResolved(permissions: bigint): APIInteractionDataResolvedChannel {
    return { id: this.id, name: this.name, type: this.type, permissions: String(permissions) };
  }

  private get lastMessageId(): string | null {
    return this.messages.at(-1)?.id ?? null;
  }
}

export class FakeGuild {
  readonly id = snowflake();
  readonly name: string;
  readonly ownerId: string;
  readonly preferredLocale: string;
  readonly roles = new Map<string, FakeRole>();
  readonly channels = new Map<string, FakeChannel>();
  readonly members = new Map<string, FakeMember>();
  /** When the bot joined, as GUILD_CREATE reports it. */
  readonly joinedAt: string;
  /** False while addGuild builds the guild: its parts reach the bot inside GUILD_CREATE, not as events of their own. */
  announced = false;

  constructor(
    private readonly state: FakeState,
    init: GuildInit,
  ) {
    this.name = init.name;
    const owner = init.owner ?? state.addUser({ username: `${init.name} owner`.toLowerCase().replace(/[^a-z0-9_.]/g, '_') });
    this.ownerId = owner.id;
    this.preferredLocale = init.preferredLocale ?? 'en-US';
    this.joinedAt = new Date(state.now()).toISOString();
    this.roles.set(this.id, {
      id: this.id,
      guildId: this.id,
      name: '@everyone',
      permissions: init.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
      position: 0,
      color: 0,
      hoist: false,
      mentionable: false,
      managed: false,
    });
  }

  /** The @everyone role (its id is the guild's id). */
  get everyone(): FakeRole {
    return this.roles.get(this.id) as FakeRole;
  }

  get owner(): FakeUser {
    return this.state.user(this.ownerId);
  }

  /** The channel with that name; throws if there is none, so a typo fails loudly. */
  channel(name: string): FakeChannel {
    for (const channel of this.channels.values()) if (channel.name === name) return channel;
    throw new FakeDiscordError(
      'LANTERN_ERR_FAKE_UNKNOWN_ENTITY',
      `Guild "${this.name}" has no channel named "${name}" (it has: ${[...this.channels.values()].map((c) => c.name).join(', ')})`,
    );
  }

  role(name: string): FakeRole {
    for (const role of this.roles.values()) if (role.name === name) return role;
    throw new FakeDiscordError('LANTERN_ERR_FAKE_UNKNOWN_ENTITY', `Guild "${this.name}" has no role named "${name}"`);
  }

  member(user: FakeUser | string): FakeMember {
    const id = typeof user === 'string' ? user : user.id;
    const member = this.members.get(id);
    if (!member)
      throw new FakeDiscordError(
        'LANTERN_ERR_FAKE_NOT_A_MEMBER',
        `User ${id} is not a member of guild "${this.name}"; add them with guild.addMember(user)`,
      );
    return member;
  }

  addChannel(init: ChannelInit): FakeChannel {
    const channel = new FakeChannel(this.state, {
      name: init.name,
      type: init.type ?? ChannelType.GuildText,
      guildId: this.id,
      parentId: init.parent?.id ?? null,
      position: this.channels.size,
      topic: init.topic,
      nsfw: init.nsfw,
      permissionOverwrites: (init.permissionOverwrites ?? []).map((o) => ({
        id: o.target.id,
        type: 'guildId' in o.target ? OverwriteType.Role : OverwriteType.Member,
        allow: String(o.allow ?? 0n),
        deny: String(o.deny ?? 0n),
      })),
    });
    this.channels.set(channel.id, channel);
    this.state.registerChannel(channel);
    if (this.announced) this.state.dispatch('CHANNEL_CREATE', channel.toAPI(), this.id, GatewayIntentBits.Guilds);
    return channel;
  }

  addRole(init: RoleInit, managed = false): FakeRole {
    const role: FakeRole = {
      id: snowflake(),
      guildId: this.id,
      name: init.name,
      permissions: init.permissions ?? 0n,
      position: this.roles.size,
      color: init.color ?? 0,
      hoist: init.hoist ?? false,
      mentionable: init.mentionable ?? false,
      managed,
    };
    this.roles.set(role.id, role);
    if (this.announced)
      this.state.dispatch('GUILD_ROLE_CREATE', { guild_id: this.id, role: roleToAPI(role) }, this.id, GatewayIntentBits.Guilds);
    return role;
  }

  addMember(user: FakeUser, init: MemberInit = {}): FakeMember {
    const roles = (init.roles ?? []).map((r) => (typeof r === 'string' ? r : r.id));
    for (const id of roles)
      if (!this.roles.has(id)) throw new FakeDiscordError('LANTERN_ERR_FAKE_UNKNOWN_ENTITY', `Guild "${this.name}" has no role ${id}`);
    const member: FakeMember = { user, roles, nick: init.nick ?? null, joinedAt: new Date(this.state.now()).toISOString() };
    this.members.set(user.id, member);
    if (this.announced)
      this.state.dispatch('GUILD_MEMBER_ADD', { ...this.memberToAPI(member), guild_id: this.id }, this.id, GatewayIntentBits.GuildMembers);
    return member;
  }

  /** The user's permissions, in a channel when one is given (with its overwrites), as Discord computes them. */
  permissionsOf(user: FakeUser | string, channel?: FakeChannel): bigint {
    const member = this.member(user);
    return computePermissions(
      {
        guildId: this.id,
        ownerId: this.ownerId,
        userId: member.user.id,
        roleIds: member.roles,
        rolePermissions: (id) => this.roles.get(id)?.permissions ?? 0n,
      },
      channel?.permissionOverwrites,
    );
  }

  memberToAPI(member: FakeMember, withPermissionsIn?: FakeChannel): APIGuildMember & { permissions?: string } {
    return {
      user: userToAPI(member.user),
      ...this.messageMember(member),
      ...(withPermissionsIn ? { permissions: String(this.permissionsOf(member.user, withPermissionsIn)) } : {}),
    };
  }

  /** A member as MESSAGE_CREATE carries the author's: without the user. */
  messageMember(member: FakeMember): Omit<APIGuildMember, 'user'> {
    return { ...this.memberFields(member), deaf: false, mute: false };
  }

  /**
   * A member as interaction `resolved.members` carries it: without the user, and without `deaf` and `mute` (Discord
   * leaves voice state out there), with their permissions in the channel.
   */
  resolvedMember(member: FakeMember, channel?: FakeChannel): APIInteractionDataResolvedGuildMember {
    return { ...this.memberFields(member), permissions: String(this.permissionsOf(member.user, channel)) };
  }

  private memberFields(member: FakeMember): Omit<APIGuildMember, 'user' | 'deaf' | 'mute'> {
    return {
      nick: member.nick,
      avatar: null,
      banner: null,
      roles: member.roles,
      joined_at: member.joinedAt,
      premium_since: null,
      communication_disabled_until: null,
      flags: 0 as GuildMemberFlags,
      pending: false,
    };
  }

  /** The guild as GET /guilds/:id returns it. */
  toAPI(): APIGuild & { home_header: null; nsfw: boolean } {
    return {
      id: this.id,
      name: this.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.ownerId,
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- Discord's description still requires it of a guild
      region: 'deprecated',
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: GuildVerificationLevel.None,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.Disabled,
      roles: [...this.roles.values()].map(roleToAPI),
      emojis: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotifications,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: GuildPremiumTier.None,
      preferred_locale: this.preferredLocale as Locale,
      public_updates_channel_id: null,
      nsfw_level: GuildNSFWLevel.Default,
      stickers: [],
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
      home_header: null,
      widget_enabled: false,
      widget_channel_id: null,
      max_presences: null,
      max_members: 25_000_000,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      premium_subscription_count: 0,
      nsfw: false,
    };
  }

  /** GET /guilds/:id?with_counts=true: the guild with its approximate member and presence counts. */
  toAPIWithCounts(): APIGuild {
    // The fake models no presences: nobody is online.
    return { ...this.toAPI(), approximate_member_count: this.members.size, approximate_presence_count: 0 };
  }

  /** The guild as GUILD_CREATE carries it: with channels, members and the gateway-only fields. */
  toGatewayAPI(): Record<string, unknown> {
    return {
      ...this.toAPI(),
      unavailable: false,
      joined_at: this.joinedAt,
      large: false,
      member_count: this.members.size,
      channels: [...this.channels.values()].map((c) => c.toAPI()),
      members: [...this.members.values()].map((m) => this.memberToAPI(m)),
      threads: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}

/** A user as Discord shows them to others: every field its description requires, no private ones (locale, email). */
export function userToAPI(user: FakeUser): APIUser {
  return publicUser({ id: user.id, username: user.username, global_name: user.globalName, bot: user.bot, public_flags: user.publicFlags });
}

/** The author Discord puts on a webhook's messages: the webhook as a bot user, with its old four-digit discriminator. */
export function webhookAuthor(id: string, username: string): APIUser {
  return publicUser({ id, username, global_name: null, bot: true, public_flags: 0, discriminator: '0000' });
}

function publicUser(
  user: Pick<APIUser, 'id' | 'username' | 'global_name' | 'bot'> & { public_flags: number; discriminator?: string },
): APIUser & Required<Pick<APIUser, 'public_flags' | 'flags' | 'primary_guild'>> {
  return {
    id: user.id,
    username: user.username,
    global_name: user.global_name,
    discriminator: user.discriminator ?? '0',
    avatar: null,
    bot: user.bot,
    public_flags: user.public_flags,
    flags: user.public_flags,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
  };
}

export function roleToAPI(role: FakeRole): APIRole {
  return {
    id: role.id,
    name: role.name,
    color: role.color, // eslint-disable-line @typescript-eslint/no-deprecated -- discord.js 14 still reads it
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: role.hoist,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: String(role.permissions),
    managed: role.managed,
    mentionable: role.mentionable,
    flags: 0 as RoleFlags,
  };
}

export interface FakeStateOptions {
  now: () => number;
  messageHistoryLimit: number;
  botUsername: string;
  applicationName: string;
}

/**
 * Everything the fake Discord knows: users, guilds, channels, messages, files. It is the one source both the
 * REST routes and the gateway read, and it announces changes as `dispatch` events for the gateway to deliver.
 */
export class FakeState {
  readonly events = new EventEmitter();
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, FakeGuild>();
  readonly channels = new Map<string, FakeChannel>();
  readonly files = new Map<string, StoredFile>();
  readonly botUser: FakeUser;
  readonly application: { readonly id: string; readonly name: string; owners: FakeUser[] };
  /** Base URL that attachment URLs point at; set when the server listens. */
  baseUrl = '';
  readonly now: () => number;
  private readonly messageHistoryLimit: number;
  private readonly dmChannels = new Map<string, FakeChannel>();
  /** Live messages by id, ephemeral ones included, so a click on a copy edits the real message. */
  private readonly messageIndex = new Map<string, APIMessage>();
  private readonly deleted = new WeakSet<APIMessage>();
  /** How many messages and files the fake keeps across all channels before dropping the oldest. */
  private readonly retentionLimit: number;

  constructor(options: FakeStateOptions) {
    this.events.setMaxListeners(0);
    this.now = options.now;
    this.messageHistoryLimit = options.messageHistoryLimit;
    this.retentionLimit = options.messageHistoryLimit * 10;
    this.botUser = this.addUser({ username: options.botUsername, bot: true });
    // A bot's application id equals its user id on Discord; discord.js relies on that in places.
    const owner = this.addUser({ username: 'app_owner' });
    this.application = { id: this.botUser.id, name: options.applicationName, owners: [owner] };
  }

  addUser(init: UserInit): FakeUser {
    const user: FakeUser = {
      id: snowflake(),
      username: init.username,
      globalName: init.globalName ?? null,
      bot: init.bot ?? false,
      publicFlags: init.publicFlags ?? 0,
      locale: init.locale ?? 'en-US',
    };
    this.users.set(user.id, user);
    return user;
  }

  addGuild(init: GuildInit): FakeGuild {
    const guild = new FakeGuild(this, init);
    this.guilds.set(guild.id, guild);
    for (const role of init.roles ?? []) guild.addRole(role);
    for (const channel of init.channels ?? [{ name: 'general' }]) guild.addChannel(channel);
    const botRole = guild.addRole({ name: this.botUser.username, permissions: init.botPermissions ?? DEFAULT_BOT_PERMISSIONS }, true);
    guild.addMember(this.botUser, { roles: [botRole] });
    guild.addMember(guild.owner);
    for (const user of init.members ?? []) if (!guild.members.has(user.id)) guild.addMember(user);
    guild.announced = true;
    this.dispatch('GUILD_CREATE', guild.toGatewayAPI(), guild.id, GatewayIntentBits.Guilds);
    return guild;
  }

  registerChannel(channel: FakeChannel): void {
    this.channels.set(channel.id, channel);
  }

  /** The DM channel between the bot and `user`, opened on first use as Discord does. */
  dmChannel(user: FakeUser): FakeChannel {
    let channel = this.dmChannels.get(user.id);
    if (!channel) {
      channel = new FakeChannel(this, { name: null, type: ChannelType.DM, guildId: null, recipient: user });
      this.dmChannels.set(user.id, channel);
      this.registerChannel(channel);
    }
    return channel;
  }

  user(id: string): FakeUser {
    return this.lookup(this.users, id, 'user');
  }

  guild(id: string): FakeGuild {
    return this.lookup(this.guilds, id, 'guild');
  }

  channel(id: string): FakeChannel {
    return this.lookup(this.channels, id, 'channel');
  }

  private lookup<T>(map: Map<string, T>, id: string, kind: string): T {
    const found = map.get(id);
    if (found === undefined) throw new FakeDiscordError('LANTERN_ERR_FAKE_UNKNOWN_ENTITY', `No ${kind} with id ${id}`);
    return found;
  }

  dispatch(t: string, d: unknown, guildId: string | null, intent: number | null): void {
    const request: DispatchRequest = { t, d, guildId, intent };
    this.events.emit('dispatch', request);
  }

  /** Builds a message; a non-ephemeral one is stored in its channel and dispatched as MESSAGE_CREATE. */
  createMessage(channel: FakeChannel, init: MessageInit, { ephemeral = false } = {}): APIMessage {
    const content = init.content ?? '';
    const message: APIMessage = {
      id: snowflake(this.now()),
      channel_id: channel.id,
      author: init.author,
      content,
      timestamp: new Date(this.now()).toISOString(),
      edited_timestamp: null,
      tts: false,
      ...this.mentionsIn(content),
      attachments: init.attachments ?? [],
      embeds: storedEmbeds(init.embeds ?? []),
      components: storedComponents(init.components ?? []),
      pinned: false,
      type: init.type ?? MessageType.Default,
      flags: init.flags ?? 0,
      ...(init.webhookId ? { webhook_id: init.webhookId } : {}),
      ...(init.applicationId ? { application_id: init.applicationId } : {}),
      ...(init.interactionMetadata ? { interaction_metadata: init.interactionMetadata } : {}),
      ...(init.reference
        ? {
            message_reference: {
              type: MessageReferenceType.Default,
              ...init.reference,
              channel_id: channel.id,
              ...(channel.guildId ? { guild_id: channel.guildId } : {}),
            },
          }
        : {}),
    };
    retain(this.messageIndex, message.id, message, this.retentionLimit);
    if (!ephemeral) {
      channel.messages.push(message);
      if (channel.messages.length > this.messageHistoryLimit) channel.messages.shift();
      this.events.emit('message', { channel, message } satisfies StoredMessageEvent);
      this.dispatchMessageEvent('MESSAGE_CREATE', channel, message);
    }
    return message;
  }

  /** The live message with this id (channel or ephemeral), if the fake still holds it. */
  message(id: string): APIMessage | undefined {
    return this.messageIndex.get(id);
  }

  /**
   * Applies an edit in place and dispatches MESSAGE_UPDATE when the message lives in a channel. An edit keeps
   * the message ephemeral or not (that is fixed at creation) and ends a deferred reply's loading state.
   */
  editMessage(message: APIMessage, patch: Partial<APIMessage>): APIMessage {
    const flags =
      ((patch.flags ?? message.flags ?? 0) & ~(MessageFlags.Ephemeral | MessageFlags.Loading)) |
      ((message.flags ?? 0) & MessageFlags.Ephemeral);
    Object.assign(
      message,
      patch,
      patch.embeds ? { embeds: storedEmbeds(patch.embeds) } : {},
      patch.components ? { components: storedComponents(patch.components) } : {},
      { flags, edited_timestamp: new Date(this.now()).toISOString() },
      patch.content === undefined ? {} : this.mentionsIn(patch.content),
    );
    const channel = this.channels.get(message.channel_id);
    if (channel?.messages.includes(message)) this.dispatchMessageEvent('MESSAGE_UPDATE', channel, message);
    return message;
  }

  /**
   * Pins or unpins a channel message as Discord does: MESSAGE_UPDATE and CHANNEL_PINS_UPDATE reach the bot, and a
   * pin posts the "pinned a message" system message that refers to it.
   */
  setPinned(channel: FakeChannel, message: APIMessage, pinned: boolean): void {
    message.pinned = pinned;
    if (channel.messages.includes(message)) this.dispatchMessageEvent('MESSAGE_UPDATE', channel, message);
    const lastPin = channel.messages.filter((m) => m.pinned).at(-1)?.timestamp ?? null;
    this.dispatch(
      'CHANNEL_PINS_UPDATE',
      { channel_id: channel.id, last_pin_timestamp: lastPin, ...(channel.guildId ? { guild_id: channel.guildId } : {}) },
      channel.guildId,
      channel.guildId ? GatewayIntentBits.Guilds : GatewayIntentBits.DirectMessages,
    );
    if (pinned)
      this.createMessage(channel, {
        author: userToAPI(this.botUser),
        type: MessageType.ChannelPinnedMessage,
        reference: { message_id: message.id },
      });
  }

  /** True once the message was deleted, by any route. */
  isDeleted(message: APIMessage): boolean {
    return this.deleted.has(message);
  }

  deleteMessage(message: APIMessage): void {
    this.deleted.add(message);
    this.messageIndex.delete(message.id);
    const channel = this.channels.get(message.channel_id);
    if (!channel) return;
    const index = channel.messages.indexOf(message);
    if (index === -1) return;
    channel.messages.splice(index, 1);
    this.dispatchMessageEvent('MESSAGE_DELETE', channel, { id: message.id, channel_id: channel.id });
  }

  /** MESSAGE_* events carry the guild id and, for creates in a guild, the author's member, as on Discord. */
  private dispatchMessageEvent(t: string, channel: FakeChannel, data: object): void {
    const guild = channel.guild;
    const member = guild && t === 'MESSAGE_CREATE' ? guild.members.get((data as APIMessage).author.id) : undefined;
    const d = { ...data, ...(guild ? { guild_id: guild.id } : {}), ...(member && guild ? { member: guild.messageMember(member) } : {}) };
    this.dispatch(t, d, channel.guildId, channel.guildId ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages);
  }

  /** Who `<@id>`, `<@&id>` and `@everyone` in the content mention, as Discord fills `mentions`. */
  private mentionsIn(content: string): Pick<APIMessage, 'mentions' | 'mention_roles' | 'mention_everyone'> {
    const users = [...content.matchAll(/<@!?(\d{17,20})>/g)].flatMap(([, id]) => {
      const user = this.users.get(id ?? '');
      return user ? [userToAPI(user)] : [];
    });
    const roles = [...content.matchAll(/<@&(\d{17,20})>/g)].map(([, id]) => id ?? '');
    return { mentions: users, mention_roles: roles, mention_everyone: /@(everyone|here)\b/.test(content) };
  }

  storeFile(file: Omit<StoredFile, 'id'>): StoredFile & { url: string } {
    const stored = { ...file, id: snowflake() };
    retain(this.files, stored.id, stored, this.retentionLimit);
    return { ...stored, url: `${this.baseUrl}/attachments/${stored.id}/${encodeURIComponent(stored.filename)}` };
  }
}

/** Sets a key in an insertion-ordered map, dropping the oldest entries past `limit`. */
function retain<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= limit) break;
    map.delete(oldest);
  }
}
