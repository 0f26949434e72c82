/**
 * `npm run bench`: Lantern against raw discord.js and Sapphire, with and without Sentry, measured side by side in
 * one run, and each of Lantern's sinks (the local store, Sentry's outbox with Sentry down, the webhook digest)
 * against the same bot without it. Each bot runs in its own process on the built package, against its own fake
 * Discord in this process; the Sentry receiver runs in a third. Figures come from inside the bots (CPU, memory,
 * event-loop delay) and from the fake (time from dispatch to the first answer). `-- --quick` runs in about two
 * minutes on an idle machine; a full run also writes BENCHMARKS.md. `-- --paths` leaves the storms out (and writes
 * nothing); `-- --cpu-prof` writes a V8 CPU profile per bot process.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { SentryReceiver } from 'lantern/testing';
import type { FakeWebhook, SentryReceiverMode } from 'lantern/testing';
import { readOutboxStatus } from '../src/ext/sentry/outbox-queue.js';
import { BotProcess } from './driver/bot-process.js';
import type { BenchPath, Framework, ReadyReport } from './driver/bot-process.js';
import { BenchDiscord } from './driver/load.js';
import type { LoadResult } from './driver/load.js';
import { median, mib, percentile } from './driver/stats.js';
import { Table, fixed, ratio } from './driver/table.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    /** Start-up and the paths only, no storms: a quick look while profiling. */
    paths: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '16' },
    rate: { type: 'string', default: '1000' },
  },
});
const concurrency = wholeNumber('concurrency', 'interactions in flight in the throughput rounds');
const rate = wholeNumber('rate', 'interactions per second in the measured rounds');

function wholeNumber(flag: 'concurrency' | 'rate', what: string): number {
  const value = Number(flags[flag]);
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`--${flag} takes a whole number of ${what}, at least 1 (got "${flags[flag]}")`);
  return value;
}

const settings = flags.quick
  ? { warmUp: 300, rounds: 3, perRound: 600, burst: 300, stormWarmUp: 300, stormRounds: 1, stormPerRound: 3000, startupSamples: 1 }
  : { warmUp: 2000, rounds: 5, perRound: 4000, burst: 2000, stormWarmUp: 2000, stormRounds: 10, stormPerRound: 10_000, startupSamples: 5 };

/** The longest the outbox may take to drain after Sentry comes back (its backoff is at most a minute by default). */
const DRAIN_TIMEOUT_MS = 180_000;
const DRAIN_POLL_MS = 50;

interface Variant {
  readonly name: string;
  readonly framework: Framework;
  readonly path: BenchPath;
  readonly sentry: boolean;
  /** Sentry's durable outbox (on by default, as a bot gets it); each bot's file is its own, in the run's folder. */
  readonly outbox?: boolean;
  /** With `lantern/ext/local`, in a file of its own. */
  readonly local?: boolean;
  /** With `lantern/ext/webhook`, posting to a webhook on the bot's fake Discord. */
  readonly webhook?: boolean;
}

const RAW: Variant = { name: 'discord.js', framework: 'raw', path: 'success', sentry: false };
const LANTERN: Variant = { name: 'Lantern', framework: 'lantern', path: 'success', sentry: false };
const LANTERN_SENTRY: Variant = { name: 'Lantern + Sentry', framework: 'lantern', path: 'success', sentry: true };
const SAPPHIRE: Variant = { name: 'Sapphire', framework: 'sapphire', path: 'success', sentry: false };
/** Two shards under `lantern/sharding`, each a process; the driver's interactions alternate between a guild on each. */
const LANTERN_SHARDED: Variant = { name: 'Lantern, 2 shards', framework: 'lantern-sharded', path: 'success', sentry: false };
const SHARDS = 2;
const RAW_FAILURE: Variant = { name: 'discord.js, caught by hand', framework: 'raw', path: 'failure', sentry: false };
const LANTERN_FAILURE: Variant = { name: 'Lantern', framework: 'lantern', path: 'failure', sentry: false };
const LANTERN_SENTRY_FAILURE: Variant = { name: 'Lantern + Sentry', framework: 'lantern', path: 'failure', sentry: true };
const LANTERN_LOCAL: Variant = { ...LANTERN, name: 'Lantern + local store', local: true };
const LANTERN_LOCAL_FAILURE: Variant = { ...LANTERN_FAILURE, name: 'Lantern + local store', local: true };
const PATH_VARIANTS = [
  RAW,
  LANTERN,
  LANTERN_SENTRY,
  LANTERN_LOCAL,
  SAPPHIRE,
  LANTERN_SHARDED,
  RAW_FAILURE,
  LANTERN_FAILURE,
  LANTERN_SENTRY_FAILURE,
  LANTERN_LOCAL_FAILURE,
];

