import { ApplicationCommandOptionType } from 'discord.js';
import type { CommandInteractionOption } from 'discord.js';
import type { OptionDefinition } from './options.js';

const SNOWFLAKE = /^\d{17,20}$/;
const CONTAINERS = new Set<ApplicationCommandOptionType>([
  ApplicationCommandOptionType.Subcommand,
  ApplicationCommandOptionType.SubcommandGroup,
]);

/**
 * What is wrong with a received value by its definition, or undefined when it fits: the type of the value itself
 * (Discord's type code can be right and the value not), the bounds, the lengths, the choices, the channel types.
 * Discord's client enforces these, so a value that breaks one comes from an older registration or a forged request;
 * either way the handler must not get it.
 */
export function valueProblem(received: CommandInteractionOption, definition: OptionDefinition): string | undefined {
  const { value } = received;
  switch (definition.type) {
    case ApplicationCommandOptionType.String:
      if (typeof value !== 'string') return `expected a string, got ${shown(value)}`;
      if (definition.minLength !== undefined && value.length < definition.minLength)
        return `${value.length} characters is fewer than minLength ${definition.minLength}`;
      if (definition.maxLength !== undefined && value.length > definition.maxLength)
        return `${value.length} characters is more than maxLength ${definition.maxLength}`;
      return choiceProblem(value, definition.choices);
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      const integer = definition.type === ApplicationCommandOptionType.Integer;
      if (typeof value !== 'number' || !(integer ? Number.isSafeInteger(value) : Number.isFinite(value)))
        return `expected ${integer ? 'an integer' : 'a number'}, got ${shown(value)}`;
      if (definition.minValue !== undefined && value < definition.minValue) return `${value} is below minValue ${definition.minValue}`;
      if (definition.maxValue !== undefined && value > definition.maxValue) return `${value} is above maxValue ${definition.maxValue}`;
      return choiceProblem(value, definition.choices);
    }
    case ApplicationCommandOptionType.Boolean:
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${shown(value)}`;
    case ApplicationCommandOptionType.Channel: {
      if (typeof value !== 'string' || !SNOWFLAKE.test(value)) return `expected a channel id, got ${shown(value)}`;
      const type = received.channel?.type;
      if (definition.channelTypes?.length && type !== undefined && !definition.channelTypes.includes(type))
        return `a channel of type ${type} is not one of channelTypes ${definition.channelTypes.join(', ')}`;
      return undefined;
    }
    default:
      return typeof value === 'string' && SNOWFLAKE.test(value) ? undefined : `expected an id, got ${shown(value)}`;
  }
}

function choiceProblem(value: string | number, choices: readonly { value: string | number }[] | undefined): string | undefined {
  if (!choices?.length || choices.some((choice) => choice.value === value)) return undefined;
  return `${shown(value)} is not one of the choices ${choices.map((choice) => shown(choice.value)).join(', ')}`;
}

/** The options the user gave the subcommand (or command) that runs: below its group and subcommand, if any. */
export function leafOptions(data: readonly CommandInteractionOption[]): readonly CommandInteractionOption[] {
  let options = data;
  for (let first = options[0]; first && CONTAINERS.has(first.type); first = options[0]) options = first.options ?? [];
  return options;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value) : String(value);
}
