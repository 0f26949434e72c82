/**
 * `npm run bench:guards`: what a guard check costs with its counts in memory (the default) and in Redis (a real
 * redis-server on 127.0.0.1, started for the run). Each iteration runs one interaction's guards (`Guards.run` with an
 * empty handler) for a new user, so every cooldown allows it; prints p50 and p99, and each Redis figure's ratio to the same
 * guards in memory, measured in the same run.
 */
import { performance } from 'node:perf_hooks';
import { Guards } from '../src/checks/guard.js';
import type { GuardLayer } from '../src/checks/guard.js';
import type { InteractionContext } from '../src/interactions/context.js';
import { redisStore } from '../src/redis/index.js';
import { spawnRedisServer } from '../test/support/redis-server.js';

const quick = process.argv.includes('--quick');
const iterations = quick ? 2000 : 20_000;
const warmup = Math.floor(iterations / 10);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** What the guards read of an interaction: who, where, and when it arrived. */
function subject(i: number): InteractionContext {
  return {
    user: { id: String(100_000 + i) },
    guildId: '42',
    channelId: '43',
    receivedAt: performance.now(),
  } as unknown as InteractionContext;
}

interface Figures {
  readonly p50: number;
  readonly p99: number;
}

async function measure(name: string, layers: readonly GuardLayer[], baseline?: Figures): Promise<Figures> {
  const guards = new Guards();
  const handler = () => Promise.resolve();
  const times: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const ctx = subject(i);
    const started = performance.now();
    await guards.run(ctx, layers, handler);
    if (i >= warmup) times.push(performance.now() - started);
  }
  guards.stop();
  times.sort((a, b) => a - b);
  const figures = { p50: percentile(times, 50), p99: percentile(times, 99) };
  const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`.padStart(9);
  const ratio = baseline
    ? `   ×${(figures.p50 / baseline.p50).toFixed(1)} p50, ×${(figures.p99 / baseline.p99).toFixed(1)} p99 of memory`
    : '';
  console.log(`${name.padEnd(48)} p50 ${us(figures.p50)}   p99 ${us(figures.p99)}${ratio}`);
  return figures;
}

const server = await spawnRedisServer();
const store = redisStore(server.url);
await store.ping();
const cooldown = { bucket: 'user', uses: 5, windowMs: 60_000 } as const;
const concurrency = { bucket: 'guild', limit: 1_000_000 } as const;
console.log(`guard checks, node ${process.version}, ${String(iterations)} iterations each (${quick ? 'quick' : 'full'} run)\n`);
await measure('no guards', []);
const memoryCooldown = await measure('cooldown in memory', [{ key: '/spin', cooldown }]);
await measure('cooldown in Redis', [{ key: '/spin', cooldown: { ...cooldown, store } }], memoryCooldown);
const memoryBoth = await measure('cooldown + concurrency in memory', [{ key: '/spin', cooldown, maxConcurrency: concurrency }]);
await measure(
  'cooldown + concurrency in Redis',
  [{ key: '/spin', cooldown: { ...cooldown, store }, maxConcurrency: { ...concurrency, store } }],
  memoryBoth,
);
const memoryLayers = await measure('bot + command cooldowns in memory', [
  { key: 'bot', cooldown },
  { key: '/spin', cooldown },
]);
await measure(
  'bot + command cooldowns in Redis (one script)',
  [
    { key: 'bot', cooldown: { ...cooldown, store } },
    { key: '/spin', cooldown: { ...cooldown, store } },
  ],
  memoryLayers,
);
await store.close();
await server.stop();
