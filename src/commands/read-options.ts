import { ApplicationCommandOptionType } from 'discord.js';
import type { ChatInputCommandInteraction, CommandInteractionOption } from 'discord.js';
import { OptionMismatchError } from '../errors/codes.js';
import { leafOptions, valueProblem } from './option-values.js';
import type { OptionDefinition, OptionDefinitions, OptionValues } from './options.js';

/**
 * Reads an interaction's options as its definition describes them. A value of another type, a required one
 * missing, a value outside the definition's bounds, lengths, choices or channel types, or an option the definition
 * does not have, means Discord holds another registration than the code (or the request was forged): that is an
 * OptionMismatchError, never a wrong value handed to the handler.
 */
export function readOptions<O extends OptionDefinitions>(
  interaction: ChatInputCommandInteraction,
  definitions: O,
  command: string,
): OptionValues<O> {
  const values: Record<string, unknown> = {};
  for (const received of leafOptions(interaction.options.data))
    if (!Object.hasOwn(definitions, received.name))
      throw new OptionMismatchError(command, received.name, 'the definition has no such option');
  for (const [name, definition] of Object.entries(definitions)) {
    const received = interaction.options.get(name);
    if (!received) {
      if (definition.required === true) throw new OptionMismatchError(command, name, 'it is required and was not sent');
      values[name] = undefined;
      continue;
    }
    if (received.type !== definition.type)
      throw new OptionMismatchError(command, name, `it arrived as type ${String(received.type)}, not ${String(definition.type)}`);
    const problem = valueProblem(received, definition);
    if (problem !== undefined) throw new OptionMismatchError(command, name, problem);
    values[name] = valueOf(received, definition);
    if (values[name] === undefined) throw new OptionMismatchError(command, name, 'what it names is not in the interaction');
  }
  // Frozen: the values are what the user sent; a handler that wants others makes its own.
  return Object.freeze(values) as OptionValues<O>;
}

function valueOf(received: CommandInteractionOption, definition: OptionDefinition): unknown {
  switch (definition.type) {
    case ApplicationCommandOptionType.User:
      return received.user;
    case ApplicationCommandOptionType.Channel:
      return received.channel;
    case ApplicationCommandOptionType.Role:
      return received.role;
    case ApplicationCommandOptionType.Mentionable:
      return received.member ?? received.user ?? received.role;
    case ApplicationCommandOptionType.Attachment:
      return received.attachment;
    default:
      return received.value;
  }
}
