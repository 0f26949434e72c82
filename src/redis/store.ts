import { randomUUID } from 'node:crypto';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { CooldownTake, GuardStore, StoredCooldown, StoredSlot } from '../checks/store.js';
import { RedisMissingError, RedisStoreOptionsError } from './errors.js';
import { ACQUIRE_SLOT, REFUND_COOLDOWNS, RENEW_SLOT, TAKE_COOLDOWNS } from './scripts.js';
import type { Script } from './scripts.js';

/** An ioredis client: a single server (`new Redis()`) or a cluster (`new Cluster()`). */
export type RedisClient = Redis | Cluster;

export interface RedisStoreOptions {
  /**
   * Put before every key the store writes (`lantern:cooldown:/daily:user:123`). Default `lantern:`. On Redis Cluster,
   * make it a hash tag (`{lantern}:`): a cooldown's script writes every layer's key at once, so they must share a slot.
   */
  prefix?: string;
  /**
   * How long a call may take before the guards stop waiting for it and count in memory: the most a user waits on
   * Redis. Default 250 ms.
   */
  commandTimeoutMs?: number;
  /**
   * How long a concurrency slot is held without renewal: a run renews its slot every third of it, so a crashed
   * process's slots free themselves within this. Default 30 000 ms.
   */
  slotLeaseMs?: number;
  /** With a URL: ioredis's options for the connection the store opens. */
  redis?: RedisOptions;
}

const DEFAULTS = { prefix: 'lantern:', commandTimeoutMs: 250, slotLeaseMs: 30_000 };
/** ioredis's states in which a command would only wait in its offline queue: the store fails at once instead. */
const DISCONNECTED = new Set(['reconnecting', 'close', 'end', 'disconnecting']);

/**
 * Cooldowns and concurrency limits in Redis, so a bucket means the same in every shard and on every machine.
 * Each update is one Lua script (atomic), timed by the server's clock; every key expires on its own. A call that fails
 * or takes longer than `commandTimeoutMs` rejects, and the guards count in memory until Redis answers again.
 *
 * ```ts
 * const store = redisStore(new Redis(process.env.REDIS_URL));
 * command({ name: 'daily', cooldown: { bucket: 'user', uses: 1, windowMs: 86_400_000, store }, run });
 * ```
 */
export class RedisStore implements GuardStore {
  readonly name = 'redis';
  readonly prefix: string;
  readonly commandTimeoutMs: number;
  readonly slotLeaseMs: number;
  readonly #client: Promise<RedisClient>;
  /** Whether the store opened the connection (from a URL), and so closes it. */
  readonly #owned: boolean;

  constructor(client: RedisClient | string, options: RedisStoreOptions = {}) {
    const { prefix = DEFAULTS.prefix, commandTimeoutMs = DEFAULTS.commandTimeoutMs, slotLeaseMs = DEFAULTS.slotLeaseMs } = options;
    if (typeof prefix !== 'string') throw new RedisStoreOptionsError('prefix', 'must be a string');
    for (const [name, value] of Object.entries({ commandTimeoutMs, slotLeaseMs }))
      if (!Number.isFinite(value) || value <= 0)
        throw new RedisStoreOptionsError(name, `must be a positive number of milliseconds (got ${String(value)})`);
    this.prefix = prefix;
    this.commandTimeoutMs = commandTimeoutMs;
    this.slotLeaseMs = slotLeaseMs;
    this.#owned = typeof client === 'string';
    if (typeof client === 'string') {
      this.#client = connect(client, options.redis);
      // Read by every call; a store never used must not leave an unhandled rejection behind.
      this.#client.catch(() => undefined);
    } else if (typeof (client as Partial<Redis> | null)?.evalsha !== 'function')
      throw new RedisStoreOptionsError('client', 'must be an ioredis client (new Redis(...)) or a redis:// URL');
    else this.#client = Promise.resolve(client);
    // Loading ahead is only a saving (commands load what they miss), so a client that cannot do it is no failure.
    void this.#client.then(loadScripts).catch(() => undefined);
  }

