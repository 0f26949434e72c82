/**
 * `lantern/sharding` for real: discord.js's ShardingManager (process mode, three shards) under Lantern's ShardManager,
 * each shard a child process running a Lantern bot (test/fixtures/shard-bot.ts) against the fake Discord in this
 * process, which gives each shard only its guilds. Sentry runs in the shards and in the manager, sending to one
 * SentryReceiver. Every child process of every test is checked to be gone at the end.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import sentry from '../../src/ext/sentry/index.js';
import type { ErrorEvent } from '../../src/index.js';
import { ShardDied, ShardManager, ShardNotReady, ShardRespawned } from '../../src/sharding/index.js';
import type { ShardManagerOptions } from '../../src/sharding/index.js';
import { shardOf } from '../../src/testing/index.js';
import type { CloseEvent, FakeDiscord, FakeGuild, FakeUser, ReceivedEvent, SentryReceiver } from '../../src/testing/index.js';
import { recordingLogger, startFake } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';
import { sentryOptions, startReceiver, thrown } from '../fixtures/sentry-support.js';

const SHARD_BOT = fileURLToPath(new URL('../fixtures/shard-bot.ts', import.meta.url));
const SHARD_MANAGER = fileURLToPath(new URL('../fixtures/shard-manager.ts', import.meta.url));
/** Generous: a child process under tsx takes seconds to start on a busy machine. */
const WAIT_MS = 60_000;

