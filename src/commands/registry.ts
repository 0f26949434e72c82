import type { ChatInputCommandInteraction } from 'discord.js';
import { DuplicateCommandError } from '../errors/codes.js';
import type { CommandErrorEvent } from '../events/types.js';
import { isParent } from './define.js';
import type { CommandDefinition, Runnable } from './define.js';
import type { OptionDefinitions } from './options.js';
import { validateCommand } from './schema.js';

/** Who added a command: an extension (its name and error handler) or the bot itself (`undefined`). */
export interface CommandOwner {
  readonly name: string;
  onError?(event: CommandErrorEvent): unknown;
}

export interface RegisteredCommand {
  readonly definition: CommandDefinition;
  readonly owner: CommandOwner | undefined;
}

/** The piece of a command an interaction addressed, with the error handlers that wrap it, innermost first. */
export interface ResolvedCommand {
  /** `/name`, `/name sub` or `/name group sub`: the source of its errors. */
  readonly path: string;
  readonly runnable: Runnable<OptionDefinitions>;
  readonly registered: RegisteredCommand;
  readonly errorHandlers: readonly ((event: CommandErrorEvent) => unknown)[];
}

/** The commands the bot defines, by name. Changing it calls `onChange` so a running bot can sync. */
export class CommandRegistry {
  readonly #commands = new Map<string, RegisteredCommand>();

  constructor(private readonly onChange: () => void) {}

  /** Adds all the definitions or, when one is invalid or taken, none of them. */
  add(definitions: readonly CommandDefinition[], owner: CommandOwner | undefined): void {
    const names = new Set<string>();
    for (const definition of definitions) {
      validateCommand(definition);
      const existing = this.#commands.get(definition.name);
      if (existing) throw new DuplicateCommandError(definition.name, existing.owner ? `extension ${existing.owner.name}` : 'the bot');
      if (names.has(definition.name)) throw new DuplicateCommandError(definition.name, 'the same addCommand call');
      names.add(definition.name);
    }
    for (const definition of definitions) this.#commands.set(definition.name, { definition, owner });
    if (definitions.length > 0) this.onChange();
  }

  /** Removes a command by name; `false` when there was none. */
  remove(name: string): boolean {
    const removed = this.#commands.delete(name);
    if (removed) this.onChange();
    return removed;
  }

  removeOwnedBy(owner: CommandOwner): void {
    let changed = false;
    for (const [name, registered] of this.#commands) {
      if (registered.owner !== owner) continue;
      this.#commands.delete(name);
      changed = true;
    }
    if (changed) this.onChange();
  }

  list(): RegisteredCommand[] {
    return [...this.#commands.values()];
  }

  /** What the interaction runs, or `undefined` with the path it asked for when this bot has no such command. */
  resolve(interaction: ChatInputCommandInteraction): ResolvedCommand | { path: string; runnable?: undefined } {
    const group = interaction.options.getSubcommandGroup(false);
    const sub = interaction.options.getSubcommand(false);
    const path = ['/' + interaction.commandName, group, sub].filter(Boolean).join(' ');
    const registered = this.#commands.get(interaction.commandName);
    if (!registered) return { path };
    const { definition, owner } = registered;
    const outer = [definition.onError?.bind(definition), owner?.onError?.bind(owner)];
    if (!isParent(definition)) return sub === null ? { path, runnable: definition, registered, errorHandlers: defined(outer) } : { path };
    if (sub === null) return { path };
    const runnable = group === null ? definition.subcommands?.[sub] : definition.groups?.[group]?.subcommands[sub];
    if (!runnable) return { path };
    return { path, runnable, registered, errorHandlers: defined([runnable.onError?.bind(runnable), ...outer]) };
  }
}

function defined<T>(values: (T | undefined)[]): T[] {
  return values.filter((value): value is T => value !== undefined);
}
