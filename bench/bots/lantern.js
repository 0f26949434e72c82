// @ts-check
/** The bench command on Lantern, with `lantern/ext/sentry` when the driver passes a DSN. */
import { Client, command, option } from 'lantern';
import { benchWork, config, restOptions, serve } from './probe.js';

const bot = new Client({ token: config.token, sendCommandTracebacks: false, discord: { rest: restOptions() } });
if (config.sentryDsn) await bot.loadExtension('lantern/ext/sentry', { dsn: config.sentryDsn, environment: 'bench', release: 'bench' });

bot.addCommand(
  command({
    name: 'bench',
    description: 'Bench',
    options: { n: option.integer({ description: 'Which request this is' }) },
    run: async (ctx) => {
      benchWork(ctx.options.n);
      await ctx.reply('ok');
    },
  }),
);

await bot.start();
serve(() => bot.stop());
