import type { AutocompleteInteraction, ChatInputCommandInteraction, ContextMenuCommandInteraction } from 'discord.js';
import { guardLayer } from '../checks/guard.js';
import type { GuardLayer } from '../checks/guard.js';
import { DuplicateCommandError } from '../errors/codes.js';
import type { Owner } from '../events/owner.js';
import type { CommandErrorEvent } from '../events/types.js';
import { isContextMenu, isParent } from './define.js';
import type { ChatInputDefinition, CommandDefinition, MessageCommand, Runnable, UserCommand } from './define.js';
import type { AutocompleteHandler, OptionDefinitions } from './options.js';
import { validateCommand } from './definition-rules.js';
import { commandLabel } from './label.js';

export interface RegisteredCommand {
  readonly definition: CommandDefinition;
  readonly owner: Owner | undefined;
}

/** The piece of a command an interaction addressed, with the error handlers that wrap it, innermost first. */
export interface ResolvedCommand {
  /** `/name`, `/name sub` or `/name group sub`: the source of its errors. */
  readonly path: string;
  readonly runnable: Runnable<OptionDefinitions>;
  readonly registered: RegisteredCommand;
  readonly errorHandlers: readonly ((event: CommandErrorEvent) => unknown)[];
  /** The parent's guards (for a subcommand) then its own, keyed by path. */
  readonly layers: readonly GuardLayer[];
}

export interface ResolvedContextMenu {
  readonly path: string;
  readonly definition: UserCommand | MessageCommand;
  readonly registered: RegisteredCommand;
  readonly errorHandlers: readonly ((event: CommandErrorEvent) => unknown)[];
  readonly layers: readonly GuardLayer[];
}

/**
 * An interaction naming a command this bot does not run as asked: `mismatch` says what is wrong when the command
 * exists (no subcommand named, or one it does not have); without it, the bot has no such command at all.
 */
export interface UnresolvedCommand {
  readonly path: string;
  readonly mismatch: string | undefined;
}

export interface ResolvedAutocomplete {
  /** The command's path; the option is named apart. */
  readonly path: string;
  readonly option: string;
  readonly handler: AutocompleteHandler;
  readonly registered: RegisteredCommand;
}

/** Slash, user and message commands live in separate namespaces on Discord: one name may be all three. */
function keyOf(definition: CommandDefinition): string {
  return isContextMenu(definition) ? `${definition.type}:${definition.name}` : `slash:${definition.name}`;
}

/** The commands the bot defines, by kind and name. Changing it calls `onChange` so a running bot can sync. */
export class CommandRegistry {
  readonly #commands = new Map<string, RegisteredCommand>();

  constructor(private readonly onChange: () => void) {}

  /** Adds all the definitions or, when one is invalid or taken, none of them. */
  add(definitions: readonly CommandDefinition[], owner: Owner | undefined): void {
    const keys = new Set<string>();
    for (const definition of definitions) {
      validateCommand(definition);
      const key = keyOf(definition);
      const existing = this.#commands.get(key);
      if (existing)
        throw new DuplicateCommandError(commandLabel(definition), existing.owner ? `extension ${existing.owner.name}` : 'the bot');
      if (keys.has(key)) throw new DuplicateCommandError(commandLabel(definition), 'the same addCommand call');
      keys.add(key);
    }
    for (const definition of definitions) this.#commands.set(keyOf(definition), { definition, owner });
    if (definitions.length > 0) this.onChange();
  }

