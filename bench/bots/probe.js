// @ts-check
/**
 * The bench's side inside a bot process. Every bot (raw discord.js, Lantern, Sapphire) gets the same REST
 * settings from here and answers the driver's questions the same way, so the figures differ only by framework.
 *
 * The driver talks over the IPC channel: `begin` starts a measured round (CPU and event-loop delay from zero),
 * `end` closes it, `stop` shuts the bot down. The bot says `ready` once it can serve the bench command.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';

/**
 * @typedef {'success' | 'failure' | 'storm-same' | 'storm-distinct'} BenchPath
 * @typedef {{ api: string, token: string, path: BenchPath, sentryDsn?: string, outbox?: string | false, localStore?: string,
 *   webhook?: { id: string, token: string } }} BotConfig
 * @typedef {{ type: 'begin' } | { type: 'end' } | { type: 'stop' }} DriverMessage
 * @typedef {DriverMessage | { type?: unknown }} Message a shard also gets its manager's own, left to discord.js and Lantern
 */

/** Trailing work of a round (a Sentry envelope still being sent) is given this long to land in its figures. */
const SETTLE_MS = 100;
/** Distinct errors in the storm of distinct errors: each is its own group for Sentry and for storm control. */
const DISTINCT_ERRORS = 1000;

/** @returns {BotConfig} */
function readConfig() {
  const raw = process.env.LANTERN_BENCH;
  if (!raw) throw new Error('A bench bot runs under the bench driver (npm run bench), which passes LANTERN_BENCH');
  const parsed = /** @type {unknown} */ (JSON.parse(raw));
  return /** @type {BotConfig} */ (parsed);
}

export const config = readConfig();

/**
 * discord.js REST options every variant uses: the fake's address, no extra rate-limit offset, a global limit far
 * above what the bench sends (else it measures Discord's 50 requests/s cap), and one bounded connection pool.
 */
export function restOptions() {
  return { api: config.api, offset: 0, globalRequestsPerSecond: 1_000_000, agent };
}

/** Frameworks leave a pool they were given open when they stop; `serve` closes it so the process can exit. */
const agent = new Agent({ connections: 32 });

/**
 * What the bench command does on this bot's path, framework aside: nothing on the success path, else throw.
 * The storm of distinct errors names 1,000 error types, which is what grouping (Sentry's and Lantern's) tells apart.
 * @param {number | null | undefined} n
 */
export function benchWork(n) {
  if (config.path === 'success') return;
  const error = new Error('The lookup service is unavailable');
  if (config.path === 'storm-distinct') error.name = `LookupError${String((n ?? 0) % DISTINCT_ERRORS)}`;
  throw error;
}

/**
 * Tells the driver the bot is ready (with its start-up time and memory) and serves its rounds.
 * @param {() => Promise<unknown>} stop shuts the bot down (as its framework does it)
 */
export function serve(stop) {
  const readyMs = performance.now();
  const memory = process.memoryUsage();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let cpuAtBegin = process.cpuUsage();
  /** @param {Record<string, unknown>} message */
  const send = (message) => process.send?.(message);
  process.on('message', (/** @type {Message} */ message) => {
    void (async () => {
      if (message.type === 'begin') {
        delay.reset();
        delay.enable();
        cpuAtBegin = process.cpuUsage();
        send({ type: 'begun' });
      } else if (message.type === 'end') {
        await sleep(SETTLE_MS);
        const cpu = process.cpuUsage(cpuAtBegin);
        delay.disable();
        send({
          type: 'ended',
          cpuMicros: cpu.user + cpu.system,
          eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
          eventLoopDelayMaxMs: delay.max / 1e6,
          rssBytes: process.memoryUsage().rss,
          peakRssBytes: process.resourceUsage().maxRSS * 1024,
        });
      } else if (message.type === 'stop') {
        await stop();
        await agent.close();
        send({ type: 'stopped' });
        process.disconnect();
      }
    })();
  });
  send({ type: 'ready', startupMs: readyMs, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed });
}
