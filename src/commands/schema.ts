import { ApplicationCommandOptionType, ApplicationCommandType, PermissionsBitField } from 'discord.js';
import type {
  APIApplicationCommandBasicOption,
  APIApplicationCommandOption,
  APIApplicationCommandSubcommandOption,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { validateGuards } from '../checks/guard.js';
import { CommandDefinitionError } from '../errors/codes.js';
import { isContextMenu, isParent } from './define.js';
import type { CommandDefinition, CommandScope, Runnable } from './define.js';
import type { OptionDefinition, OptionDefinitions } from './options.js';

/** Discord's name rule for commands and options (lowercase where the script has case). */
const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const MAX_OPTIONS = 25;
const MAX_CHOICES = 25;
const MAX_DESCRIPTION = 100;

/** Context-menu names: any case, spaces allowed. */
const CONTEXT_MENU_NAME = /^[-_' \p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

export type CommandJSON = RESTPostAPIChatInputApplicationCommandsJSONBody | RESTPostAPIContextMenuApplicationCommandsJSONBody;

/**
 * How Error events, logs and errors name a command, as its user wrote it: `/name` (with the group and subcommand an
 * interaction named: `/name group sub`), `user command Name`, `message command Name`. A definition or an interaction's
 * `{ type, name }`; the one naming of commands everywhere.
 */
export function commandLabel(
  command: { readonly type?: 'user' | 'message'; readonly name: string },
  path: readonly (string | null)[] = [],
): string {
  if (command.type !== undefined) return `${command.type} command ${command.name}`;
  return [`/${command.name}`, ...path.filter((part) => part !== null)].join(' ');
}

/** Throws a CommandDefinitionError for anything Discord would answer with 50035, before a request is made. */
export function validateCommand(definition: CommandDefinition): void {
  const where = commandLabel(definition);
  if (isContextMenu(definition)) {
    if (!CONTEXT_MENU_NAME.test(definition.name) || definition.name.trim() !== definition.name)
      throw new CommandDefinitionError(where, `name "${definition.name}" must be 1-32 letters, digits, spaces, - or _`);
    if (typeof definition.run !== 'function') throw new CommandDefinitionError(where, '`run` must be a function');
    validateGuards(definition, where);
    return;
  }
  validateGuards(definition, where);
  checkName(where, 'name', definition.name);
  checkDescription(where, definition.description);
  if (!isParent(definition)) {
    checkOptions(where, definition.options ?? {});
    return;
  }
  if ('options' in definition) throw new CommandDefinitionError(where, 'a command with subcommands cannot have options of its own');
  const subcommands = Object.entries(definition.subcommands ?? {});
  const groups = Object.entries(definition.groups ?? {});
  if (subcommands.length + groups.length === 0) throw new CommandDefinitionError(where, 'needs `run`, or `subcommands` / `groups`');
  if (subcommands.length + groups.length > MAX_OPTIONS)
    throw new CommandDefinitionError(where, `at most ${String(MAX_OPTIONS)} subcommands and groups`);
  for (const [name, sub] of subcommands) checkRunnable(`${where} ${name}`, name, sub);
  for (const [name, group] of groups) {
    checkName(`${where} ${name}`, 'group name', name);
    checkDescription(`${where} ${name}`, group.description);
    const inner = Object.entries(group.subcommands);
    if (inner.length === 0 || inner.length > MAX_OPTIONS)
      throw new CommandDefinitionError(`${where} ${name}`, `a group needs 1 to ${String(MAX_OPTIONS)} subcommands`);
    for (const [subName, sub] of inner) checkRunnable(`${where} ${name} ${subName}`, subName, sub);
  }
}

function checkRunnable(where: string, name: string, runnable: Runnable<OptionDefinitions>): void {
  checkName(where, 'subcommand name', name);
  checkDescription(where, runnable.description);
  if (typeof runnable.run !== 'function') throw new CommandDefinitionError(where, '`run` must be a function');
  validateGuards(runnable, where);
  checkOptions(where, runnable.options ?? {});
}

function checkName(where: string, what: string, name: string): void {
  if (!NAME.test(name) || name !== name.toLowerCase())
    throw new CommandDefinitionError(where, `${what} "${name}" must be 1-32 lowercase letters, digits, - or _`);
}

function checkDescription(where: string, description: string): void {
  if (description.length < 1 || description.length > MAX_DESCRIPTION)
    throw new CommandDefinitionError(where, `description must have 1-${String(MAX_DESCRIPTION)} characters`);
}

function checkOptions(where: string, options: OptionDefinitions): void {
  const entries = Object.entries(options);
  if (entries.length > MAX_OPTIONS) throw new CommandDefinitionError(where, `at most ${String(MAX_OPTIONS)} options`);
  let optionalSeen = false;
  for (const [name, definition] of entries) {
    const at = `${where} (option ${name})`;
    checkName(at, 'option name', name);
    checkDescription(at, definition.description);
    if (definition.required === true && optionalSeen)
      throw new CommandDefinitionError(at, 'required options must come before optional ones');
    if (definition.required !== true) optionalSeen = true;
    if (!('choices' in definition) || !definition.choices) continue;
    if (definition.choices.length > MAX_CHOICES) throw new CommandDefinitionError(at, `at most ${String(MAX_CHOICES)} choices`);
    if (definition.autocomplete !== undefined && definition.autocomplete !== false)
      throw new CommandDefinitionError(at, 'an option cannot have both choices and autocomplete');
    for (const choice of definition.choices) {
      if (choice.name.length < 1 || choice.name.length > 100)
        throw new CommandDefinitionError(at, 'choice names must have 1-100 characters');
      if (typeof choice.value === 'string' && choice.value.length > 100)
        throw new CommandDefinitionError(at, 'string choice values must have at most 100 characters');
    }
  }
}

/** The JSON Discord registers for a definition. */
export function toCommandJSON(definition: CommandDefinition): CommandJSON {
  if (isContextMenu(definition)) {
    const type = definition.type === 'user' ? ApplicationCommandType.User : ApplicationCommandType.Message;
    return { type, name: definition.name, ...localizations(definition), ...scopeJSON(definition) };
  }
  const scope = {
    type: ApplicationCommandType.ChatInput as const,
    name: definition.name,
    description: definition.description,
    ...localizations(definition),
    ...scopeJSON(definition),
  };
  if (!isParent(definition)) return { ...scope, options: optionsJSON(definition.options ?? {}) };
  const subcommands = Object.entries(definition.subcommands ?? {}).map(([name, sub]) => subcommandJSON(name, sub));
  const groups = Object.entries(definition.groups ?? {}).map(([name, group]): APIApplicationCommandOption => ({
    type: ApplicationCommandOptionType.SubcommandGroup,
    name,
    description: group.description,
    ...localizations(group),
    options: Object.entries(group.subcommands).map(([subName, sub]) => subcommandJSON(subName, sub)),
  }));
  return { ...scope, options: [...subcommands, ...groups] };
}

function scopeJSON(scope: CommandScope) {
  return {
    default_member_permissions:
      scope.defaultMemberPermissions == null ? null : PermissionsBitField.resolve(scope.defaultMemberPermissions).toString(),
    ...(scope.nsfw === undefined ? {} : { nsfw: scope.nsfw }),
    ...(scope.contexts ? { contexts: [...scope.contexts] } : {}),
    ...(scope.integrationTypes ? { integration_types: [...scope.integrationTypes] } : {}),
  };
}

function subcommandJSON(name: string, sub: Runnable<OptionDefinitions>): APIApplicationCommandSubcommandOption {
  return {
    type: ApplicationCommandOptionType.Subcommand as const,
    name,
    description: sub.description,
    ...localizations(sub),
    options: optionsJSON(sub.options ?? {}),
  };
}

function optionsJSON(options: OptionDefinitions): APIApplicationCommandBasicOption[] {
  return Object.entries(options).map(([name, definition]) => optionJSON(name, definition));
}

function optionJSON(name: string, definition: OptionDefinition): APIApplicationCommandBasicOption {
  const json: Record<string, unknown> = {
    type: definition.type,
    name,
    description: definition.description,
    required: definition.required ?? false,
    ...localizations(definition),
  };
  if ('choices' in definition && definition.choices) {
    json.choices = definition.choices.map((choice) => ({
      name: choice.name,
      value: choice.value,
      ...(choice.nameLocalizations ? { name_localizations: choice.nameLocalizations } : {}),
    }));
  }
  if ('autocomplete' in definition && definition.autocomplete !== undefined) json.autocomplete = definition.autocomplete !== false;
  if ('minLength' in definition && definition.minLength !== undefined) json.min_length = definition.minLength;
  if ('maxLength' in definition && definition.maxLength !== undefined) json.max_length = definition.maxLength;
  if ('minValue' in definition && definition.minValue !== undefined) json.min_value = definition.minValue;
  if ('maxValue' in definition && definition.maxValue !== undefined) json.max_value = definition.maxValue;
  if ('channelTypes' in definition && definition.channelTypes) json.channel_types = [...definition.channelTypes];
  return json as unknown as APIApplicationCommandBasicOption;
}

function localizations(described: { nameLocalizations?: object; descriptionLocalizations?: object }) {
  return {
    ...(described.nameLocalizations ? { name_localizations: described.nameLocalizations } : {}),
    ...(described.descriptionLocalizations ? { description_localizations: described.descriptionLocalizations } : {}),
  };
}

/**
 * A command (ours or one Discord returned) reduced to what decides whether it must be registered again:
 * Discord adds ids, versions and defaults that are not differences.
 */
export function comparable(command: Record<string, unknown>, fieldsWeSet: { contexts: boolean; integrationTypes: boolean }): unknown {
  return {
    type: command.type ?? ApplicationCommandType.ChatInput,
    name: command.name,
    // Discord returns "" for a context-menu command, which has none.
    description: command.description || undefined,
    name_localizations: emptyToNull(command.name_localizations),
    description_localizations: emptyToNull(command.description_localizations),
    default_member_permissions: command.default_member_permissions ?? null,
    nsfw: command.nsfw ?? false,
    contexts: fieldsWeSet.contexts ? (command.contexts ?? null) : undefined,
    integration_types: fieldsWeSet.integrationTypes ? (command.integration_types ?? null) : undefined,
    options: comparableOptions(command.options),
  };
}

function comparableOptions(options: unknown): unknown[] {
  if (!Array.isArray(options)) return [];
  return options.map((raw: Record<string, unknown>) => {
    const isContainer = raw.type === ApplicationCommandOptionType.Subcommand || raw.type === ApplicationCommandOptionType.SubcommandGroup;
    return {
      type: raw.type,
      name: raw.name,
      description: raw.description,
      name_localizations: emptyToNull(raw.name_localizations),
      description_localizations: emptyToNull(raw.description_localizations),
      required: isContainer ? undefined : (raw.required ?? false),
      choices: Array.isArray(raw.choices)
        ? raw.choices.map((c: Record<string, unknown>) => ({
            name: c.name,
            value: c.value,
            name_localizations: emptyToNull(c.name_localizations),
          }))
        : [],
      autocomplete: raw.autocomplete ?? false,
      min_length: raw.min_length ?? null,
      max_length: raw.max_length ?? null,
      min_value: raw.min_value ?? null,
      max_value: raw.max_value ?? null,
      channel_types: Array.isArray(raw.channel_types) ? [...(raw.channel_types as number[])].sort((a, b) => a - b) : [],
      options: comparableOptions(raw.options),
    };
  });
}

function emptyToNull(value: unknown): unknown {
  return value && typeof value === 'object' && Object.keys(value).length > 0 ? value : null;
}
