// @ts-check
/** The bench command on Sapphire, as a command piece (registered in code instead of found on disk). */
import { ApplicationCommandRegistries, Command, container, Events, RegisterBehavior, SapphireClient } from '@sapphire/framework';
import { GatewayIntentBits } from 'discord.js';
import { benchWork, config, restOptions, serve } from './probe.js';

class BenchCommand extends Command {
  /**
   * @override
   * @param {Command.Registry} registry
   */
  registerApplicationCommands(registry) {
    registry.registerChatInputCommand((builder) =>
      builder
        .setName('bench')
        .setDescription('Bench')
        .addIntegerOption((option) => option.setName('n').setDescription('Which request this is')),
    );
  }

  /**
   * @override
   * @param {Command.ChatInputCommandInteraction} interaction
   */
  async chatInputRun(interaction) {
    benchWork(interaction.options.getInteger('n'));
    await interaction.reply('ok');
  }
}

// One bulk PUT, as the other variants register their commands.
ApplicationCommandRegistries.setDefaultBehaviorWhenNotIdentical(RegisterBehavior.BulkOverwrite);
const client = new SapphireClient({ intents: [GatewayIntentBits.Guilds], rest: restOptions(), baseUserDirectory: null });
await container.stores.loadPiece({ store: 'commands', name: 'bench', piece: BenchCommand });
client.once(Events.ApplicationCommandRegistriesRegistered, () => {
  serve(() => client.destroy());
});
await client.login(config.token);