interface Storm {
  readonly name: string;
  readonly variant: Variant;
  /** How the Sentry receiver answers for the whole storm: `refuse` is Sentry down (its port closed). */
  readonly receiver: Extract<SentryReceiverMode, 'accept' | 'hang' | 'refuse'>;
  /** After the storm, Sentry comes back and the outbox is timed until it is empty. */
  readonly drain?: boolean;
}

const SAME_NO_SENTRY: Storm = { name: 'one error, no Sentry', variant: { ...LANTERN, path: 'storm-same' }, receiver: 'accept' };
const DISTINCT_NO_SENTRY: Storm = {
  name: '1,000 distinct errors, no Sentry',
  variant: { ...LANTERN, path: 'storm-distinct' },
  receiver: 'accept',
};
const SAME_SENTRY_DOWN: Storm = {
  name: 'one error, Sentry down, no outbox',
  variant: { ...LANTERN_SENTRY, path: 'storm-same', outbox: false },
  receiver: 'refuse',
};
const SAME_SENTRY_DOWN_OUTBOX: Storm = {
  name: 'one error, Sentry down, outbox',
  variant: { ...LANTERN_SENTRY, path: 'storm-same' },
  receiver: 'refuse',
  drain: true,
};
const SAME_LOCAL: Storm = { name: 'one error, local store', variant: { ...LANTERN_LOCAL, path: 'storm-same' }, receiver: 'accept' };
const DISTINCT_LOCAL: Storm = {
  name: '1,000 distinct errors, local store',
  variant: { ...LANTERN_LOCAL, path: 'storm-distinct' },
  receiver: 'accept',
};
const SAME_WEBHOOK: Storm = {
  name: 'one error, webhook digest',
  variant: { ...LANTERN, path: 'storm-same', webhook: true },
  receiver: 'accept',
};

const STORMS: Storm[] = [
  { name: 'one error, Sentry answering', variant: { ...LANTERN_SENTRY, path: 'storm-same' }, receiver: 'accept' },
  { name: 'one error, Sentry hanging', variant: { ...LANTERN_SENTRY, path: 'storm-same' }, receiver: 'hang' },
  { name: '1,000 distinct errors, Sentry answering', variant: { ...LANTERN_SENTRY, path: 'storm-distinct' }, receiver: 'accept' },
  { name: '1,000 distinct errors, Sentry hanging', variant: { ...LANTERN_SENTRY, path: 'storm-distinct' }, receiver: 'hang' },
  SAME_NO_SENTRY,
  DISTINCT_NO_SENTRY,
  SAME_LOCAL,
  DISTINCT_LOCAL,
  SAME_SENTRY_DOWN,
  SAME_SENTRY_DOWN_OUTBOX,
  SAME_WEBHOOK,
];

/** A path's figures over its measured rounds. */
interface Measured {
  /** Interactions answered, and the time taken, in the throughput rounds (as fast as the bot answers). */
  burstCount: number;
  burstMs: number;
  count: number;
  cpuMicros: number;
  elapsedMs: number;
  /**
   * Each measured round's CPU per interaction, p50 and p99: the paths' figures are their medians, so one round that
   * the shared machine slowed (another tenant, a pause in the driver) does not decide them.
   */
  roundCpuPer: number[];
  roundP50s: number[];
  roundP99s: number[];
  lost: number;
  wrong: number;
  eventLoopDelayP99s: number[];
  eventLoopDelayMaxMs: number;
  peakRssBytes: number;
  /** A sharded bot's CPU over the measured rounds, per shard, and its manager's. */
  shardCpuMicros: number[];
  managerCpuMicros: number;
}

