/**
 * `npm start`: with DISCORD_TOKEN set, runs the example bot on Discord. Without it, starts the fake Discord
 * from `lantern/testing` in this process, logs the same bot in, and plays a short session as a user would,
 * printing what the user saw and what the bot logged. Exits 0 when the session ends.
 */
import { Events } from 'discord.js';
import type { Client } from 'discord.js';
import { FakeDiscord } from '../src/testing/index.js';
import type { InteractionHandle, OptionValues } from '../src/testing/index.js';
import { createBot } from './bot.js';

const token = process.env.DISCORD_TOKEN;

if (token) {
  createBot().login(token).catch((error: unknown) => {
    console.error(`login failed: ${String(error)}`);
    process.exitCode = 1;
  });
} else {
  await playOffline();
}

async function playOffline(): Promise<void> {
  const discord = await FakeDiscord.start();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'Lantern HQ', members: [alice] });
  const logged: string[] = [];
  const bot = createBot({ rest: discord.rest }, (line) => logged.push(line));
  console.log(`No DISCORD_TOKEN: playing a session against the fake Discord at ${discord.baseUrl}\n`);

  try {
    await loginAndSync(bot, discord);
    flush('bot', logged);
    const as = discord.as(alice, guild.channel('general'));
    const steps: [string, OptionValues][] = [
      ['ping', {}],
      ['echo', { text: 'hello from alice' }],
      ['divide', { a: 10, b: 4 }],
      ['divide', { a: 1, b: 0 }],
    ];
    for (const [command, options] of steps) {
      const handle = as.slash(command, options);
      const shown = await whatTheUserSaw(handle);
      const args = Object.entries(options).map(([k, v]) => `${k}:${typeof v === "object" ? '…' : String(v)}`).join(' ');
      console.log(`alice ran /${command}${args ? ` ${args}` : ''}`);
      console.log(`  user saw: ${shown}`);
      flush('  bot logged', logged);
    }
  } finally {
    await bot.destroy();
    await discord.stop();
  }
  console.log('\nSession over.');
}

async function loginAndSync(bot: Client, discord: FakeDiscord): Promise<void> {
  const ready = new Promise((resolve) => bot.once(Events.ClientReady, resolve));
  await bot.login(discord.token);
  await ready;
  const deadline = Date.now() + 5000;
  while (discord.commands.list().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function whatTheUserSaw(handle: InteractionHandle): Promise<string> {
  const first = await handle.response();
  const last = first.kind === 'deferReply' ? await handle.response(undefined, { from: 1 }) : first;
  const text = last.message?.content ?? '(no message)';
  return `${JSON.stringify(text)}${last.ephemeral ? ' (only alice can see it)' : ''} after ${String(Math.round(handle.firstResponseMs ?? 0))} ms`;
}

function flush(prefix: string, lines: string[]): void {
  for (const line of lines.splice(0)) console.log(`${prefix}: ${line.split('\n').slice(0, 2).join(' | ')}`);
}
