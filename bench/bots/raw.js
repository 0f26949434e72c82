// @ts-check
/** The baseline: the bench command on plain discord.js, written as its guide teaches, with a careful catch. */
import { Client, Events, GatewayIntentBits, MessageFlags, SlashCommandBuilder } from 'discord.js';
import { benchWork, config, restOptions, serve } from './probe.js';

const bench = new SlashCommandBuilder()
  .setName('bench')
  .setDescription('Bench')
  .addIntegerOption((option) => option.setName('n').setDescription('Which request this is'));

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: restOptions() });

/** @param {import('discord.js').ChatInputCommandInteraction} interaction */
async function runBench(interaction) {
  try {
    benchWork(interaction.options.getInteger('n'));
    await interaction.reply('ok');
  } catch (error) {
    // What a careful discord.js bot does by hand: log it, tell the user.
    console.error('Error in /bench:', error);
    await interaction.reply({ content: 'Sorry, something went wrong.', flags: MessageFlags.Ephemeral }).catch(() => undefined);
  }
}

client.on(Events.InteractionCreate, (interaction) => {
  if (interaction.isChatInputCommand() && interaction.commandName === 'bench') void runBench(interaction);
});

client.once(Events.ClientReady, (ready) => {
  void ready.application.commands.set([bench.toJSON()]).then(() => {
    serve(() => client.destroy());
  });
});
await client.login(config.token);
