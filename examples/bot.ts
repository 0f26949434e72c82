import { ButtonStyle, ComponentType } from 'discord.js';
import { button, command, Client, Events, field, modal, option, userCommand } from '../src/index.js';
import type { ClientOptions } from '../src/index.js';

const ping = command({
  name: 'ping',
  description: 'Check that the bot answers',
  // Twice in 30 seconds is enough: a third try is answered with how long to wait, in the user's language.
  cooldown: { bucket: 'user', uses: 2, windowMs: 30_000 },
  run: (ctx) => ctx.reply(`Pong! (${String(Date.now() - ctx.interaction.createdTimestamp)} ms since you asked)`),
});

const FRUITS = [
  'apple',
  'apricot',
  'banana',
  'blackberry',
  'blueberry',
  'cherry',
  'grape',
  'kiwi',
  'lemon',
  'mango',
  'orange',
  'peach',
  'pear',
  'plum',
];

const fruit = command({
  name: 'fruit',
  description: 'Pick a fruit (with suggestions as you type)',
  options: {
    name: option.string({
      description: 'Which fruit',
      required: true,
      autocomplete: (ctx) => FRUITS.filter((f) => f.startsWith(ctx.value.toLowerCase())),
    }),
  },
  run: (ctx) => ctx.reply(`You picked ${ctx.options.name}.`),
});

/** A button that survives restarts: its state is in its custom id. */
const counterButton = button({
  customId: 'count:{n}',
  run: async (ctx): Promise<void> => {
    const n = Number(ctx.params.n) + 1;
    if (n > 3) throw new RangeError(`The counter stops at 3 (got ${String(n)})`);
    await ctx.update({ content: `Count: ${String(n)}`, components: [counterRow(n)] });
  },
});

function counterRow(n: number) {
  return {
    type: ComponentType.ActionRow,
    components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, label: '+1', custom_id: counterButton.id({ n: String(n) }) }],
  } as const;
}

const counter = command({
  name: 'counter',
  description: 'A counter with a button',
  run: (ctx) => ctx.reply({ content: 'Count: 0', components: [counterRow(0)] }),
});

const feedbackForm = modal({
  customId: 'feedback',
  title: 'Feedback',
  fields: {
    text: field.paragraph({ label: 'What should we improve?', maxLength: 500 }),
    contact: field.short({ label: 'Email (optional)', required: false }),
  },
  run: (ctx) =>
    ctx.reply({
      content:
        `Thanks! We got ${String(ctx.fields.text.length)} ` +
        `characters${ctx.fields.contact ? ` and will answer ${ctx.fields.contact}` : ''}.`,
      ephemeral: true,
    }),
});

const feedback = command({
  name: 'feedback',
  description: 'Tell the developers what to improve',
  run: (ctx) => ctx.showModal(feedbackForm.build()),
});

const whois = userCommand({
  name: 'Who is this',
  run: (ctx) =>
    ctx.reply({
      content: `${ctx.targetUser.username} joined Discord <t:${String(Math.floor(ctx.targetUser.createdTimestamp / 1000))}:R>.`,
      ephemeral: true,
    }),
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
 * The example bot: commands (one fails on zero, one has a cooldown, one suggests as you type), a counter
 * button that fails past 3, a feedback modal, a user context-menu command, a status task whose second run
 * fails, the dice extension, and an `Error` listener beside Lantern's default one. Tracebacks go to the bot's
 * owners only; everyone else gets a friendly message.
 */
export async function createBot(options: ClientOptions = {}): Promise<Client> {
  const bot = new Client({ sendCommandTracebacks: 'owners', ...options });
  bot.addCommand(ping, echo, divide, fruit, counter, feedback, whois);
  bot.addComponent(counterButton);
  bot.addModal(feedbackForm);
  bot.task({
    name: 'status report',
    every: 60_000,
    run: ({ iteration }) => {
      if (iteration === 2) throw new Error('Status page answered 503');
      bot.log.info(`status report #${String(iteration)}: all good`);
    },
  });
  bot.listen(Events.Error, ({ source, ctx, expected }) => {
    // Expected errors (a cooldown, a failed check) were explained to the user already.
    if (ctx && !expected) bot.log.warn(`${ctx.user.username} hit an error in ${source}`);
  });
  await bot.loadExtension(new URL('./extensions/dice.ts', import.meta.url).href, { maxDice: 20 });
  return bot;
}
