import { ApplicationCommandOptionType } from 'discord.js';
import type { Attachment, ChannelType, CommandInteractionOption, LocalizationMap, User } from 'discord.js';
import type { AutocompleteContext } from '../interactions/context.js';

interface OptionBase {
  description: string;
  required?: boolean;
  nameLocalizations?: LocalizationMap;
  descriptionLocalizations?: LocalizationMap;
}

export interface Choice<Value extends string | number> {
  name: string;
  value: Value;
  nameLocalizations?: LocalizationMap;
}

/** A suggestion: a value shown as itself, or a name shown for a value. */
export type AutocompleteChoice<Value extends string | number = string | number> = Value | Choice<Value>;

/**
 * Suggests values while the user types. Lantern answers Discord with at most 25 of them (names cut to 100
 * characters); when it throws, the user sees no suggestions and an `AutocompleteError` is dispatched.
 */
export type AutocompleteHandler<Value extends string | number = string | number> = (
  ctx: AutocompleteContext<Value>,
) => readonly AutocompleteChoice<Value>[] | Promise<readonly AutocompleteChoice<Value>[]>;

export interface StringOptionInput extends OptionBase {
  choices?: readonly Choice<string>[];
  minLength?: number;
  maxLength?: number;
  /** A handler that suggests values as the user types (or `true` when the bot answers autocomplete itself). */
  autocomplete?: boolean | AutocompleteHandler<string>;
}

export interface NumericOptionInput extends OptionBase {
  choices?: readonly Choice<number>[];
  minValue?: number;
  maxValue?: number;
  /** A handler that suggests values as the user types (or `true` when the bot answers autocomplete itself). */
  autocomplete?: boolean | AutocompleteHandler<number>;
}

export interface ChannelOptionInput extends OptionBase {
  channelTypes?: readonly ChannelType[];
}

/** What a definition of each kind carries once built: its Discord type and the input it was given. */
export type StringOption = StringOptionInput & { type: ApplicationCommandOptionType.String };
export type IntegerOption = NumericOptionInput & { type: ApplicationCommandOptionType.Integer };
export type NumberOption = NumericOptionInput & { type: ApplicationCommandOptionType.Number };
export type BooleanOption = OptionBase & { type: ApplicationCommandOptionType.Boolean };
export type UserOption = OptionBase & { type: ApplicationCommandOptionType.User };
export type ChannelOption = ChannelOptionInput & { type: ApplicationCommandOptionType.Channel };
export type RoleOption = OptionBase & { type: ApplicationCommandOptionType.Role };
export type MentionableOption = OptionBase & { type: ApplicationCommandOptionType.Mentionable };
export type AttachmentOption = OptionBase & { type: ApplicationCommandOptionType.Attachment };

export type OptionDefinition =
  | StringOption
  | IntegerOption
  | NumberOption
  | BooleanOption
  | UserOption
  | ChannelOption
  | RoleOption
  | MentionableOption
  | AttachmentOption;

/** A command's options by name; the names are the keys, as Discord requires them (lowercase, no spaces). */
export type OptionDefinitions = Record<string, OptionDefinition>;

export type ChannelValue = NonNullable<CommandInteractionOption['channel']>;
export type RoleValue = NonNullable<CommandInteractionOption['role']>;
export type MentionableValue = NonNullable<
  CommandInteractionOption['member'] | CommandInteractionOption['user'] | CommandInteractionOption['role']
>;

type ChoiceValue<D, Fallback> = D extends { choices: readonly Choice<infer V>[] } ? V : Fallback;

type ValueOf<D extends OptionDefinition> = D['type'] extends ApplicationCommandOptionType.String
  ? ChoiceValue<D, string>
  : D['type'] extends ApplicationCommandOptionType.Integer | ApplicationCommandOptionType.Number
    ? ChoiceValue<D, number>
    : D['type'] extends ApplicationCommandOptionType.Boolean
      ? boolean
      : D['type'] extends ApplicationCommandOptionType.User
        ? User
        : D['type'] extends ApplicationCommandOptionType.Channel
          ? ChannelValue
          : D['type'] extends ApplicationCommandOptionType.Role
            ? RoleValue
            : D['type'] extends ApplicationCommandOptionType.Mentionable
              ? MentionableValue
              : Attachment;

/** The value a handler receives for one option: its type, narrowed to the choices, `undefined` unless required. */
export type OptionValue<D extends OptionDefinition> = D extends { required: true } ? ValueOf<D> : ValueOf<D> | undefined;

/** The handler's `ctx.options`, typed from the definitions. */
export type OptionValues<O extends OptionDefinitions> = { readonly [K in keyof O]: OptionValue<O[K]> };

/**
 * The input of a builder, refused by the compiler when it holds a key its kind does not take: `option.string({
 * minValue: 3 })` and the typo `requried: true` do not compile, where a plain generic would let them through.
 */
type Exact<D, Allowed> = D & Record<Exclude<keyof D, keyof Allowed>, never>;

/**
 * Option builders. Each returns a plain value whose literal types (`required: true`, the choices) type the
 * handler's arguments: `option.string({ description: 'Colour', choices: [{ name: 'Red', value: 'red' }] })`
 * gives the handler `'red' | undefined`.
 */
export const option = {
  string: <const D extends StringOptionInput>(input: Exact<D, StringOptionInput>) => ({
    ...input,
    type: ApplicationCommandOptionType.String as const,
  }),
  integer: <const D extends NumericOptionInput>(input: Exact<D, NumericOptionInput>) => ({
    ...input,
    type: ApplicationCommandOptionType.Integer as const,
  }),
  number: <const D extends NumericOptionInput>(input: Exact<D, NumericOptionInput>) => ({
    ...input,
    type: ApplicationCommandOptionType.Number as const,
  }),
  boolean: <const D extends OptionBase>(input: Exact<D, OptionBase>) => ({ ...input, type: ApplicationCommandOptionType.Boolean as const }),
  user: <const D extends OptionBase>(input: Exact<D, OptionBase>) => ({ ...input, type: ApplicationCommandOptionType.User as const }),
  channel: <const D extends ChannelOptionInput>(input: Exact<D, ChannelOptionInput>) => ({
    ...input,
    type: ApplicationCommandOptionType.Channel as const,
  }),
  role: <const D extends OptionBase>(input: Exact<D, OptionBase>) => ({ ...input, type: ApplicationCommandOptionType.Role as const }),
  mentionable: <const D extends OptionBase>(input: Exact<D, OptionBase>) => ({
    ...input,
    type: ApplicationCommandOptionType.Mentionable as const,
  }),
  attachment: <const D extends OptionBase>(input: Exact<D, OptionBase>) => ({
    ...input,
    type: ApplicationCommandOptionType.Attachment as const,
  }),
};