  async takeCooldowns(uses: readonly StoredCooldown[]): Promise<CooldownTake> {
    const keys = uses.map(({ key }) => `${this.prefix}cooldown:${key}`);
    const use = randomUUID();
    const refund = () => {
      this.#run(REFUND_COOLDOWNS, keys, [use]).catch(() => undefined);
    };
    const args = [use, ...uses.flatMap(({ uses: allowed, windowMs }) => [allowed, Math.ceil(windowMs)])];
    // A take that lands after the guards gave up on it (they counted in memory) is taken back.
    const result = await this.#run(TAKE_COOLDOWNS, keys, args, (late) => {
      if (Array.isArray(late) && late[0] === 1) refund();
    });
    if (!Array.isArray(result)) throw new TypeError(`Unexpected answer from the cooldown script: ${JSON.stringify(result)}`);
    if (result[0] === 1) return { refused: false, refund };
    return { refused: true, retryAfterMs: Number(result[1]), index: Number(result[2]) };
  }

  async acquireSlot(key: string, limit: number): Promise<StoredSlot | undefined> {
    const slots = `${this.prefix}slots:${key}`;
    const holder = randomUUID();
    const release = () => {
      void this.#client.then((client) => this.#bounded(client.zrem(slots, holder))).catch(() => undefined);
    };
    const got = await this.#run(ACQUIRE_SLOT, [slots], [holder, limit, Math.ceil(this.slotLeaseMs)], (late) => {
      if (late === 1) release();
    });
    if (got !== 1) return undefined;
    const renewal = setInterval(() => {
      this.#run(RENEW_SLOT, [slots], [holder, Math.ceil(this.slotLeaseMs)]).catch(() => undefined);
    }, this.slotLeaseMs / 3);
    renewal.unref();
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        release();
      },
    };
  }

  async ping(): Promise<void> {
    const client = await this.#connected();
    await this.#bounded(client.ping());
  }

  /** Closes the connection the store opened from a URL; a client passed in stays the app's to close. */
  async close(): Promise<void> {
    if (!this.#owned) return;
    const client = await this.#client;
    await this.#bounded(client.quit()).catch(() => {
      client.disconnect();
    });
  }

  async #run(
    script: Script,
    keys: readonly string[],
    args: readonly (string | number)[],
    late?: (result: unknown) => void,
  ): Promise<unknown> {
    const client = await this.#connected();
    const call = (async () => {
      try {
        return await client.evalsha(script.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!String((error as Error | undefined)?.message).startsWith('NOSCRIPT')) throw error;
        return client.eval(script.lua, keys.length, ...keys, ...args);
      }
    })();
    return this.#bounded(call, late);
  }

  /** The client, or a rejection at once when it knows it is disconnected (a command would only queue). */
  async #connected(): Promise<RedisClient> {
    const client = await this.#client;
    if (DISCONNECTED.has(client.status)) throw new Error(`Redis is not connected (${client.status})`);
    return client;
  }

  /** `call`, or a rejection once `commandTimeoutMs` has passed; `late` then gets what the call resolves with after all. */
  #bounded<T>(call: Promise<T>, late?: (result: T) => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`Redis did not answer within ${String(this.commandTimeoutMs)} ms`));
      }, this.commandTimeoutMs);
    });
    call.then(
      (result) => {
        if (timedOut) late?.(result);
      },
      () => undefined,
    );
    return Promise.race([call, deadline]).finally(() => {
      clearTimeout(timer);
    });
  }
}

/**
 * Loads the scripts whenever the connection becomes ready (at once if it is), so a user's first command after a start
 * (or after Redis restarted, empty) costs one round trip, not a refused EVALSHA and an EVAL. A failure is harmless:
 * the commands load them again.
 */
function loadScripts(client: RedisClient): void {
  const load = () => {
    for (const { lua } of [TAKE_COOLDOWNS, REFUND_COOLDOWNS, ACQUIRE_SLOT, RENEW_SLOT]) client.script('LOAD', lua).catch(() => undefined);
  };
  client.on('ready', load);
  if (client.status === 'ready') load();
}

/** A store on `client`: an ioredis client, or a `redis://` URL (the store connects, with ioredis, and `close()` ends it). */
export function redisStore(client: RedisClient | string, options?: RedisStoreOptions): RedisStore {
  return new RedisStore(client, options);
}

/** Checked now, so a missing package shows when the store is made, not on a user's first command. */
function connect(url: string, options: RedisOptions = {}): Promise<RedisClient> {
  try {
    import.meta.resolve('ioredis');
  } catch (error) {
    throw new RedisMissingError({ cause: error });
  }
  return import('ioredis').then(({ Redis }) => {
    const client = new Redis(url, options);
    // Failures reach the guards through the commands; without a listener ioredis prints every reconnect attempt.
    client.on('error', () => undefined);
    return client;
  });
}
