/**
 * `npm run bench:core` (`-- --quick` for a short run): what Lantern adds to an interaction over a plain
 * discord.js handler, measured side by side in one process against the in-process fake Discord. The same fake
 * work is in both figures, so the difference is the framework's. Rounds alternate between the variants to
 * spread the machine's noise evenly. (The full comparison, with bot and fake in separate processes, Sapphire and
 * Sentry, is a separate benchmark.)
 */
import { Client as DiscordClient, Events as DiscordEvents, GatewayIntentBits, MessageFlags } from 'discord.js';
import { Client, command } from '../src/index.js';
import { FakeDiscord } from '../src/testing/index.js';
import type { FakeChannel, FakeUser } from '../src/testing/index.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 8;
const perRound = quick ? 200 : 1000;

interface Variant {
  name: string;
  command: string;
  discord: FakeDiscord;
  user: FakeUser;
  channel: FakeChannel;
  cpuMicros: number;
  count: number;
  latencies: number[];
  stop(): Promise<unknown>;
}

async function fakeWithUser(): Promise<{ discord: FakeDiscord; user: FakeUser; channel: FakeChannel }> {
  const discord = await FakeDiscord.start();
  const user = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'G', members: [user] });
  return { discord, user, channel: guild.channel('general') };
}

/** Where the plain bot's log line goes: nowhere, as Lantern's does in this bench. */
function discard(_line: string): void {
  return undefined;
}

async function rawVariant(name: string, fail: boolean): Promise<Variant> {
  const fake = await fakeWithUser();
  const client = new DiscordClient({ intents: [GatewayIntentBits.Guilds], rest: fake.discord.rest });
  client.on(DiscordEvents.InteractionCreate, (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    const run = async () => {
      if (fail) throw new Error('boom');
      await interaction.reply('ok');
    };
    // What a careful discord.js bot does by hand: catch, log, answer.
    run().catch(async (error: unknown) => {
      discard(error instanceof Error ? (error.stack ?? error.message) : String(error));
      await interaction.reply({ content: 'Something went wrong.', flags: MessageFlags.Ephemeral });
    });
  });
  const ready = new Promise((resolve) => client.once(DiscordEvents.ClientReady, resolve));
  await client.login(fake.discord.token);
  await ready;
  return { name, command: 'bench', ...fake, cpuMicros: 0, count: 0, latencies: [], stop: () => client.destroy().then(() => fake.discord.stop()) };
}

async function lanternVariant(name: string, fail: boolean): Promise<Variant> {
  const fake = await fakeWithUser();
  const bot = new Client({ token: fake.discord.token, discord: { rest: fake.discord.rest }, sendCommandTracebacks: false, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  bot.addCommand(command({
    name: 'bench',
    description: 'Bench',
    run: async (ctx) => {
      if (fail) throw new Error('boom');
      await ctx.reply('ok');
    },
  }));
  await bot.start();
  return { name, command: 'bench', ...fake, cpuMicros: 0, count: 0, latencies: [], stop: () => bot.stop().then(() => fake.discord.stop()) };
}

async function round(variant: Variant, count: number): Promise<void> {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const handle = variant.discord.as(variant.user, variant.channel).slash(variant.command, {}, { allowUnregistered: true });
    await handle.response();
    variant.latencies.push(handle.firstResponseMs ?? NaN);
  }
  const used = process.cpuUsage(before);
  variant.cpuMicros += used.user + used.system;
  variant.count += count;
}

const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? NaN;

const variants = [await rawVariant('discord.js, success (baseline)', false), await lanternVariant('Lantern, success', false), await rawVariant('discord.js, failure caught by hand', true), await lanternVariant('Lantern, failure (tracebacks off)', true)];
for (const variant of variants) await round(variant, quick ? 50 : 200); // warm-up, not counted
for (const variant of variants) {
  variant.cpuMicros = 0;
  variant.count = 0;
  variant.latencies = [];
}
for (let r = 0; r < rounds; r++) for (const variant of variants) await round(variant, perRound);
for (const variant of variants) await variant.stop();

const [baseline, , failBaseline] = variants;
const cpu = (v: Variant) => v.cpuMicros / v.count;
console.log(`Lantern overhead, node ${process.version}, ${String(rounds)} rounds x ${String(perRound)} interactions per variant (fake Discord in-process)\n`);
console.log(`${'variant'.padEnd(38)} ${'CPU/interaction'.padStart(16)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}   ratios`);
for (const variant of variants) {
  const base = variant.name.includes('failure') ? failBaseline : baseline;
  const ratio = base && base !== variant ? `CPU ${(cpu(variant) / cpu(base)).toFixed(2)}x, p99 ${(percentile(variant.latencies, 0.99) / percentile(base.latencies, 0.99)).toFixed(2)}x vs ${base.name}` : '';
  console.log(`${variant.name.padEnd(38)} ${`${cpu(variant).toFixed(0)} µs`.padStart(16)} ${`${percentile(variant.latencies, 0.5).toFixed(2)} ms`.padStart(9)} ${`${percentile(variant.latencies, 0.99).toFixed(2)} ms`.padStart(9)}   ${ratio}`);
}
