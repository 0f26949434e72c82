// @ts-check
/**
 * The bench command on Lantern, with `lantern/ext/sentry` when the driver passes a DSN (and its outbox where the
 * driver says), `lantern/ext/local` when it passes a store's file, `lantern/ext/webhook` when it passes a webhook.
 */
import { Client, command, option } from 'lantern';
import { benchWork, config, restOptions, serve } from './probe.js';

const bot = new Client({ token: config.token, sendCommandTracebacks: false, discord: { rest: restOptions() } });
if (config.sentryDsn) {
  const outbox = typeof config.outbox === 'string' ? { path: config.outbox } : (config.outbox ?? true);
  await bot.loadExtension('lantern/ext/sentry', { dsn: config.sentryDsn, environment: 'bench', release: 'bench', outbox });
}
if (config.localStore) await bot.loadExtension('lantern/ext/local', { path: config.localStore, environment: 'bench', release: 'bench' });
if (config.webhook) await bot.loadExtension('lantern/ext/webhook', { ...config.webhook, release: 'bench' });

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
