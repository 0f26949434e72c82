/**
 * `npm run bench:fake` (`-- --quick` for a short run): what the fake Discord costs a test suite. Prints medians;
 * start/stop is compared with a bare node:http server measured in the same run.
 */
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { FakeDiscord } from '../src/testing/index.js';

const quick = process.argv.includes('--quick');
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function bareServerStartStop(): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

async function fakeStartStop(): Promise<void> {
  const discord = await FakeDiscord.start();
  discord.addGuild({ name: 'G' });
  await discord.stop();
}

const runs = quick ? 10 : 50;
const baseline: number[] = [];
const fake: number[] = [];
for (let i = 0; i < runs; i++) {
  baseline.push(await time(bareServerStartStop));
  fake.push(await time(fakeStartStop));
}

const discord = await FakeDiscord.start();
const alice = discord.addUser({ username: 'alice' });
const guild = discord.addGuild({ name: 'G', members: [alice] });
const readyTimes: number[] = [];
let client: Client | null = null;
for (let i = 0; i < (quick ? 3 : 10); i++) {
  await client?.destroy();
  const next = new Client({ intents: [GatewayIntentBits.Guilds], rest: discord.rest });
  readyTimes.push(
    await time(async () => {
      const ready = new Promise((resolve) => next.once(Events.ClientReady, resolve));
      await next.login(discord.token);
      await ready;
    }),
  );
  client = next;
}
client?.on(Events.InteractionCreate, (i) => {
  if (i.isRepliable()) void i.reply('ok');
});
const count = quick ? 300 : 2000;
const channel = guild.channel('general');
const roundTrips: number[] = [];
const started = performance.now();
for (let i = 0; i < count; i++) {
  const handle = discord.as(alice, channel).slash('bench', {}, { allowUnregistered: true });
  await handle.response('reply');
  roundTrips.push(handle.firstResponseMs ?? NaN);
}
const elapsed = performance.now() - started;
await client?.destroy();
await discord.stop();

const row = (name: string, value: string, ratio = ''): void => {
  console.log(`${name.padEnd(52)} ${value.padStart(12)} ${ratio}`);
};
console.log(`fake Discord, node ${process.version}, ${quick ? 'quick' : 'full'} run\n`);
row('bare node:http start+stop (baseline), median', `${median(baseline).toFixed(2)} ms`);
row(
  'FakeDiscord start+stop with one guild, median',
  `${median(fake).toFixed(2)} ms`,
  `${(median(fake) / median(baseline)).toFixed(1)}x baseline`,
);
row('discord.js login to ready against the fake, median', `${median(readyTimes).toFixed(1)} ms`);
row(`slash -> reply round trip, ${count} sequential, median`, `${median(roundTrips).toFixed(2)} ms`);
row('slash -> reply sequential throughput', `${(count / (elapsed / 1000)).toFixed(0)} /s`);
