import { GuardStoreUnavailable } from './errors.js';

/**
 * Where cooldowns and concurrency limits keep their counts when they must hold across processes (every shard, every
 * machine): `redisStore(redis)` from `lantern/redis`, or any object with these methods. Each call must settle within a
 * bounded time (the user waits on it); a rejection makes the guards count in the process's memory until `ping`
 * resolves again.
 */
export interface GuardStore {
  /** Names the store in events and logs: `redis` reports as source `guard store redis`. */
  readonly name: string;
  /**
   * Records one use in every cooldown, or in none when one of them is exhausted: then it resolves with the longest
   * wait and the index of the cooldown that imposes it.
   */
  takeCooldowns(uses: readonly StoredCooldown[]): Promise<CooldownTake>;
  /** Holds a slot of `key` when fewer than `limit` are held; `undefined` when they all are. */
  acquireSlot(key: string, limit: number): Promise<StoredSlot | undefined>;
  /** Resolves when the store answers. */
  ping(): Promise<void>;
}

/** One cooldown's use: `key` names the handler and bucket (the same in every process), as `uses` per `windowMs`. */
export interface StoredCooldown {
  readonly key: string;
  readonly uses: number;
  readonly windowMs: number;
}

export type CooldownTake =
  | { readonly refused: false; /** Takes the uses back (the run was refused later, by a concurrency limit). */ readonly refund: () => void }
  | { readonly refused: true; readonly retryAfterMs: number; readonly index: number };

export interface StoredSlot {
  /** Gives the slot back; calling it again does nothing. */
  release(): void;
}

/** What the guards tell the bot about a store: an `Error` event when it fails, a log line when it is back. */
export interface GuardReporter {
  error(init: { readonly source: string; readonly error: Error }): void;
  info(message: string): void;
}

/** How often a store that failed is asked whether it answers again. */
const PROBE_INTERVAL_MS = 1000;

/** Returned by `StoreHealth.attempt` when the store did not answer: count in memory instead. */
export const UNAVAILABLE = Symbol('guard store unavailable');

/**
 * Which stores answer, for one bot. The first failure of a store is one `Error` event (source `guard store <name>`);
 * from then on its guards count in memory without asking it, while a probe asks every second; the first answer is one
 * info line, and the guards share their counts through it again.
 */
export class StoreHealth {
  readonly #probes = new Map<GuardStore, NodeJS.Timeout>();

  constructor(private readonly reporter: GuardReporter | undefined) {}

  isDown(store: GuardStore): boolean {
    return this.#probes.has(store);
  }

  /** Runs `operation` on the store unless it is down; `UNAVAILABLE` when it is or when the operation fails. */
  async attempt<T>(store: GuardStore, operation: () => Promise<T>): Promise<T | typeof UNAVAILABLE> {
    if (this.isDown(store)) return UNAVAILABLE;
    try {
      return await operation();
    } catch (error) {
      this.#markDown(store, error);
      return UNAVAILABLE;
    }
  }

  /** Stops probing (the bot is stopping). */
  stop(): void {
    for (const probe of this.#probes.values()) clearInterval(probe);
    this.#probes.clear();
  }

  #markDown(store: GuardStore, cause: unknown): void {
    if (this.isDown(store)) return;
    let probing = false;
    const probe = setInterval(() => {
      if (probing) return;
      probing = true;
      store.ping().then(
        () => {
          probing = false;
          if (this.#probes.get(store) !== probe) return;
          clearInterval(probe);
          this.#probes.delete(store);
          this.reporter?.info(`Guard store ${store.name} answers again: cooldowns and concurrency limits are shared through it again`);
        },
        () => {
          probing = false;
        },
      );
    }, PROBE_INTERVAL_MS);
    // A probe must not keep a process alive that has nothing else to do.
    probe.unref();
    this.#probes.set(store, probe);
    this.reporter?.error({ source: `guard store ${store.name}`, error: new GuardStoreUnavailable(store.name, { cause }) });
  }
}