// ShardingManager marks this process as a manager in its environment; later tests' clients must not take it for one.
const environment = { ...process.env };
after(() => {
  for (const name of ['SHARDING_MANAGER', 'SHARDING_MANAGER_MODE', 'DISCORD_TOKEN']) {
    if (environment[name] === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = environment[name];
  }
});

/** Every shard process any manager of this file started; none may be running once the file is done. */
const pids = new Set<number>();
after(() => {
  assert.deepEqual([...pids].filter(isRunning), [], 'shard processes left running');
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface World {
  discord: FakeDiscord;
  alice: FakeUser;
  /** A guild on each shard, by shard id. */
  guilds: FakeGuild[];
}

async function world(shardCount: number): Promise<World> {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guilds: FakeGuild[] = [];
  for (let n = 0; guilds.filter(Boolean).length < shardCount; n++) {
    const guild = discord.addGuild({ name: `guild ${String(n)}`, members: [alice] });
    guilds[shardOf(guild.id, shardCount)] ??= guild;
  }
  return { discord, alice, guilds };
}

interface Running {
  manager: ShardManager;
  /** The manager's `Error` events, with when each arrived (`performance.now()`). */
  events: { event: ErrorEvent; at: number }[];
  logged: ReturnType<typeof recordingLogger>['logged'];
  /** What each shard process printed, by pid. */
  output: Map<number, string[]>;
}

/** A ShardManager on `discord`'s fake, its shards running the fixture with `scenario`; stopped after the file. */
function manage(
  discord: FakeDiscord,
  scenario: Record<string, unknown>,
  options: ShardManagerOptions,
  setup: (manager: ShardManager) => unknown = () => undefined,
): Running & { started: Promise<void> } {
  const { logger, logged } = recordingLogger();
  const manager = new ShardManager(SHARD_BOT, {
    token: discord.token,
    silent: true,
    execArgv: ['--import', 'tsx'],
    shardArgs: [JSON.stringify({ api: discord.rest.api, ...scenario })],
    readyTimeoutMs: WAIT_MS,
    logger,
    ...options,
  });
  const events: Running['events'] = [];
  const output = new Map<number, string[]>();
  manager.listen('Error', (event) => {
    events.push({ event, at: performance.now() });
  });
  manager.on('shardCreate', (shard) => {
    shard.on('spawn', (child) => {
      const { pid, stdout, stderr } = child as import('node:child_process').ChildProcess;
      if (pid === undefined) return;
      pids.add(pid);
      const lines: string[] = [];
      output.set(pid, lines);
      // Read, so a full pipe never blocks the child.
      stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
      stderr?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
    });
  });
  after(() => manager.stop());
  const started = (async () => {
    await setup(manager);
    await manager.spawn({ delay: 0 });
  })();
  return { manager, events, logged, output, started };
}

/** The reply a user read, waiting for it. */
async function replyTo(discord: FakeDiscord, alice: FakeUser, guild: FakeGuild, name: string): Promise<string> {
  const handle = discord.as(alice, guild.channel('general')).slash(name, {}, { allowUnregistered: true });
  const response = await handle.response('reply', { timeout: WAIT_MS });
  return response.message?.content ?? '';
}

function reportOf(t: TestContext, running: Running): void {
  t.diagnostic(`manager events: ${running.events.map(({ event }) => `${event.source}: ${event.error.message}`).join(' | ')}`);
  if (process.env.SHARD_TEST_OUTPUT)
    for (const [pid, lines] of running.output) t.diagnostic(`shard process ${String(pid)}:\n${lines.join('\n')}`);
}

test(
  'three shards each answer from their own process for their own guilds; a command failing in a guild of shard 1 reaches ' +
    'Sentry from shard 1 tagged shard_id 1 and shard_count 3, and the manager (forwardErrors) tracks it with its class, message and cause',
  { timeout: 6 * WAIT_MS },
  async (t) => {
    const { discord, alice, guilds } = await world(3);
    const receiver = await startReceiver();
    const running = manage(discord, { sentryDsn: receiver.dsn }, { totalShards: 3, forwardErrors: true }, (manager) =>
      manager.loadExtension(sentry, sentryOptions(receiver)),
    );
    await running.started;
    t.after(() => {
      reportOf(t, running);
    });

    const answers = await Promise.all(guilds.map((guild) => replyTo(discord, alice, guild, 'ping')));
    const pidOf = (shard: number) => running.manager.shards.get(shard)?.process?.pid;
    assert.deepEqual(
      answers,
      [0, 1, 2].map((shard) => `pong from shard ${String(shard)} of pid ${String(pidOf(shard))}`),
    );

    const failed = await replyTo(discord, alice, guilds[1]!, 'fail');
    assert.match(failed, /went wrong|error/i);
    const isFail = (event: ReceivedEvent) => thrown(event)?.type === 'QuotaError';
    const [fromShard, fromManager] = await sortedBySource(receiver, isFail);
    // The shard's own tracker: the interaction's tags, the shard it ran on.
    const shardTags = fromShard.tags ?? {};
    assert.equal(shardTags.source, '/fail');
    assert.equal(shardTags.shard_id, '1');
    assert.equal(shardTags.shard_count, '3');
    assert.equal(shardTags.guild_id, guilds[1]!.id);
    assert.equal(thrown(fromShard)?.value, 'the quota service refused on shard 1');
    // The manager's tracker: the same failure, as shard 1 reported it over IPC.
    const managerTags = fromManager.tags ?? {};
    assert.equal(managerTags.source, 'shard 1: /fail');
    assert.equal(managerTags.shard_id, '1');
    assert.equal(managerTags.shard_count, '3');
    assert.equal(managerTags.guild_id, guilds[1]!.id);
    assert.equal(managerTags.command, '/fail');
    assert.deepEqual(
      fromManager.exception?.values?.map((value) => [value.type, value.value]),
      [
        ['RangeError', 'quota of 3 reached'],
        ['QuotaError', 'the quota service refused on shard 1'],
      ],
    );
    const frames = thrown(fromManager)?.stacktrace?.frames ?? [];
    assert.ok(
      frames.some((frame) => String(frame.filename).endsWith('shard-bot.ts')),
      'the shard\u2019s own stack frames',
    );

    const forwarded = running.events.find(({ event }) => event.source === 'shard 1: /fail')?.event;
    assert.ok(forwarded);
    assert.equal(forwarded.error.name, 'QuotaError');
    assert.equal((forwarded.error.cause as Error).name, 'RangeError');
    assert.ok(!JSON.stringify(receiver.events).includes(discord.token), 'no token in any event');

    await running.manager.stop();
    assert.deepEqual([...running.output.keys()].filter(isRunning), [], 'every shard process is gone after stop()');
  },
);

async function sortedBySource(
  receiver: SentryReceiver,
  filter: (event: ReceivedEvent) => boolean,
): Promise<[ReceivedEvent, ReceivedEvent]> {
  const events = await receiver.waitForEvents(2, { filter, timeoutMs: WAIT_MS });
  const fromShard = events.find((event) => event.tags?.source === '/fail');
  const fromManager = events.find((event) => event.tags?.source !== '/fail');
  assert.ok(fromShard && fromManager, `one event from the shard, one from the manager: ${events.map((e) => e.tags?.source).join(', ')}`);
  return [fromShard, fromManager];
}

test(
  'a shard killed with kill -9 is a ShardDied event of the manager (signal SIGKILL, source shard 1), respawns, is a ' +
    'ShardRespawned event once ready, and answers again from its new process; without forwardErrors no shard error reaches the ' +
    'manager; a respawn() on purpose and the stop are no deaths',
  { timeout: 6 * WAIT_MS },
  async (t) => {
    const { discord, alice, guilds } = await world(2);
    const running = manage(discord, {}, { totalShards: 2 });
    await running.started;
    t.after(() => {
      reportOf(t, running);
    });
    const first = running.manager.shards.get(1)?.process?.pid;
    assert.ok(first);
    assert.equal(await replyTo(discord, alice, guilds[1]!, 'ping'), `pong from shard 1 of pid ${String(first)}`);
    await replyTo(discord, alice, guilds[1]!, 'fail');

    const killedAt = performance.now();
    process.kill(first, 'SIGKILL');
    await waitUntil(() => running.events.some(({ event }) => event.error instanceof ShardRespawned), WAIT_MS);

    const [death, respawn, ...others] = running.events;
    assert.equal(others.length, 0, 'no other event: the failed command stays with the shard');
    assert.ok(death?.event.error instanceof ShardDied);
    assert.equal(death.event.source, 'shard 1');
    assert.deepEqual(
      {
        shardId: death.event.error.shardId,
        signal: death.event.error.signal,
        exitCode: death.event.error.exitCode,
        respawning: death.event.error.respawning,
      },
      { shardId: 1, signal: 'SIGKILL', exitCode: null, respawning: true },
    );
    assert.deepEqual(death.event.tags, { source: 'shard 1', shard_id: '1', shard_count: '2' });
    assert.ok(respawn?.event.error instanceof ShardRespawned);
    assert.equal(respawn.event.error.cause, death.event.error);
    t.diagnostic(`kill -9 to the manager's ShardDied event: ${(death.at - killedAt).toFixed(1)} ms`);

    const second = running.manager.shards.get(1)?.process?.pid;
    assert.ok(second && second !== first);
    assert.equal(await replyTo(discord, alice, guilds[1]!, 'ping'), `pong from shard 1 of pid ${String(second)}`);

    // discord.js's respawn() (its kill(), then a spawn) ends the process on purpose: an info line, no death.
    const shardZero = running.manager.shards.get(0);
    const before = shardZero?.process?.pid;
    assert.ok(shardZero && before);
    await shardZero.respawn({ delay: 0 });
    const renewed = shardZero.process?.pid;
    assert.ok(renewed && renewed !== before);
    assert.equal(await replyTo(discord, alice, guilds[0]!, 'ping'), `pong from shard 0 of pid ${String(renewed)}`);
    await waitUntil(() => running.logged.some(({ message }) => /Shard 0 stopped/.test(message)), WAIT_MS);
    assert.equal(running.events.length, 2, 'a respawn on purpose is no death');

    await running.manager.stop();
    assert.deepEqual([first, before, ...running.output.keys()].filter(isRunning), []);
    assert.equal(running.events.length, 2, 'stopping is no death');
    assert.ok(running.logged.some(({ message }) => /Shard 1 stopped/.test(message)));
  },
);

test(
  'a shard that never becomes ready is a ShardNotReady event after readyTimeoutMs; one that crashes while starting is a ' +
    'ShardDied event with its exit code, not respawned when respawn is off',
  { timeout: 4 * WAIT_MS },
  async () => {
    const { discord } = await world(1);
    const hanging = manage(discord, { mode: 'hang' }, { totalShards: 1, readyTimeoutMs: 2000 });
    // discord.js's own spawn gives up too, after the same timeout.
    await assert.rejects(hanging.started, /ready/i);
    await waitUntil(() => hanging.events.length > 0, WAIT_MS);
    const notReady = hanging.events[0]?.event;
    assert.ok(notReady?.error instanceof ShardNotReady);
    assert.equal(notReady.source, 'shard 0');
    assert.equal(notReady.error.timeoutMs, 2000);
    await hanging.manager.stop();

    const crashing = manage(discord, { mode: 'crash' }, { totalShards: 1, respawn: false });
    await assert.rejects(crashing.started);
    await waitUntil(() => crashing.events.length > 0, WAIT_MS);
    const died = crashing.events[0]?.event;
    assert.ok(died?.error instanceof ShardDied);
    assert.equal(died.error.exitCode, 1);
    assert.equal(died.error.signal, null);
    assert.equal(died.error.respawning, false);
    assert.match(died.error.message, /^Shard 0 died: exited with code 1 after \d+ ms; not respawned/);
    await crashing.manager.stop();
    assert.deepEqual([...hanging.output.keys(), ...crashing.output.keys()].filter(isRunning), []);
  },
);

test(
  'Ctrl+C (SIGINT to the manager and its shards at once) stops every shard cleanly: each closes its gateway with 1000 and ' +
    'exits 0 (the manager\u2019s stop request joins the stop the shard began), no death is reported, and the manager exits 0',
  { timeout: 4 * WAIT_MS },
  async () => {
    const { discord } = await world(2);
    const closes: CloseEvent[] = [];
    discord.gateway.events.on('close', (event: CloseEvent) => closes.push(event));
    // Its own process group, as a terminal makes for a command: Ctrl+C signals the whole group.
    const child = spawn(process.execPath, ['--import', 'tsx', SHARD_MANAGER], {
      env: { ...process.env, SHARD_MANAGER: JSON.stringify({ api: discord.rest.api, token: discord.token }) },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    after(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    });
    const lines: Record<string, unknown>[] = [];
    const spawned = new Promise<number[]>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (text) => {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        if (line.event === 'spawned') resolve(line.pids as number[]);
      });
    });
    const shardPids = await spawned;
    for (const pid of shardPids) pids.add(pid);
    await waitUntil(() => discord.gateway.shards.length === 2, WAIT_MS);

    process.kill(-child.pid!, 'SIGINT');
    const [code, signal] = await exited;
    const report = JSON.stringify(lines);
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, report);
    assert.deepEqual(
      closes.map((close) => [close.shard?.[0], close.code]).sort(),
      [
        [0, 1000],
        [1, 1000],
      ],
      report,
    );
    assert.deepEqual(
      lines.filter((line) => line.event === 'error'),
      [],
      'no death reported',
    );
    const stopped = lines.filter((line) => typeof line.message === 'string' && /^Shard \d stopped/.test(line.message));
    assert.deepEqual(
      stopped.map((line) => line.message).sort(),
      ['Shard 0 stopped (exit code 0)', 'Shard 1 stopped (exit code 0)'],
      report,
    );
    assert.deepEqual(shardPids.filter(isRunning), []);
  },
);
