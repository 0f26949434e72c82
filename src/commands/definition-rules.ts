import {
  ApplicationCommandOptionType,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  Locale,
  PermissionsBitField,
} from 'discord.js';
import { validateGuards } from '../checks/guard.js';
import { CommandDefinitionError } from '../errors/codes.js';
import { describeValue } from '../errors/format.js';
import { isContextMenu, isParent } from './define.js';
import { commandLabel } from '../util/command-label.js';
import type { CommandDefinition, CommandScope, Runnable, SubcommandGroup } from './define.js';
import type { OptionDefinition, OptionDefinitions } from './options.js';
import { DiscordLimits } from '../util/limits.js';

/**
 * Discord's rules for application commands, checked on a definition before any request so that a mistake is a
 * `CommandDefinitionError` naming the command, the option and the rule, never a 50035 at sync time (or, for the
 * rules Discord does not check, a command that misbehaves).
 */

/** Names of slash commands and their options: lowercase where the script has case. */
const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
/** Context-menu names: any case, spaces allowed. */
const CONTEXT_MENU_NAME = /^[-_' \p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const SNOWFLAKE = /^\d{17,20}$/;
const MAX_OPTIONS = DiscordLimits.options;
const MAX_CHOICES = DiscordLimits.choices;
const MAX_DESCRIPTION = DiscordLimits.commandDescription;
const MAX_CHOICE_TEXT = DiscordLimits.choiceText;
const MAX_STRING_LENGTH = DiscordLimits.stringOptionLength;
/** Discord's limit on integer and number bounds and choices: what a double holds exactly. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Names, descriptions, choice names and values of a command together, in any one locale. */
const MAX_COMMAND_SIZE = DiscordLimits.commandSize;

const LOCALES = new Set<string>(Object.values(Locale));
const CHANNEL_TYPES = new Set<number>(Object.values(ChannelType).filter((v): v is number => typeof v === 'number'));
const CONTEXTS = new Set<number>(Object.values(InteractionContextType).filter((v): v is number => typeof v === 'number'));
const INTEGRATION_TYPES = new Set<number>(Object.values(ApplicationIntegrationType).filter((v): v is number => typeof v === 'number'));

const DESCRIBED_KEYS = ['description', 'nameLocalizations', 'descriptionLocalizations'];
const GUARD_KEYS = ['checks', 'cooldown', 'maxConcurrency'];
const SCOPE_KEYS = ['guilds', 'defaultMemberPermissions', 'nsfw', 'contexts', 'integrationTypes'];
const SLASH_KEYS = new Set(['name', 'options', 'run', 'onError', ...DESCRIBED_KEYS, ...GUARD_KEYS, ...SCOPE_KEYS]);
const PARENT_KEYS = new Set(['name', 'subcommands', 'groups', 'onError', ...DESCRIBED_KEYS, ...GUARD_KEYS, ...SCOPE_KEYS]);
const SUBCOMMAND_KEYS = new Set(['options', 'run', 'onError', ...DESCRIBED_KEYS, ...GUARD_KEYS]);
const GROUP_KEYS = new Set(['subcommands', ...DESCRIBED_KEYS]);
const CONTEXT_MENU_KEYS = new Set(['type', 'name', 'nameLocalizations', 'run', 'onError', ...GUARD_KEYS, ...SCOPE_KEYS]);

const OPTION_BASE_KEYS = ['type', 'description', 'required', 'nameLocalizations', 'descriptionLocalizations'];
/** What each kind of option may carry; anything else is a mistake (a typo, or a setting of another kind). */
const OPTION_KEYS: Readonly<Record<number, ReadonlySet<string>>> = {
  [ApplicationCommandOptionType.String]: new Set([...OPTION_BASE_KEYS, 'choices', 'minLength', 'maxLength', 'autocomplete']),
  [ApplicationCommandOptionType.Integer]: new Set([...OPTION_BASE_KEYS, 'choices', 'minValue', 'maxValue', 'autocomplete']),
  [ApplicationCommandOptionType.Number]: new Set([...OPTION_BASE_KEYS, 'choices', 'minValue', 'maxValue', 'autocomplete']),
  [ApplicationCommandOptionType.Boolean]: new Set(OPTION_BASE_KEYS),
  [ApplicationCommandOptionType.User]: new Set(OPTION_BASE_KEYS),
  [ApplicationCommandOptionType.Channel]: new Set([...OPTION_BASE_KEYS, 'channelTypes']),
  [ApplicationCommandOptionType.Role]: new Set(OPTION_BASE_KEYS),
  [ApplicationCommandOptionType.Mentionable]: new Set(OPTION_BASE_KEYS),
  [ApplicationCommandOptionType.Attachment]: new Set(OPTION_BASE_KEYS),
};

/** Throws a CommandDefinitionError for anything Discord would refuse or a handler could not be given, before any request. */
export function validateCommand(definition: CommandDefinition): void {
  const where = typeof definition.name === 'string' ? commandLabel(definition) : 'without a name';
  const fail: Fail = failure(where);
  if (isContextMenu(definition)) {
    knownKeys(definition, CONTEXT_MENU_KEYS, fail);
    if (typeof definition.name !== 'string' || !CONTEXT_MENU_NAME.test(definition.name) || definition.name.trim() !== definition.name)
      fail(`name ${shown(definition.name)} must be 1-32 letters, digits, spaces, - or _`);
    checkLocalizations(definition.nameLocalizations, 'nameLocalizations', (name) => CONTEXT_MENU_NAME.test(name), '1-32 characters', fail);
    if (typeof definition.run !== 'function') fail('`run` must be a function');
    checkScope(definition, fail);
    validateGuards(definition, where);
    return;
  }
  knownKeys(definition, isParent(definition) ? PARENT_KEYS : SLASH_KEYS, fail);
  checkName(definition.name, 'name', fail);
  checkDescribed(definition, fail);
  checkScope(definition, fail);
  validateGuards(definition, where);
  if (!isParent(definition)) {
    checkRunnableBody(definition, fail, where);
  } else {
    const subcommands = entriesOf(definition.subcommands, 'subcommands', fail);
    const groups = entriesOf(definition.groups, 'groups', fail);
    if (subcommands.length + groups.length === 0) fail('needs `run`, or `subcommands` / `groups`');
    if (subcommands.length + groups.length > MAX_OPTIONS) fail(`at most ${MAX_OPTIONS} subcommands and groups`);
    for (const [name, sub] of subcommands) checkSubcommand(`${where} ${name}`, name, sub as Runnable<OptionDefinitions>);
    for (const [name, group] of groups) checkGroup(`${where} ${name}`, name, group as SubcommandGroup);
  }
  const size = commandSize(definition);
  if (size > MAX_COMMAND_SIZE)
    fail(`its names, descriptions and choices add up to ${size} characters; Discord allows ${MAX_COMMAND_SIZE} per command`);
}

type Fail = (rule: string, option?: string) => never;

function failure(where: string): Fail {
  return (rule, option) => {
    throw new CommandDefinitionError(where, rule, option);
  };
}

function checkGroup(where: string, name: string, group: SubcommandGroup): void {
  const fail: Fail = failure(where);
  if (!isRecord(group)) fail('a group must be an object with a description and subcommands');
  knownKeys(group, GROUP_KEYS, fail);
  checkName(name, 'group name', fail);
  checkDescribed(group, fail);
  const inner = entriesOf(group.subcommands, 'subcommands', fail);
  if (inner.length === 0 || inner.length > MAX_OPTIONS) fail(`a group needs 1 to ${MAX_OPTIONS} subcommands`);
  for (const [subName, sub] of inner) checkSubcommand(`${where} ${subName}`, subName, sub as Runnable<OptionDefinitions>);
}

function checkSubcommand(where: string, name: string, runnable: Runnable<OptionDefinitions>): void {
  const fail: Fail = failure(where);
  if (!isRecord(runnable)) fail('a subcommand must be an object with a description and `run`');
  knownKeys(runnable, SUBCOMMAND_KEYS, fail);
  checkName(name, 'subcommand name', fail);
  checkDescribed(runnable, fail);
  validateGuards(runnable, where);
  checkRunnableBody(runnable, fail, where);
}

function checkRunnableBody(runnable: Runnable<OptionDefinitions>, fail: Fail, where: string): void {
  if (typeof runnable.run !== 'function') fail('`run` must be a function');
  if (runnable.options !== undefined && !isRecord(runnable.options)) fail('`options` must be an object of option definitions by name');
  const entries = Object.entries(runnable.options ?? {});
  if (entries.length > MAX_OPTIONS) fail(`at most ${MAX_OPTIONS} options`);
  let optionalSeen = false;
  for (const [name, definition] of entries) {
    checkOption(name, definition, failure(where));
    if (definition.required === true && optionalSeen) fail('required options must come before optional ones', name);
    if (definition.required !== true) optionalSeen = true;
  }
}

function checkOption(name: string, definition: OptionDefinition, commandFail: Fail): void {
  const fail: (rule: string) => never = (rule) => commandFail(rule, name);
  if (!NAME.test(name) || name !== name.toLowerCase()) fail(`the name "${name}" must be 1-32 lowercase letters, digits, - or _`);
  if (!isRecord(definition)) fail('an option must be built with option.string(...), option.integer(...) and the like');
  const allowed = OPTION_KEYS[definition.type as number];
  if (!allowed) fail(`type ${shown(definition.type)} is not an option type (build options with option.string(...) and the like)`);
  knownKeys(definition, allowed, fail, ApplicationCommandOptionType[definition.type]);
  checkDescribed(definition, fail);
  if (definition.required !== undefined && typeof definition.required !== 'boolean') fail('`required` must be true or false');
  switch (definition.type) {
    case ApplicationCommandOptionType.String:
      checkBound(definition.minLength, 'minLength', 0, MAX_STRING_LENGTH, true, fail);
      checkBound(definition.maxLength, 'maxLength', 1, MAX_STRING_LENGTH, true, fail);
      if (definition.minLength !== undefined && definition.maxLength !== undefined && definition.minLength > definition.maxLength)
        fail(`minLength (${definition.minLength}) must not be greater than maxLength (${definition.maxLength})`);
      checkChoices(definition, 'string', fail);
      break;
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      const integer = definition.type === ApplicationCommandOptionType.Integer;
      checkBound(definition.minValue, 'minValue', -MAX_SAFE, MAX_SAFE, integer, fail);
      checkBound(definition.maxValue, 'maxValue', -MAX_SAFE, MAX_SAFE, integer, fail);
      if (definition.minValue !== undefined && definition.maxValue !== undefined && definition.minValue > definition.maxValue)
        fail(`minValue (${definition.minValue}) must not be greater than maxValue (${definition.maxValue})`);
      checkChoices(definition, integer ? 'integer' : 'number', fail);
      break;
    }
    case ApplicationCommandOptionType.Channel:
      if (definition.channelTypes !== undefined) {
        if (!Array.isArray(definition.channelTypes)) fail('`channelTypes` must be a list of ChannelType values');
        for (const type of definition.channelTypes as readonly unknown[])
          if (!CHANNEL_TYPES.has(type as number)) fail(`channelTypes holds ${shown(type)}, which is not a ChannelType`);
        if (new Set(definition.channelTypes).size !== definition.channelTypes.length) fail('channelTypes lists a type twice');
      }
      break;
  }
}

