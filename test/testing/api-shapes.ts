import { ApplicationCommandType, ChannelType, ComponentType, InteractionType, MessageType } from 'discord-api-types/v10';
import type {
  APIApplication,
  APIApplicationCommand,
  APIAttachment,
  APIChatInputApplicationCommandDMInteraction,
  APIChatInputApplicationCommandGuildInteraction,
  APIDMChannel,
  APIGuild,
  APIGuildCategoryChannel,
  APIGuildMember,
  APIGuildVoiceChannel,
  APIInteractionDataResolvedChannel,
  APIInteractionDataResolvedGuildMember,
  APIInteractionGuildMember,
  APIMessage,
  APIRole,
  APITextChannel,
  APIUser,
  APIWebhook,
  GatewayGuildCreateDispatchData,
  GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import type { RecordedRequest } from '../../src/testing/index.js';

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T] & string;
type Unlisted<Keys extends string, L extends readonly string[]> = Exclude<Keys, L[number]>;

/** The keys discord-api-types requires of T. The compiler refuses a list that misses one or names another. */
function requiredKeys<T>() {
  return <const L extends readonly RequiredKeys<T>[]>(
    keys: L & ([Unlisted<RequiredKeys<T>, L>] extends [never] ? unknown : { missing: Unlisted<RequiredKeys<T>, L> }),
  ): readonly string[] => keys;
}

/** Every key discord-api-types allows on T, for objects Discord sends cut down (resolved members and channels...). */
function allowedKeys<T>() {
  return <const L extends readonly (keyof T & string)[]>(
    keys: L & ([Unlisted<keyof T & string, L>] extends [never] ? unknown : { missing: Unlisted<keyof T & string, L> }),
  ): readonly string[] => keys;
}

interface Shape {
  /** The discord-api-types type the object is read as. */
  readonly type: string;
  readonly required: readonly string[];
  /** When set, a key outside it is a finding: the object carries what Discord leaves out. */
  readonly allowed?: readonly string[];
  /** The schema of Discord's OpenAPI description for the same object, when it has one. */
  readonly schema?: string;
}

const shape = (type: string, required: readonly string[], extra: Omit<Shape, 'type' | 'required'> = {}): Shape => ({
  type,
  required,
  ...extra,
});

