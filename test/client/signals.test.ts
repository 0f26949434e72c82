/**
 * SIGTERM and SIGINT stop a running bot, as deploys, Ctrl+C and ShardingManager send them. Each bot runs in a child
 * process (test/fixtures/signal-bot.ts) against a fake Discord in this process, which records how its gateway closed
 * and what its users were answered.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ShardingManager } from 'discord.js';
import { SIGNAL_STOP_GRACE_MS } from '../../src/client/signals.js';
import { SentryReceiver } from '../../src/testing/index.js';
import type { CloseEvent, FakeDiscord } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';
import { waitUntil } from '../support/resources.js';

const BOT = fileURLToPath(new URL('../fixtures/signal-bot.ts', import.meta.url));
const SHARD = fileURLToPath(new URL('../fixtures/signal-shard.ts', import.meta.url));
/** The Sentry extension's default `flushTimeoutMs`. */
const FLUSH_TIMEOUT_MS = 2000;
/** Generous: a child process with tsx takes seconds to start on a busy machine. */
const WAIT_MS = 60_000;

interface Line {
  readonly event?: string;
  readonly log?: string;
  readonly message?: string;
  readonly [key: string]: unknown;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** `performance.now()` when it was seen. */
  readonly at: number;
}

interface Scenario {
  handleSignals?: boolean;
  stopTimeoutMs?: number;
  bots?: 1 | 2;
  appListener?: 'log' | 'stop';
  sentryDsn?: string;
}

/** The fixture bot in a child process, its JSON lines collected; killed after the file if it is still running. */
function runBot(discord: FakeDiscord, scenario: Scenario) {
  const child = spawn(process.execPath, ['--import', 'tsx', BOT], {
    env: { ...process.env, SIGNAL_BOT: JSON.stringify({ api: discord.rest.api, token: discord.token, ...scenario }) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const { stdout, stderr: errors } = child;
  if (!stdout || !errors) throw new Error('spawn gave no pipes');
  const lines: Line[] = [];
  let stderr = '';
  let exit: Exit | undefined;
  const seen = new EventEmitter();
  let buffered = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const text of complete) {
      const line = text.startsWith('{') ? (JSON.parse(text) as Line) : { message: text };
      lines.push(line);
      seen.emit('line');
    }
  });
  errors.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal, at: performance.now() };
      seen.emit('line');
      resolve(exit);
    }),
  );
  after(() => {
    if (!exit) child.kill('SIGKILL');
  });
  const report = () => `exit ${JSON.stringify(exit)}\nstdout:\n${lines.map((line) => JSON.stringify(line)).join('\n')}\nstderr:\n${stderr}`;

  /** The first line (seen or to come) that `accept` takes; fails when the process ends first or after WAIT_MS. */
  const waitFor = (accept: (line: Line) => boolean, what: string): Promise<Line> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        settle(new Error(`no ${what} within ${String(WAIT_MS)} ms\n${report()}`));
      }, WAIT_MS);
      const check = () => {
        const found = lines.find(accept);
        if (found) settle(found);
        else if (exit) settle(new Error(`the bot process ended before ${what}\n${report()}`));
      };
      const settle = (outcome: Line | Error) => {
        clearTimeout(timer);
        seen.off('line', check);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      seen.on('line', check);
      check();
    });

  return {
    child,
    lines,
    exited,
    report,
    waitFor,
    waitForEvent: (event: string) => waitFor((line) => line.event === event, `"${event}"`),
    waitForLog: (pattern: RegExp) =>
      waitFor((line) => line.log !== undefined && pattern.test(line.message ?? ''), `a log line ${String(pattern)}`),
    logged: (pattern: RegExp) => lines.some((line) => line.log !== undefined && pattern.test(line.message ?? '')),
    send: (message: 'release' | 'quit' | 'capture') => child.send(message),
  };
}

async function world() {
  const discord = await startFake();
  const alice = discord.addUser({ username: 'alice' });
  const guild = discord.addGuild({ name: 'g', members: [alice] });
  const closes: CloseEvent[] = [];
  discord.gateway.events.on('close', (event: CloseEvent) => closes.push(event));
  return { discord, actor: discord.as(alice, guild.channel('general')), closes };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(
    `${signal} during a running handler lets it finish and answer, tells newcomers the bot is restarting, closes the gateway ` +
      'with 1000 and exits 0 within stopTimeoutMs plus the flush timeout',
    { timeout: 4 * WAIT_MS },
    async () => {
      const { discord, actor, closes } = await world();
      const stopTimeoutMs = 20_000;
      const bot = runBot(discord, { stopTimeoutMs });
      const ready = await bot.waitForEvent('ready');
      assert.deepEqual(ready.listeners, { SIGTERM: 1, SIGINT: 1 }, bot.report());
      const slow = actor.slash('slow');
      await bot.waitForEvent('handler started');

      const signalledAt = performance.now();
      bot.child.kill(signal);
      await bot.waitForLog(new RegExp(`^${signal}: stopping, then exiting`));
      const late = await actor.slash('ping').response();
      assert.match(late.message?.content ?? '', /restarting/i, bot.report());
      assert.equal(closes.length, 0, 'the gateway stays open while the handler runs');

      bot.send('release');
      assert.equal((await slow.response()).message?.content, 'done at last');
      const exit = await bot.exited;
      assert.deepEqual([exit.code, exit.signal], [0, null], bot.report());
      assert.ok(exit.at - signalledAt < stopTimeoutMs + FLUSH_TIMEOUT_MS, bot.report());
      await waitUntil(() => closes.length > 0, WAIT_MS);
      assert.deepEqual(
        closes.map((close) => close.code),
        [1000],
      );
      assert.ok(bot.logged(new RegExp(`^Stopped after ${signal}: exiting with code 0$`)), bot.report());
    },
  );
}

