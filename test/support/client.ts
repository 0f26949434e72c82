import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { ClientOptions } from 'discord.js';
import type { FakeDiscord } from '../../src/testing/index.js';

/** A real discord.js client logged in to the fake and ready; `stop` destroys it. */
export async function connectClient(
  discord: FakeDiscord,
  options: Partial<ClientOptions> = {},
  token = discord.token,
): Promise<Client<true>> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], ...options, rest: { ...discord.rest, ...options.rest } });
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(token);
  return ready;
}
