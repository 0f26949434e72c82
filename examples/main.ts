/**
 * `npm start`: with DISCORD_TOKEN set, runs the example bot on Discord. Without it, starts the fake Discord
 * from `lantern/testing` in this process, starts the same bot on it, and plays a short session as two users
 * would (alice owns the bot, bob does not), printing what each saw and what the bot logged. Exits 0 when done.
 */
import type { APIMessage } from 'discord.js';
import type { Logger } from '../src/index.js';
import { FakeDiscord } from '../src/testing/index.js';
import type { FakeUser, InteractionHandle, OptionValues } from '../src/testing/index.js';
import { createBot } from './bot.js';

if (process.env.DISCORD_TOKEN) {
  const bot = await createBot();
  process.once('SIGINT', () => void bot.stop());
  await bot.start();
} else {
  await playOffline();
}

async function playOffline(): Promise<void> {
  const discord = await FakeDiscord.start({ applicationName: 'Lantern example' });
  const alice = discord.addUser({ username: 'alice' });
  const bob = discord.addUser({ username: 'bob', locale: 'de' });
  const guild = discord.addGuild({ name: 'Lantern HQ', members: [alice, bob] });
  discord.setOwners([alice]);
  const logged: string[] = [];
  const logger: Logger = { info: (line) => logged.push(line), warn: (line) => logged.push(line), error: (line) => logged.push(line) };
  const bot = await createBot({ token: discord.token, logger, discord: { rest: discord.rest } });
  console.log(`No DISCORD_TOKEN: playing a session against the fake Discord at ${discord.baseUrl}\n`);

  try {
    await bot.start();
    flush('bot', logged);
    const steps: [FakeUser, string, OptionValues, { allowUnregistered?: boolean }?][] = [
      [alice, 'ping', {}],
      [alice, 'echo', { text: 'hello from alice' }],
      [bob, 'roll', { dice: 3, sides: 6 }],
      [alice, 'divide', { a: 10, b: 4 }],
      [alice, 'divide', { a: 1, b: 0 }],
      [bob, 'divide', { a: 1, b: 0 }],
      [bob, 'weather', {}, { allowUnregistered: true }],
    ];
    for (const [user, name, options, invoke] of steps) {
      const handle = discord.as(user, guild.channel('general')).slash(name, options, invoke);
      await handle.response();
      await bot.idle();
      const args = Object.entries(options).map(([k, v]) => `${k}:${typeof v === 'object' ? '…' : String(v)}`).join(' ');
      console.log(`${user.username} ran /${name}${args ? ` ${args}` : ''}${invoke?.allowUnregistered ? ' (registered long ago, since removed)' : ''}`);
      console.log(`  ${user.username} saw: ${whatTheUserSaw(handle)}`);
      flush('  bot logged', logged);
    }
  } finally {
    await bot.stop();
    flush('bot', logged);
    await discord.stop();
  }
  console.log('\nSession over.');
}

function whatTheUserSaw(handle: InteractionHandle): string {
  const answers = handle.responses.filter((r) => r.message && !(r.kind === 'deferReply'));
  if (answers.length === 0) return '(nothing)';
  return answers.map((r) => `${describe(r.message)}${r.ephemeral ? ' (only they can see it)' : ''}`).join('; then ') + ` (first answer after ${String(Math.round(handle.firstResponseMs ?? 0))} ms)`;
}

function describe(message: APIMessage | null): string {
  if (!message) return '(deleted)';
  const embed = message.embeds[0];
  if (embed) return `embed "${embed.title ?? ''}" ${JSON.stringify((embed.description ?? '').split('\n').slice(1, 3).join(' | '))}…`;
  return JSON.stringify(message.content);
}

function flush(prefix: string, lines: string[]): void {
  for (const line of lines.splice(0)) console.log(`${prefix}: ${line.split('\n').slice(0, 2).map((part) => part.trim()).join(' | ')}`);
}
