import { InteractionResponseType, InteractionType, MessageFlags, MessageType } from 'discord-api-types/v10';
import type { APIApplicationCommandOptionChoice, APIMessage, APIModalInteractionResponseCallbackData } from 'discord-api-types/v10';
import { ALREADY_ACKNOWLEDGED, DiscordApiFailure, INVALID_WEBHOOK_TOKEN, UNKNOWN_INTERACTION, UNKNOWN_MESSAGE, UNKNOWN_WEBHOOK } from '../discord-error.js';
import { readMessageFields } from '../messages.js';
import type { IncomingFile } from '../messages.js';
import { userToAPI } from '../state.js';
import type { FakeState } from '../state.js';
import type { AcknowledgementKind, InteractionHandle, ResponseKind } from './handle.js';

export interface ResponderOptions {
  /** How long an interaction waits for its first response before Discord forgets it (3 s on Discord). */
  readonly interactionTimeoutMs: number;
  /** How long the token works for edits and follow-ups after that (15 minutes on Discord). */
  readonly interactionTokenTtlMs: number;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

const ALLOWED_CALLBACKS: Record<number, readonly InteractionType[]> = {
  [InteractionResponseType.ChannelMessageWithSource]: [InteractionType.ApplicationCommand, InteractionType.MessageComponent, InteractionType.ModalSubmit],
  [InteractionResponseType.DeferredChannelMessageWithSource]: [InteractionType.ApplicationCommand, InteractionType.MessageComponent, InteractionType.ModalSubmit],
  [InteractionResponseType.DeferredMessageUpdate]: [InteractionType.MessageComponent, InteractionType.ModalSubmit],
  [InteractionResponseType.UpdateMessage]: [InteractionType.MessageComponent, InteractionType.ModalSubmit],
  [InteractionResponseType.ApplicationCommandAutocompleteResult]: [InteractionType.ApplicationCommandAutocomplete],
  [InteractionResponseType.Modal]: [InteractionType.ApplicationCommand, InteractionType.MessageComponent],
};

const KIND_OF_CALLBACK: Record<number, AcknowledgementKind> = {
  [InteractionResponseType.ChannelMessageWithSource]: 'reply',
  [InteractionResponseType.DeferredChannelMessageWithSource]: 'deferReply',
  [InteractionResponseType.DeferredMessageUpdate]: 'deferUpdate',
  [InteractionResponseType.UpdateMessage]: 'update',
  [InteractionResponseType.ApplicationCommandAutocompleteResult]: 'autocomplete',
  [InteractionResponseType.Modal]: 'showModal',
};

/** Where interaction tokens live: it applies callbacks and webhook calls to their handles as Discord would. */
export class InteractionResponder {
  private readonly byId = new Map<string, InteractionHandle>();
  private readonly byToken = new Map<string, InteractionHandle>();
  private sinceSweep = 0;

  constructor(
    private readonly state: FakeState,
    private readonly options: ResponderOptions,
  ) {}

  register(handle: InteractionHandle): void {
    if (++this.sinceSweep >= 1000) this.sweep();
    this.byId.set(handle.id, handle);
    this.byToken.set(handle.token, handle);
  }

  get(id: string): InteractionHandle | undefined {
    return this.byId.get(id);
  }

  isInteractionToken(token: string): boolean {
    return this.byToken.has(token);
  }