function checkChoices(
  definition: { choices?: readonly { name: string; value: unknown; nameLocalizations?: unknown }[]; autocomplete?: unknown },
  kind: 'string' | 'integer' | 'number',
  fail: (rule: string) => never,
): void {
  const { choices, autocomplete } = definition;
  if (autocomplete !== undefined && typeof autocomplete !== 'boolean' && typeof autocomplete !== 'function')
    fail('`autocomplete` must be a handler function, or true when the bot answers autocomplete itself');
  if (choices === undefined) return;
  if (!Array.isArray(choices)) fail('`choices` must be a list of { name, value }');
  if (choices.length > MAX_CHOICES) fail(`at most ${MAX_CHOICES} choices`);
  if (choices.length > 0 && autocomplete !== undefined && autocomplete !== false)
    fail('an option cannot have both choices and autocomplete');
  for (const choice of choices) {
    if (!isRecord(choice)) fail('each choice must be { name, value }');
    if (typeof choice.name !== 'string' || choice.name.length < 1 || choice.name.length > MAX_CHOICE_TEXT)
      fail(`choice names must be strings of 1-${MAX_CHOICE_TEXT} characters (got ${shown(choice.name)})`);
    checkLocalizations(
      choice.nameLocalizations,
      'choice nameLocalizations',
      (text) => text.length >= 1 && text.length <= MAX_CHOICE_TEXT,
      `1-${MAX_CHOICE_TEXT} characters`,
      fail,
    );
    const { value } = choice;
    const fits =
      kind === 'string'
        ? typeof value === 'string' && value.length <= MAX_CHOICE_TEXT
        : typeof value === 'number' &&
          (kind === 'integer' ? Number.isSafeInteger(value) : Number.isFinite(value) && Math.abs(value) <= MAX_SAFE);
    if (!fits)
      fail(
        `the value of choice "${choice.name}" must be ${
          kind === 'string' ? `a string of at most ${MAX_CHOICE_TEXT} characters` : `a${kind === 'integer' ? 'n integer' : ' number'}`
        } for ${kind === 'integer' ? 'an' : 'a'} ${kind} option (got ${shown(value)})`,
      );
  }
}

