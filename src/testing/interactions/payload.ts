import { randomBytes } from 'node:crypto';
import { InteractionContextType } from 'discord-api-types/v10';
import type { APIInteraction, APIMessage, InteractionType } from 'discord-api-types/v10';
import { DEFAULT_BOT_PERMISSIONS } from '../permissions.js';
import { userToAPI } from '../state.js';
import type { FakeChannel, FakeState, FakeUser } from '../state.js';

/** Discord's interaction tokens are base64 of `interaction:<id>:<secret>`; ours have the same shape and length. */
export function interactionToken(id: string): string {
  return Buffer.from(`interaction:${id}:${randomBytes(96).toString('base64url')}`).toString('base64url');
}

/** The INTERACTION_CREATE payload Discord sends for `user` acting in `channel`, with every field discord.js reads. */
export function interactionPayload(
  state: FakeState,
  input: {
    id: string;
    token: string;
    type: InteractionType;
    data: Record<string, unknown>;
    user: FakeUser;
    channel: FakeChannel;
    sourceMessage: APIMessage | null;
  },
): APIInteraction {
  const { user, channel } = input;
  const guild = channel.guild;
  const where = guild
    ? {
        guild_id: guild.id,
        guild: { id: guild.id, locale: guild.preferredLocale, features: [] },
        guild_locale: guild.preferredLocale,
        member: guild.memberToAPI(guild.member(user), channel),
        app_permissions: String(guild.permissionsOf(state.botUser, channel)),
        authorizing_integration_owners: { '0': guild.id },
        context: InteractionContextType.Guild,
      }
    : {
        user: userToAPI(user),
        app_permissions: String(DEFAULT_BOT_PERMISSIONS),
        authorizing_integration_owners: { '0': '0' },
        context: InteractionContextType.BotDM,
      };
  return {
    id: input.id,
    application_id: state.application.id,
    type: input.type,
    data: input.data,
    token: input.token,
    version: 1,
    channel: channel.toAPI(),
    channel_id: channel.id,
    locale: user.locale,
    entitlements: [],
    attachment_size_limit: 10 * 1024 * 1024,
    ...where,
    ...(input.sourceMessage ? { message: input.sourceMessage } : {}),
  } as unknown as APIInteraction;
}
