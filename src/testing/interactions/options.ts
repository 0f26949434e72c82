import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import type { APIApplicationCommand, APIApplicationCommandInteractionDataOption, APIApplicationCommandOption } from 'discord-api-types/v10';
import { FakeDiscordError } from '../errors.js';
import { FakeChannel } from '../state.js';
import type { FakeRole, FakeUser } from '../state.js';
import { isRole } from './resolver.js';
import type { AttachmentInput, Resolver } from './resolver.js';

/** What a test may pass as an option value; users, channels, roles and files are resolved as Discord does. */
export type OptionValue = string | number | boolean | FakeUser | FakeChannel | FakeRole | AttachmentInput;
export type OptionValues = Readonly<Record<string, OptionValue>>;

const S = ApplicationCommandOptionType;
const SCALAR_TYPES = new Set<ApplicationCommandOptionType>([S.String, S.Integer, S.Number, S.Boolean]);

/**
 * Builds `data.options` and `data.resolved` for a slash command or autocomplete from plain values, checking
 * them against the registered definition the way Discord's client does (types, required, choices, ranges).
 * `path` names the command then its subcommand group and subcommand: `['settings', 'volume', 'set']`.
 * Without a definition (an unregistered command) option types are inferred from the values.
 */
export function buildCommandOptions(
  resolver: Resolver,
  command: APIApplicationCommand | null,
  path: readonly string[],
  values: OptionValues,
  focused?: string,
): APIApplicationCommandInteractionDataOption[] {
  let definitions = command?.options ?? null;
  const wrappers: { type: ApplicationCommandOptionType.Subcommand | ApplicationCommandOptionType.SubcommandGroup; name: string }[] = [];
  for (const name of path.slice(1)) {
    if (definitions === null) {
      wrappers.push({ type: wrappers.length === 0 && path.length === 3 ? S.SubcommandGroup : S.Subcommand, name });
      continue;
    }
    const found = definitions.find((o) => o.name === name && (o.type === S.Subcommand || o.type === S.SubcommandGroup));
    if (!found || (found.type !== S.Subcommand && found.type !== S.SubcommandGroup)) {
      throw new FakeDiscordError(
        'LANTERN_ERR_FAKE_UNKNOWN_COMMAND',
        `/${path.join(' ')}: "${name}" is not a subcommand or group of /${path[0] ?? ''} (it has: ${describe(definitions)})`,
      );
    }
    wrappers.push({ type: found.type, name });
    definitions = found.options ?? [];
  }
  if (definitions?.some((o) => o.type === S.Subcommand || o.type === S.SubcommandGroup)) {
    throw new FakeDiscordError('LANTERN_ERR_FAKE_BAD_OPTION', `/${path.join(' ')} needs a subcommand: one of ${describe(definitions)}`);
  }

  const leaf: APIApplicationCommandInteractionDataOption[] = [];
  for (const [name, value] of Object.entries(values)) {
    const definition = definitions?.find((o) => o.name === name);
    if (definitions && !definition)
      throw new FakeDiscordError(
        'LANTERN_ERR_FAKE_BAD_OPTION',
        `/${path.join(' ')} has no option "${name}" (it has: ${describe(definitions) || 'none'})`,
      );
    const type = definition?.type ?? inferType(value);
    if (name === focused) {
      if (definition && !('autocomplete' in definition && definition.autocomplete))
        throw new FakeDiscordError(
          'LANTERN_ERR_FAKE_BAD_OPTION',
          `Option "${name}" of /${path.join(' ')} does not have autocomplete enabled`,
        );
      leaf.push({
        name,
        type,
        value: typeof value === 'object' ? '' : String(value),
        focused: true,
      } as APIApplicationCommandInteractionDataOption);
      continue;
    }
    leaf.push({
      name,
      type,
      value: resolveValue(resolver, path, name, type, definition, value),
    } as APIApplicationCommandInteractionDataOption);
  }
  if (focused === undefined) {
    for (const definition of definitions ?? []) {
      if ('required' in definition && definition.required && !(definition.name in values))
        throw new FakeDiscordError('LANTERN_ERR_FAKE_BAD_OPTION', `/${path.join(' ')} requires option "${definition.name}"`);
    }
  } else if (!(focused in values)) {
    throw new FakeDiscordError(
      'LANTERN_ERR_FAKE_BAD_OPTION',
      `The focused option "${focused}" needs a value (what the user has typed so far)`,
    );
  }

  let options = leaf;
  for (const wrapper of wrappers.reverse())
    options = [{ type: wrapper.type, name: wrapper.name, options } as APIApplicationCommandInteractionDataOption];
  return options;
}