test(
  'a handler that outlasts stopTimeoutMs is given up on: the gateway still closes with 1000 and the process exits with 130 ' +
    'after SIGINT, within stopTimeoutMs plus the grace Lantern allows',
  { timeout: 4 * WAIT_MS },
  async () => {
    const { discord, actor, closes } = await world();
    const stopTimeoutMs = 1500;
    const bot = runBot(discord, { stopTimeoutMs });
    await bot.waitForEvent('ready');
    void actor.slash('slow');
    await bot.waitForEvent('handler started');

    const signalledAt = performance.now();
    bot.child.kill('SIGINT');
    const exit = await bot.exited;
    assert.deepEqual([exit.code, exit.signal], [130, null], bot.report());
    assert.ok(exit.at - signalledAt < stopTimeoutMs + SIGNAL_STOP_GRACE_MS, bot.report());
    assert.ok(bot.logged(/1 handlers still running after 1500 ms/), bot.report());
    assert.ok(bot.logged(/^Stopped after SIGINT: exiting with code 130$/), bot.report());
    assert.ok(!bot.lines.some((line) => line.event === 'handler done'));
    await waitUntil(() => closes.length > 0, WAIT_MS);
    assert.deepEqual(
      closes.map((close) => close.code),
      [1000],
    );
  },
);

test(
  'a second signal during the stop exits at once with its own code, without waiting for the running handler',
  { timeout: 4 * WAIT_MS },
  async () => {
    const { discord, actor } = await world();
    const bot = runBot(discord, { stopTimeoutMs: 10 * WAIT_MS });
    await bot.waitForEvent('ready');
    void actor.slash('slow');
    await bot.waitForEvent('handler started');

    bot.child.kill('SIGTERM');
    await bot.waitForLog(/^SIGTERM: stopping/);
    bot.child.kill('SIGINT');
    const exit = await bot.exited;
    assert.deepEqual([exit.code, exit.signal], [130, null], bot.report());
    assert.ok(bot.logged(/^SIGINT during the stop: exiting at once with code 130$/), bot.report());
    assert.ok(!bot.lines.some((line) => line.event === 'handler done'));
  },
);

test(
  'with handleSignals: false the signal is the app’s: its own listener runs and the bot goes on answering',
  { timeout: 4 * WAIT_MS },
  async () => {
    const { discord, actor, closes } = await world();
    const bot = runBot(discord, { handleSignals: false, appListener: 'log' });
    const ready = await bot.waitForEvent('ready');
    assert.deepEqual(ready.listeners, { SIGTERM: 1, SIGINT: 0 }, 'only the app’s own listener');

    bot.child.kill('SIGTERM');
    await bot.waitForEvent('app got SIGTERM');
    assert.equal((await actor.slash('ping').response()).message?.content, 'pong');
    assert.equal(closes.length, 0);
    assert.ok(!bot.logged(/SIGTERM/), bot.report());

    bot.send('quit');
    const exit = await bot.exited;
    assert.deepEqual([exit.code, exit.signal], [0, null], bot.report());
    assert.deepEqual(bot.lines.find((line) => line.event === 'app stopped the bot')?.ready, false);
  },
);

