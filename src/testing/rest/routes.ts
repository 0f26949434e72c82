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
      type: null,
      bot_public: true,
      bot_require_code_grant: false,
      owner: owner ? userToAPI(owner) : undefined,
      team,
      verify_key: '0'.repeat(64),
      flags: 0,
      flags_new: '0',
      summary: '',
      bot: userToAPI(state.botUser),
      redirect_uris: [],
      interactions_endpoint_url: null,
      role_connections_verification_url: null,
      approximate_guild_count: state.guilds.size,
      approximate_user_install_count: 0,
      approximate_user_authorization_count: 0,
      explicit_content_filter: 0,
      eligible_oauth2_scopes: ['applications.commands', 'bot'],
    };
  };
  const pinsOf = new WeakMap<APIMessage, string>();

  return [
    r('GET', '/gateway', 'none', () => ok({ url: ctx.gatewayUrl() })),
    r('GET', '/gateway/bot', 'bot', () =>
      ok({
        url: ctx.gatewayUrl(),
        shards: ctx.shardCount,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: ctx.maxConcurrency },
      }),
    ),
    // The bot's own account, with the private fields only its owner sees.
    r('GET', '/users/@me', 'bot', () =>
      ok({ ...userToAPI(state.botUser), mfa_enabled: false, locale: state.botUser.locale, verified: true }),
    ),
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

    // The fake keeps no permission overwrites for commands: every command has the defaults its definition gives.
    r('GET', '/applications/:application_id/guilds/:guild_id/commands/permissions', 'bot', (req) => {
      commandGuild(req);
      return ok([]);
    }),
    r('GET', '/applications/:application_id/guilds/:guild_id/commands/:command_id/permissions', 'bot', (req) => {
      // A global command has permissions per guild too.
      const id = req.params.command_id ?? '';
      if (!commands.get(id, commandGuild(req)) && !commands.get(id)) unknownCommand();
      throw new DiscordApiFailure(404, 10066, 'Unknown application command permissions');
    }),

    r('GET', '/guilds/:guild_id', 'bot', (req) =>
      ok(req.query.get('with_counts') === 'true' ? guildOf(req).toAPIWithCounts() : guildOf(req).toAPI()),
    ),
    r('GET', '/guilds/:guild_id/channels', 'bot', (req) => ok([...guildOf(req).channels.values()].map((c) => c.toAPI()))),
    r('GET', '/guilds/:guild_id/roles', 'bot', (req) => ok(guildOf(req).toAPI().roles)),
    r('GET', '/guilds/:guild_id/members', 'bot', (req) => ok([...guildOf(req).members.values()].map((m) => guildOf(req).memberToAPI(m)))),
    r('GET', '/guilds/:guild_id/members/search', 'bot', (req) => {
      const guild = guildOf(req);
      const query = (req.query.get('query') ?? '').toLowerCase();
      const limit = Number(req.query.get('limit') ?? 1);
      // Discord matches the start of the username or the nickname, case-insensitively.
      const found = [...guild.members.values()].filter(
        (m) => m.user.username.toLowerCase().startsWith(query) || (m.nick ?? '').toLowerCase().startsWith(query),
      );
      return ok(found.slice(0, limit).map((m) => guild.memberToAPI(m)));
    }),
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
    r('GET', '/channels/:channel_id/messages/pins', 'bot', (req) => {
      const channel = channelOf(req);
      requireBotPermissions(state, channel, PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory);
      const before = req.query.get('before');
      const limit = Number(req.query.get('limit') ?? 50);
      const pinned = channel.messages
        .filter((m) => m.pinned)
        .map((message) => ({ pinned_at: pinsOf.get(message) ?? message.timestamp, message }))
        .sort((a, b) => b.pinned_at.localeCompare(a.pinned_at))
        .filter((pin) => before === null || pin.pinned_at < before);
      return ok({ items: pinned.slice(0, limit), has_more: pinned.length > limit });
    }),
    ...(['PUT', 'DELETE'] as const).map((method) =>
      r(method, '/channels/:channel_id/messages/pins/:message_id', 'bot', (req) => {
        const channel = channelOf(req);
        const message = channelMessage(req);
        requireBotPermissions(state, channel, PermissionFlagsBits.PinMessages);
        const pinned = method === 'PUT';
        if (message.pinned !== pinned) {
          if (pinned) pinsOf.set(message, new Date(state.now()).toISOString());
          else pinsOf.delete(message);
          state.setPinned(channel, message, pinned);
        }
        return noContent;
      }),
    ),
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
      const name = typeof object(req).name === 'string' ? (object(req).name as string) : 'Webhook';
      // Made with the bot's token, it belongs to the bot's application: its messages may carry the bot's buttons.
      return ok(webhooks.create(channel, name, state.application.id).toAPI());
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
      if (isInteraction(id)) {
        const message = responder.followUp(token, object(req), req.files);
        return wait ? ok(message) : noContent;
      }
      const withComponents = req.query.get('with_components') === 'true';
      const { message, headers } = webhooks.execute(id, token, object(req), req.files, { withComponents });
      return { ...(wait ? ok(message) : noContent), headers };
    }),
    r('DELETE', '/webhooks/:webhook_id/:webhook_token', 'none', (req) => {
      webhooks.delete(req.params.webhook_id ?? '', req.params.webhook_token ?? '');
      return noContent;
    }),
    // `@original` is a route of its own on Discord (a message id is a snowflake); both share the handlers.
    ...['@original', ':message_id'].flatMap((message) => {
      const template = `/webhooks/:webhook_id/:webhook_token/messages/${message}`;
      const target = (req: RestRequest) => {
        const { webhook_id: id = '', webhook_token: token = '', message_id: messageId = '@original' } = req.params;
        return { id, token, messageId };
      };
      return [
        r('GET', template, 'none', (req) => {
          const { id, token, messageId } = target(req);
          return ok(isInteraction(id) ? responder.fetchMessage(token, messageId) : webhooks.message(id, token, messageId));
        }),
        r('PATCH', template, 'none', (req) => {
          const { id, token, messageId } = target(req);
          if (isInteraction(id)) return ok(responder.editMessage(token, messageId, object(req), req.files));
          const message = webhooks.message(id, token, messageId);
          return ok(
            state.editMessage(message, readMessageFields(state, object(req), req.files, { partial: true, existing: message }).fields),
          );
        }),
        r('DELETE', template, 'none', (req) => {
          const { id, token, messageId } = target(req);
          if (isInteraction(id)) responder.deleteMessage(token, messageId);
          else state.deleteMessage(webhooks.message(id, token, messageId));
          return noContent;
        }),
      ];
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
