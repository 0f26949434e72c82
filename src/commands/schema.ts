import { ApplicationCommandOptionType, ApplicationCommandType, PermissionsBitField } from 'discord.js';
import type {
  APIApplicationCommandBasicOption,
  APIApplicationCommandOption,
  APIApplicationCommandSubcommandOption,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { isContextMenu, isParent } from './define.js';
import type { CommandDefinition, CommandScope, Runnable } from './define.js';
import type { OptionDefinition, OptionDefinitions } from './options.js';

export type CommandJSON = RESTPostAPIChatInputApplicationCommandsJSONBody | RESTPostAPIContextMenuApplicationCommandsJSONBody;

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