  /** POST /interactions/:id/:token/callback */
  callback(id: string, token: string, body: Record<string, unknown>, files: readonly IncomingFile[], withResponse: boolean): Reply {
    const handle = this.byId.get(id);
    if (handle?.token !== token) throw UNKNOWN_INTERACTION();
    const age = this.state.now() - handle.createdAt;
    if (handle.acknowledgement === null && age > this.options.interactionTimeoutMs) throw UNKNOWN_INTERACTION();
    if (handle.acknowledgement !== null) throw ALREADY_ACKNOWLEDGED();

    const type = body.type as number;
    const kind = KIND_OF_CALLBACK[type];
    const allowed = ALLOWED_CALLBACKS[type];
    if (kind === undefined || allowed === undefined) throw DiscordApiFailure.invalidForm([{ path: 'type', code: 'BASE_TYPE_CHOICES', message: `Value must be one of {4, 5, 6, 7, 8, 9}.` }]);
    const fromComponentMessage = handle.sourceMessage !== null;
    if (!allowed.includes(handle.type) || ((kind === 'update' || kind === 'deferUpdate') && !fromComponentMessage)) {
      throw new DiscordApiFailure(400, 40043, `Interaction callback type ${type} is not valid for interaction type ${handle.type}`);
    }
    const data = (body.data ?? {}) as Record<string, unknown>;

    switch (kind) {
      case 'reply':
      case 'deferReply': {
        const defer = kind === 'deferReply';
        const flags = typeof data.flags === 'number' ? data.flags : 0;
        const ephemeral = (flags & MessageFlags.Ephemeral) !== 0;
        const { fields, stored } = defer ? { fields: {}, stored: [] } : readMessageFields(this.state, data, files);
        const message = this.state.createMessage(handle.channel, { ...this.responseAuthor(handle), ...fields, flags: (fields.flags ?? 0) | (ephemeral ? MessageFlags.Ephemeral : 0) | (defer ? MessageFlags.Loading : 0) }, { ephemeral });
        handle.original = message;
        handle.originalLoading = defer;
        handle.acknowledgement = kind;
        handle.record({ kind, ephemeral, message, files: stored });
        break;
      }
      case 'update': {
        const source = handle.sourceMessage as APIMessage;
        const { fields, stored } = readMessageFields(this.state, data, files, { partial: true, existing: source });
        handle.original = this.state.editMessage(source, fields);
        handle.acknowledgement = kind;
        handle.record({ kind, ephemeral: isEphemeral(source), message: handle.original, files: stored });
        break;
      }
      case 'deferUpdate':
        handle.original = handle.sourceMessage;
        handle.acknowledgement = kind;
        handle.record({ kind, ephemeral: false, message: null, files: [] });
        break;
      case 'autocomplete':
        handle.acknowledgement = kind;
        handle.record({ kind, ephemeral: true, message: null, files: [], choices: validateChoices(data.choices) });
        break;
      case 'showModal':
        handle.acknowledgement = kind;
        handle.record({ kind, ephemeral: true, message: null, files: [], modal: validateModal(data) });
        break;
    }
    if (!withResponse) return { status: 204 };
    const message = handle.original;
    return {
      status: 200,
      body: {
        interaction: {
          id: handle.id,
          type: handle.type,
          ...(message ? { response_message_id: message.id, response_message_loading: handle.originalLoading, response_message_ephemeral: isEphemeral(message) } : {}),
        },
        resource: { type, ...(message && kind !== 'deferUpdate' ? { message } : {}) },
      },
    };
  }

  /** GET /webhooks/:app/:token/messages/:id */
  fetchMessage(token: string, messageId: string): APIMessage {
    return this.webhookMessage(this.liveHandle(token), messageId);
  }

  /** PATCH /webhooks/:app/:token/messages/:id */
  editMessage(token: string, messageId: string, body: Record<string, unknown>, files: readonly IncomingFile[]): APIMessage {
    const handle = this.liveHandle(token);
    const message = this.webhookMessage(handle, messageId);
    const { fields, stored } = readMessageFields(this.state, body, files, { partial: true, existing: message });
    const isOriginal = message === handle.original;
    if (isOriginal && handle.originalLoading) {
      handle.originalLoading = false;
      fields.flags = (message.flags ?? 0) & ~MessageFlags.Loading;
    }
    this.state.editMessage(message, fields);
    handle.record({ kind: isOriginal ? 'editReply' : 'editFollowUp', ephemeral: isEphemeral(message), message, files: stored });
    return message;
  }

  /** DELETE /webhooks/:app/:token/messages/:id */
  deleteMessage(token: string, messageId: string): void {
    const handle = this.liveHandle(token);
    const message = this.webhookMessage(handle, messageId);
    this.state.deleteMessage(message);
    const kind: ResponseKind = message === handle.original ? 'deleteReply' : 'deleteFollowUp';
    if (kind === 'deleteReply') handle.original = null;
    else handle.followUps.delete(message.id);
    handle.record({ kind, ephemeral: isEphemeral(message), message: null, files: [] });
  }

