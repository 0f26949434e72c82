import { InteractionResponseType, InteractionType, MessageFlags, MessageType } from 'discord-api-types/v10';
import type { APIApplicationCommandOptionChoice, APIMessage, APIModalInteractionResponseCallbackData } from 'discord-api-types/v10';
import {
  ALREADY_ACKNOWLEDGED,
  DiscordApiFailure,
  INVALID_WEBHOOK_TOKEN,
  UNKNOWN_INTERACTION,
  UNKNOWN_MESSAGE,
  UNKNOWN_WEBHOOK,
} from '../discord-error.js';
import { modalComponentErrors } from '../component-rules.js';
import { readMessageFields } from '../messages.js';
import type { IncomingFile } from '../messages.js';
import type { RestReply } from '../rest/server.js';
import { readInteger } from '../spec/json-schema.js';
import { userToAPI } from '../state.js';
import type { FakeState, MessageInit } from '../state.js';
import { LiveInteraction } from './handle.js';
import type { AcknowledgementKind, InteractionHandle, InteractionInit } from './handle.js';

export interface ResponderOptions {
  /** How long an interaction waits for its first response before Discord forgets it (3 s on Discord). */
  readonly interactionTimeoutMs: number;
  /** How long the token works for edits and follow-ups after that (15 minutes on Discord). */
  readonly interactionTokenTtlMs: number;
  /** How many interactions are kept; past it the oldest are forgotten, so long benchmarks stay bounded. */
  readonly interactionLimit: number;
}

const REPLYABLE = [InteractionType.ApplicationCommand, InteractionType.MessageComponent, InteractionType.ModalSubmit];
const ON_A_MESSAGE = [InteractionType.MessageComponent, InteractionType.ModalSubmit];

/** Each callback type Discord takes: what it acknowledges as, and the interaction types it may answer. */
const CALLBACKS: Record<number, { readonly kind: AcknowledgementKind; readonly allowed: readonly InteractionType[] }> = {
  [InteractionResponseType.ChannelMessageWithSource]: { kind: 'reply', allowed: REPLYABLE },
  [InteractionResponseType.DeferredChannelMessageWithSource]: { kind: 'deferReply', allowed: REPLYABLE },
  [InteractionResponseType.DeferredMessageUpdate]: { kind: 'deferUpdate', allowed: ON_A_MESSAGE },
  [InteractionResponseType.UpdateMessage]: { kind: 'update', allowed: ON_A_MESSAGE },
  [InteractionResponseType.ApplicationCommandAutocompleteResult]: {
    kind: 'autocomplete',
    allowed: [InteractionType.ApplicationCommandAutocomplete],
  },
  [InteractionResponseType.Modal]: { kind: 'showModal', allowed: [InteractionType.ApplicationCommand, InteractionType.MessageComponent] },
};

/** Where interaction tokens live: it applies callbacks and webhook calls to their interactions as Discord would. */
export class InteractionResponder {
  /** Insertion-ordered, so the oldest interaction is the first key. */
  private readonly byId = new Map<string, LiveInteraction>();
  private readonly byToken = new Map<string, LiveInteraction>();

  constructor(
    private readonly state: FakeState,
    private readonly options: ResponderOptions,
  ) {}

  register(init: InteractionInit): InteractionHandle {
    const live = new LiveInteraction(init);
    this.byId.set(init.id, live);
    this.byToken.set(init.token, live);
    for (const [id, oldest] of this.byId) {
      if (this.byId.size <= this.options.interactionLimit) break;
      this.byId.delete(id);
      this.byToken.delete(oldest.init.token);
    }
    return live.handle;
  }

  get(id: string): InteractionHandle | undefined {
    return this.byId.get(id)?.handle;
  }