const emptyMeasured = (): Measured => ({
  burstCount: 0,
  burstMs: 0,
  count: 0,
  cpuMicros: 0,
  elapsedMs: 0,
  roundCpuPer: [],
  roundP50s: [],
  roundP99s: [],
  lost: 0,
  wrong: 0,
  eventLoopDelayP99s: [],
  eventLoopDelayMaxMs: 0,
  peakRssBytes: 0,
  shardCpuMicros: [],
  managerCpuMicros: 0,
});
const cpuPer = (m: Measured): number => median(m.roundCpuPer);
/** A storm's CPU per interaction over all its rounds: its cost comes in waves (storm control's minute), which a median would hide. */
const stormCpuPer = (m: Measured): number => m.cpuMicros / m.count;
const p50 = (m: Measured): number => median(m.roundP50s);
const p99 = (m: Measured): number => median(m.roundP99s);
const worstP99 = (m: Measured): number => Math.max(...m.roundP99s);

const workDir = mkdtempSync(join(os.tmpdir(), 'lantern-bench-'));
const receiver = await SentryReceiver.start();
const startedAt = new Date();
const benchStarted = performance.now();
const loadBefore = os.loadavg();
let botCount = 0;

interface Running {
  readonly discord: BenchDiscord;
  readonly bot: BotProcess;
  readonly ready: ReadyReport;
  /** The bot's files and webhook, for what its sinks left after a round: the local store, Sentry's outbox. */
  readonly localStore?: string;
  readonly outbox?: string;
  readonly webhook?: FakeWebhook;
}

async function launch(variant: Variant): Promise<Running> {
  const discord = await BenchDiscord.start({ shards: variant.framework === 'lantern-sharded' ? SHARDS : 1 });
  const extras = `${variant.sentry ? '-sentry' : ''}${variant.local ? '-local' : ''}${variant.webhook ? '-webhook' : ''}`;
  const name = `${String(++botCount)}-${variant.framework}-${variant.path}${extras}`;
  const logFile = join(workDir, `${name}.log`);
  const execArgv = flags['cpu-prof']
    ? ['--cpu-prof', `--cpu-prof-dir=${join(workDir, 'profiles')}`, `--cpu-prof-name=${name}.cpuprofile`]
    : [];
  const localStore = variant.local ? join(workDir, `${name}.errors.db`) : undefined;
  const outbox = variant.sentry && variant.outbox !== false ? join(workDir, `${name}.outbox.db`) : undefined;
  const webhook = variant.webhook ? discord.addWebhook() : undefined;
  try {
    const { bot, ready } = await BotProcess.start(
      {
        framework: variant.framework,
        path: variant.path,
        sentryDsn: variant.sentry ? receiver.dsn : undefined,
        outbox: variant.sentry ? (outbox ?? false) : undefined,
        localStore,
        webhook: webhook && { id: webhook.id, token: webhook.token },
      },
      discord.connection,
      { logFile, execArgv },
    );
    return { discord, bot, ready, localStore, outbox, webhook };
  } catch (error) {
    await discord.stop();
    throw error;
  }
}

async function shutDown(running: Running): Promise<void> {
  await running.bot.stop();
  await running.discord.stop();
}

/** A SQLite file's size with its write-ahead log: what the bot's disk holds. */
function fileBytes(path: string): number {
  return [path, `${path}-wal`].reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0);
}

/** How long the outbox takes to empty once Sentry answers again (its next attempt waits out its backoff). */
async function drainMs(outbox: string): Promise<number> {
  const started = performance.now();
  await receiver.setMode('accept');
  while (((await readOutboxStatus(outbox))?.queued ?? 0) > 0) {
    if (performance.now() - started > DRAIN_TIMEOUT_MS) return NaN;
    await sleep(DRAIN_POLL_MS);
  }
  return performance.now() - started;
}

/** Drives one round at the set rate, measured, and adds it to `into`. */
async function measure(running: Running, count: number, fails: boolean, into: Measured): Promise<void> {
  let load: LoadResult | undefined;
  const report = await running.bot.round(async () => {
    load = await running.discord.atRate(count, { rate, fails });
  });
  if (!load) throw new Error('A round ended without its load');
  into.count += load.count;
  into.cpuMicros += report.cpuMicros;
  into.roundCpuPer.push(report.cpuMicros / load.count);
  into.elapsedMs += load.elapsedMs;
  into.roundP50s.push(percentile(load.latencies, 0.5));
  into.roundP99s.push(percentile(load.latencies, 0.99));
  into.lost += load.lost;
  into.wrong += load.wrong;
  into.eventLoopDelayP99s.push(report.eventLoopDelayP99Ms);
  into.eventLoopDelayMaxMs = Math.max(into.eventLoopDelayMaxMs, report.eventLoopDelayMaxMs);
  into.peakRssBytes = Math.max(into.peakRssBytes, report.peakRssBytes);
  report.shardCpuMicros?.forEach((micros, shard) => (into.shardCpuMicros[shard] = (into.shardCpuMicros[shard] ?? 0) + micros));
  into.managerCpuMicros += report.managerCpuMicros ?? 0;
}