const USER = shape('APIUser', requiredKeys<APIUser>()(['id', 'username', 'discriminator', 'global_name', 'avatar']), {
  schema: 'UserResponse',
});
const MEMBER = shape('APIGuildMember', requiredKeys<APIGuildMember>()(['roles', 'deaf', 'mute', 'flags', 'joined_at', 'user']), {
  schema: 'GuildMemberResponse',
});
const INTERACTION_MEMBER = shape(
  'APIInteractionGuildMember',
  requiredKeys<APIInteractionGuildMember>()(['permissions', 'user', 'roles', 'deaf', 'mute', 'flags', 'joined_at']),
  { schema: 'GuildMemberResponse' },
);
const MESSAGE_MEMBER = shape(
  "Omit<APIGuildMember, 'user'>",
  requiredKeys<Omit<APIGuildMember, 'user'>>()(['roles', 'deaf', 'mute', 'flags', 'joined_at']),
);
const RESOLVED_MEMBER = shape(
  'APIInteractionDataResolvedGuildMember',
  requiredKeys<APIInteractionDataResolvedGuildMember>()(['permissions', 'roles', 'flags', 'joined_at']),
  {
    allowed: allowedKeys<APIInteractionDataResolvedGuildMember>()([
      'permissions',
      'roles',
      'flags',
      'joined_at',
      'nick',
      'premium_since',
      'pending',
      'communication_disabled_until',
      'avatar_decoration_data',
      'collectibles',
      'avatar',
      'banner',
    ]),
  },
);
const ROLE = shape(
  'APIRole',
  requiredKeys<APIRole>()(['id', 'name', 'color', 'colors', 'hoist', 'position', 'permissions', 'managed', 'mentionable', 'flags']),
  { schema: 'GuildRoleResponse' },
);
const GUILD_KEYS = requiredKeys<APIGuild>()([
  'discovery_splash',
  'owner_id',
  'afk_channel_id',
  'afk_timeout',
  'verification_level',
  'default_message_notifications',
  'explicit_content_filter',
  'roles',
  'emojis',
  'features',
  'mfa_level',
  'application_id',
  'system_channel_id',
  'system_channel_flags',
  'rules_channel_id',
  'vanity_url_code',
  'description',
  'banner',
  'premium_tier',
  'preferred_locale',
  'public_updates_channel_id',
  'nsfw_level',
  'premium_progress_bar_enabled',
  'hub_type',
  'safety_alerts_channel_id',
  'incidents_data',
  'name',
  'icon',
  'splash',
  'id',
]);
const GUILD = shape('APIGuild', GUILD_KEYS, { schema: 'GuildResponse' });
const GUILD_CREATE = shape(
  'GatewayGuildCreateDispatchData',
  requiredKeys<GatewayGuildCreateDispatchData>()([
    ...(GUILD_KEYS as RequiredKeys<APIGuild>[]),
    'joined_at',
    'large',
    'member_count',
    'voice_states',
    'members',
    'channels',
    'threads',
    'presences',
    'stage_instances',
    'guild_scheduled_events',
    'soundboard_sounds',
  ]),
  { schema: 'GuildResponse' },
);
const MESSAGE = shape(
  'APIMessage',
  requiredKeys<APIMessage>()([
    'channel_id',
    'id',
    'author',
    'content',
    'timestamp',
    'edited_timestamp',
    'tts',
    'mention_everyone',
    'mention_roles',
    'attachments',
    'embeds',
    'pinned',
    'type',
    'mentions',
  ]),
  { schema: 'MessageResponse' },
);
const ATTACHMENT = shape('APIAttachment', requiredKeys<APIAttachment>()(['id', 'filename', 'size', 'url', 'proxy_url']), {
  schema: 'MessageAttachmentResponse',
});
const APPLICATION = shape(
  'APIApplication',
  requiredKeys<APIApplication>()([
    'id',
    'name',
    'icon',
    'description',
    'bot_public',
    'bot_require_code_grant',
    'summary',
    'verify_key',
    'team',
    'flags',
    'flags_new',
  ]),
  { schema: 'PrivateApplicationResponse' },
);
const READY_APPLICATION = shape(
  "GatewayReadyDispatchData['application']",
  requiredKeys<GatewayReadyDispatchData['application']>()(['id', 'flags', 'flags_new']),
);
const READY = shape(
  'GatewayReadyDispatchData',
  requiredKeys<GatewayReadyDispatchData>()(['v', 'user', 'guilds', 'session_id', 'resume_gateway_url', 'application']),
);
const COMMAND = shape(
  'APIApplicationCommand',
  requiredKeys<APIApplicationCommand>()(['id', 'type', 'application_id', 'name', 'description', 'default_member_permissions', 'version']),
  { schema: 'ApplicationCommandResponse' },
);
const WEBHOOK = shape('APIWebhook', requiredKeys<APIWebhook>()(['id', 'type', 'channel_id', 'name', 'avatar', 'application_id']));
const TEXT_CHANNEL = shape('APITextChannel', requiredKeys<APITextChannel>()(['type', 'id', 'name', 'position']), {
  schema: 'GuildChannelResponse',
});
const VOICE_CHANNEL = shape('APIGuildVoiceChannel', requiredKeys<APIGuildVoiceChannel>()(['name', 'type', 'id', 'position']), {
  allowed: allowedKeys<APIGuildVoiceChannel>()([
    'name',
    'type',
    'id',
    'position',
    'bitrate',
    'user_limit',
    'rtc_region',
    'video_quality_mode',
    'guild_id',
    'permission_overwrites',
    'parent_id',
    'nsfw',
    'flags',
    'last_message_id',
    'rate_limit_per_user',
  ]),
  schema: 'GuildChannelResponse',
});
const CATEGORY_CHANNEL = shape('APIGuildCategoryChannel', requiredKeys<APIGuildCategoryChannel>()(['name', 'type', 'id', 'position']), {
  allowed: allowedKeys<APIGuildCategoryChannel>()([
    'name',
    'type',
    'id',
    'position',
    'parent_id',
    'guild_id',
    'permission_overwrites',
    'nsfw',
    'flags',
  ]),
  schema: 'GuildChannelResponse',
});
const DM_CHANNEL = shape('APIDMChannel', requiredKeys<APIDMChannel>()(['name', 'type', 'id']), { schema: 'PrivateChannelResponse' });
const RESOLVED_CHANNEL = shape(
  'APIInteractionDataResolvedChannel',
  requiredKeys<APIInteractionDataResolvedChannel>()(['type', 'permissions', 'id', 'name']),
  { allowed: allowedKeys<APIInteractionDataResolvedChannel>()(['type', 'permissions', 'id', 'name', 'app_permissions']) },
);
const GUILD_INTERACTION = shape(
  'APIChatInputApplicationCommandGuildInteraction',
  requiredKeys<APIChatInputApplicationCommandGuildInteraction>()([
    'id',
    'type',
    'guild_id',
    'member',
    'app_permissions',
    'channel_id',
    'channel',
    'data',
    'application_id',
    'token',
    'version',
    'locale',
    'entitlements',
    'authorizing_integration_owners',
    'attachment_size_limit',
  ]),
);
const DM_INTERACTION = shape(
  'APIChatInputApplicationCommandDMInteraction',
  requiredKeys<APIChatInputApplicationCommandDMInteraction>()([
    'id',
    'type',
    'user',
    'app_permissions',
    'channel_id',
    'channel',
    'data',
    'application_id',
    'token',
    'version',
    'locale',
    'entitlements',
    'authorizing_integration_owners',
    'attachment_size_limit',
  ]),
);

