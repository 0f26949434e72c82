// @ts-check
/**
 * The bench command on Lantern in two shards under `lantern/sharding`: this process is the manager, each shard a
 * process running lantern.js. The driver talks to the manager as to any bot; the manager asks every shard in turn
 * and adds their figures up, and reports each shard's CPU and its own.
 */
import { fileURLToPath } from 'node:url';
import { ShardManager } from 'lantern/sharding';
import { config } from './probe.js';

export const SHARDS = 2;

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const manager = new ShardManager(fileURLToPath(new URL('lantern.js', import.meta.url)), {
  token: config.token,
  totalShards: SHARDS,
  respawn: false,
  handleSignals: false,
  logger: silent,
});

/**
 * Each shard's next message of `type` (the probe's answers, sent over the shard's IPC channel to this process).
 * @param {string} type
 * @returns {Promise<Record<string, number>[]>}
 */
function fromEveryShard(type) {
  return Promise.all(
    [...manager.shards.values()].map(
      (shard) =>
        /** @type {Promise<Record<string, number>>} */ (
          new Promise((resolve) => {
            /** @param {{ type?: string }} message */
            const onMessage = (message) => {
              if (message.type !== type) return;
              shard.off('message', onMessage);
              resolve(/** @type {Record<string, number>} */ (/** @type {unknown} */ (message)));
            };
            shard.on('message', onMessage);
          })
        ),
    ),
  );
}

/** @param {'begin' | 'end' | 'stop'} type */
function toEveryShard(type) {
  for (const shard of manager.shards.values()) void shard.send({ type });
}

/** @type {Record<string, number>[]} */
const readyAnswers = [];
const allReady = new Promise((resolve) => {
  manager.on('shardCreate', (shard) => {
    shard.on('message', (/** @type {{ type?: string }} */ message) => {
      if (message.type !== 'ready') return;
      readyAnswers.push(/** @type {Record<string, number>} */ (message));
      if (readyAnswers.length === SHARDS) resolve(readyAnswers);
    });
  });
});
await manager.spawn({ delay: 0 });
await allReady;
const shardsReady = readyAnswers;
const readyMs = performance.now();
const memory = process.memoryUsage();
const sum = (/** @type {Record<string, number>[]} */ answers, /** @type {string} */ key) =>
  answers.reduce((total, answer) => total + (answer[key] ?? 0), 0);
const max = (/** @type {Record<string, number>[]} */ answers, /** @type {string} */ key) =>
  Math.max(...answers.map((answer) => answer[key] ?? 0));

/** @param {Record<string, unknown>} message */
const send = (message) => process.send?.(message);
let cpuAtBegin = process.cpuUsage();
process.on('message', (/** @type {{ type: string }} */ message) => {
  void (async () => {
    if (message.type === 'begin') {
      const begun = fromEveryShard('begun');
      toEveryShard('begin');
      await begun;
      cpuAtBegin = process.cpuUsage();
      send({ type: 'begun' });
    } else if (message.type === 'end') {
      const ended = fromEveryShard('ended');
      toEveryShard('end');
      const answers = await ended;
      const cpu = process.cpuUsage(cpuAtBegin);
      const own = process.memoryUsage().rss;
      send({
        type: 'ended',
        cpuMicros: sum(answers, 'cpuMicros'),
        shardCpuMicros: answers.map((answer) => answer.cpuMicros ?? 0),
        managerCpuMicros: cpu.user + cpu.system,
        eventLoopDelayP99Ms: max(answers, 'eventLoopDelayP99Ms'),
        eventLoopDelayMaxMs: max(answers, 'eventLoopDelayMaxMs'),
        rssBytes: sum(answers, 'rssBytes') + own,
        peakRssBytes: sum(answers, 'peakRssBytes') + process.resourceUsage().maxRSS * 1024,
      });
    } else if (message.type === 'stop') {
      const stopped = fromEveryShard('stopped');
      toEveryShard('stop');
      await stopped;
      await manager.stop();
      send({ type: 'stopped' });
      process.disconnect();
    }
  })();
});
send({
  type: 'ready',
  startupMs: readyMs,
  rssBytes: sum(shardsReady, 'rssBytes') + memory.rss,
  heapUsedBytes: sum(shardsReady, 'heapUsedBytes') + memory.heapUsed,
});
