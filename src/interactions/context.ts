import { MessageFlags } from 'discord.js';
import type {
  AnySelectMenuInteraction,
  APIModalInteractionResponseCallbackData,
  AutocompleteInteraction,
  ButtonInteraction,
  BaseMessageOptions,
  ChatInputCommandInteraction,
  Interaction,
  InteractionEditReplyOptions,
  InteractionReplyOptions,
  MessageContextMenuCommandInteraction,
  ModalSubmitInteraction,
  RepliableInteraction,
  UserContextMenuCommandInteraction,
} from 'discord.js';
import type { Bot } from './bot.js';
import { commandLabel } from '../commands/label.js';

/** A message to send: text, or message options plus `ephemeral` (only the invoking user sees it). */
export type MessageInput =
  string | (BaseMessageOptions & { ephemeral?: boolean; allowedMentions?: InteractionReplyOptions['allowedMentions'] });

/** What started an interaction; trackers tag errors with it. */
export type InteractionKind = 'slash' | 'userCommand' | 'messageCommand' | 'button' | 'select' | 'modal' | 'autocomplete';

/**
 * What every handler gets about the interaction it runs for: who, where, in which language, and the
 * discord.js interaction underneath. `source` names the handler in `Error` events (`/divide`, `button delete:{id}`).
 */
export class InteractionContext<I extends Interaction = Interaction> {
  readonly bot: Bot;
  readonly interaction: I;
  readonly kind: InteractionKind;
  /**
   * The handler, as `Error` events name it: `/ban`, `user command Report`, `button delete:{id}`, `modal feedback`, `autocomplete /search
   * query`.
   */
  readonly source: string;
  /** When the interaction reached Lantern (`performance.now()` clock). */
  readonly receivedAt: number;

  constructor(bot: Bot, interaction: I, kind: InteractionKind, source: string, receivedAt: number) {
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
   * replaces the "thinking" message with an ephemeral one, because filling it would show it to everyone. After a
   * component's `deferUpdate` (discord.js marks it deferred too, with `ephemeral` null) the original is the message
   * the component is on, which must stay.
   */
  async send(input: MessageInput): Promise<void> {
    if (!this.acknowledged) return this.reply(input);
    const wantsEphemeral = typeof input !== 'string' && input.ephemeral === true;
    if (this.interaction.deferred && !this.#deferFilled && wantsEphemeral && this.interaction.ephemeral === false) {
      await this.interaction.deleteReply();
    }
    return this.followUp(input);
  }
}

/** Interactions Discord lets a bot answer with a modal. */
type ModalOpeningInteraction =
  | ChatInputCommandInteraction
  | UserContextMenuCommandInteraction
  | MessageContextMenuCommandInteraction
  | ButtonInteraction
  | AnySelectMenuInteraction;

/** A context that can answer with a modal: commands and components (a modal submission cannot). */
export class ModalOpeningContext<I extends ModalOpeningInteraction> extends RepliableContext<I> {
  /** Opens a modal (a form) as the answer; its submission goes to the modal handler registered for its custom id. */
  async showModal(modal: ModalPayload): Promise<void> {
    await this.interaction.showModal(modal.toJSON());
  }
}

/** A slash command's context: its path and its options, typed from the definition. */
export class CommandContext<Options = unknown> extends ModalOpeningContext<ChatInputCommandInteraction> {
  /** `/name`, `/name sub` or `/name group sub`. */
  readonly command: string;
  #options: Options | undefined;