const progress = (line: string): void => {
  process.stderr.write(`[bench] ${line} (${fixed((performance.now() - benchStarted) / 1000)} s)\n`);
};

// Start-up: each framework started fresh, one after the other, several times.
const STARTUP_VARIANTS = [RAW, LANTERN, LANTERN_SENTRY, SAPPHIRE, LANTERN_SHARDED];
const startups = new Map<Variant, ReadyReport[]>();
for (let sample = 0; sample < settings.startupSamples; sample++) {
  for (const variant of STARTUP_VARIANTS) {
    const running = await launch(variant);
    startups.set(variant, [...(startups.get(variant) ?? []), running.ready]);
    await shutDown(running);
  }
}
progress(`start-up measured (${String(settings.startupSamples)} start${settings.startupSamples === 1 ? '' : 's'} each)`);

// Success and failure paths: every bot running at once, rounds taken in turn so the machine's noise falls on all.
const paths = new Map<Variant, Measured>();
const running = new Map<Variant, Running>();
try {
  for (const variant of PATH_VARIANTS) running.set(variant, await launch(variant));
  for (const [variant, bot] of running) await bot.discord.burst(settings.warmUp, { concurrency, fails: variant.path !== 'success' });
  for (let round = 0; round < settings.rounds; round++) {
    for (const [variant, bot] of running) {
      const fails = variant.path !== 'success';
      const into = paths.get(variant) ?? emptyMeasured();
      paths.set(variant, into);
      const burst = await bot.discord.burst(settings.burst, { concurrency, fails });
      into.burstCount += burst.count - burst.lost;
      into.burstMs += burst.elapsedMs;
      into.lost += burst.lost;
      into.wrong += burst.wrong;
      await measure(bot, settings.perRound, fails, into);
    }
    progress(`round ${String(round + 1)} of ${String(settings.rounds)} done`);
  }
} finally {
  for (const bot of running.values()) await shutDown(bot);
}
/** The local store's file after a path's rounds (and the bot's stop, which writes what is queued). */
const pathFileBytes = new Map<Variant, number>();
for (const [variant, bot] of running) if (bot.localStore) pathFileBytes.set(variant, fileBytes(bot.localStore));
const sentryEventsOnFailurePath = receiver.events.length;
receiver.clear();

/** What a storm's sinks left: the local store's file, Sentry's outbox when the storm ended, the webhook's posts. */
interface StormSinks {
  sentryRequests: number;
  sentryEvents: number;
  localStoreBytes?: number;
  outboxQueued?: number;
  outboxBytes?: number;
  outboxDrainMs?: number;
  sentryEventsAfterDrain?: number;
  webhookPosts?: number;
  webhookPostsAtStop?: number;
}

// Error storms, one at a time; the receiver answers, hangs or is down.
const storms = new Map<Storm, Measured & StormSinks>();
for (const storm of flags.paths ? [] : STORMS) {
  await receiver.setMode(storm.receiver);
  const bot = await launch(storm.variant);
  let result: Measured & StormSinks;
  try {
    await bot.discord.atRate(settings.stormWarmUp, { rate, fails: true });
    const into = emptyMeasured();
    for (let round = 0; round < settings.stormRounds; round++) await measure(bot, settings.stormPerRound, true, into);
    result = { ...into, sentryRequests: receiver.requests, sentryEvents: receiver.events.length };
    result.webhookPosts = bot.webhook?.executions.length;
    if (storm.drain && bot.outbox) {
      const left = await readOutboxStatus(bot.outbox);
      result.outboxQueued = left?.queued ?? 0;
      result.outboxBytes = left?.bytes ?? 0;
      result.outboxDrainMs = await drainMs(bot.outbox);
      result.sentryEventsAfterDrain = receiver.events.length;
    }
  } finally {
    await shutDown(bot);
  }
  result.webhookPostsAtStop = bot.webhook?.executions.length;
  if (bot.localStore) result.localStoreBytes = fileBytes(bot.localStore);
  storms.set(storm, result);
  receiver.clear();
  await receiver.setMode('accept');
  progress(`storm "${storm.name}" done`);
}
await receiver.stop();
const loadAfter = os.loadavg();