/** An object the traffic carried, where it was, and what it should be. */
export interface Placed {
  readonly where: string;
  readonly shape: Shape;
  readonly value: unknown;
}

/** What is wrong with one placed object by discord-api-types: missing required keys, keys its type does not have, unknown enum values. */
export function shapeFindings(placed: Placed): string[] {
  const { where, shape: expected, value } = placed;
  if (!isObject(value)) return [`${where}: expected an object (${expected.type}), got ${JSON.stringify(value)}`];
  const findings = expected.required.filter((key) => !(key in value)).map((key) => `${where}: ${expected.type} requires ${key}`);
  if (expected.allowed) {
    const allowed = new Set(expected.allowed);
    for (const key of Object.keys(value)) if (!allowed.has(key)) findings.push(`${where}: ${expected.type} has no ${key}`);
  }
  const enumOf = ENUMS[expected.type];
  if (enumOf && 'type' in value && !Object.values(enumOf).includes(value.type))
    findings.push(`${where}: type ${JSON.stringify(value.type)} is not a value of discord-api-types' enum for ${expected.type}`);
  return findings;
}

const ENUMS: Readonly<Record<string, object>> = {
  APIMessage: MessageType,
  APIApplicationCommand: ApplicationCommandType,
  APIChatInputApplicationCommandGuildInteraction: InteractionType,
  APIChatInputApplicationCommandDMInteraction: InteractionType,
  APITextChannel: ChannelType,
  APIGuildVoiceChannel: ChannelType,
  APIGuildCategoryChannel: ChannelType,
  APIDMChannel: ChannelType,
};

/** The components of a message, every level of them: their `type` must be one discord-api-types knows. */
export function componentFindings(where: string, components: unknown): string[] {
  const findings: string[] = [];
  const stack: { where: string; node: unknown }[] = [{ where, node: components }];
  while (stack.length > 0) {
    const { where: at, node } = stack.pop() as { where: string; node: unknown };
    if (Array.isArray(node)) node.forEach((child, i) => stack.push({ where: `${at}.${i}`, node: child }));
    else if (isObject(node)) {
      if (!Object.values(ComponentType).includes(node.type as number)) findings.push(`${at}: component type ${JSON.stringify(node.type)}`);
      for (const key of ['components', 'accessory', 'component'] as const)
        if (node[key] !== undefined) stack.push({ where: `${at}.${key}`, node: node[key] });
    }
  }
  return findings;
}

