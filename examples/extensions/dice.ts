import { randomInt } from 'node:crypto';
import { command, defineExtension, option } from '../../src/index.js';

const roll = command({
  name: 'roll',
  description: 'Roll dice',
  options: {
    dice: option.integer({ description: 'How many dice', required: true, minValue: 1, maxValue: 20 }),
    sides: option.integer({
      description: 'Sides per die',
      choices: [
        { name: 'd6', value: 6 },
        { name: 'd20', value: 20 },
      ],
    }),
  },
  run: async (ctx) => {
    const sides = ctx.options.sides ?? 6;
    const rolls = Array.from({ length: ctx.options.dice }, () => randomInt(1, sides + 1));
    await ctx.reply(`🎲 ${rolls.join(' + ')} = ${String(rolls.reduce((a, b) => a + b, 0))}`);
  },
});

/** An extension: its commands and listeners belong to it and go when it is unloaded. */
export default defineExtension<{ maxDice?: number }>({
  name: 'dice',
  setup(bot, options) {
    bot.addCommand(roll);
    bot.log.info(`dice extension loaded (max ${String(options.maxDice ?? 20)} dice)`);
    return () => {
      bot.log.info('dice extension unloaded');
    };
  },
});