  /** POST /webhooks/:app/:token: a follow-up; the first one after a deferred reply fills the "thinking" message. */
  followUp(token: string, body: Record<string, unknown>, files: readonly IncomingFile[]): APIMessage {
    const handle = this.liveHandle(token);
    if (handle.original && handle.originalLoading) {
      const { fields, stored } = readMessageFields(this.state, body, files);
      handle.originalLoading = false;
      const message = this.state.editMessage(handle.original, { ...fields, flags: (handle.original.flags ?? 0) & ~MessageFlags.Loading });
      handle.record({ kind: 'followUp', ephemeral: isEphemeral(message), message, files: stored });
      return message;
    }
    const { fields, stored } = readMessageFields(this.state, body, files);
    const ephemeral = ((fields.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
    const message = this.state.createMessage(handle.channel, { ...this.responseAuthor(handle), ...fields }, { ephemeral });
    handle.followUps.set(message.id, message);
    handle.record({ kind: 'followUp', ephemeral, message, files: stored });
    return message;
  }

  private liveHandle(token: string): InteractionHandle {
    const handle = this.byToken.get(token);
    if (!handle) throw UNKNOWN_WEBHOOK();
    if (this.state.now() - handle.createdAt > this.options.interactionTokenTtlMs) throw INVALID_WEBHOOK_TOKEN();
    if (handle.acknowledgement === null) throw UNKNOWN_WEBHOOK();
    return handle;
  }

  private webhookMessage(handle: InteractionHandle, messageId: string): APIMessage {
    const message = messageId === '@original' ? handle.original : handle.followUps.get(messageId);
    if (!message) throw UNKNOWN_MESSAGE();
    return message;
  }

  private responseAuthor(handle: InteractionHandle): { author: ReturnType<typeof userToAPI>; webhookId: string; applicationId: string; type: MessageType; interactionMetadata: APIMessage['interaction_metadata'] } {
    const applicationId = this.state.application.id;
    return {
      author: userToAPI(this.state.botUser),
      webhookId: applicationId,
      applicationId,
      type: handle.type === InteractionType.ApplicationCommand ? (handle.payload.data && 'type' in handle.payload.data && handle.payload.data.type !== 1 ? MessageType.ContextMenuCommand : MessageType.ChatInputCommand) : MessageType.Default,
      interactionMetadata: {
        id: handle.id,
        type: handle.type,
        user: userToAPI(handle.user),
        authorizing_integration_owners: handle.payload.authorizing_integration_owners,
        ...(handle.sourceMessage ? { interacted_message_id: handle.sourceMessage.id } : {}),
      } as APIMessage['interaction_metadata'],
    };
  }

  /** Drops handles whose tokens have expired, so a long benchmark does not keep every interaction. */
  private sweep(): void {
    this.sinceSweep = 0;
    const cutoff = this.state.now() - this.options.interactionTokenTtlMs;
    for (const [id, handle] of this.byId) {
      if (handle.createdAt >= cutoff) continue;
      this.byId.delete(id);
      this.byToken.delete(handle.token);
    }
  }
}

function isEphemeral(message: APIMessage): boolean {
  return ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
}

function validateChoices(value: unknown): APIApplicationCommandOptionChoice[] {
  if (!Array.isArray(value)) throw DiscordApiFailure.invalidForm([{ path: 'data.choices', code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
  const errors = [];
  if (value.length > 25) errors.push({ path: 'data.choices', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  for (const [i, choice] of (value as { name?: unknown; value?: unknown }[]).entries()) {
    if (typeof choice.name !== 'string' || choice.name.length < 1 || choice.name.length > 100) errors.push({ path: `data.choices.${i}.name`, code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
    if (typeof choice.value === 'string' ? choice.value.length > 100 : typeof choice.value !== 'number') errors.push({ path: `data.choices.${i}.value`, code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be a number, or a string of 100 or fewer in length.' });
  }
  if (errors.length > 0) throw DiscordApiFailure.invalidForm(errors);
  return value as APIApplicationCommandOptionChoice[];
}

function validateModal(data: Record<string, unknown>): APIModalInteractionResponseCallbackData {
  const errors = [];
  if (typeof data.custom_id !== 'string' || data.custom_id.length < 1 || data.custom_id.length > 100) errors.push({ path: 'data.custom_id', code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
  if (typeof data.title !== 'string' || data.title.length < 1 || data.title.length > 45) errors.push({ path: 'data.title', code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 45 in length.' });
  if (!Array.isArray(data.components) || data.components.length < 1 || data.components.length > 5) errors.push({ path: 'data.components', code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' });
  if (errors.length > 0) throw DiscordApiFailure.invalidForm(errors);
  return data as unknown as APIModalInteractionResponseCallbackData;
}
