import { DiscordAPIError, PermissionFlagsBits, PermissionsBitField, RESTJSONErrorCodes } from 'discord.js';
import type { Client as DiscordClient, PermissionsString } from 'discord.js';
import { causeChain } from './causes.js';
import { readablePermission } from '../util/permissions.js';

/**
 * Where an interaction says what the bot may do: its channel and the app's permissions there (structurally an
 * interaction's context, which lives above this folder).
 */
export interface PermissionsSource {
  readonly channelId: string | null;
  readonly interaction: { readonly appPermissions: Readonly<PermissionsBitField> };
}

const P = PermissionFlagsBits;
const ID = String.raw`\d{15,22}`;

/** What Discord checks for the requests bots make most, by method and route (a first match wins). */
const NEEDS: readonly { method: string; route: RegExp; needs: (body: RequestBody) => bigint }[] = [
  {
    method: 'POST',
    route: new RegExp(`^/channels/(${ID})/messages$`),
    needs: (body) =>
      P.ViewChannel |
      (body.thread ? P.SendMessagesInThreads : P.SendMessages) |
      (body.embeds ? P.EmbedLinks : 0n) |
      (body.files ? P.AttachFiles : 0n) |
      (body.reply ? P.ReadMessageHistory : 0n),
  },
  { method: 'DELETE', route: new RegExp(`^/channels/(${ID})/messages/${ID}$`), needs: () => P.ViewChannel | P.ManageMessages },
  {
    method: 'POST',
    route: new RegExp(`^/channels/(${ID})/messages/bulk-delete$`),
    needs: () => P.ViewChannel | P.ManageMessages | P.ReadMessageHistory,
  },
  {
    method: 'PUT',
    route: new RegExp(`^/channels/(${ID})/messages/${ID}/reactions/`),
    needs: () => P.ViewChannel | P.AddReactions | P.ReadMessageHistory,
  },
  { method: 'PUT', route: new RegExp(`^/channels/(${ID})/pins/${ID}$`), needs: () => P.ViewChannel | P.ManageMessages },
  { method: 'POST', route: new RegExp(`^/channels/(${ID})/webhooks$`), needs: () => P.ManageWebhooks },
  { method: 'POST', route: new RegExp(`^/channels/(${ID})/threads$`), needs: () => P.ViewChannel | P.CreatePublicThreads },
  { method: 'PUT', route: new RegExp(`^/guilds/${ID}/members/${ID}/roles/${ID}$`), needs: () => P.ManageRoles },
  { method: 'DELETE', route: new RegExp(`^/guilds/${ID}/members/${ID}/roles/${ID}$`), needs: () => P.ManageRoles },
  { method: 'PUT', route: new RegExp(`^/guilds/${ID}/bans/${ID}$`), needs: () => P.BanMembers },
  { method: 'DELETE', route: new RegExp(`^/guilds/${ID}/members/${ID}$`), needs: () => P.KickMembers },
];

/** What decides the permissions a request needs besides its route. */
interface RequestBody {
  embeds: boolean;
  files: boolean;
  reply: boolean;
  /** Posting in a thread takes Send Messages in Threads instead of Send Messages. */
  thread: boolean;
}

/**
 * For a 403 Missing Permissions (50013), which Discord sends without saying what is missing: the request it
 * refused and, where the bot's permissions in that channel can be read, the ones it lacks, by name
 * ("Discord refused POST /channels/123/messages: the bot lacks Embed Links in #general (123)").
 * `undefined` for any other error.
 */
export function explainMissingPermissions(error: unknown, discord: DiscordClient, ctx: PermissionsSource | undefined): string | undefined {
  const refused = findMissingPermissions(error);
  if (!refused) return undefined;
  const path = new URL(refused.url).pathname.replace(/^\/api(\/v\d+)?/, '');
  const request = `${refused.method} ${path.replace(/\/[\w-]{60,}/g, '/:token')}`;
  const rule = NEEDS.find((r) => r.method === refused.method && r.route.test(path));
  if (!rule) return `Discord refused ${request} with Missing Permissions (50013)`;
  const channelId = rule.route.exec(path)?.[1];
  const json = (refused.requestBody.json ?? {}) as { embeds?: unknown[]; message_reference?: unknown };
  const thread = channelId !== undefined && discord.channels.cache.get(channelId)?.isThread() === true;
  const needed = rule.needs({
    embeds: (json.embeds?.length ?? 0) > 0,
    files: (refused.requestBody.files?.length ?? 0) > 0,
    reply: json.message_reference !== undefined,
    thread,
  });
  const where = channelId ? describeChannel(discord, channelId) : 'the server';
  const have = channelId ? botPermissionsIn(discord, channelId, ctx) : botGuildPermissions(discord, path);
  const neededNames = new PermissionsBitField(needed).toArray();
  if (!have) return `Discord refused ${request} with Missing Permissions: the bot needs ${list(neededNames)} in ${where}`;
  const missing = have.missing(needed);
  if (missing.length === 0)
    return (
      `Discord refused ${request} with Missing Permissions in ${where}, though the bot seems to ` +
      `have ${list(neededNames)} there (a role hierarchy or a channel overwrite may be the cause)`
    );
  return `Discord refused ${request}: the bot lacks ${list(missing)} in ${where}`;
}

function findMissingPermissions(error: unknown): DiscordAPIError | undefined {
  if (!(error instanceof Error)) return undefined;
  return causeChain(error).find(
    (cause): cause is DiscordAPIError => cause instanceof DiscordAPIError && cause.code === RESTJSONErrorCodes.MissingPermissions,
  );
}

function describeChannel(discord: DiscordClient, channelId: string): string {
  const channel = discord.channels.cache.get(channelId);
  return channel && 'name' in channel && channel.name ? `#${channel.name} (${channelId})` : `channel ${channelId}`;
}

function botPermissionsIn(
  discord: DiscordClient,
  channelId: string,
  ctx: PermissionsSource | undefined,
): Readonly<PermissionsBitField> | undefined {
  const channel = discord.channels.cache.get(channelId);
  const me = discord.user;
  if (channel && me && 'permissionsFor' in channel) {
    const permissions = channel.permissionsFor(me);
    if (permissions) return permissions;
  }
  // Discord sends the bot's permissions in the interaction's channel with every interaction.
  return ctx?.channelId === channelId ? ctx.interaction.appPermissions : undefined;
}

function botGuildPermissions(discord: DiscordClient, path: string): Readonly<PermissionsBitField> | undefined {
  const guildId = /^\/guilds\/(\d+)\//.exec(path)?.[1];
  return guildId ? discord.guilds.cache.get(guildId)?.members.me?.permissions : undefined;
}

function list(flags: readonly PermissionsString[]): string {
  return flags.map(readablePermission).join(', ');
}