  /** Removes the commands of that name (slash, user and message); `false` when there was none. */
  remove(name: string): boolean {
    const removed = ['slash', 'user', 'message'].map((kind) => this.#commands.delete(`${kind}:${name}`)).includes(true);
    if (removed) this.onChange();
    return removed;
  }

  removeOwnedBy(owner: Owner): void {
    let changed = false;
    for (const [name, registered] of this.#commands) {
      if (registered.owner !== owner) continue;
      this.#commands.delete(name);
      changed = true;
    }
    if (changed) this.onChange();
  }

  get(key: string): RegisteredCommand | undefined {
    return this.#commands.get(key);
  }

  list(): RegisteredCommand[] {
    return [...this.#commands.values()];
  }

  /** What the interaction runs, or the path it asked for and why this bot cannot run it. */
  resolve(interaction: ChatInputCommandInteraction): ResolvedCommand | (UnresolvedCommand & { runnable?: undefined }) {
    const group = interaction.options.getSubcommandGroup(false);
    const sub = interaction.options.getSubcommand(false);
    const path = commandLabel({ name: interaction.commandName }, [group, sub]);
    const registered = this.#commands.get(`slash:${interaction.commandName}`);
    if (!registered || isContextMenu(registered.definition)) return { path, mismatch: undefined };
    const { owner } = registered;
    const definition = registered.definition;
    const found = findRunnable(definition, group, sub);
    if ('mismatch' in found) return { path, mismatch: found.mismatch };
    const { runnable } = found;
    const outer = [definition.onError?.bind(definition), owner?.onError?.bind(owner)];
    if (runnable === definition)
      return { path, runnable, registered, errorHandlers: defined(outer), layers: defined([guardLayer(path, definition)]) };
    return {
      path,
      runnable,
      registered,
      errorHandlers: defined([runnable.onError?.bind(runnable), ...outer]),
      layers: defined([guardLayer(commandLabel(definition), definition), guardLayer(path, runnable)]),
    };
  }
}

/** The context-menu command the interaction runs, or just its label when this bot has none. */
export function resolveContextMenu(
  registry: CommandRegistry,
  interaction: ContextMenuCommandInteraction,
): ResolvedContextMenu | { path: string; definition?: undefined } {
  const type = interaction.isUserContextMenuCommand() ? 'user' : 'message';
  const path = commandLabel({ type, name: interaction.commandName });
  const registered = registry.get(`${type}:${interaction.commandName}`);
  if (!registered || !isContextMenu(registered.definition)) return { path };
  const { definition, owner } = registered;
  return {
    path,
    definition,
    registered,
    errorHandlers: defined([definition.onError?.bind(definition), owner?.onError?.bind(owner)]),
    layers: defined([guardLayer(path, definition)]),
  };
}

/**
 * The autocomplete handler of the option being typed, or none; then `known` tells a command (and subcommand) this
 * bot does not define from an option it answers itself (`autocomplete: true`).
 */
export function resolveAutocomplete(
  registry: CommandRegistry,
  interaction: AutocompleteInteraction,
): ResolvedAutocomplete | (UnresolvedCommand & { option: string; handler?: undefined; known: boolean }) {
  const group = interaction.options.getSubcommandGroup(false);
  const sub = interaction.options.getSubcommand(false);
  const path = commandLabel({ name: interaction.commandName }, [group, sub]);
  const option = interaction.options.getFocused(true).name;
  const registered = registry.get(`slash:${interaction.commandName}`);
  if (!registered || isContextMenu(registered.definition)) return { path, option, known: false, mismatch: undefined };
  const found = findRunnable(registered.definition, group, sub);
  if ('mismatch' in found) return { path, option, known: false, mismatch: found.mismatch };
  const focused = found.runnable.options?.[option];
  const autocomplete = focused && 'autocomplete' in focused ? focused.autocomplete : undefined;
  return typeof autocomplete === 'function'
    ? { path, option, handler: autocomplete as AutocompleteHandler, registered }
    : { path, option, known: true, mismatch: undefined };
}

/** The part of `definition` that the group and subcommand an interaction named address, or what is wrong with them. */
function findRunnable(
  definition: ChatInputDefinition,
  group: string | null,
  sub: string | null,
): { runnable: Runnable<OptionDefinitions> } | { mismatch: string } {
  const label = commandLabel(definition);
  if (!isParent(definition)) return sub === null && group === null ? { runnable: definition } : { mismatch: `${label} has no subcommands` };
  const names = (subcommands: Readonly<Record<string, unknown>> | undefined) => Object.keys(subcommands ?? {}).join(', ') || 'none';
  if (sub === null) return { mismatch: `it names no subcommand, and ${label} runs only through its subcommands` };
  if (group === null) {
    const runnable = definition.subcommands?.[sub];
    return runnable ? { runnable } : { mismatch: `${label} has no subcommand "${sub}" (it has ${names(definition.subcommands)})` };
  }
  const inGroup = definition.groups?.[group];
  if (!inGroup) return { mismatch: `${label} has no group "${group}" (it has ${names(definition.groups)})` };
  const runnable = inGroup.subcommands[sub];
  return runnable ? { runnable } : { mismatch: `${label} ${group} has no subcommand "${sub}" (it has ${names(inGroup.subcommands)})` };
}

function defined<T>(values: (T | undefined)[]): T[] {
  return values.filter((value): value is T => value !== undefined);
}
