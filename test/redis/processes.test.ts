/**
 * Guards shared by two OS processes through a real redis-server: each process is a Lantern bot holding one shard of
 * the fake Discord in this process (test/fixtures/redis-bot.ts), so a user in a guild of shard 0 reaches one process
 * and a user in a guild of shard 1 the other. A global cooldown, a global concurrency limit (refuse and wait), a
 * process killed while it holds a slot, and Redis stopped mid-run and started again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { shardOf } from '../../src/testing/index.js';
import type { FakeChannel, FakeDiscord, FakeUser, InteractionHandle } from '../../src/testing/index.js';
import { startFake } from '../support/bot.js';
import { redisSkipReason, startRedisServer } from '../support/redis-server.js';
import type { RedisServer } from '../support/redis-server.js';
import { waitUntil } from '../support/resources.js';

const BOT = fileURLToPath(new URL('../fixtures/redis-bot.ts', import.meta.url));
/** Generous: a child process under tsx takes seconds to start on a busy machine. */
const WAIT_MS = 60_000;
const SLOT_LEASE_MS = 2000;
/**
 * The most a user waits on Redis. The default (250 ms) is meant for a production server; a shared test machine's
 * child processes can be slower than that without Redis being down.
 */
const COMMAND_TIMEOUT_MS = 1000;
const COOLDOWN_TEXT = /doing that too often/;
const BUSY_TEXT = /Too many people are using this right now/;

const skip = redisSkipReason();

interface Line {
  readonly event?: string;
  readonly log?: string;
  readonly message?: string;
  readonly [key: string]: unknown;
}

interface BotProcess {
  readonly child: ChildProcess;
  readonly lines: Line[];
  readonly exited: Promise<unknown>;
  errors(): Line[];
  logged(pattern: RegExp): boolean;
  release(name: string): void;
}

function runBot(discord: FakeDiscord, redis: RedisServer, shard: number): BotProcess {
  const scenario = {
    api: discord.rest.api,
    token: discord.token,
    shard,
    shardCount: 2,
    redisUrl: redis.url,
    slotLeaseMs: SLOT_LEASE_MS,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', BOT], {
    env: { ...process.env, REDIS_BOT: JSON.stringify(scenario) },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const lines: Line[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Line);
    } catch {
      lines.push({ message: text });
    }
  });
  const exited = once(child, 'exit');
  after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  });
  return {
    child,
    lines,
    exited,
    errors: () => lines.filter((line) => line.event === 'error'),
    logged: (pattern) => lines.some((line) => line.log !== undefined && pattern.test(line.message ?? '')),
    release: (name) => child.send({ release: name }),
  };
}

interface World {
  discord: FakeDiscord;
  redis: RedisServer;
  bots: [BotProcess, BotProcess];
  /** A user's channel in a guild of each shard: `channels[i]` reaches process i. */
  channels: [FakeChannel, FakeChannel];
  users: FakeUser[];
}

async function world(): Promise<World> {
  const redis = await startRedisServer();
  const discord = await startFake({ shards: 2 });
  const users = ['alice', 'bob', 'carol', 'dave'].map((username) => discord.addUser({ username }));
  const channels: FakeChannel[] = [];
  for (let n = 0; channels.filter(Boolean).length < 2; n++) {
    const guild = discord.addGuild({ name: `guild ${String(n)}`, members: users });
    channels[shardOf(guild.id, 2)] ??= guild.channel('general');
  }
  const bots: [BotProcess, BotProcess] = [runBot(discord, redis, 0), runBot(discord, redis, 1)];
  await waitUntil(() => bots.every((bot) => bot.lines.some((line) => line.event === 'ready')), WAIT_MS);
  return { discord, redis, bots, channels: channels as [FakeChannel, FakeChannel], users };
}

const run = (discord: FakeDiscord, user: FakeUser, channel: FakeChannel, name: string): InteractionHandle =>
  discord.as(user, channel).slash(name, {}, { allowUnregistered: true });

async function firstText(handle: InteractionHandle): Promise<string> {
  const response = await handle.response(undefined, { timeout: WAIT_MS });
  return response.message?.content ?? '';
}

const starts = (bot: BotProcess, name: string): number =>
  bot.lines.filter((line) => line.event === 'started' && line.command === name).length;

/**
 * Sends `/name` to process `index` until a run starts there. A slot is given back just after the answer of the run that
 * held it (and a dead process's lease runs out on Redis's clock), so a run sent the moment the slot should be free can
 * still be refused as busy; the user would simply try again.
 */
