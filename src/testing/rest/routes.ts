import { ChannelType, MessageFlags, MessageType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { APIMessage } from 'discord-api-types/v10';
import type { CommandStore } from '../commands.js';
import { DiscordApiFailure, MISSING_PERMISSIONS, UNKNOWN_MESSAGE } from '../discord-error.js';
import type { InteractionResponder } from '../interactions/responder.js';
import { readMessageFields } from '../messages.js';
import { userToAPI } from '../state.js';
import type { FakeChannel, FakeState } from '../state.js';
import type { FakeWebhooks } from '../webhooks.js';
import type { Auth, RouteDefinition } from './router.js';
import type { RestReply, RestRequest, RouteHandler } from './server.js';

export interface RouteContext {
  readonly state: FakeState;
  readonly commands: CommandStore;
  readonly responder: InteractionResponder;
  readonly webhooks: FakeWebhooks;
  readonly gatewayUrl: () => string;
  readonly shardCount: number;
  readonly maxConcurrency: number;
}

const ok = (body: unknown, status = 200): RestReply => ({ status, body });
const noContent: RestReply = { status: 204 };

/** Every REST route the fake serves, with Discord's templates; literal segments (`@me`) come before parameters. */
export function createRoutes(ctx: RouteContext): RouteDefinition<RouteHandler>[] {
  const { state, commands, responder, webhooks } = ctx;
  const r = (method: string, template: string, auth: Auth, handler: RouteHandler): RouteDefinition<RouteHandler> => ({
    method,
    template,
    auth,
    handler,
  });
  const object = (req: RestRequest): Record<string, unknown> => (Array.isArray(req.body) ? {} : req.body);
  const guildOf = (req: RestRequest) => {
    const guild = state.guilds.get(req.params.guild_id ?? '');
    if (!guild) throw new DiscordApiFailure(404, 10004, 'Unknown Guild');
    return guild;
  };
  const channelOf = (req: RestRequest): FakeChannel => {
    const channel = state.channels.get(req.params.channel_id ?? '');
    if (!channel) throw new DiscordApiFailure(404, 10003, 'Unknown Channel');
    return channel;
  };
  const channelMessage = (req: RestRequest): APIMessage => {
    const message = channelOf(req).messages.find((m) => m.id === req.params.message_id);
    if (!message) throw UNKNOWN_MESSAGE();
    return message;
  };
  const checkApplication = (req: RestRequest): void => {
    if (req.params.application_id !== state.application.id) throw new DiscordApiFailure(404, 10002, 'Unknown Application');
  };
  const commandGuild = (req: RestRequest): string | undefined => {
    checkApplication(req);
    return req.params.guild_id === undefined ? undefined : guildOf(req).id;
  };
  const applicationAPI = () => {
    const [owner, ...rest] = state.application.owners;
    const team =
      rest.length > 0 && owner
        ? {
            id: state.application.id,
            name: `${state.application.name} team`,
            icon: null,
            owner_user_id: owner.id,
            members: state.application.owners.map((u) => ({
              user: userToAPI(u),
              team_id: state.application.id,
              membership_state: 2,
              permissions: ['*'],
              role: 'admin',
            })),
          }
        : null;
    return {
      id: state.application.id,
      name: state.application.name,
      description: '',
      icon: null,
      bot_public: true,
      bot_require_code_grant: false,
      owner: owner ? userToAPI(owner) : undefined,
      team,
      verify_key: '0'.repeat(64),
      flags: 0,
      summary: '',
      bot: userToAPI(state.botUser),
    };
  };

  return [
    r('GET', '/gateway', 'none', () => ok({ url: ctx.gatewayUrl() })),
    r('GET', '/gateway/bot', 'bot', () =>
      ok({
        url: ctx.gatewayUrl(),
        shards: ctx.shardCount,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: ctx.maxConcurrency },
      }),
    ),
    r('GET', '/users/@me', 'bot', () => ok(userToAPI(state.botUser))),
    r('POST', '/users/@me/channels', 'bot', (req) => {
      const user = state.users.get(String(object(req).recipient_id));
      if (!user) throw new DiscordApiFailure(400, 50033, 'Invalid Recipients');
      return ok(state.dmChannel(user).toAPI());
    }),
    r('GET', '/users/:user_id', 'bot', (req) => {
      const user = state.users.get(req.params.user_id ?? '');
      if (!user) throw new DiscordApiFailure(404, 10013, 'Unknown User');
      return ok(userToAPI(user));
    }),
    r('GET', '/applications/@me', 'bot', () => ok(applicationAPI())),
    r('GET', '/oauth2/applications/@me', 'bot', () => ok(applicationAPI())),

    // Global and guild commands share their handlers; `commandGuild` reads the scope from the path.
    ...['/applications/:application_id', '/applications/:application_id/guilds/:guild_id'].flatMap((scope) => [
      r('GET', `${scope}/commands`, 'bot', (req) => ok(commands.list(commandGuild(req)))),
      r('PUT', `${scope}/commands`, 'bot', (req) => ok(commands.overwrite(req.body, commandGuild(req)))),
      r('POST', `${scope}/commands`, 'bot', (req) => {
        const { command, created } = commands.create(req.body, commandGuild(req));
        return ok(command, created ? 201 : 200);
      }),
      r('GET', `${scope}/commands/:command_id`, 'bot', (req) =>
        ok(commands.get(req.params.command_id ?? '', commandGuild(req)) ?? unknownCommand()),
      ),
      r('PATCH', `${scope}/commands/:command_id`, 'bot', (req) =>
        ok(commands.edit(req.params.command_id ?? '', req.body, commandGuild(req)) ?? unknownCommand()),
      ),
      r('DELETE', `${scope}/commands/:command_id`, 'bot', (req) =>
        commands.delete(req.params.command_id ?? '', commandGuild(req)) ? noContent : unknownCommand(),
      ),
    ]),

    r('GET', '/guilds/:guild_id', 'bot', (req) => ok(guildOf(req).toAPI())),
    r('GET', '/guilds/:guild_id/channels', 'bot', (req) => ok([...guildOf(req).channels.values()].map((c) => c.toAPI()))),
    r('GET', '/guilds/:guild_id/roles', 'bot', (req) => ok(guildOf(req).toAPI().roles)),
    r('GET', '/guilds/:guild_id/members', 'bot', (req) => ok([...guildOf(req).members.values()].map((m) => guildOf(req).memberToAPI(m)))),
    r('GET', '/guilds/:guild_id/members/:user_id', 'bot', (req) => {
      const guild = guildOf(req);
      const member = guild.members.get(req.params.user_id ?? '');
      if (!member) throw new DiscordApiFailure(404, 10007, 'Unknown Member');
      return ok(guild.memberToAPI(member));
    }),

    r('GET', '/channels/:channel_id', 'bot', (req) => ok(channelOf(req).toAPI())),
    r('GET', '/channels/:channel_id/messages', 'bot', (req) => {
      const limit = Math.min(Number(req.query.get('limit') ?? 50), 100);
      return ok(channelOf(req).messages.slice(-limit).reverse());
    }),
    r('POST', '/channels/:channel_id/messages', 'bot', (req) => {
      const channel = channelOf(req);
      if (!channel.isTextBased) throw new DiscordApiFailure(400, 50008, 'Cannot send messages in a non-text channel');
      const body = object(req);
      requireBotPermissions(
        state,
        channel,
        PermissionFlagsBits.ViewChannel |
          PermissionFlagsBits.SendMessages |
          (Array.isArray(body.embeds) && body.embeds.length > 0 ? PermissionFlagsBits.EmbedLinks : 0n) |
          (req.files.length > 0 ? PermissionFlagsBits.AttachFiles : 0n),
      );
      const { fields } = readMessageFields(state, body, req.files);
      const reference = body.message_reference as { message_id?: unknown } | undefined;
      const repliedTo = typeof reference?.message_id === 'string' ? reference.message_id : undefined;
      if (repliedTo !== undefined && !channel.messages.some((m) => m.id === repliedTo))
        throw DiscordApiFailure.invalidForm([{ path: 'message_reference', code: 'REPLIES_UNKNOWN_MESSAGE', message: 'Unknown message' }]);
      return ok(
        state.createMessage(channel, {
          author: userToAPI(state.botUser),
          ...fields,
          flags: (fields.flags ?? 0) & ~MessageFlags.Ephemeral,
          type: repliedTo ? MessageType.Reply : MessageType.Default,
          ...(repliedTo ? { reference: { message_id: repliedTo } } : {}),
        }),
      );
    }),
    r('GET', '/channels/:channel_id/messages/:message_id', 'bot', (req) => ok(channelMessage(req))),
    r('PATCH', '/channels/:channel_id/messages/:message_id', 'bot', (req) => {
      const message = channelMessage(req);
      if (message.author.id !== state.botUser.id) throw new DiscordApiFailure(403, 50005, 'Cannot edit a message authored by another user');
      const { fields } = readMessageFields(state, object(req), req.files, { partial: true, existing: message });
      return ok(state.editMessage(message, fields));
    }),
    r('DELETE', '/channels/:channel_id/messages/:message_id', 'bot', (req) => {
      const message = channelMessage(req);
      if (message.author.id !== state.botUser.id) requireBotPermissions(state, channelOf(req), PermissionFlagsBits.ManageMessages);
      state.deleteMessage(message);
      return noContent;
    }),
    r('POST', '/channels/:channel_id/typing', 'bot', (req) => {
      channelOf(req);
      return noContent;
    }),
    r('POST', '/channels/:channel_id/webhooks', 'bot', (req) => {
      const channel = channelOf(req);
      requireBotPermissions(state, channel, PermissionFlagsBits.ManageWebhooks);
      return ok(webhooks.create(channel, typeof object(req).name === 'string' ? (object(req).name as string) : 'Webhook').toAPI());
    }),
    r('GET', '/channels/:channel_id/webhooks', 'bot', (req) => {
      const channel = channelOf(req);
      requireBotPermissions(state, channel, PermissionFlagsBits.ManageWebhooks);
      return ok(webhooks.inChannel(channel).map((webhook) => webhook.toAPI()));
    }),

    r('POST', '/interactions/:interaction_id/:interaction_token/callback', 'none', (req) =>
      responder.callback(
        req.params.interaction_id ?? '',
        req.params.interaction_token ?? '',
        object(req),
        req.files,
        req.query.get('with_response') === 'true',
      ),
    ),

    r('GET', '/webhooks/:webhook_id/:webhook_token', 'none', (req) =>
      ok(webhooks.get(req.params.webhook_id ?? '', req.params.webhook_token ?? '').toAPI()),
    ),
    r('POST', '/webhooks/:webhook_id/:webhook_token', 'none', (req) => {
      const { webhook_id: id = '', webhook_token: token = '' } = req.params;
      const wait = req.query.get('wait') === 'true';
      const message = isInteraction(id)
        ? responder.followUp(token, object(req), req.files)
        : webhooks.execute(id, token, object(req), req.files);
      return wait ? ok(message) : noContent;
    }),
    r('GET', '/webhooks/:webhook_id/:webhook_token/messages/:message_id', 'none', (req) => {
      const { webhook_id: id = '', webhook_token: token = '', message_id: messageId = '' } = req.params;
      return ok(isInteraction(id) ? responder.fetchMessage(token, messageId) : webhooks.message(id, token, messageId));
    }),
    r('PATCH', '/webhooks/:webhook_id/:webhook_token/messages/:message_id', 'none', (req) => {
      const { webhook_id: id = '', webhook_token: token = '', message_id: messageId = '' } = req.params;
      if (isInteraction(id)) return ok(responder.editMessage(token, messageId, object(req), req.files));
      const message = webhooks.message(id, token, messageId);
      return ok(state.editMessage(message, readMessageFields(state, object(req), req.files, { partial: true, existing: message }).fields));
    }),
    r('DELETE', '/webhooks/:webhook_id/:webhook_token/messages/:message_id', 'none', (req) => {
      const { webhook_id: id = '', webhook_token: token = '', message_id: messageId = '' } = req.params;
      if (isInteraction(id)) responder.deleteMessage(token, messageId);
      else state.deleteMessage(webhooks.message(id, token, messageId));
      return noContent;
    }),
  ];

  /** On Discord, a webhook id equal to the application id means the token is an interaction token. */
  function isInteraction(webhookId: string): boolean {
    return webhookId === state.application.id;
  }
}

function unknownCommand(): never {
  throw new DiscordApiFailure(404, 10063, 'Unknown application command');
}

/** Answers 403 50013 when the bot lacks a permission in the channel, as Discord does for bot-token requests. */
function requireBotPermissions(state: FakeState, channel: FakeChannel, needed: bigint): void {
  const guild = channel.guild;
  if (!guild || channel.type === ChannelType.DM) return;
  const missing = needed & ~guild.permissionsOf(state.botUser, channel);
  // Discord does not say which permission is missing; finding out is the bot's (and Lantern's) job.
  if (missing !== 0n) throw MISSING_PERMISSIONS();
}