// The report.
const measuredOf = (variant: Variant): Measured => paths.get(variant) ?? emptyMeasured();
const baselineOf = (variant: Variant): Variant => (variant.path === 'success' ? RAW : RAW_FAILURE);

const pathTable = new Table(
  `Success and failure paths (per bot: ${String(settings.rounds)} rounds of ` +
    `${settings.perRound.toLocaleString('en')} interactions at ${String(rate)}/s, measured, ` +
    `and ${settings.burst.toLocaleString('en')} with ${String(concurrency)} in flight ` +
    `for throughput, after ${settings.warmUp.toLocaleString('en')} to warm up)`,
  [
    'bot',
    'path',
    'max interactions/s',
    'CPU µs/interaction',
    'CPU vs discord.js',
    'p50 ms',
    'p99 ms',
    'p99 vs discord.js',
    'p99 worst round ms',
    'peak RSS MiB',
    'event-loop delay p99 / max ms',
    'lost / wrong',
  ],
);
for (const variant of PATH_VARIANTS) {
  const m = measuredOf(variant);
  const base = measuredOf(baselineOf(variant));
  const isBase = variant === baselineOf(variant);
  pathTable.add([
    variant.name,
    variant.path,
    fixed(m.burstCount / (m.burstMs / 1000)),
    fixed(cpuPer(m)),
    isBase ? 'baseline' : ratio(cpuPer(m), cpuPer(base)),
    fixed(p50(m), 2),
    fixed(p99(m), 2),
    isBase ? 'baseline' : ratio(p99(m), p99(base)),
    fixed(worstP99(m), 2),
    fixed(mib(m.peakRssBytes), 1),
    `${fixed(median(m.eventLoopDelayP99s), 1)} / ${fixed(m.eventLoopDelayMaxMs, 1)}`,
    `${String(m.lost)} / ${String(m.wrong)}`,
  ]);
}

const startupTable = new Table(`Start-up to serving the command (median of ${String(settings.startupSamples)})`, [
  'bot',
  'ms',
  'vs discord.js',
  'RSS MiB',
  'vs discord.js',
  'heap used MiB',
]);
const startupOf = (variant: Variant): { ms: number; rss: number; heap: number } => {
  const samples = startups.get(variant) ?? [];
  return {
    ms: median(samples.map((s) => s.startupMs)),
    rss: median(samples.map((s) => s.rssBytes)),
    heap: median(samples.map((s) => s.heapUsedBytes)),
  };
};
for (const variant of STARTUP_VARIANTS) {
  const s = startupOf(variant);
  const base = startupOf(RAW);
  startupTable.add([
    variant.name,
    fixed(s.ms),
    variant === RAW ? 'baseline' : ratio(s.ms, base.ms),
    fixed(mib(s.rss), 1),
    variant === RAW ? 'baseline' : ratio(s.rss, base.rss),
    fixed(mib(s.heap), 1),
  ]);
}