async function runOnceFree({ discord, bots, channels }: World, index: 0 | 1, user: FakeUser, name: string): Promise<InteractionHandle> {
  const deadline = performance.now() + WAIT_MS;
  const before = starts(bots[index], name);
  const started = () => starts(bots[index], name) > before;
  for (;;) {
    const handle = run(discord, user, channels[index], name);
    const outcome = { busy: false };
    void firstText(handle).then((text) => (outcome.busy = BUSY_TEXT.test(text)));
    await waitUntil(() => started() || outcome.busy, WAIT_MS);
    if (started()) return handle;
    assert.ok(performance.now() < deadline, `/${name} was refused as busy for ${String(WAIT_MS)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What each of `count` users (alternating between the two processes) read for `/name`, sent all at once. */
async function burst({ discord, channels, users }: World, name: string, count: number): Promise<string[]> {
  const handles = Array.from({ length: count }, (_, i) => run(discord, users[i % users.length]!, channels[i % 2]!, name));
  return Promise.all(handles.map(firstText));
}

// One world for the file: two bot processes take seconds to start.
const shared = skip ? undefined : await world();

test(
  'a global cooldown of 2 uses per 30 s lets exactly 2 of 6 runs through across both processes',
  { skip, timeout: 2 * WAIT_MS },
  async () => {
    const texts = await burst(shared!, 'spin', 6);
    assert.equal(texts.filter((text) => /^spun on shard [01]$/.test(text)).length, 2, texts.join(' | '));
    assert.equal(texts.filter((text) => COOLDOWN_TEXT.test(text)).length, 4, texts.join(' | '));
  },
);

test(
  'a max concurrency of 1 across processes: while one process runs /solo the other refuses it, and runs it once released',
  { skip, timeout: 2 * WAIT_MS },
  async () => {
    const { discord, bots, channels, users } = shared!;
    const first = run(discord, users[0]!, channels[0], 'solo');
    await waitUntil(() => starts(bots[0], 'solo') > 0, WAIT_MS);
    assert.match(await firstText(run(discord, users[1]!, channels[1], 'solo')), BUSY_TEXT);
    bots[0].release('solo');
    assert.equal(await firstText(first), 'solo on shard 0');
    const second = await runOnceFree(shared!, 1, users[1]!, 'solo');
    bots[1].release('solo');
    assert.equal(await firstText(second), 'solo on shard 1');
  },
);

test(
  "mode 'wait' across processes: the other process's run is deferred, polls, and runs once the slot is given back",
  { skip, timeout: 2 * WAIT_MS },
  async () => {
    const { discord, bots, channels, users } = shared!;
    const holder = run(discord, users[0]!, channels[1], 'queue');
    await waitUntil(() => starts(bots[1], 'queue') > 0, WAIT_MS);
    const waiter = run(discord, users[1]!, channels[0], 'queue');
    await waiter.response('deferReply', { timeout: WAIT_MS });
    assert.ok(starts(bots[0], 'queue') === 0, 'not run while the slot is held');
    bots[1].release('queue');
    await waitUntil(() => starts(bots[0], 'queue') > 0, WAIT_MS);
    bots[0].release('queue');
    await holder.response(undefined, { timeout: WAIT_MS });
    // After the defer, `ctx.send` follows up.
    const answer = await waiter.response('followUp', { timeout: WAIT_MS });
    assert.equal(answer.message?.content, 'queued on shard 0');
  },
);

test(
  'Redis stopped mid-run: each process falls back to memory (its own 2 spins), says so in one Error event, answers every ' +
    'user before the interaction expires; Redis started again: one info line each, and the cooldown is shared again',
  { skip, timeout: 4 * WAIT_MS },
  async (t) => {
    const world = shared!;
    const { bots, redis } = world;
    await redis.stop();
    const startedAt = performance.now();
    // Four each: memory gives each process its own 2 uses of the window, which Redis had spent already.
    const texts = await burst(world, 'spin', 8);
    t.diagnostic(`eight answers with Redis down within ${(performance.now() - startedAt).toFixed(0)} ms`);
    // Each was answered in time: past the fake's 3 s deadline the reply would have been refused as expired.
    assert.equal(texts.filter((text) => /^spun on shard 0$/.test(text)).length, 2, texts.join(' | '));
    assert.equal(texts.filter((text) => /^spun on shard 1$/.test(text)).length, 2, texts.join(' | '));
    assert.equal(texts.filter((text) => COOLDOWN_TEXT.test(text)).length, 4, texts.join(' | '));
    await burst(world, 'spin', 4);
    for (const bot of bots) {
      assert.deepEqual(
        bot.errors().map(({ source, code }) => ({ source, code })),
        [{ source: 'guard store redis', code: 'LANTERN_ERR_GUARD_STORE_UNAVAILABLE' }],
      );
    }

    await redis.start();
    await waitUntil(() => bots.every((bot) => bot.logged(/^Guard store redis answers again/)), WAIT_MS);
    // The restarted server is empty: a fresh window, shared by both processes again.
    const again = await burst(world, 'spin', 6);
    assert.equal(again.filter((text) => /^spun on shard [01]$/.test(text)).length, 2, again.join(' | '));
    for (const bot of bots) assert.equal(bot.errors().length, 1, 'one Error event per outage');
  },
);

test(
  'a process killed with kill -9 while it holds the slot: the other process refuses until the lease runs out, then runs',
  { skip, timeout: 2 * WAIT_MS },
  async () => {
    const { discord, bots, channels, users } = shared!;
    run(discord, users[0]!, channels[0], 'solo');
    await waitUntil(() => starts(bots[0], 'solo') === 2, WAIT_MS);
    bots[0].child.kill('SIGKILL');
    await bots[0].exited;
    assert.match(await firstText(run(discord, users[1]!, channels[1], 'solo')), BUSY_TEXT);
    await new Promise((resolve) => setTimeout(resolve, SLOT_LEASE_MS));
    const after = await runOnceFree(shared!, 1, users[1]!, 'solo');
    bots[1].release('solo');
    assert.equal(await firstText(after), 'solo on shard 1');
  },
);
