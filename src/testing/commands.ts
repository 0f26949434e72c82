import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord-api-types/v10';
import type { APIApplicationCommand, APIApplicationCommandOption } from 'discord-api-types/v10';
import { DiscordApiFailure } from './discord-error.js';
import type { FormError } from './discord-error.js';
import { snowflake } from './state.js';

const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const MAX_PER_TYPE: Record<number, number> = {
  [ApplicationCommandType.ChatInput]: 100,
  [ApplicationCommandType.User]: 15,
  [ApplicationCommandType.Message]: 15,
};
const GLOBAL = 'global';

type CommandBody = Record<string, unknown>;

/**
 * Application commands as Discord stores them: global and per guild, with Discord's validation, so a bot's
 * command sync meets the same 50035 answers it would in production.
 */
export class CommandStore {
  private readonly scopes = new Map<string, Map<string, APIApplicationCommand>>();

  constructor(private readonly applicationId: string) {}

  list(guildId?: string): APIApplicationCommand[] {
    return [...this.scope(guildId).values()];
  }

  get(id: string, guildId?: string): APIApplicationCommand | undefined {
    return this.scope(guildId).get(id);
  }

  /** The command a user sees in a guild (a guild command wins over a global one of the same name), or in DMs. */
  find(name: string, type: ApplicationCommandType, guildId: string | null): APIApplicationCommand | undefined {
    const match = (c: APIApplicationCommand): boolean => c.name === name && c.type === type;
    return (guildId === null ? undefined : this.list(guildId).find(match)) ?? this.list().find(match);
  }

  /** PUT: replaces the whole set; commands keep their id when their name and type stay. */
  overwrite(body: unknown, guildId?: string): APIApplicationCommand[] {
    if (!Array.isArray(body))
      throw DiscordApiFailure.invalidForm([
        { path: '_root', code: 'ARRAY_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' },
      ]);
    const errors = body.flatMap((command: unknown, i) => validateCommand(command, String(i)));
    if (errors.length > 0) throw DiscordApiFailure.invalidForm(errors);
    const commands = body as CommandBody[];
    const seen = new Set<string>();
    const counts = new Map<number, number>();
    commands.forEach((command, i) => {
      const type = commandType(command);
      const key = `${type}:${String(command.name)}`;
      if (seen.has(key))
        errors.push({
          path: `${i}.name`,
          code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
          message: `Application command names must be unique`,
        });
      seen.add(key);
      counts.set(type, (counts.get(type) ?? 0) + 1);
    });
    for (const [type, count] of counts) {
      if (count > (MAX_PER_TYPE[type] ?? 0))
        errors.push({
          path: '_root',
          code: 'APPLICATION_COMMANDS_TOO_MANY',
          message: `Too many commands of type ${type}: ${count} > ${MAX_PER_TYPE[type] ?? 0}`,
        });
    }
    if (errors.length > 0) throw DiscordApiFailure.invalidForm(errors);

    const previous = this.list(guildId);
    const next = new Map<string, APIApplicationCommand>();
    for (const command of commands) {
      const kept = previous.find((c) => c.name === command.name && c.type === commandType(command));
      const stored = this.toStored(command, guildId, kept?.id);
      next.set(stored.id, stored);
    }
    this.scopes.set(guildId ?? GLOBAL, next);
    return [...next.values()];
  }

  /** POST: creates, or replaces the command with the same name and type (Discord's upsert). */
  create(body: unknown, guildId?: string): { command: APIApplicationCommand; created: boolean } {
    const errors = validateCommand(body, '');
    if (errors.length > 0) throw DiscordApiFailure.invalidForm(errors);
    const command = body as CommandBody;
    const kept = this.list(guildId).find((c) => c.name === command.name && c.type === commandType(command));
    const stored = this.toStored(command, guildId, kept?.id);
    this.scope(guildId).set(stored.id, stored);
    return { command: stored, created: kept === undefined };
  }

  edit(id: string, body: unknown, guildId?: string): APIApplicationCommand | undefined {
    const existing = this.get(id, guildId);
    if (!existing) return undefined;
    const merged = { ...existing, ...(body as CommandBody) };
    const errors = validateCommand(merged, '');
    if (errors.length > 0) throw DiscordApiFailure.invalidForm(errors);
    const stored = this.toStored(merged, guildId, id);
    this.scope(guildId).set(id, stored);
    return stored;
  }

  delete(id: string, guildId?: string): boolean {
    return this.scope(guildId).delete(id);
  }