function channelShape(value: unknown): Shape {
  const type = isObject(value) ? value.type : undefined;
  if (type === ChannelType.DM) return DM_CHANNEL;
  if (type === ChannelType.GuildVoice || type === ChannelType.GuildStageVoice) return VOICE_CHANNEL;
  if (type === ChannelType.GuildCategory) return CATEGORY_CHANNEL;
  return TEXT_CHANNEL;
}

/** Every typed object in one gateway dispatch. */
export function placeDispatch(t: string, d: unknown, where: string): Placed[] {
  const out: Placed[] = [];
  const at = (path: string) => `${where}.${path}`;
  if (!isObject(d)) return out;
  switch (t) {
    case 'READY':
      out.push({ where, shape: READY, value: d }, { where: at('user'), shape: USER, value: d.user });
      out.push({ where: at('application'), shape: READY_APPLICATION, value: d.application });
      break;
    case 'GUILD_CREATE':
      out.push({ where, shape: GUILD_CREATE, value: d });
      each(d.roles, (role, i) => out.push({ where: at(`roles.${i}`), shape: ROLE, value: role }));
      each(d.channels, (channel, i) => out.push({ where: at(`channels.${i}`), shape: channelShape(channel), value: channel }));
      each(d.members, (member, i) => out.push(...placeMember(MEMBER, member, at(`members.${i}`))));
      break;
    case 'GUILD_MEMBER_ADD':
      out.push(...placeMember(MEMBER, d, where));
      break;
    case 'GUILD_ROLE_CREATE':
      out.push({ where: at('role'), shape: ROLE, value: d.role });
      break;
    case 'CHANNEL_CREATE':
      out.push({ where, shape: channelShape(d), value: d });
      break;
    case 'MESSAGE_CREATE':
    case 'MESSAGE_UPDATE':
      out.push(...placeMessage(d, where));
      if (d.member !== undefined) out.push({ where: at('member'), shape: MESSAGE_MEMBER, value: d.member });
      break;
    case 'INTERACTION_CREATE':
      out.push(...placeInteraction(d, where));
      break;
  }
  return out;
}

function placeInteraction(d: Record<string, unknown>, where: string): Placed[] {
  const at = (path: string) => `${where}.${path}`;
  const out: Placed[] = [{ where, shape: d.guild_id === undefined ? DM_INTERACTION : GUILD_INTERACTION, value: d }];
  if (d.member !== undefined) out.push(...placeMember(INTERACTION_MEMBER, d.member, at('member')));
  if (d.user !== undefined) out.push({ where: at('user'), shape: USER, value: d.user });
  if (d.message !== undefined) out.push(...placeMessage(d.message, at('message')));
  const resolved = isObject(d.data) && isObject(d.data.resolved) ? d.data.resolved : {};
  for (const [id, user] of entries(resolved.users)) out.push({ where: at(`data.resolved.users.${id}`), shape: USER, value: user });
  for (const [id, member] of entries(resolved.members))
    out.push({ where: at(`data.resolved.members.${id}`), shape: RESOLVED_MEMBER, value: member });
  for (const [id, role] of entries(resolved.roles)) out.push({ where: at(`data.resolved.roles.${id}`), shape: ROLE, value: role });
  for (const [id, channel] of entries(resolved.channels))
    out.push({ where: at(`data.resolved.channels.${id}`), shape: RESOLVED_CHANNEL, value: channel });
  for (const [id, file] of entries(resolved.attachments))
    out.push({ where: at(`data.resolved.attachments.${id}`), shape: ATTACHMENT, value: file });
  for (const [id, message] of entries(resolved.messages)) out.push(...placeMessage(message, at(`data.resolved.messages.${id}`)));
  return out;
}