  /** POST /interactions/:id/:token/callback */
  callback(id: string, token: string, body: Record<string, unknown>, files: readonly IncomingFile[], withResponse: boolean): RestReply {
    const live = this.byId.get(id);
    if (live?.init.token !== token) throw UNKNOWN_INTERACTION();
    const { init } = live;
    const age = this.state.now() - init.createdAt;
    if (live.acknowledgement === null && age > this.options.interactionTimeoutMs) throw UNKNOWN_INTERACTION();
    if (live.acknowledgement !== null) throw ALREADY_ACKNOWLEDGED();

    const type = body.type as number;
    const callback = CALLBACKS[type];
    if (callback === undefined)
      throw DiscordApiFailure.invalidForm([
        { path: 'type', code: 'BASE_TYPE_CHOICES', message: `Value must be one of {4, 5, 6, 7, 8, 9}.` },
      ]);
    const { kind, allowed } = callback;
    const source = init.sourceMessage;
    if (!allowed.includes(init.type) || ((kind === 'update' || kind === 'deferUpdate') && source === null)) {
      throw new DiscordApiFailure(400, 40043, `Interaction callback type ${type} is not valid for interaction type ${init.type}`);
    }
    const data = isObject(body.data) ? body.data : {};

    switch (kind) {
      case 'reply':
      case 'deferReply': {
        const defer = kind === 'deferReply';
        const flags = readInteger(data.flags) ?? 0;
        const ephemeral = (flags & MessageFlags.Ephemeral) !== 0;
        const { fields, stored } = defer ? { fields: {}, stored: [] } : readMessageFields(this.state, data, files);
        const message = this.state.createMessage(
          init.channel,
          {
            ...this.responseAuthor(init),
            ...fields,
            flags: (fields.flags ?? 0) | (ephemeral ? MessageFlags.Ephemeral : 0) | (defer ? MessageFlags.Loading : 0),
          },
          { ephemeral },
        );
        live.original = message;
        live.originalLoading = defer;
        live.acknowledgement = kind;
        live.record({ kind, ephemeral, message, files: stored });
        break;
      }
      case 'update': {
        const message = this.liveMessage(source);
        const { fields, stored } = readMessageFields(this.state, data, files, { partial: true, existing: message });
        live.original = this.state.editMessage(message, fields);
        live.acknowledgement = kind;
        live.record({ kind, ephemeral: isEphemeral(message), message, files: stored });
        break;
      }
      case 'deferUpdate': {
        const message = this.liveMessage(source);
        live.original = message;
        live.acknowledgement = kind;
        live.record({ kind, ephemeral: isEphemeral(message), message: null, files: [] });
        break;
      }
      // A refused answer leaves the interaction unanswered, as on Discord: check first, acknowledge after.
      case 'autocomplete': {
        const choices = validateChoices(data.choices);
        live.acknowledgement = kind;
        live.record({ kind, ephemeral: true, message: null, files: [], choices });
        break;
      }
      case 'showModal': {
        const modal = validateModal(data);
        live.acknowledgement = kind;
        live.record({ kind, ephemeral: true, message: null, files: [], modal });
        break;
      }
    }
    if (!withResponse) return { status: 204 };
    const message = live.original;
    return {
      status: 200,
      body: {
        interaction: {
          id: init.id,
          type: init.type,
          ...(message
            ? {
                response_message_id: message.id,
                response_message_loading: live.originalLoading,
                response_message_ephemeral: isEphemeral(message),
              }
            : {}),
        },
        resource: { type, ...(message && kind !== 'deferUpdate' ? { message } : {}) },
      },
    };
  }

  /** GET /webhooks/:app/:token/messages/:id */
  fetchMessage(token: string, messageId: string): APIMessage {
    return this.webhookMessage(this.liveByToken(token), messageId);
  }

  /** PATCH /webhooks/:app/:token/messages/:id */
  editMessage(token: string, messageId: string, body: Record<string, unknown>, files: readonly IncomingFile[]): APIMessage {
    const live = this.liveByToken(token);
    const message = this.webhookMessage(live, messageId);
    const { fields, stored } = readMessageFields(this.state, body, files, { partial: true, existing: message });
    const isOriginal = message === live.original;
    if (isOriginal) live.originalLoading = false;
    this.state.editMessage(message, fields);
    live.record({ kind: isOriginal ? 'editReply' : 'editFollowUp', ephemeral: isEphemeral(message), message, files: stored });
    return message;
  }

  /** DELETE /webhooks/:app/:token/messages/:id */
  deleteMessage(token: string, messageId: string): void {
    const live = this.liveByToken(token);
    const message = this.webhookMessage(live, messageId);
    this.state.deleteMessage(message);
    const isOriginal = message === live.original;
    if (isOriginal) live.original = null;
    else live.followUps.delete(message.id);
    live.record({ kind: isOriginal ? 'deleteReply' : 'deleteFollowUp', ephemeral: isEphemeral(message), message: null, files: [] });
  }

