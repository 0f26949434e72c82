import { command, Client, Events, option } from '../src/index.js';
import type { ClientOptions } from '../src/index.js';

const ping = command({
  name: 'ping',
  description: 'Check that the bot answers',
  run: (ctx) => ctx.reply(`Pong! (${String(Date.now() - ctx.interaction.createdTimestamp)} ms since you asked)`),
});

const echo = command({
  name: 'echo',
  description: 'Repeat what you say',
  options: { text: option.string({ description: 'What to repeat', required: true, maxLength: 200 }) },
  run: (ctx) => ctx.send({ content: ctx.options.text, ephemeral: true }),
});

const divide = command({
  name: 'divide',
  description: 'Divide two numbers (fails on zero)',
  options: {
    a: option.number({ description: 'Dividend', required: true }),
    b: option.number({ description: 'Divisor', required: true }),
  },
  run: async (ctx) => {
    await ctx.defer();
    if (ctx.options.b === 0) throw new RangeError('Cannot divide by zero');
    await ctx.send(String(ctx.options.a / ctx.options.b));
  },
});

/**
 * The example bot: three commands (one fails on zero), the dice extension, and an `Error` listener beside
 * Lantern's default one. Tracebacks go to the bot's owners only; everyone else gets a friendly message.
 */
export async function createBot(options: ClientOptions = {}): Promise<Client> {
  const bot = new Client({ sendCommandTracebacks: 'owners', ...options });
  bot.addCommand(ping, echo, divide);
  bot.listen(Events.Error, ({ source, ctx }) => {
    if (ctx) bot.log.warn(`${ctx.user.username} hit an error in ${source}`);
  });
  await bot.loadExtension(new URL('./extensions/dice.ts', import.meta.url).href, { maxDice: 20 });
  return bot;
}