function checkBound(value: unknown, what: string, min: number, max: number, integer: boolean, fail: (rule: string) => never): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && (integer ? Number.isSafeInteger(value) : Number.isFinite(value)) && value >= min && value <= max;
  if (!ok) {
    const from = min === -MAX_SAFE ? '-2^53' : min;
    const to = max === MAX_SAFE ? '2^53' : max;
    fail(`${what} must be ${integer ? 'an integer' : 'a number'} from ${from} to ${to} (got ${shown(value)})`);
  }
}

function checkName(name: unknown, what: string, fail: Fail): void {
  if (typeof name !== 'string' || !NAME.test(name) || name !== name.toLowerCase())
    fail(`${what} ${shown(name)} must be 1-32 lowercase letters, digits, - or _`);
}

function checkDescribed(
  described: { description?: unknown; nameLocalizations?: unknown; descriptionLocalizations?: unknown },
  fail: (rule: string) => never,
): void {
  const { description } = described;
  if (typeof description !== 'string') fail(`description must be a string (got ${shown(description)})`);
  if (description.length < 1 || description.length > MAX_DESCRIPTION) fail(`description must have 1-${MAX_DESCRIPTION} characters`);
  checkLocalizations(
    described.nameLocalizations,
    'nameLocalizations',
    (name) => NAME.test(name) && name === name.toLowerCase(),
    '1-32 lowercase letters, digits, - or _',
    fail,
  );
  checkLocalizations(
    described.descriptionLocalizations,
    'descriptionLocalizations',
    (text) => text.length >= 1 && text.length <= MAX_DESCRIPTION,
    `1-${MAX_DESCRIPTION} characters`,
    fail,
  );
}

