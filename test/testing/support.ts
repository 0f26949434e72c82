import { DiscordAPIError, Events } from 'discord.js';
import type { Client, Interaction } from 'discord.js';
import type { InteractionHandle } from '../../src/testing/index.js';

/** Discord's `errors` tree of a 50035 flattened to `path CODE` lines, in the order Discord wrote them. */
export function formErrors(error: unknown): string[] {
  if (!(error instanceof DiscordAPIError)) throw error;
  const lines: string[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '_errors' && Array.isArray(value))
        for (const entry of value as { code: string }[]) lines.push(`${path.join('.') || '_root'} ${entry.code}`);
      else walk(value, [...path, key]);
    }
  };
  walk((error.rawError as { errors?: unknown }).errors, []);
  return lines;
}

/** What a rejected call was refused with: `code` for a Discord error, with its field errors when it has them. */
export async function refusal(call: Promise<unknown>): Promise<{ code: number | string; fields: string[] }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof DiscordAPIError)) throw error;
    return { code: error.code, fields: formErrors(error) };
  }
  throw new Error('The call was accepted');
}

/** The interaction discord.js builds for the INTERACTION_CREATE that `start` sends, checked to be of the kind `is` wants. */
export async function nextInteraction<T extends Interaction>(
  client: Client,
  start: () => InteractionHandle,
  is: (interaction: Interaction) => interaction is T,
): Promise<{ interaction: T; handle: InteractionHandle }> {
  const arrived = new Promise<Interaction>((resolve) => client.once(Events.InteractionCreate, resolve));
  const handle = start();
  const interaction = await arrived;
  if (!is(interaction)) throw new Error(`Interaction ${interaction.id} is not of the kind the test expects`);
  return { interaction, handle };
}
