import { MessageFlags } from 'discord.js';
import type { BaseMessageOptions, ChatInputCommandInteraction, Interaction, InteractionEditReplyOptions, InteractionReplyOptions, RepliableInteraction } from 'discord.js';
import type { Client } from '../client/client.js';

/** A message to send: text, or message options plus `ephemeral` (only the invoking user sees it). */
export type MessageInput = string | (BaseMessageOptions & { ephemeral?: boolean; allowedMentions?: InteractionReplyOptions['allowedMentions'] });

/** What started an interaction; trackers tag errors with it. */
export type InteractionKind = 'slash' | 'userCommand' | 'messageCommand' | 'button' | 'select' | 'modal' | 'autocomplete';

/**
 * What every handler gets about the interaction it runs for: who, where, in which language, and the
 * discord.js interaction underneath. `source` names the handler in `Error` events (`/divide`, `button delete:{id}`).
 */
export class InteractionContext<I extends Interaction = Interaction> {
  readonly bot: Client;
  readonly interaction: I;
  readonly kind: InteractionKind;
  /** The handler, as `Error` events name it: `/ban`, `user command Report`, `button delete:{id}`, `modal feedback`, `autocomplete /search query`. */
  readonly source: string;
  /** When the interaction reached Lantern (`performance.now()` clock). */
  readonly receivedAt: number;

  constructor(bot: Client, interaction: I, kind: InteractionKind, source: string, receivedAt: number) {
    this.bot = bot;
    this.interaction = interaction;
    this.kind = kind;
    this.source = source;
    this.receivedAt = receivedAt;
  }

  get user() {
    return this.interaction.user;
  }

  get member() {
    return this.interaction.member;
  }

  get guild() {
    return this.interaction.guild;
  }

  get guildId() {
    return this.interaction.guildId;
  }

  get channel() {
    return this.interaction.channel;
  }

  get channelId() {
    return this.interaction.channelId;
  }

  get locale() {
    return this.interaction.locale;
  }
}

/**
 * A context whose interaction takes a message back. `send` picks reply, editReply or followUp from the
 * interaction's state, so handlers and error handlers need not track it.
 */
export class RepliableContext<I extends RepliableInteraction = RepliableInteraction> extends InteractionContext<I> {
  /** After a defer, whether the "thinking" message has been replaced by an answer yet. */
  #deferFilled = false;

  /** Whether Discord has had a first response (reply, defer, or for a component an update). */
  get acknowledged(): boolean {
    return this.interaction.replied || this.interaction.deferred;
  }

  async reply(input: MessageInput): Promise<void> {
    await this.interaction.reply(toReplyOptions(input));
  }

  /** Acknowledges now and answers later (up to 15 minutes); does nothing when already acknowledged. */
  async defer(options: { ephemeral?: boolean } = {}): Promise<void> {
    if (this.acknowledged) return;
    await this.interaction.deferReply(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  }

  async editReply(input: string | InteractionEditReplyOptions): Promise<void> {
    await this.interaction.editReply(input);
    this.#deferFilled = true;
  }

  async followUp(input: MessageInput): Promise<void> {
    await this.interaction.followUp(toReplyOptions(input));
    this.#deferFilled = true;
  }

  /**
   * Answers whatever the state: a reply when nothing was sent, else a follow-up (which, after a defer, fills
   * the "thinking" message as Discord does). An ephemeral answer to a public defer that is still thinking
   * replaces the "thinking" message with an ephemeral one, because filling it would show it to everyone.
   */
  async send(input: MessageInput): Promise<void> {
    if (!this.acknowledged) return this.reply(input);
    const wantsEphemeral = typeof input !== 'string' && input.ephemeral === true;
    if (this.interaction.deferred && !this.#deferFilled && wantsEphemeral && this.interaction.ephemeral !== true) {
      await this.interaction.deleteReply();
    }
    return this.followUp(input);
  }
}

/** A slash command's context: its path and its options, typed from the definition. */
export class CommandContext<Options = unknown> extends RepliableContext<ChatInputCommandInteraction> {
  /** `/name`, `/name sub` or `/name group sub`. */
  readonly command: string;
  #options: Options | undefined;

  constructor(bot: Client, interaction: ChatInputCommandInteraction, command: string, receivedAt: number) {
    super(bot, interaction, 'slash', command, receivedAt);
    this.command = command;
  }

  /** The command's options, typed from its definition. */
  get options(): Options {
    if (this.#options === undefined) throw new Error('options are read before the handler runs');
    return this.#options;
  }

  /** @internal set once by the router after reading and checking the options. */
  setOptions(options: Options): void {
    this.#options = options;
  }
}

function toReplyOptions(input: MessageInput): InteractionReplyOptions {
  if (typeof input === 'string') return { content: input };
  const { ephemeral, ...rest } = input;
  return ephemeral ? { ...rest, flags: MessageFlags.Ephemeral } : rest;
}