function checkLocalizations(
  map: unknown,
  what: string,
  valid: (text: string) => boolean,
  rule: string,
  fail: (rule: string) => never,
): void {
  if (map === undefined || map === null) return;
  if (!isRecord(map)) fail(`${what} must map locales to text`);
  for (const [locale, text] of Object.entries(map)) {
    if (!LOCALES.has(locale)) fail(`${what} names "${locale}", which is not a locale Discord knows (such as "en-US" or "de")`);
    if (text === null || text === undefined) continue;
    if (typeof text !== 'string' || !valid(text)) fail(`${what}["${locale}"] must be ${rule} (got ${shown(text)})`);
  }
}

function checkScope(scope: CommandScope, fail: (rule: string) => never): void {
  if (scope.guilds !== undefined) {
    if (!Array.isArray(scope.guilds)) fail('`guilds` must be a list of guild ids');
    for (const id of scope.guilds)
      if (typeof id !== 'string' || !SNOWFLAKE.test(id)) fail(`guilds holds ${shown(id)}, which is not a guild id`);
  }
  if (scope.defaultMemberPermissions !== undefined && scope.defaultMemberPermissions !== null) {
    try {
      PermissionsBitField.resolve(scope.defaultMemberPermissions);
    } catch {
      fail(`defaultMemberPermissions ${shown(scope.defaultMemberPermissions)} is not a permission or a set of them`);
    }
  }
  if (scope.nsfw !== undefined && typeof scope.nsfw !== 'boolean') fail('`nsfw` must be true or false');
  checkEnumList(scope.contexts, 'contexts', CONTEXTS, 'InteractionContextType', fail);
  checkEnumList(scope.integrationTypes, 'integrationTypes', INTEGRATION_TYPES, 'ApplicationIntegrationType', fail);
}