function describe(definitions: readonly APIApplicationCommandOption[]): string {
  return definitions.map((o) => o.name).join(', ');
}

function inferType(value: OptionValue): ApplicationCommandOptionType {
  if (typeof value === 'string') return S.String;
  if (typeof value === 'boolean') return S.Boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? S.Integer : S.Number;
  if (value instanceof FakeChannel) return S.Channel;
  if ('username' in value) return S.User;
  if (isRole(value)) return S.Role;
  return S.Attachment;
}

/** The constraint fields any option definition may carry (the union type spreads them over its members). */
interface OptionConstraints {
  readonly choices?: readonly { value: string | number }[];
  readonly min_value?: number;
  readonly max_value?: number;
  readonly min_length?: number;
  readonly max_length?: number;
  readonly channel_types?: readonly number[];
}

function resolveValue(
  r: Resolver,
  path: readonly string[],
  name: string,
  type: ApplicationCommandOptionType,
  definition: APIApplicationCommandOption | undefined,
  value: OptionValue,
): string | number | boolean {
  const fail = (why: string): never => {
    throw new FakeDiscordError('LANTERN_ERR_FAKE_BAD_OPTION', `Option "${name}" of /${path.join(' ')}: ${why}`);
  };
  const def = definition as OptionConstraints | undefined;
  if (SCALAR_TYPES.has(type)) {
    const expected = type === S.String ? 'string' : type === S.Boolean ? 'boolean' : 'number';
    if (typeof value !== expected) fail(`expected a ${expected}, got ${typeof value === 'object' ? 'an object' : typeof value}`);
    if (type === S.Integer && !Number.isInteger(value)) fail(`expected an integer, got ${JSON.stringify(value)}`);
    if (def?.choices?.length && !def.choices.some((c) => c.value === value))
      fail(`${JSON.stringify(value)} is not one of the choices ${JSON.stringify(def.choices.map((c) => c.value))}`);
    if (typeof value === 'number') {
      if (def?.min_value !== undefined && value < def.min_value) fail(`${value} is below the minimum ${def.min_value}`);
      if (def?.max_value !== undefined && value > def.max_value) fail(`${value} is above the maximum ${def.max_value}`);
    }
    if (typeof value === 'string') {
      if (def?.min_length !== undefined && value.length < def.min_length) fail(`shorter than ${def.min_length} characters`);
      if (def?.max_length !== undefined && value.length > def.max_length) fail(`longer than ${def.max_length} characters`);
    }
    return value as string | number | boolean;
  }
  if (typeof value !== 'object') return fail(`expected a ${S[type]}, got ${typeof value}`);
  switch (type) {
    case S.User:
      if (!('username' in value)) return fail('expected a user');
      return r.user(value);
    case S.Channel: {
      if (!(value instanceof FakeChannel)) return fail('expected a channel');
      if (def?.channel_types?.length && !def.channel_types.includes(value.type))
        fail(`channel type ${value.type} is not one of ${JSON.stringify(def.channel_types)}`);
      return r.channelOption(value);
    }
    case S.Role:
      if (!isRole(value)) return fail('expected a role');
      return r.role(value);
    case S.Mentionable:
      if ('username' in value) return r.user(value);
      if (isRole(value)) return r.role(value);
      return fail('expected a user or a role');
    case S.Attachment:
      if (!('data' in value) || !('name' in value) || value instanceof FakeChannel) return fail('expected an attachment { name, data }');
      return r.attachment(value);
    default:
      return fail(`unsupported option type ${type}`);
  }
}

/** `'/settings volume set'` → `['settings', 'volume', 'set']`. */
export function commandPath(command: string): string[] {
  return command.replace(/^\//, '').trim().split(/\s+/);
}