  /** POST /webhooks/:app/:token: a follow-up; the first one after a deferred reply fills the "thinking" message. */
  followUp(token: string, body: Record<string, unknown>, files: readonly IncomingFile[]): APIMessage {
    const live = this.liveByToken(token);
    const { fields, stored } = readMessageFields(this.state, body, files);
    if (live.original && live.originalLoading) {
      live.originalLoading = false;
      const message = this.state.editMessage(live.original, fields);
      live.record({ kind: 'followUp', ephemeral: isEphemeral(message), message, files: stored });
      return message;
    }
    const ephemeral = ((fields.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
    const message = this.state.createMessage(live.init.channel, { ...this.responseAuthor(live.init), ...fields }, { ephemeral });
    live.followUps.set(message.id, message);
    live.record({ kind: 'followUp', ephemeral, message, files: stored });
    return message;
  }

  private liveByToken(token: string): LiveInteraction {
    const live = this.byToken.get(token);
    // A token the fake no longer holds was real once if it has an interaction token's shape: it has expired.
    if (!live) throw looksLikeInteractionToken(token) ? INVALID_WEBHOOK_TOKEN() : UNKNOWN_WEBHOOK();
    if (this.state.now() - live.init.createdAt > this.options.interactionTokenTtlMs) throw INVALID_WEBHOOK_TOKEN();
    if (live.acknowledgement === null) throw UNKNOWN_WEBHOOK();
    return live;
  }

  private webhookMessage(live: LiveInteraction, messageId: string): APIMessage {
    return this.liveMessage(messageId === '@original' ? live.original : (live.followUps.get(messageId) ?? null));
  }

  /** The message unless something (a channel DELETE too) removed it since. */
  private liveMessage(message: APIMessage | null): APIMessage {
    if (!message || this.state.isDeleted(message)) throw UNKNOWN_MESSAGE();
    return message;
  }

  private responseAuthor(
    init: InteractionInit,
  ): Pick<MessageInit, 'author' | 'webhookId' | 'applicationId' | 'type' | 'interactionMetadata'> {
    const applicationId = this.state.application.id;
    const commandType =
      init.type === InteractionType.ApplicationCommand ? (init.payload.data as { type?: number } | undefined)?.type : undefined;
    return {
      author: userToAPI(this.state.botUser),
      webhookId: applicationId,
      applicationId,
      type:
        commandType === undefined ? MessageType.Default : commandType === 1 ? MessageType.ChatInputCommand : MessageType.ContextMenuCommand,
      interactionMetadata: {
        id: init.id,
        type: init.type,
        user: userToAPI(init.user),
        authorizing_integration_owners: init.payload.authorizing_integration_owners,
        ...(init.sourceMessage ? { interacted_message_id: init.sourceMessage.id } : {}),
      } as APIMessage['interaction_metadata'],
    };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksLikeInteractionToken(token: string): boolean {
  return Buffer.from(token, 'base64url').toString('latin1').startsWith('interaction:');
}

function isEphemeral(message: APIMessage): boolean {
  return ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
}

/*
 * The request description has already checked each body's types and lengths (fake-discord.ts validates every request
 * first); what is left here are the rules Discord documents beyond it.
 */

/** `choices` is required, and a string value has at most 100 characters (the description allows 6,000). */
function validateChoices(value: unknown): APIApplicationCommandOptionChoice[] {
  if (!Array.isArray(value))
    throw DiscordApiFailure.invalidForm([{ path: 'data.choices', code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
  const choices = value as APIApplicationCommandOptionChoice[];
  const errors = choices.flatMap(({ value: choice }, i) =>
    typeof choice === 'string' && choice.length > 100
      ? [
          {
            path: `data.choices.${i}.value`,
            code: 'BASE_TYPE_BAD_LENGTH',
            message: 'Must be a number, or a string of 100 or fewer in length.',
          },
        ]
      : [],
  );
  if (errors.length > 0) throw DiscordApiFailure.invalidForm(errors);
  return choices;
}

/** At most 5 components (the description allows 40), each as Discord checks a modal's components. */
function validateModal(data: Record<string, unknown>): APIModalInteractionResponseCallbackData {
  const components = data.components as unknown[];
  const errors =
    components.length > 5
      ? [{ path: 'data.components', code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' }]
      : modalComponentErrors(components);
  if (errors.length > 0) throw DiscordApiFailure.invalidForm(errors);
  return data as unknown as APIModalInteractionResponseCallbackData;
}