function checkEnumList(list: unknown, what: string, allowed: ReadonlySet<number>, enumName: string, fail: (rule: string) => never): void {
  if (list === undefined) return;
  if (!Array.isArray(list) || list.length === 0) fail(`${what} must be a non-empty list of ${enumName} values`);
  for (const value of list as unknown[])
    if (!allowed.has(value as number)) fail(`${what} holds ${shown(value)}, which is not an ${enumName}`);
  if (new Set(list).size !== list.length) fail(`${what} lists a value twice`);
}

/** The keys a definition may have; another is a typo or a setting that belongs elsewhere, and would be ignored silently. */
function knownKeys(definition: object, allowed: ReadonlySet<string>, fail: (rule: string) => never, kind?: string): void {
  for (const key of Object.keys(definition)) {
    if (allowed.has(key)) continue;
    const near = [...allowed].find((candidate) => closeTo(key, candidate));
    const belongs = kind ? ` to a ${kind.toLowerCase()} option` : '';
    fail(`\`${key}\` does not belong${belongs}${near ? ` (did you mean \`${near}\`?)` : ''}`);
  }
}

/** Two edits apart at most, or the same letters in another order: a typo rather than another word. */
function closeTo(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.split('').sort().join('') === b.split('').sort().join('')) return true;
  const distance: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (distance[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = distance[i] as number[];
      const above = distance[i - 1] as number[];
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  return (distance[a.length]?.[b.length] ?? Infinity) <= 2;
}

function entriesOf(map: unknown, what: string, fail: (rule: string) => never): [string, unknown][] {
  if (map === undefined) return [];
  if (!isRecord(map)) fail(`\`${what}\` must be an object of definitions by name`);
  return Object.entries(map);
}

/**
 * What Discord counts against a command's 8000 characters: the name and description of the command and of everything
 * under it, and each choice's name and value; with the default strings, and again in each locale some of them have.
 */
function commandSize(definition: CommandDefinition): number {
  if (isContextMenu(definition)) return 0;
  const parts: { text: string; localized?: Readonly<Record<string, string | null | undefined>> }[] = [];
  const described = (name: string, node: { description: string; nameLocalizations?: object; descriptionLocalizations?: object }): void => {
    parts.push(
      { text: name, localized: node.nameLocalizations as never },
      { text: node.description, localized: node.descriptionLocalizations as never },
    );
  };
  const options = (map: OptionDefinitions | undefined): void => {
    for (const [name, option] of Object.entries(map ?? {})) {
      described(name, option);
      for (const choice of 'choices' in option ? (option.choices ?? []) : []) {
        parts.push({ text: choice.name, localized: choice.nameLocalizations }, { text: String(choice.value) });
      }
    }
  };
  described(definition.name, definition);
  if (!isParent(definition)) options(definition.options);
  else {
    for (const [name, sub] of Object.entries(definition.subcommands ?? {})) {
      described(name, sub);
      options(sub.options);
    }
    for (const [name, group] of Object.entries(definition.groups ?? {})) {
      described(name, group);
      for (const [subName, sub] of Object.entries(group.subcommands)) {
        described(subName, sub);
        options(sub.options);
      }
    }
  }
  const locales = new Set(parts.flatMap(({ localized }) => Object.keys(localized ?? {})));
  const sizeIn = (locale: string | null): number =>
    parts.reduce((sum, { text, localized }) => sum + (locale !== null ? (localized?.[locale] ?? text) : text).length, 0);
  return Math.max(sizeIn(null), ...[...locales].map(sizeIn));
}

/** A value in a rule: strings quoted, so that `"5"` and `5` read apart. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : describeValue(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
