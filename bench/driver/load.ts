import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeDiscord, shardOf } from 'lantern/testing';
import type { FakeChannel, FakeUser, FakeWebhook, InteractionHandle } from 'lantern/testing';

/** Users taking turns: enough that no cache of one user flatters a framework, few enough to stay small. */
const USERS = 20;
/** How long the driver waits for an answer before counting the interaction lost. */
const ANSWER_TIMEOUT_MS = 5000;

export interface LoadResult {
  readonly count: number;
  readonly elapsedMs: number;
  /** Dispatch to first response at the fake, in milliseconds, one per answered interaction. */
  readonly latencies: number[];
  /** Interactions with no answer within the timeout. */
  readonly lost: number;
  /** Interactions answered otherwise than the path expects (a public "ok", or an ephemeral error answer). */
  readonly wrong: number;
}

/**
 * One fake Discord per bot, with a guild of users who run `/bench`; for a sharded bot a guild on each shard, the
 * interactions taking turns between them.
 */
export class BenchDiscord {
  #next = 0;

  private constructor(
    readonly discord: FakeDiscord,
    private readonly users: FakeUser[],
    private readonly channels: FakeChannel[],
  ) {}

  static async start({ shards = 1 }: { shards?: number } = {}): Promise<BenchDiscord> {
    const discord = await FakeDiscord.start({ shards });
    const users = Array.from({ length: USERS }, (_, i) => discord.addUser({ username: `user${String(i)}` }));
    const byShard = new Map<number, FakeChannel>();
    // Guild ids are snowflakes, so which shard a new guild lands on is a matter of its id: add until each has one.
    while (byShard.size < shards) {
      const guild = discord.addGuild({ name: `Bench ${String(byShard.size)}`, members: users });
      const shard = shardOf(guild.id, shards);
      if (!byShard.has(shard)) byShard.set(shard, guild.channel('general'));
    }
    return new BenchDiscord(discord, users, [...byShard.values()]);
  }

  /** A webhook of the bot's application on the first bench channel, for `lantern/ext/webhook` to post to. */
  addWebhook(): FakeWebhook {
    return this.discord.addWebhook(this.channels[0] as FakeChannel, 'Errors', { applicationOwned: true });
  }

  get connection(): { api: string; token: string } {
    return { api: this.discord.rest.api, token: this.discord.token };
  }

  /**
   * Runs `/bench n:<i>` `count` times with `concurrency` in flight (a closed loop: each answer lets the next one
   * go): as fast as the bot can take them.
   */
  async burst(count: number, { concurrency, fails }: { concurrency: number; fails: boolean }): Promise<LoadResult> {
    const recorder = new Answers(fails);
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < count) {
        sent++;
        await recorder.check(this.#send());
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return recorder.result(count, performance.now() - started);
  }

  /**
   * Runs `/bench n:<i>` `count` times at `rate` per second, whatever the answers (an open loop, as users arrive):
   * every bot gets the same load, so its CPU and latency figures compare, and a slow answer cannot slow the load.
   */
  async atRate(count: number, { rate, fails }: { rate: number; fails: boolean }): Promise<LoadResult> {
    const recorder = new Answers(fails);
    const checks: Promise<void>[] = [];
    const started = performance.now();
    while (checks.length < count) {
      const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      while (checks.length < due) checks.push(recorder.check(this.#send()));
      await sleep(1);
    }
    await Promise.all(checks);
    return recorder.result(count, performance.now() - started);
  }

  #send(): InteractionHandle {
    const n = this.#next++;
    const channel = this.channels[n % this.channels.length] as FakeChannel;
    return this.discord.as(this.users[n % this.users.length] as FakeUser, channel).slash('bench', { n });
  }

  stop(): Promise<void> {
    return this.discord.stop();
  }
}

/** Checks each answer against the path: a public reply when the command succeeds, an ephemeral one when it fails. */
class Answers {
  readonly #latencies: number[] = [];
  #lost = 0;
  #wrong = 0;

  constructor(private readonly fails: boolean) {}

  async check(handle: InteractionHandle): Promise<void> {
    try {
      const response = await handle.response(undefined, { timeout: ANSWER_TIMEOUT_MS });
      this.#latencies.push(response.at);
      if (response.kind !== 'reply' || response.ephemeral !== this.fails) this.#wrong++;
    } catch {
      this.#lost++;
    }
  }

  result(count: number, elapsedMs: number): LoadResult {
    return { count, elapsedMs, latencies: this.#latencies, lost: this.#lost, wrong: this.#wrong };
  }
}