const sharded = measuredOf(LANTERN_SHARDED);
const oneProcess = measuredOf(LANTERN);
const perShardInteractions = sharded.count / SHARDS;
const shardTable = new Table(
  `Two shards under lantern/sharding against one Lantern process (same run; the driver's interactions alternate ` +
    `between a guild on each shard; CPU over the measured rounds)`,
  ['figure', 'Lantern, 2 shards', 'Lantern, one process', 'ratio'],
);
shardTable.add([
  'CPU µs/interaction, every process',
  fixed((sharded.cpuMicros + sharded.managerCpuMicros) / sharded.count),
  fixed(oneProcess.cpuMicros / oneProcess.count),
  ratio((sharded.cpuMicros + sharded.managerCpuMicros) / sharded.count, oneProcess.cpuMicros / oneProcess.count),
]);
sharded.shardCpuMicros.forEach((micros, shard) => {
  shardTable.add([
    `CPU µs/interaction on shard ${String(shard)} (the interactions it served)`,
    fixed(micros / perShardInteractions),
    fixed(oneProcess.cpuMicros / oneProcess.count),
    ratio(micros / perShardInteractions, oneProcess.cpuMicros / oneProcess.count),
  ]);
});
shardTable.add(['CPU µs/interaction in the manager', fixed(sharded.managerCpuMicros / sharded.count), 'n/a', 'n/a']);
shardTable.add(['p99 ms', fixed(p99(sharded), 2), fixed(p99(oneProcess), 2), ratio(p99(sharded), p99(oneProcess))]);
shardTable.add([
  'start-up ms (every shard ready)',
  fixed(startupOf(LANTERN_SHARDED).ms),
  fixed(startupOf(LANTERN).ms),
  ratio(startupOf(LANTERN_SHARDED).ms, startupOf(LANTERN).ms),
]);
shardTable.add([
  'start-up RSS MiB (every process)',
  fixed(mib(startupOf(LANTERN_SHARDED).rss), 1),
  fixed(mib(startupOf(LANTERN).rss), 1),
  ratio(startupOf(LANTERN_SHARDED).rss, startupOf(LANTERN).rss),
]);

/** What a storm's figures compare with: the same bot's success path. */
const successOf = (storm: Storm): Measured =>
  measuredOf(storm.variant.sentry ? LANTERN_SENTRY : storm.variant.local ? LANTERN_LOCAL : LANTERN);
const stormCount = settings.stormRounds * settings.stormPerRound;
const stormTable = new Table(
  `Error storms on Lantern (${stormCount.toLocaleString('en')} failing interactions each ` +
    `at ${String(rate)}/s, after ${settings.stormWarmUp.toLocaleString('en')} to warm up)`,
  [
    'storm',
    'achieved/s',
    'CPU µs/interaction',
    'CPU vs success path',
    'p99 ms',
    'p99 worst round ms',
    'event-loop delay p99 / max ms',
    'peak RSS MiB',
    'RSS over success path MiB',
    'Sentry requests / events kept',
    'lost / wrong',
  ],
);
for (const [storm, m] of storms) {
  const success = successOf(storm);
  stormTable.add([
    storm.name,
    fixed(m.count / (m.elapsedMs / 1000)),
    fixed(stormCpuPer(m)),
    ratio(stormCpuPer(m), cpuPer(success)),
    fixed(p99(m), 2),
    fixed(worstP99(m), 2),
    `${fixed(median(m.eventLoopDelayP99s), 1)} / ${fixed(m.eventLoopDelayMaxMs, 1)}`,
    fixed(mib(m.peakRssBytes), 1),
    fixed(mib(m.peakRssBytes - success.peakRssBytes), 1),
    storm.variant.sentry ? `${m.sentryRequests.toLocaleString('en')} / ${m.sentryEvents.toLocaleString('en')}` : 'n/a',
    `${String(m.lost)} / ${String(m.wrong)}`,
  ]);
}

