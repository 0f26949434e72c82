import { MessageFlags } from 'discord.js';
import type { BaseMessageOptions, ChatInputCommandInteraction, InteractionEditReplyOptions, InteractionReplyOptions } from 'discord.js';
import type { Client } from '../client/client.js';

/** A message to send: text, or message options plus `ephemeral` (only the invoking user sees it). */
export type MessageInput = string | (BaseMessageOptions & { ephemeral?: boolean; allowedMentions?: InteractionReplyOptions['allowedMentions'] });

/**
 * Everything a handler needs about one slash command interaction, and the ways to answer it. `send` picks
 * reply, editReply or followUp from the interaction's state, so handlers and error handlers need not track it.
 */
export class CommandContext<Options = unknown> {
  /** `/name`, `/name sub` or `/name group sub`. */
  readonly command: string;
  readonly interaction: ChatInputCommandInteraction;
  readonly bot: Client;
  /** When the interaction reached Lantern (`performance.now()` clock). */
  readonly receivedAt: number;
  #options: Options | undefined;
  /** After a defer, whether the "thinking" message has been replaced by an answer yet. */
  #deferFilled = false;

  constructor(bot: Client, interaction: ChatInputCommandInteraction, command: string, receivedAt: number) {
    this.bot = bot;
    this.interaction = interaction;
    this.command = command;
    this.receivedAt = receivedAt;
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

  /** Whether Discord has had a first response (reply or defer). */
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

function toReplyOptions(input: MessageInput): InteractionReplyOptions {
  if (typeof input === 'string') return { content: input };
  const { ephemeral, ...rest } = input;
  return ephemeral ? { ...rest, flags: MessageFlags.Ephemeral } : rest;
}