  private scope(guildId?: string): Map<string, APIApplicationCommand> {
    const key = guildId ?? GLOBAL;
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = new Map();
      this.scopes.set(key, scope);
    }
    return scope;
  }

  private toStored(command: CommandBody, guildId: string | undefined, id = snowflake()): APIApplicationCommand {
    const type = commandType(command);
    return {
      id,
      application_id: this.applicationId,
      version: snowflake(),
      type,
      name: command.name as string,
      name_localizations: (command.name_localizations as Record<string, string> | undefined) ?? null,
      description: type === ApplicationCommandType.ChatInput ? (command.description as string) : '',
      description_localizations: (command.description_localizations as Record<string, string> | undefined) ?? null,
      options: (command.options as APIApplicationCommandOption[] | undefined) ?? [],
      default_member_permissions: (command.default_member_permissions as string | null | undefined) ?? null,
      nsfw: (command.nsfw as boolean | undefined) ?? false,
      contexts: (command.contexts as number[] | undefined) ?? null,
      integration_types: (command.integration_types as number[] | undefined) ?? [0],
      ...(guildId ? { guild_id: guildId } : {}),
    };
  }
}

function commandType(command: CommandBody): ApplicationCommandType {
  return (command.type as ApplicationCommandType | undefined) ?? ApplicationCommandType.ChatInput;
}

