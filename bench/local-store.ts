/**
 * `npm run bench:local`: the CPU a recorded error adds on the failure path. Two Lantern bots in this process, each on
 * its own fake Discord, one with `lantern/ext/local` and one without, take turns running the same failing command;
 * `process.cpuUsage` is read around each round, and the store's writes (after the answers) are waited for and
 * counted in its round. The fake's work is the same for both, so the difference is the store's. Two shapes: one
 * error again and again (storm control counts most of them), and an error that is new every time (every event
 * built and stored). Then `lantern issues` is timed on a file of 100,000 events in 1,000 issues.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, command, option } from '../src/index.js';
import local, { ErrorStore } from '../src/ext/local/index.js';
import type { Occurrence } from '../src/ext/local/index.js';
import { errorEvent } from '../src/events/error-event.js';
import { FakeDiscord } from '../src/testing/index.js';
import { buildTrackedEvent, newEventId } from '../src/tracking/build.js';

const ROUNDS = 8;
const PER_ROUND = 250;
const CONCURRENCY = 8;
const folder = mkdtempSync(join(tmpdir(), 'lantern-bench-local-'));
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const WORDS = ['apple', 'pear', 'plum', 'fig', 'kiwi', 'lime', 'date', 'sloe'];

/** A word for `n` with no digits in it, so each n is its own error (numbers would be grouped together). */
function wordFor(n: number): string {
  let text = '';
  for (let rest = n; ; rest = Math.floor(rest / WORDS.length)) {
    text += `${WORDS[rest % WORDS.length] ?? ''}-`;
    if (rest < WORDS.length) return text;
  }
}

async function benchBot(withStore: boolean) {
  const discord = await FakeDiscord.start();
  const users = Array.from({ length: 20 }, (_, i) => discord.addUser({ username: `user${String(i)}` }));
  const guild = discord.addGuild({ name: 'Bench', members: users });
  const bot = new Client({ token: discord.token, logger: silent, sendCommandTracebacks: false, discord: { rest: discord.rest } });
  bot.addCommand(
    command({
      name: 'fail',
      description: 'Fails',
      options: { n: option.integer({ description: 'n', required: true }), distinct: option.boolean({ description: 'new error' }) },
      run: (ctx) => {
        if (ctx.options.distinct) throw new Error(`Unknown fruit ${wordFor(ctx.options.n)}`);
        throw new RangeError(`Cannot divide ${String(ctx.options.n)} by zero`);
      },
    }),
  );
  const path = join(folder, `${withStore ? 'store' : 'none'}.db`);
  if (withStore) await bot.loadExtension(local, { path, release: 'bench' });
  await bot.start();
  let next = 0;
  const round = async (distinct: boolean): Promise<number> => {
    const before = process.cpuUsage();
    let sent = 0;
    const worker = async () => {
      while (sent < PER_ROUND) {
        sent++;
        const user = users[next % users.length] as (typeof users)[number];
        await discord.as(user, guild.channel('general')).slash('fail', { n: next++, distinct }).response();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await bot.idle();
    // The store writes 25 ms after the answers: its work belongs to this round.
    await sleep(60);
    const used = process.cpuUsage(before);
    return used.user + used.system;
  };
  return { bot, discord, round, path };
}

const plain = await benchBot(false);
const stored = await benchBot(true);
for (const distinct of [false, true]) {
  // A warm-up round each, not counted.
  await plain.round(distinct);
  await stored.round(distinct);
  let plainMicros = 0;
  let storedMicros = 0;
  for (let i = 0; i < ROUNDS; i++) {
    plainMicros += await plain.round(distinct);
    storedMicros += await stored.round(distinct);
  }
  const count = ROUNDS * PER_ROUND;
  const perPlain = plainMicros / count;
  const perStored = storedMicros / count;
  console.log(
    `${distinct ? 'a new error every time' : 'one error again and again'}: ${String(count)} failing interactions each way; ` +
      `CPU per interaction ${perPlain.toFixed(0)} µs without the store, ${perStored.toFixed(0)} µs with it ` +
      `(+${(perStored - perPlain).toFixed(0)} µs, x${(perStored / perPlain).toFixed(2)}; bot, fake and driver together)`,
  );
}
for (const { bot, discord } of [plain, stored]) {
  await bot.stop();
  await discord.stop();
}
console.log(`store after both runs: ${(statSync(stored.path).size / 1024 / 1024).toFixed(2)} MB`);

// `lantern issues` on a file of 100,000 events in 1,000 issues (written through the batch API).
const big = join(folder, 'big.db');
// Limits raised so the file keeps all 100,000 (the default 50 MB would prune it to a fifth).
const store = await ErrorStore.open(big, { maxEventsPerIssue: 100, maxFileBytes: 1024 ** 3 });
const models = modelEvents();
let batch: Occurrence[] = [];
for (let i = 0; i < 100_000; i++) {
  const model = models[i % models.length] as (typeof models)[number];
  batch.push({ ...model, eventId: (i + 1).toString(16).padStart(32, '0'), timestamp: Date.now() - (100_000 - i) * 1000 });
  if (batch.length === 1000) {
    store.record(batch);
    batch = [];
  }
}
const summary = store.summary();
const queries: number[] = [];
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  store.listIssues({ status: 'open', limit: 50 });
  store.countIssues({ status: 'open' });
  queries.push(performance.now() - started);
}
store.close();
queries.sort((a, b) => a - b);
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
/** The median of five runs of a node process with these arguments, in milliseconds. */
function processMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[2] ?? 0;
}
const issuesMs = processMs([cli, 'issues', '--db', big, '--status', 'all', '--limit', '50']);
const nodeMs = processMs(['-e', '0']);
console.log(
  `lantern issues on ${String(summary.events.stored)} stored of ${String(summary.events.counted)} events in ` +
    `${String(summary.issues.open)} issues (${(statSync(big).size / 1024 / 1024).toFixed(1)} MB): ${issuesMs.toFixed(0)} ms for the ` +
    `whole process (median of 5; node -e 0 takes ${nodeMs.toFixed(0)} ms here), its queries ${(queries[2] ?? 0).toFixed(1)} ms`,
);
rmSync(folder, { recursive: true, force: true });

/** 1,000 events of distinct errors, built the way the extension builds them. */
function modelEvents() {
  const builder = new Client({ logger: silent });
  return Array.from({ length: 1000 }, (_, i) =>
    buildTrackedEvent(builder, errorEvent({ source: `/command-${String(i)}`, error: new Error('the service failed') }), {
      eventId: newEventId(),
      timestamp: Date.now(),
      release: 'bench',
      environment: 'bench',
    }),
  );
}