test(
  'an app that listens to SIGTERM itself decides how the process ends, and its own bot.stop() waits for the stop Lantern began',
  { timeout: 4 * WAIT_MS },
  async () => {
    const { discord, actor, closes } = await world();
    const bot = runBot(discord, { appListener: 'stop' });
    await bot.waitForEvent('ready');
    const slow = actor.slash('slow');
    await bot.waitForEvent('handler started');

    bot.child.kill('SIGTERM');
    await bot.waitForLog(/^SIGTERM: stopping; the app's own SIGTERM listener decides when the process ends$/);
    bot.send('release');
    assert.equal((await slow.response()).message?.content, 'done at last');
    const exit = await bot.exited;
    assert.deepEqual([exit.code, exit.signal], [3, null], `the app's exit code, not Lantern's\n${bot.report()}`);
    const events = bot.lines.flatMap((line) => (line.event ? [line.event] : []));
    assert.deepEqual(events.slice(-2), ['handler done', 'app stopped the bot'], bot.report());
    assert.equal(bot.lines.find((line) => line.event === 'app stopped the bot')?.ready, false);
    assert.ok(!bot.logged(/exiting/), bot.report());
    await waitUntil(() => closes.length > 0, WAIT_MS);
    assert.deepEqual(
      closes.map((close) => close.code),
      [1000],
    );
  },
);

test('several bots in one process share one listener per signal, and SIGTERM stops them all', { timeout: 4 * WAIT_MS }, async () => {
  const { discord, closes } = await world();
  const bot = runBot(discord, { bots: 2 });
  const ready = await bot.waitForEvent('ready');
  assert.deepEqual(ready.listeners, { SIGTERM: 1, SIGINT: 1 }, bot.report());

  bot.child.kill('SIGTERM');
  const exit = await bot.exited;
  assert.deepEqual([exit.code, exit.signal], [0, null], bot.report());
  await waitUntil(() => closes.length >= 2, WAIT_MS);
  assert.deepEqual(closes.map((close) => [close.shard?.[0], close.code]).sort(), [
    [0, 1000],
    [1, 1000],
  ]);
});

test('a Sentry event captured just before SIGTERM reaches the receiver before the process exits 0', { timeout: 4 * WAIT_MS }, async () => {
  const receiver = await SentryReceiver.start();
  after(() => receiver.stop());
  const { discord, closes } = await world();
  const stopTimeoutMs = 5000;
  const bot = runBot(discord, { stopTimeoutMs, sentryDsn: receiver.dsn });
  await bot.waitForEvent('ready');

  bot.send('capture');
  const { reference } = await bot.waitForEvent('captured');
  const signalledAt = performance.now();
  const exit = await bot.exited;
  assert.deepEqual([exit.code, exit.signal], [0, null], bot.report());
  assert.ok(exit.at - signalledAt < stopTimeoutMs + FLUSH_TIMEOUT_MS, bot.report());
  assert.equal(typeof reference, 'string');
  const event = receiver.events.find((received) => received.event_id === reference);
  assert.equal(event?.exception?.values?.at(-1)?.value, 'captured just before SIGTERM', bot.report());
  assert.ok(!bot.logged(/not every event was delivered/), bot.report());
  await waitUntil(() => closes.length > 0, WAIT_MS);
  assert.deepEqual(
    closes.map((close) => close.code),
    [1000],
  );
});

test(
  'a shard that ShardingManager stops with shard.kill() (SIGTERM) closes its gateway with 1000 and exits 0 on its own',
  { timeout: 4 * WAIT_MS },
  async () => {
    const { discord, closes } = await world();
    const stopTimeoutMs = 3000;
    // The manager marks its own process as a manager in the environment, where a later discord.js client would take
    // itself for a shard.
    const environment = { ...process.env };
    after(() => {
      for (const name of ['SHARDING_MANAGER', 'SHARDING_MANAGER_MODE', 'DISCORD_TOKEN']) {
        if (environment[name] === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = environment[name];
      }
    });
    const manager = new ShardingManager(SHARD, {
      token: discord.token,
      totalShards: 2,
      respawn: false,
      silent: true,
      execArgv: ['--import', 'tsx'],
      shardArgs: [discord.rest.api, String(stopTimeoutMs)],
    });
    after(() => {
      for (const shard of manager.shards.values()) shard.process?.kill('SIGKILL');
    });
    await manager.spawn({ delay: 0, timeout: WAIT_MS });

    const exits = [...manager.shards.values()].map(async (shard) => {
      const child = shard.process;
      assert.ok(child);
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const killedAt = performance.now();
      shard.kill();
      const [code, signal] = await exited;
      return { code, signal, withinBound: performance.now() - killedAt < stopTimeoutMs + SIGNAL_STOP_GRACE_MS };
    });
    assert.deepEqual(await Promise.all(exits), [
      { code: 0, signal: null, withinBound: true },
      { code: 0, signal: null, withinBound: true },
    ]);
    await waitUntil(() => closes.length >= 2, WAIT_MS);
    assert.deepEqual(closes.map((close) => [close.shard?.[0], close.code]).sort(), [
      [0, 1000],
      [1, 1000],
    ]);
  },
);

test(
  'starting bots adds one SIGTERM and one SIGINT listener for all of them, removed with the last one; ' + 'handleSignals: false adds none',
  async () => {
    const { discord } = await world();
    const counts = () => [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')] as const;
    const [term, int] = counts();
    const shard = (id: number) => ({ discord: { shards: [id], shardCount: 2 }, syncCommands: false });
    const first = await startBot(discord, shard(0));
    const second = await startBot(discord, shard(1));
    assert.deepEqual(counts(), [term + 1, int + 1]);
    await first.bot.stop();
    assert.deepEqual(counts(), [term + 1, int + 1], 'the second bot still runs');
    await second.bot.stop();
    assert.deepEqual(counts(), [term, int]);

    const unmanaged = await startBot(discord, { handleSignals: false, syncCommands: false });
    assert.deepEqual(counts(), [term, int]);
    await unmanaged.bot.stop();
  },
);
