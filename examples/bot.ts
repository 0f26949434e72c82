import { Client, Events, GatewayIntentBits, MessageFlags } from 'discord.js';
import type { ApplicationCommandDataResolvable, ChatInputCommandInteraction, ClientOptions } from 'discord.js';

/** The example bot's commands, as Discord registers them. */
export const commands: ApplicationCommandDataResolvable[] = [
  { name: 'ping', description: 'Check that the bot answers' },
  { name: 'echo', description: 'Repeat what you say', options: [{ name: 'text', description: 'What to repeat', type: 3, required: true }] },
  { name: 'divide', description: 'Divide two numbers (fails on zero)', options: [{ name: 'a', description: 'Dividend', type: 10, required: true }, { name: 'b', description: 'Divisor', type: 10, required: true }] },
];

const handlers: Record<string, (interaction: ChatInputCommandInteraction) => Promise<unknown>> = {
  ping: (i) => i.reply(`Pong! (${String(Date.now() - i.createdTimestamp)} ms since you asked)`),
  echo: (i) => i.reply({ content: i.options.getString('text', true), flags: MessageFlags.Ephemeral }),
  divide: async (i) => {
    const b = i.options.getNumber('b', true);
    if (b === 0) throw new RangeError('Cannot divide by zero');
    await i.reply(String(i.options.getNumber('a', true) / b));
  },
};

/**
 * A plain discord.js bot: the baseline Lantern builds on. Errors are caught by hand here; Lantern's Client
 * will take that job (events, tracebacks, trackers).
 */
export function createBot(options: Partial<ClientOptions> = {}, log: (line: string) => void = console.log): Client {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], ...options });
  client.once(Events.ClientReady, (ready) => {
    log(`logged in as ${ready.user.username}`);
    ready.application.commands.set(commands).catch((error: unknown) => {
      log(`command sync failed: ${String(error)}`);
    });
  });
  client.on(Events.InteractionCreate, (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    const handler = handlers[interaction.commandName];
    if (!handler) {
      void interaction.reply({ content: 'This command is not available any more.', flags: MessageFlags.Ephemeral });
      return;
    }
    handler(interaction).catch(async (error: unknown) => {
      log(`/${interaction.commandName} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      const answer = { content: 'Something went wrong running that command.', flags: MessageFlags.Ephemeral } as const;
      await (interaction.replied || interaction.deferred ? interaction.followUp(answer) : interaction.reply(answer)).catch(() => undefined);
    });
  });
  return client;
}
