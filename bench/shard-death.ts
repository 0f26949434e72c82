/**
 * `npm run bench:sharding`: how soon the manager of `lantern/sharding` reports a shard's death. Two shards of a
 * Lantern bot run under ShardManager against the fake Discord; shard 1's process is killed with SIGKILL again and
 * again, and the time from the kill to the manager's `ShardDied` event is measured, and to its `ShardRespawned` (the
 * new process ready). The baseline, in the same run, is Node's own `exit` event of the killed child: what the kernel and
 * the event loop cost before anything can see the death. Prints medians and maxima, and the ratio to the baseline.
 */
import { fileURLToPath } from 'node:url';
import { ShardDied, ShardManager, ShardRespawned } from '../src/sharding/index.js';
import { FakeDiscord } from '../src/testing/index.js';

const quick = process.argv.includes('--quick');
const kills = quick ? 3 : 10;
const discord = await FakeDiscord.start();
const manager = new ShardManager(fileURLToPath(new URL('shard-bot.ts', import.meta.url)), {
  token: discord.token,
  totalShards: 2,
  execArgv: ['--import', 'tsx'],
  shardArgs: [discord.rest.api],
  handleSignals: false,
  logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
});
let seen: ((error: Error) => void) | undefined;
manager.listen('Error', ({ error }) => {
  seen?.(error);
});
const next = (kind: typeof ShardDied | typeof ShardRespawned) =>
  new Promise<number>((resolve) => {
    const previous = seen;
    seen = (error) => {
      previous?.(error);
      if (error instanceof kind) resolve(performance.now());
    };
  });
await manager.spawn({ delay: 0 });

const toExit: number[] = [];
const toDeath: number[] = [];
const toReady: number[] = [];
for (let i = 0; i < kills; i++) {
  const child = manager.shards.get(1)?.process;
  if (!child?.pid) throw new Error('shard 1 has no process');
  // First of the child's `exit` listeners: discord.js's own forks the replacement, synchronously, inside its listener.
  const exited = new Promise<number>((resolve) => {
    child.prependOnceListener('exit', () => {
      resolve(performance.now());
    });
  });
  const died = next(ShardDied);
  const respawned = next(ShardRespawned);
  const killedAt = performance.now();
  process.kill(child.pid, 'SIGKILL');
  toExit.push((await exited) - killedAt);
  toDeath.push((await died) - killedAt);
  toReady.push((await respawned) - killedAt);
  seen = undefined;
}
await manager.stop();
await discord.stop();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(10);
console.log(`lantern/sharding, node ${process.version}, ${String(kills)} kills of shard 1 (2 shards, process mode)\n`);
const row = (name: string, values: number[], baseline?: number[]) => {
  const ratio = baseline
    ? `   ×${(median(values) / median(baseline)).toFixed(1)} of the exit event (+${ms(median(values) - median(baseline)).trim()})`
    : '';
  console.log(`${name.padEnd(52)} median ${ms(median(values))}   max ${ms(Math.max(...values))}${ratio}`);
};
row('SIGKILL to the child\u2019s exit event (baseline)', toExit);
row('SIGKILL to the manager\u2019s ShardDied event', toDeath, toExit);
row('SIGKILL to ShardRespawned (new process ready)', toReady, toExit);
