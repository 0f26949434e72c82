import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { APIApplicationCommandOptionChoice, APIInteraction, APIMessage, APIModalInteractionResponseCallbackData, InteractionType } from 'discord-api-types/v10';
import type { FakeChannel, FakeUser, StoredFile } from '../state.js';
import { waitForEmit } from '../wait.js';

/** Every way a bot can answer an interaction, named as discord.js names the calls. */
export type ResponseKind =
  | 'reply'
  | 'deferReply'
  | 'update'
  | 'deferUpdate'
  | 'showModal'
  | 'autocomplete'
  | 'editReply'
  | 'deleteReply'
  | 'followUp'
  | 'editFollowUp'
  | 'deleteFollowUp';

/** One answer the bot gave, as the user would see it. */
export interface InteractionResponse {
  readonly kind: ResponseKind;
  /** Milliseconds from the interaction's dispatch to this response reaching the fake. */
  readonly at: number;
  readonly ephemeral: boolean;
  /** The message this response created or changed, as it stood right after (a copy); null for acks, modals, choices and deletes. */
  readonly message: APIMessage | null;
  /** The files uploaded with this response. */
  readonly files: readonly StoredFile[];
  /** For `autocomplete`: the choices offered. */
  readonly choices?: readonly APIApplicationCommandOptionChoice[];
  /** For `showModal`: the modal shown. */
  readonly modal?: APIModalInteractionResponseCallbackData;
}

export type AcknowledgementKind = 'reply' | 'deferReply' | 'update' | 'deferUpdate' | 'showModal' | 'autocomplete';

const INITIAL_KINDS = new Set<ResponseKind>(['reply', 'deferReply', 'update', 'deferUpdate', 'showModal', 'autocomplete']);

/**
 * An interaction a fake user started: what was dispatched, and every answer the bot gave, in order.
 * Await `response()` for the next answer of a kind; read `responses` for the whole story.
 */
export class InteractionHandle {
  readonly id: string;
  readonly token: string;
  readonly type: InteractionType;
  /** The INTERACTION_CREATE payload the bot received. */
  readonly payload: APIInteraction;
  readonly user: FakeUser;
  readonly channel: FakeChannel;
  /** The message the interaction came from (components, and modals opened from components). */
  readonly sourceMessage: APIMessage | null;
  readonly responses: InteractionResponse[] = [];
  /** The first-response deadline and token lifetime, read against the fake's clock. */
  readonly createdAt: number;
  /** The initial response, once given. */
  acknowledgement: AcknowledgementKind | null = null;
  /** The message behind `@original`: the reply, the deferred "thinking" message, or the updated source message. */
  original: APIMessage | null = null;
  /** True while the original is a deferred reply that nothing has filled yet. */
  originalLoading = false;
  readonly followUps = new Map<string, APIMessage>();
  private readonly dispatchedAt = performance.now();
  private readonly events = new EventEmitter();

  constructor(init: { id: string; token: string; type: InteractionType; payload: APIInteraction; user: FakeUser; channel: FakeChannel; sourceMessage: APIMessage | null; createdAt: number }) {
    this.id = init.id;
    this.token = init.token;
    this.type = init.type;
    this.payload = init.payload;
    this.user = init.user;
    this.channel = init.channel;
    this.sourceMessage = init.sourceMessage;
    this.createdAt = init.createdAt;
    this.events.setMaxListeners(0);
  }

  /** Milliseconds from dispatch to the first response; null while there is none. */
  get firstResponseMs(): number | null {
    return this.responses.find((r) => INITIAL_KINDS.has(r.kind))?.at ?? null;
  }

  /** The modal the bot showed, if it did. */
  get modal(): APIModalInteractionResponseCallbackData | null {
    return this.responses.find((r) => r.kind === 'showModal')?.modal ?? null;
  }

  /**
   * The first response of `kind` (of any kind when omitted) at or after position `from` in `responses`:
   * resolves at once if it is already there, else when it arrives, else rejects after `timeout` ms.
   */
  response(kind?: ResponseKind, { timeout = 5000, from = 0 }: { timeout?: number; from?: number } = {}): Promise<InteractionResponse> {
    const accept = (r: InteractionResponse): boolean => kind === undefined || r.kind === kind;
    const found = this.responses.slice(from).find(accept);
    if (found) return Promise.resolve(found);
    return waitForEmit(this.events, 'response', accept, timeout, `${kind ?? 'a response'} to interaction ${this.id}`);
  }

  record(response: Omit<InteractionResponse, 'at'>): InteractionResponse {
    const full = { ...response, message: response.message && structuredClone(response.message), at: performance.now() - this.dispatchedAt };
    this.responses.push(full);
    this.events.emit('response', full);
    return full;
  }
}