/** Each sink against the same bot without it, measured in this run. */
interface SinkRow {
  readonly name: string;
  readonly against: string;
  readonly measured: Measured;
  readonly base: Measured;
  /** A storm's CPU is over all its rounds, a path's the median of its rounds. */
  readonly storm: boolean;
  readonly left: string;
}
const stormOf = (storm: Storm): Measured & StormSinks => storms.get(storm) ?? { ...emptyMeasured(), sentryRequests: 0, sentryEvents: 0 };
const sizeOf = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : `${fixed(mib(bytes), 2)} MiB`);
const outboxStorm = stormOf(SAME_SENTRY_DOWN_OUTBOX);
const webhookStorm = stormOf(SAME_WEBHOOK);
const sinkRows: SinkRow[] = [
  {
    name: 'local store, success path',
    against: 'Lantern, success path',
    measured: measuredOf(LANTERN_LOCAL),
    base: measuredOf(LANTERN),
    storm: false,
    left: `file ${sizeOf(pathFileBytes.get(LANTERN_LOCAL))}`,
  },
  {
    name: 'local store, failure path',
    against: 'Lantern, failure path',
    measured: measuredOf(LANTERN_LOCAL_FAILURE),
    base: measuredOf(LANTERN_FAILURE),
    storm: false,
    left: `file ${sizeOf(pathFileBytes.get(LANTERN_LOCAL_FAILURE))}`,
  },
  {
    name: 'local store, storm of one error',
    against: `storm "${SAME_NO_SENTRY.name}"`,
    measured: stormOf(SAME_LOCAL),
    base: stormOf(SAME_NO_SENTRY),
    storm: true,
    left: `file ${sizeOf(stormOf(SAME_LOCAL).localStoreBytes)}`,
  },
  {
    name: 'local store, storm of 1,000 distinct errors',
    against: `storm "${DISTINCT_NO_SENTRY.name}"`,
    measured: stormOf(DISTINCT_LOCAL),
    base: stormOf(DISTINCT_NO_SENTRY),
    storm: true,
    left: `file ${sizeOf(stormOf(DISTINCT_LOCAL).localStoreBytes)}`,
  },
  {
    name: 'Sentry outbox, Sentry down for the storm of one error',
    against: `storm "${SAME_SENTRY_DOWN.name}"`,
    measured: outboxStorm,
    base: stormOf(SAME_SENTRY_DOWN),
    storm: true,
    left:
      `outbox at the storm's end ${(outboxStorm.outboxQueued ?? 0).toLocaleString('en')} envelopes, ` +
      `${sizeOf(outboxStorm.outboxBytes)}; drained ${fixed((outboxStorm.outboxDrainMs ?? NaN) / 1000, 1)} s after Sentry came back ` +
      `(${(outboxStorm.sentryEventsAfterDrain ?? 0).toLocaleString('en')} events received)`,
  },
  {
    name: 'webhook digest, storm of one error',
    against: `storm "${SAME_NO_SENTRY.name}"`,
    measured: webhookStorm,
    base: stormOf(SAME_NO_SENTRY),
    storm: true,
    left:
      `webhook requests ${(webhookStorm.webhookPosts ?? 0).toLocaleString('en')} during the storm, ` +
      `${(webhookStorm.webhookPostsAtStop ?? 0).toLocaleString('en')} with the stop's flush`,
  },
];
const sinkCpuPer = (row: SinkRow, m: Measured): number => (row.storm ? stormCpuPer(m) : cpuPer(m));
const sinkTable = new Table('Sinks, each against the same bot without it (same run)', [
  'sink',
  'against',
  'CPU µs/interaction',
  'CPU vs without',
  'p99 ms',
  'p99 vs without',
  'peak RSS over without MiB',
  'what it left',
]);
for (const row of sinkRows) {
  sinkTable.add([
    row.name,
    row.against,
    fixed(sinkCpuPer(row, row.measured)),
    ratio(sinkCpuPer(row, row.measured), sinkCpuPer(row, row.base)),
    fixed(p99(row.measured), 2),
    ratio(p99(row.measured), p99(row.base)),
    fixed(mib(row.measured.peakRssBytes - row.base.peakRssBytes), 1),
    row.left,
  ]);
}