function at(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

function validateCommand(value: unknown, path: string): FormError[] {
  if (typeof value !== 'object' || value === null)
    return [{ path: at(path, '_root'), code: 'MODEL_TYPE_CONVERT', message: 'Expected an object' }];
  const command = value as CommandBody;
  const type = commandType(command);
  const errors: FormError[] = [];
  if (![ApplicationCommandType.ChatInput, ApplicationCommandType.User, ApplicationCommandType.Message].includes(type)) {
    return [{ path: at(path, 'type'), code: 'BASE_TYPE_CHOICES', message: `Value must be one of {1, 2, 3}.` }];
  }
  const name = command.name;
  if (typeof name !== 'string' || name.length < 1 || name.length > 32) {
    errors.push({ path: at(path, 'name'), code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 32 in length.' });
  } else if (type === ApplicationCommandType.ChatInput && (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase())) {
    errors.push({
      path: at(path, 'name'),
      code: 'APPLICATION_COMMAND_INVALID_NAME',
      message: `Command name "${name}" is invalid (lowercase letters, digits, - and _ only)`,
    });
  }
  if (type === ApplicationCommandType.ChatInput) {
    errors.push(...validateDescription(command.description, path));
    errors.push(...validateOptions(command.options, at(path, 'options'), 0));
    const size = commandSize(command);
    if (size > MAX_COMMAND_SIZE)
      errors.push({
        path: at(path, '_root'),
        code: 'APPLICATION_COMMAND_TOO_LARGE',
        message: `Command exceeds maximum size (${MAX_COMMAND_SIZE}): its names, descriptions and choices add up to ${size} characters`,
      });
  } else if (typeof command.description === 'string' && command.description !== '') {
    errors.push({
      path: at(path, 'description'),
      code: 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
      message: 'Context menu commands cannot have a description',
    });
  }
  return errors;
}

function validateDescription(description: unknown, path: string): FormError[] {
  if (typeof description === 'string' && description.length >= 1 && description.length <= 100) return [];
  return [{ path: at(path, 'description'), code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }];
}

const SUBCOMMAND_TYPES = new Set<number>([ApplicationCommandOptionType.Subcommand, ApplicationCommandOptionType.SubcommandGroup]);
/** The option types that take choices and autocomplete: the others are picked from Discord's own lists. */
const CHOOSABLE_TYPES = new Set<number>([
  ApplicationCommandOptionType.String,
  ApplicationCommandOptionType.Integer,
  ApplicationCommandOptionType.Number,
]);
/** Discord's cap on a command's names, descriptions and choices taken together, in any one locale. */
const MAX_COMMAND_SIZE = 8000;

/** The bounds of an option must leave a value to give; choices and autocomplete belong to string and number options. */
function optionValueRuleErrors(option: CommandBody, path: string, type: number): FormError[] {
  const errors: FormError[] = [];
  for (const [low, high] of [
    ['min_value', 'max_value'],
    ['min_length', 'max_length'],
  ] as const) {
    const min = option[low];
    const max = option[high];
    if (typeof min === 'number' && typeof max === 'number' && min > max)
      errors.push({
        path: `${path}.${low}`,
        code: 'APPLICATION_COMMAND_OPTION_INVALID_RANGE',
        message: `${low} must be less than or equal to ${high} (${max})`,
      });
  }
  if (!CHOOSABLE_TYPES.has(type)) {
    if (Array.isArray(option.choices) && option.choices.length > 0)
      errors.push({
        path: `${path}.choices`,
        code: 'APPLICATION_COMMAND_OPTION_CHOICES_INVALID',
        message: 'Choices cannot be configured for this type of option',
      });
    if (option.autocomplete === true)
      errors.push({
        path: `${path}.autocomplete`,
        code: 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID',
        message: 'Autocomplete can only be enabled for string, integer and number options',
      });
  }
  return errors;
}

/**
 * What Discord counts against the 8000: the name and description of the command and of every option below it, and
 * the name and value of every choice; once with the default strings and once per locale that replaces some of them.
 */
function commandSize(command: CommandBody): number {
  const locales = new Set<string>();
  const parts: { text: string; localized?: unknown }[] = [];
  const visit = (node: CommandBody): void => {
    parts.push({ text: text(node.name), localized: node.name_localizations });
    parts.push({ text: text(node.description), localized: node.description_localizations });
    for (const choice of Array.isArray(node.choices) ? (node.choices as CommandBody[]) : []) {
      parts.push({ text: text(choice.name), localized: choice.name_localizations });
      parts.push({ text: text(choice.value) });
    }
    for (const child of Array.isArray(node.options) ? (node.options as CommandBody[]) : []) if (isRecord(child)) visit(child);
  };
  visit(command);
  for (const { localized } of parts) if (isRecord(localized)) for (const locale of Object.keys(localized)) locales.add(locale);
  const sizeIn = (locale: string | null): number =>
    parts.reduce((sum, { text, localized }) => {
      const replaced = locale !== null && isRecord(localized) ? localized[locale] : undefined;
      return sum + (typeof replaced === 'string' ? replaced.length : text.length);
    }, 0);
  return Math.max(sizeIn(null), ...[...locales].map(sizeIn));
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateOptions(value: unknown, path: string, depth: number): FormError[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return [{ path, code: 'ARRAY_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }];
  const errors: FormError[] = [];
  if (value.length > 25) errors.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  const options = value as (CommandBody | null)[];
  const names = new Set<string>();
  let sawOptional = false;
  const kinds = new Set(options.map((o) => SUBCOMMAND_TYPES.has(o?.type as number)));
  if (kinds.size > 1)
    errors.push({
      path,
      code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      message: 'Subcommands and subcommand groups cannot be mixed with other options',
    });
  options.forEach((option, i) => {
    const here = `${path}.${i}`;
    if (typeof option !== 'object' || option === null) {
      errors.push({ path: here, code: 'MODEL_TYPE_CONVERT', message: 'Expected an object' });
      return;
    }
    const type = option.type as number;
    if (!Number.isInteger(type) || type < 1 || type > 11) {
      errors.push({ path: `${here}.type`, code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {1, ..., 11}.' });
      return;
    }
    if (typeof option.name !== 'string' || !CHAT_INPUT_NAME.test(option.name) || option.name !== option.name.toLowerCase()) {
      errors.push({
        path: `${here}.name`,
        code: 'APPLICATION_COMMAND_INVALID_NAME',
        message: `Option name "${String(option.name)}" is invalid`,
      });
    } else if (names.has(option.name)) {
      errors.push({ path: `${here}.name`, code: 'APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS', message: 'Option names must be unique' });
    } else {
      names.add(option.name);
    }
    errors.push(...validateDescription(option.description, here));
    if (type === ApplicationCommandOptionType.SubcommandGroup) {
      if (depth > 0)
        errors.push({
          path: `${here}.type`,
          code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
          message: 'Subcommand groups can only be at the top level',
        });
      const children = (option.options ?? []) as CommandBody[];
      if (children.some((c) => c.type !== ApplicationCommandOptionType.Subcommand))
        errors.push({
          path: `${here}.options`,
          code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
          message: 'Subcommand groups can only contain subcommands',
        });
      errors.push(...validateOptions(option.options, `${here}.options`, depth + 1));
    } else if (type === ApplicationCommandOptionType.Subcommand) {
      if (depth > 1)
        errors.push({
          path: `${here}.type`,
          code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
          message: 'Subcommands cannot be nested this deep',
        });
      errors.push(...validateOptions(option.options, `${here}.options`, 2));
    } else {
      if (option.required === true && sawOptional)
        errors.push({
          path: `${here}.required`,
          code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          message: 'Required options must be placed before non-required options',
        });
      if (option.required !== true) sawOptional = true;
      errors.push(...optionValueRuleErrors(option, here, type));
      const choices = option.choices;
      if (Array.isArray(choices)) {
        if (choices.length > 25)
          errors.push({ path: `${here}.choices`, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
        if (option.autocomplete === true && choices.length > 0)
          errors.push({
            path: `${here}.autocomplete`,
            code: 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID',
            message: 'Autocomplete cannot be set with choices',
          });
      }
    }
  });
  return errors;
}