  constructor(bot: Bot, interaction: ChatInputCommandInteraction, command: string, receivedAt: number) {
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

/** A modal ready to show: what `modalDefinition.build(params)` returns. */
export interface ModalPayload {
  toJSON(): APIModalInteractionResponseCallbackData;
}

/** A user context-menu command's context: the user (and, in a guild, the member) it was used on. */
export class UserCommandContext extends ModalOpeningContext<UserContextMenuCommandInteraction> {
  readonly command: string;

  constructor(bot: Bot, interaction: UserContextMenuCommandInteraction, receivedAt: number) {
    const command = commandLabel({ type: 'user', name: interaction.commandName });
    super(bot, interaction, 'userCommand', command, receivedAt);
    this.command = command;
  }

  get targetUser() {
    return this.interaction.targetUser;
  }

  get targetMember() {
    return this.interaction.targetMember;
  }
}

/** A message context-menu command's context: the message it was used on. */
export class MessageCommandContext extends ModalOpeningContext<MessageContextMenuCommandInteraction> {
  readonly command: string;

  constructor(bot: Bot, interaction: MessageContextMenuCommandInteraction, receivedAt: number) {
    const command = commandLabel({ type: 'message', name: interaction.commandName });
    super(bot, interaction, 'messageCommand', command, receivedAt);
    this.command = command;
  }

  get targetMessage() {
    return this.interaction.targetMessage;
  }
}

/** The context of any command a user runs from Discord's UI: slash, user or message command. */
export type AnyCommandContext = CommandContext | UserCommandContext | MessageCommandContext;

/**
 * A button or select menu's context: the custom id's parameters (`delete:{id}` gives `params.id`), the values
 * picked in a select menu, and `update` to edit the message the component is on.
 */
export class ComponentContext<Params = Record<string, string>> extends ModalOpeningContext<ButtonInteraction | AnySelectMenuInteraction> {
  readonly customId: string;
  readonly params: Params;

  constructor(bot: Bot, interaction: ButtonInteraction | AnySelectMenuInteraction, source: string, params: Params, receivedAt: number) {
    super(bot, interaction, interaction.isButton() ? 'button' : 'select', source, receivedAt);
    this.customId = interaction.customId;
    this.params = params;
  }

  /** The message the component is on. */
  get message() {
    return this.interaction.message;
  }

  /** What was picked in a select menu (option values, or user, role or channel ids); empty for a button. */
  get values(): readonly string[] {
    return this.interaction.isAnySelectMenu() ? this.interaction.values : [];
  }

  /** Edits the message the component is on, as the answer to this interaction. */
  async update(input: string | BaseMessageOptions): Promise<void> {
    await this.interaction.update(input);
  }

  /** Acknowledges without a visible answer (the message can be edited later with `editReply`). */
  async deferUpdate(): Promise<void> {
    if (this.acknowledged) return;
    await this.interaction.deferUpdate();
  }
}

/** A modal submission's context: the fields, typed from the modal's definition, and the custom id's parameters. */
export class ModalContext<
  Fields = Record<string, string | undefined>,
  Params = Record<string, string>,
> extends RepliableContext<ModalSubmitInteraction> {
  readonly customId: string;
  readonly params: Params;
  #fields: Fields | undefined;

  constructor(bot: Bot, interaction: ModalSubmitInteraction, source: string, params: Params, receivedAt: number) {
    super(bot, interaction, 'modal', source, receivedAt);
    this.customId = interaction.customId;
    this.params = params;
  }

  /** The submitted fields, typed from the modal's definition. */
  get fields(): Fields {
    if (this.#fields === undefined) throw new Error('fields are read before the handler runs');
    return this.#fields;
  }

  /** @internal set once by the router, inside the handler's error path, since a stale form may not match. */
  setFields(fields: Fields): void {
    this.#fields = fields;
  }
}

/** What an autocomplete handler gets: the option being typed, its text so far, and the other options' values. */
export class AutocompleteContext<Value extends string | number = string | number> extends InteractionContext<AutocompleteInteraction> {
  /** The command path, as in `CommandContext.command`. */
  readonly command: string;
  /** The option being typed. */
  readonly option: string;

  constructor(bot: Bot, interaction: AutocompleteInteraction, command: string, option: string, receivedAt: number) {
    super(bot, interaction, 'autocomplete', `autocomplete ${command} ${option}`, receivedAt);
    this.command = command;
    this.option = option;
  }

  /** What the user has typed so far (a string while typing, even for a number option, until it parses). */
  get value(): Value | string {
    return this.interaction.options.getFocused();
  }

  /** Another option's value as typed so far, or `undefined`. */
  optionValue(name: string): string | number | boolean | undefined {
    return this.interaction.options.get(name)?.value;
  }
}

function toReplyOptions(input: MessageInput): InteractionReplyOptions {
  if (typeof input === 'string') return { content: input };
  const { ephemeral, ...rest } = input;
  return ephemeral ? { ...rest, flags: MessageFlags.Ephemeral } : rest;
}