interface Target {
  readonly goal: string;
  readonly figure: string;
  readonly met: boolean;
}
const within = (value: number, base: number, limit: number): Target => ({
  goal: '',
  figure: ratio(value, base),
  met: value / base <= limit,
});
const targets: Target[] = [
  {
    ...within(cpuPer(measuredOf(LANTERN)), cpuPer(measuredOf(RAW)), 1.05),
    goal: 'Lantern success path: CPU/interaction at most 1.05x discord.js',
  },
  { ...within(p99(measuredOf(LANTERN)), p99(measuredOf(RAW)), 1.05), goal: 'Lantern success path: p99 at most 1.05x discord.js' },
  {
    ...within(p99(measuredOf(LANTERN_SENTRY_FAILURE)), p99(measuredOf(LANTERN_FAILURE)), 1.1),
    goal: 'Failure path: p99 with Sentry at most 1.1x without',
  },
  {
    ...within(cpuPer(measuredOf(LANTERN_SENTRY)), cpuPer(measuredOf(RAW)), 1.1),
    goal: 'Lantern + Sentry success path: CPU/interaction at most 1.10x discord.js',
  },
  {
    ...within(startupOf(LANTERN_SENTRY).ms, startupOf(RAW).ms, 1.5),
    goal: 'Lantern + Sentry start-up: at most 1.5x the time of discord.js',
  },
  {
    goal: 'Lantern + Sentry start-up: RSS at most 25 MiB over discord.js',
    figure: `${fixed(mib(startupOf(LANTERN_SENTRY).rss - startupOf(RAW).rss), 1)} MiB`,
    met: mib(startupOf(LANTERN_SENTRY).rss - startupOf(RAW).rss) <= 25,
  },
  {
    ...within(cpuPer(measuredOf(LANTERN_LOCAL_FAILURE)), cpuPer(measuredOf(LANTERN_FAILURE)), 1.15),
    goal: 'Failure path with the local store: CPU/interaction at most 1.15x without it',
  },
  ...(flags.paths ? [] : STORMS)
    .map((storm) => {
      const m = stormOf(storm);
      const success = successOf(storm);
      const distinct = storm.variant.path === 'storm-distinct';
      const [limit, rssLimit] = distinct ? [1.5, 60] : [1.1, 50];
      return [
        {
          ...within(stormCpuPer(m), cpuPer(success), limit),
          goal: `Storm of ${storm.name}: CPU/interaction at most ${limit.toFixed(2)}x the success path`,
        },
        {
          goal: `Storm of ${storm.name}: peak RSS within ${String(rssLimit)} MiB of the success path`,
          figure: `${fixed(mib(m.peakRssBytes - success.peakRssBytes), 1)} MiB`,
          met: mib(m.peakRssBytes - success.peakRssBytes) <= rssLimit,
        },
      ];
    })
    .flat(),
  {
    goal: 'Lantern below Sapphire in CPU/interaction',
    figure: ratio(cpuPer(measuredOf(LANTERN)), cpuPer(measuredOf(SAPPHIRE))),
    met: cpuPer(measuredOf(LANTERN)) < cpuPer(measuredOf(SAPPHIRE)),
  },
  {
    goal: 'Lantern below Sapphire in start-up memory (RSS)',
    figure: ratio(startupOf(LANTERN).rss, startupOf(SAPPHIRE).rss),
    met: startupOf(LANTERN).rss < startupOf(SAPPHIRE).rss,
  },
];
const targetTable = new Table('Targets', ['target', 'measured', 'met']);
for (const target of targets) targetTable.add([target.goal, target.figure, target.met ? 'yes' : 'no']);

const cpus = os.cpus();
const machine =
  `${String(cpus.length)} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ` +
  `${fixed(os.totalmem() / 2 ** 30, 1)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
const load = `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after`;
const tables = [startupTable, pathTable, stormTable, sinkTable, shardTable, targetTable];
const allAnswered = [...paths.values(), ...storms.values()].every((m) => m.lost === 0 && m.wrong === 0);

console.log(`Lantern benchmark, ${flags.quick ? 'quick' : 'full'} run, ${startedAt.toISOString()}\n${machine}; ${load}\n`);
console.log(tables.map((table) => table.text()).join('\n\n'));
console.log(`\nSentry events received on the failure paths: ${sentryEventsOnFailurePath.toLocaleString('en')}`);
if (!allAnswered) console.log('\nSome interactions were lost or answered wrongly: see "lost / wrong". The bots\' logs are kept.');

if (!flags.quick && !flags.paths) {
  const args = process.argv.slice(2);
  const command = args.length === 0 ? 'npm run bench' : `npm run bench -- ${args.join(' ')}`;
  const markdown = [
    '# Benchmarks',
    '',
    `Measured by \`${command}\` on ${startedAt.toISOString().slice(0, 10)}: ${machine}; ` +
      `${load}. How it measures, and what the figures mean: the README's "Benchmarks" section.`,
    '',
    ...tables.flatMap((table) => [table.markdown(), '']),
    `Sentry events received on the failure paths: ${sentryEventsOnFailurePath.toLocaleString('en')}.`,
    '',
  ].join('\n');
  writeFileSync(fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url)), markdown);
  console.log('\nWritten to BENCHMARKS.md');
}

if (flags['cpu-prof'])
  console.log(
    `\nCPU profiles, one per bot process (open them in Chrome DevTools, or summarise ` +
      `them with npm run bench:profile -- <file>): ${join(workDir, 'profiles')}`,
  );
if (flags['cpu-prof'] || !allAnswered) console.log(`Bot logs: ${workDir}`);
else rmSync(workDir, { recursive: true, force: true });