function placeMember(expected: Shape, member: unknown, where: string): Placed[] {
  const out: Placed[] = [{ where, shape: expected, value: member }];
  if (isObject(member) && member.user !== undefined) out.push({ where: `${where}.user`, shape: USER, value: member.user });
  return out;
}

function placeMessage(message: unknown, where: string): Placed[] {
  const out: Placed[] = [{ where, shape: MESSAGE, value: message }];
  if (!isObject(message)) return out;
  out.push({ where: `${where}.author`, shape: USER, value: message.author });
  each(message.mentions, (user, i) => out.push({ where: `${where}.mentions.${i}`, shape: USER, value: user }));
  each(message.attachments, (file, i) => out.push({ where: `${where}.attachments.${i}`, shape: ATTACHMENT, value: file }));
  return out;
}

/** Every typed object in one REST answer, by the route that gave it. */
export function placeResponse(request: RecordedRequest, where: string): Placed[] {
  const body = request.response;
  if (body === undefined || request.status >= 300) return [];
  const route = `${request.method} ${request.route ?? ''}`;
  const list = (shapeOf: (value: unknown) => Shape): Placed[] =>
    Array.isArray(body) ? (body as unknown[]).map((value, i) => ({ where: `${where}.${i}`, shape: shapeOf(value), value })) : [];
  if (/ \/users\/(@me|:user_id)$/.test(route) && route.startsWith('GET')) return [{ where, shape: USER, value: body }];
  if (route === 'POST /users/@me/channels' || route === 'GET /channels/:channel_id')
    return [{ where, shape: channelShape(body), value: body }];
  if (route === 'GET /guilds/:guild_id/channels') return list(channelShape);
  if (route === 'GET /guilds/:guild_id') {
    const roles: unknown[] = isObject(body) && Array.isArray(body.roles) ? (body.roles as unknown[]) : [];
    return [{ where, shape: GUILD, value: body }, ...roles.map((value, i) => ({ where: `${where}.roles.${i}`, shape: ROLE, value }))];
  }
  if (route === 'GET /guilds/:guild_id/roles') return list(() => ROLE);
  if (route === 'GET /guilds/:guild_id/members' || route === 'GET /guilds/:guild_id/members/search')
    return Array.isArray(body) ? body.flatMap((member, i) => placeMember(MEMBER, member, `${where}.${i}`)) : [];
  if (route === 'GET /guilds/:guild_id/members/:user_id') return placeMember(MEMBER, body, where);
  if (route === 'GET /channels/:channel_id/messages')
    return Array.isArray(body) ? body.flatMap((message, i) => placeMessage(message, `${where}.${i}`)) : [];
  if (route === 'GET /channels/:channel_id/messages/pins') {
    const items: unknown[] = isObject(body) && Array.isArray(body.items) ? (body.items as unknown[]) : [];
    return items.flatMap((item, i) => (isObject(item) ? placeMessage(item.message, `${where}.items.${i}.message`) : []));
  }
  if (/\/messages(\/:message_id|\/@original)?$/.test(route) || /^POST \/webhooks\/:webhook_id\/:webhook_token$/.test(route))
    return placeMessage(body, where);
  if (route.endsWith('/applications/@me')) return [{ where, shape: APPLICATION, value: body }];
  if (/\/commands(\/:command_id)?$/.test(route))
    return Array.isArray(body) ? list(() => COMMAND) : [{ where, shape: COMMAND, value: body }];
  if (route === 'POST /channels/:channel_id/webhooks' || route === 'GET /webhooks/:webhook_id/:webhook_token')
    return [{ where, shape: WEBHOOK, value: body }];
  if (route.endsWith('/callback') && isObject(body) && isObject(body.resource) && body.resource.message !== undefined)
    return placeMessage(body.resource.message, `${where}.resource.message`);
  return [];
}

function each(list: unknown, visit: (item: unknown, index: number) => void): void {
  if (Array.isArray(list)) list.forEach(visit);
}

function entries(map: unknown): [string, unknown][] {
  return isObject(map) ? Object.entries(map) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
