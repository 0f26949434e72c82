/**
 * `npx tsx bench/log-lines.ts [interactions]` (50,000 by default): how many log lines a bot writes for a run of
 * failing interactions of four kinds whose messages and URLs carry a different id each time (the commands of
 * test/support/varying-errors.ts), through the fake Discord on the real clock. Prints the lines by kind and the
 * longest one. The tests check an exact, smaller version of this (test/log/repeats.test.ts).
 */
import { performance } from 'node:perf_hooks';
import { Client } from '../src/index.js';
import { FakeDiscord } from '../src/testing/index.js';
import { VARYING_ERROR_SOURCES, varyingErrorCommands } from '../test/support/varying-errors.js';

const total = Number(process.argv[2] ?? 50_000);
const IN_FLIGHT = 16;

// A busy machine can be slower than Discord's 3 s: what is measured is the log, not the deadline.
const discord = await FakeDiscord.start({ interactionLimit: 100_000, interactionTimeoutMs: 60_000 });
const alice = discord.addUser({ username: 'alice' });
const guild = discord.addGuild({ name: 'g', members: [alice] });
const lines: { level: string; message: string }[] = [];
const bot = new Client({
  token: discord.token,
  sendCommandTracebacks: false,
  handleProcessErrors: false,
  logger: {
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
  },
  // The REST calls of two of the kinds would otherwise wait on discord.js's global limit of 50 a second.
  discord: { rest: { ...discord.rest, globalRequestsPerSecond: 1_000_000 } },
});
bot.addCommand(...varyingErrorCommands());
await bot.start();
const as = discord.as(alice, guild.channel('general'));
const started = performance.now();
let next = 0;
let failed = 0;
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (next < total) {
      const source = VARYING_ERROR_SOURCES[next++ % VARYING_ERROR_SOURCES.length] ?? '/profile';
      const answer = await as
        .slash(source.slice(1))
        .response(undefined, { timeout: 60_000 })
        .catch(() => undefined);
      if (!answer?.ephemeral) failed++;
    }
  }),
);
await bot.idle();
const seconds = (performance.now() - started) / 1000;
const duringRun = lines.filter((line) => line.level === 'error').length;
await bot.stop();
await discord.stop();

const errorLines = lines.filter((line) => line.level === 'error');
const full = errorLines.filter((line) => !line.message.includes(': the same error '));
const counts = errorLines.length - full.length;
const physical = lines.flatMap((line) => line.message.split('\n'));
console.log(`${String(total)} interactions of ${String(VARYING_ERROR_SOURCES.length)} kinds in ${seconds.toFixed(1)} s`);
console.log(`answered with the error message: ${String(total - failed)} of ${String(total)}`);
console.log(
  `error entries: ${String(full.length)} in full, ${String(counts)} counts of repeats (${String(duringRun)} written during the run)`,
);
for (const source of VARYING_ERROR_SOURCES)
  console.log(`  ${source}: ${String(full.filter((line) => line.message.startsWith(`Error in ${source}`)).length)} in full`);
console.log(`other warnings: ${String(lines.filter((line) => line.level === 'warn').length)}`);
const longest = Math.max(...physical.map((l) => l.length));
console.log(`all entries: ${String(lines.length)} (${String(physical.length)} physical lines); longest line ${String(longest)} characters`);
