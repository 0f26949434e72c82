import { after } from 'node:test';
import { Events } from 'discord.js';
import type { ChatInputCommandInteraction, Client, ClientOptions } from 'discord.js';
import { FakeDiscord } from '../../src/testing/index.js';
import type { UserActor } from '../../src/testing/index.js';
import { connectClient } from './client.js';

interface Destroyable {
  destroy(): unknown;
}

/**
 * Tracks every fake and client a test file makes and tears them down after the file, so a failing assertion
 * cannot leave a socket open that keeps the process alive. Call once per file, at the top level.
 */
export function trackResources() {
  const clients = new Set<Destroyable>();
  const fakes = new Set<FakeDiscord>();
  after(async () => {
    for (const client of clients) await client.destroy();
    for (const discord of fakes) await discord.stop();
  });
  return {
    track: <T extends Destroyable>(client: T): T => {
      clients.add(client);
      return client;
    },
    startFake: async (options: Parameters<typeof FakeDiscord.start>[0] = {}): Promise<FakeDiscord> => {
      const discord = await FakeDiscord.start(options);
      fakes.add(discord);
      return discord;
    },
    stopFake: async (discord: FakeDiscord): Promise<void> => {
      fakes.delete(discord);
      await discord.stop();
    },
    connect: async (discord: FakeDiscord, options: Partial<ClientOptions> = {}): Promise<Client<true>> => {
      const client = await connectClient(discord, options);
      clients.add(client);
      return client;
    },
    destroy: async (client: Destroyable): Promise<void> => {
      clients.delete(client);
      await client.destroy();
    },
  };
}

/** Polls `condition` every 10 ms; throws after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Sends an unregistered slash command as `actor` and resolves with what `handler` returned or threw. */
export function runCommand(
  client: Client,
  actor: UserActor,
  handler: (interaction: ChatInputCommandInteraction) => Promise<unknown>,
): Promise<unknown> {
  return new Promise((resolve) => {
    client.once(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) handler(interaction).then(resolve, resolve);
    });
    actor.slash('t', {}, { allowUnregistered: true });
  });
}

/** What a run came to: 'ran', or the error it threw. */
export async function outcome(run: Promise<void>): Promise<unknown> {
  try {
    await run;
    return 'ran';
  } catch (error) {
    return error;
  }
}
