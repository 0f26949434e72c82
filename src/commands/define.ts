import type { InteractionContextType, ApplicationIntegrationType, LocalizationMap, PermissionResolvable } from 'discord.js';
import type { GuardOptions } from '../checks/guard.js';
import type { CommandErrorEvent } from '../events/types.js';
import type { CommandContext, MessageCommandContext, UserCommandContext } from '../interactions/context.js';
import type { OptionDefinitions, OptionValues } from './options.js';

interface Described {
  description: string;
  nameLocalizations?: LocalizationMap;
  descriptionLocalizations?: LocalizationMap;
}

/**
 * What runs a command (or one subcommand): its options, the handler and its own error handler.
 * Methods rather than function properties so a subcommand with typed options fits a record of subcommands.
 */
export interface Runnable<O extends OptionDefinitions> extends Described, GuardOptions {
  options?: O;
  run(ctx: CommandContext<OptionValues<O>>): unknown;
  /** Runs first when `run` throws; set `event.handled = true` to say the user has had an answer. */
  onError?(event: CommandErrorEvent): unknown;
}

/** Where and for whom Discord offers a top-level command. */
export interface CommandScope {
  /** Register in these guilds only (instantly visible there); global when omitted. */
  guilds?: readonly string[];
  defaultMemberPermissions?: PermissionResolvable | null;
  nsfw?: boolean;
  contexts?: readonly InteractionContextType[];
  integrationTypes?: readonly ApplicationIntegrationType[];
}

export interface SlashCommand<O extends OptionDefinitions = OptionDefinitions> extends Runnable<O>, CommandScope {
  name: string;
}

export type Subcommand<O extends OptionDefinitions = OptionDefinitions> = Runnable<O>;

export interface SubcommandGroup extends Described {
  subcommands: Readonly<Record<string, Subcommand>>;
}

/** A parent's `checks`, `cooldown` and `maxConcurrency` apply to each of its subcommands, before their own. */
export interface ParentCommand extends Described, CommandScope, GuardOptions {
  name: string;
  subcommands?: Readonly<Record<string, Subcommand>>;
  groups?: Readonly<Record<string, SubcommandGroup>>;
  /** Runs for an error in any of its subcommands, after the subcommand's own `onError`. */
  onError?(event: CommandErrorEvent): unknown;
}

/** A command in the context menu of a user or a message (Apps > Name). */
interface ContextMenuCommand<Ctx> extends CommandScope, GuardOptions {
  /** 1-32 characters; unlike slash commands, capitals and spaces are allowed ("Report message"). */
  name: string;
  nameLocalizations?: LocalizationMap;
  run(ctx: Ctx): unknown;
  /** Runs first when `run` throws; set `event.handled = true` to say the user has had an answer. */
  onError?(event: CommandErrorEvent): unknown;
}

export interface UserCommand extends ContextMenuCommand<UserCommandContext> {
  readonly type: 'user';
}

export interface MessageCommand extends ContextMenuCommand<MessageCommandContext> {
  readonly type: 'message';
}

export type CommandDefinition = SlashCommand | ParentCommand | UserCommand | MessageCommand;

/** Slash commands (with or without subcommands): the ones with a description and options. */
export type ChatInputDefinition = SlashCommand | ParentCommand;

/**
 * Defines a slash command. The options' definitions type `ctx.options` in `run`:
 *
 * ```ts
 * export const divide = command({
 *   name: 'divide', description: 'Divide two numbers',
 * options: { a: option.number({ description: 'Dividend', required: true }), b: option.number({ description: 'Divisor', required: true })
 * },
 *   run: (ctx) => ctx.reply(String(ctx.options.a / ctx.options.b)),
 * });
 * ```
 *
 * A command with `subcommands` (and `groups` of them) has no `run` of its own. Definitions are plain values:
 * export them from a module and add them with `bot.addCommand`.
 */
export function command<const O extends OptionDefinitions = Record<string, never>>(definition: SlashCommand<O>): SlashCommand<O>;
export function command(definition: ParentCommand): ParentCommand;
export function command(definition: CommandDefinition): CommandDefinition {
  return definition;
}

/** Defines one subcommand, typing its handler from its options like `command`. */
export function subcommand<const O extends OptionDefinitions = Record<string, never>>(definition: Subcommand<O>): Subcommand<O> {
  return definition;
}

/** Defines a command in a user's context menu (right click > Apps); `ctx.targetUser` is the user it was used on. */
export function userCommand(definition: Omit<UserCommand, 'type'>): UserCommand {
  return { ...definition, type: 'user' };
}

/** Defines a command in a message's context menu (right click > Apps); `ctx.targetMessage` is the message. */
export function messageCommand(definition: Omit<MessageCommand, 'type'>): MessageCommand {
  return { ...definition, type: 'message' };
}

export function isContextMenu(definition: CommandDefinition): definition is UserCommand | MessageCommand {
  return 'type' in definition;
}

export function isParent(definition: ChatInputDefinition): definition is ParentCommand {
  return !('run' in definition);
}
