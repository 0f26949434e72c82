import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type {
  APIApplicationCommandOptionChoice,
  APIInteraction,
  APIMessage,
  APIModalInteractionResponseCallbackData,
  InteractionType,
} from 'discord-api-types/v10';
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

/** The initial responses: exactly one of them acknowledges an interaction. */
const ACKNOWLEDGEMENT_KINDS = ['reply', 'deferReply', 'update', 'deferUpdate', 'showModal', 'autocomplete'] as const;
export type AcknowledgementKind = (typeof ACKNOWLEDGEMENT_KINDS)[number];

const INITIAL_KINDS = new Set<ResponseKind>(ACKNOWLEDGEMENT_KINDS);

export interface InteractionInit {
  readonly id: string;
  readonly token: string;
  readonly type: InteractionType;
  readonly payload: APIInteraction;
  readonly user: FakeUser;
  readonly channel: FakeChannel;
  readonly sourceMessage: APIMessage | null;
  readonly createdAt: number;
}

/** The mutable side of an interaction: what Discord tracks about its answers. Only the responder changes it. */
export class LiveInteraction {
  readonly handle: InteractionHandle;
  acknowledgement: AcknowledgementKind | null = null;
  /** The message behind `@original`: the reply, the deferred "thinking" message, or the updated source message. */
  original: APIMessage | null = null;
  /** True while the original is a deferred reply that nothing has filled yet. */
  originalLoading = false;
  readonly followUps = new Map<string, APIMessage>();
  readonly responses: InteractionResponse[] = [];
  readonly events = new EventEmitter();
  private readonly dispatchedAt = performance.now();

  constructor(readonly init: InteractionInit) {
    this.events.setMaxListeners(0);
    this.handle = new InteractionHandle(this);
  }

  record(response: Omit<InteractionResponse, 'at'>): void {
    const full = { ...response, message: response.message && structuredClone(response.message), at: performance.now() - this.dispatchedAt };
    this.responses.push(full);
    this.events.emit('response', full);
  }
}

/**
 * An interaction a fake user started: what was dispatched, and every answer the bot gave, in order.
 * Await `response()` for the next answer of a kind; read `responses` for the whole story.
 */
export class InteractionHandle {
  readonly #live: LiveInteraction;

  constructor(live: LiveInteraction) {
    this.#live = live;
  }

  get id(): string {
    return this.#live.init.id;
  }

  /** The interaction token (a bearer secret on Discord: tests of redaction look for it). */
  get token(): string {
    return this.#live.init.token;
  }

  get type(): InteractionType {
    return this.#live.init.type;
  }

  /** The INTERACTION_CREATE payload the bot received. */
  get payload(): APIInteraction {
    return this.#live.init.payload;
  }

  get user(): FakeUser {
    return this.#live.init.user;
  }

  get channel(): FakeChannel {
    return this.#live.init.channel;
  }

  /** The message the interaction came from (components, and modals opened from components). */
  get sourceMessage(): APIMessage | null {
    return this.#live.init.sourceMessage;
  }

  /** Every answer so far, oldest first. */
  get responses(): readonly InteractionResponse[] {
    return this.#live.responses;
  }

  /** True once the bot gave its initial response (reply, defer, update, modal or choices). */
  get acknowledged(): boolean {
    return this.#live.acknowledgement !== null;
  }

  /** A copy of the message behind `@original` as it is now; null before a reply or after deleteReply. */
  get message(): APIMessage | null {
    return this.#live.original && structuredClone(this.#live.original);
  }

  /** Milliseconds from dispatch to the first response; null while there is none. */
  get firstResponseMs(): number | null {
    return this.#live.responses.find((r) => INITIAL_KINDS.has(r.kind))?.at ?? null;
  }

  /** The modal the bot showed, if it did. */
  get modal(): APIModalInteractionResponseCallbackData | null {
    return this.#live.responses.find((r) => r.kind === 'showModal')?.modal ?? null;
  }

  /**
   * The first response of `kind` (of any kind when omitted) at or after position `from` in `responses`:
   * resolves at once if it is already there, else when it arrives, else rejects after `timeout` ms.
   */
  response(kind?: ResponseKind, { timeout = 5000, from = 0 }: { timeout?: number; from?: number } = {}): Promise<InteractionResponse> {
    const accept = (r: InteractionResponse): boolean => kind === undefined || r.kind === kind;
    const found = this.#live.responses.slice(from).find(accept);
    if (found) return Promise.resolve(found);
    return waitForEmit(this.#live.events, 'response', accept, timeout, `${kind ?? 'a response'} to interaction ${this.id}`);
  }
}
