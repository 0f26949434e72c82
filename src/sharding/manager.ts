import type { ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { ShardingManager } from 'discord.js';
import type { Collection, MultipleShardSpawnOptions, Shard, ShardingManagerOptions } from 'discord.js';
import { Client } from '../client/client.js';
import type { ClientOptions } from '../client/options.js';
import { FORWARD_ERRORS_ENV, FORWARDED_ERROR_KEY, LINKED_KEY, SHARD_MANAGER_ENV, STOP_REQUEST_KEY } from '../client/shard-link.js';
import type { ForwardedError } from '../client/shard-link.js';
import { SIGNAL_STOP_GRACE_MS, stopOnSignals } from '../client/signals.js';
import { deserializeError } from '../errors/serialize.js';
import type { ErrorInit } from '../events/error-event.js';
import type { ErrorEvent, Listener, ListenOptions } from '../events/types.js';
import type { Extension, LanternExtensions, OtherSpecifier } from '../extensions/extension.js';
import type { Log } from '../log/log.js';
import { settlesWithin } from '../util/settle.js';
import { ShardDied, ShardManagerOptionsError, ShardNotReady, ShardRespawned, ShardRespawnFailed } from './errors.js';
import type { ShardExit } from './errors.js';

export interface ShardManagerOptions
  extends
    ShardingManagerOptions,
    Pick<ClientOptions, 'logger' | 'secrets' | 'errorLogLimit' | 'defaultListeners' | 'stopTimeoutMs' | 'handleSignals'> {
  /**
   * How long a shard's process may run before its client is ready; past it, a `ShardNotReady` event. Also the
   * `timeout` discord.js's `spawn()` waits for each shard unless one is given there. Default 30 000 ms, discord.js's.
   */
  readyTimeoutMs?: number;
  /**
   * Each shard sends its unexpected `Error` events (redacted) to the manager, which dispatches them as its own with
   * source `shard <id>: <source>`. Off by default: each shard runs its own trackers, and the same tracker in the
   * manager too would record every error twice. Turn it on when the trackers run in the manager only.
   */
  forwardErrors?: boolean;
}

/** What the manager knows of one shard across its processes. */
interface ShardWatch {
  /** The process (or worker) running now. */
  child: ChildProcess | Worker | undefined;
  readyTimer: NodeJS.Timeout | undefined;
  /** Whether the current process outlived `readyTimeoutMs` unready (reported once). */
  lateReady: boolean;
  /** The death a respawn is to make good, and when it was seen. */
  death: { readonly error: ShardDied; readonly at: number } | undefined;
}

type Child = ChildProcess | Worker;

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;
/** discord.js's errors for a respawn that did not become ready: the manager reports those as the shard's death or lateness. */
const REPORTED_OTHERWISE = new Set(['ShardingReadyTimeout', 'ShardingReadyDied']);

/**
 * discord.js's `ShardingManager`, with Lantern's error tracking in the manager's process: a shard's death (exit code
 * or signal), its respawn, a shard that never becomes ready, and (with `forwardErrors`) each error a shard reports are
 * `Error` events of the manager, with source `shard <id>` and `shard_id` and `shard_count` tags, seen by the
 * extensions loaded here (`lantern/ext/sentry`, ...). Everything of ShardingManager stays (`broadcastEval`,
 * `fetchClientValues`, `respawnAll`, its events); each shard's process runs its own Lantern `Client`.
 *
 * ```ts
 * const manager = new ShardManager('./bot.js', { totalShards: 4, token: process.env.DISCORD_TOKEN });
 * await manager.loadExtension('lantern/ext/sentry', { dsn: process.env.SENTRY_DSN });
 * await manager.spawn();
 * ```
 */
export class ShardManager extends ShardingManager {
  /** The manager's own Lantern client: never logged in, it holds the event hub, the extensions and the log. */
  readonly #bot: Client;
  readonly #readyTimeoutMs: number;
  readonly #stopTimeoutMs: number;
  readonly #handleSignals: boolean;
  readonly #watches = new Map<Shard, ShardWatch>();
  /** Processes whose Lantern bot answers stop requests over IPC. */
  readonly #linked = new WeakSet<Child>();
  /** Processes the manager or discord.js (`kill()`, `respawn()`) ended on purpose: their exit is no death. */
  readonly #ended = new WeakSet<Child>();
  readonly #spawnedAt = new WeakMap<Child, number>();
  readonly #reports = new Set<Promise<unknown>>();
  #detachSignals: (() => void) | undefined;
  #stopping: Promise<void> | undefined;

  constructor(file: string, options: ShardManagerOptions = {}) {
    const { readyTimeoutMs, forwardErrors, logger, secrets, errorLogLimit, defaultListeners, stopTimeoutMs, handleSignals, ...sharding } =
      options;
    for (const [name, value] of Object.entries({ readyTimeoutMs, stopTimeoutMs }))
      if (value !== undefined && !(Number.isFinite(value) && value > 0))
        throw new ShardManagerOptionsError(name, `must be a positive number of milliseconds (got ${String(value)})`);
    super(file, sharding);
    this.#readyTimeoutMs = readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    this.#stopTimeoutMs = stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    this.#handleSignals = handleSignals ?? true;
    this.#bot = managerClient({ logger, secrets, errorLogLimit, defaultListeners });
    if (this.token) this.#bot.addSecret(this.token, 'TOKEN');
    this.on('shardCreate', (shard) => {
      this.#watch(shard, forwardErrors ?? false);
    });
  }

  /** The manager's log (redacted, as a bot's). */
  get log(): Log {
    return this.#bot.log;
  }

  /** The extensions loaded in the manager, in load order. */
  get extensions(): readonly string[] {
    return this.#bot.extensions;
  }

  /**
   * Loads an extension into the manager's process, as `bot.loadExtension` does into a bot's: a tracker here
   * (`lantern/ext/sentry`, `lantern/ext/webhook`) records the manager's `Error` events. Load trackers before `spawn()`.
   * Options are typed as the client's `loadExtension` types them.
   */
  loadExtension<Specifier extends keyof LanternExtensions>(extension: Specifier, options?: LanternExtensions[Specifier]): Promise<string>;
  loadExtension<Options>(extension: Extension<Options>, options?: Options): Promise<string>;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- given explicitly, it types the options
  loadExtension<Options = unknown, Specifier extends string = string>(
    extension: OtherSpecifier<Specifier>,
    options?: Options,
  ): Promise<string>;
  loadExtension(extension: string | Extension<unknown>, options?: unknown): Promise<string> {
    return typeof extension === 'string' ? this.#bot.loadExtension(extension, options) : this.#bot.loadExtension(extension, options);
  }

  unloadExtension(name: string): Promise<void> {
    return this.#bot.unloadExtension(name);
  }

  /** Listens to the manager's `Error` events; returns a function that removes the listener. */
  listen(event: 'Error', handler: Listener<'Error'>, options?: ListenOptions): () => void {
    return this.#bot.listen(event, handler, options);
  }

  /** Reports an error of the manager's own code (a broadcast that failed) as an `Error` event of the manager. */
  reportError(init: ErrorInit): Promise<ErrorEvent> {
    return this.#bot.reportError(init);
  }

  /** Redacts `secret` from everything the manager logs or reports from now on. */
  addSecret(secret: string, label?: string): void {
    this.#bot.addSecret(secret, label);
  }

  /**
   * Spawns the shards, as ShardingManager's `spawn` does (rejecting when a shard is not ready within `timeout`),
   * and from then on stops them on SIGTERM and SIGINT unless `handleSignals` is `false`.
   */
  override async spawn(options: MultipleShardSpawnOptions = {}): Promise<Collection<number, Shard>> {
    if (this.#handleSignals && !this.#detachSignals && !this.#stopping)
      this.#detachSignals = stopOnSignals({
        stop: () => this.stop(),
        running: () => [...this.shards.values()].filter((shard) => shard.process ?? shard.worker).length,
        // A shard's bot gets the whole stop timeout and its grace; the manager then flushes its own trackers.
        stopTimeoutMs: this.#stopTimeoutMs + SIGNAL_STOP_GRACE_MS,
        log: this.log,
      });
    return super.spawn({ timeout: this.#readyTimeoutMs, ...options });
  }

  /**
   * Stops every shard and then the manager's extensions (flushing its trackers). A shard whose Lantern bot is linked
   * to the manager is asked over IPC, which joins a stop the shard began on its own signal (Ctrl+C reaches every
   * process); another gets SIGTERM. One still running after `stopTimeoutMs` plus the signal grace is killed. Nothing
   * is respawned or reported as a death meanwhile. Resolves when every shard's process has exited.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll();
    return this.#stopping;
  }

  async #stopAll(): Promise<void> {
    // discord.js reads it when a process exits: nothing ending from now on is started again.
    this.respawn = false;
    for (const watch of this.#watches.values()) clearTimeout(watch.readyTimer);
    await Promise.all([...this.shards.values()].map((shard) => this.#stopShard(shard)));
    this.#detachSignals?.();
    await Promise.allSettled(this.#reports);
    await this.#bot.stop();
  }

  async #stopShard(shard: Shard): Promise<void> {
    const child = shard.process;
    if (!child) {
      // Worker mode: discord.js terminates the thread.
      if (shard.worker) shard.kill();
      return;
    }
    if (hasExited(child)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const signal = () => child.kill('SIGTERM');
    if (this.#linked.has(child) && child.connected)
      child.send({ [STOP_REQUEST_KEY]: true }, (error) => {
        if (error) signal();
      });
    else signal();
    if (await settlesWithin(exited, this.#stopTimeoutMs + SIGNAL_STOP_GRACE_MS)) return;
    this.log.warn(
      `Shard ${String(shard.id)} was still running ${String(this.#stopTimeoutMs + SIGNAL_STOP_GRACE_MS)} ms after the stop: killing it`,
    );
    child.kill('SIGKILL');
    await exited;
  }

  #watch(shard: Shard, forwardErrors: boolean): void {
    const watch: ShardWatch = { child: undefined, readyTimer: undefined, lateReady: false, death: undefined };
    this.#watches.set(shard, watch);
    const env = shard.env as Record<string, unknown>;
    env[SHARD_MANAGER_ENV] = '1';
    if (forwardErrors) env[FORWARD_ERRORS_ENV] = '1';
    shard.on('spawn', (child) => {
      this.#spawned(shard, watch, child);
    });
    shard.on('ready', () => {
      this.#ready(shard, watch);
    });
    shard.on('death', (child) => {
      this.#died(shard, watch, child);
    });
    shard.on('error', (error) => {
      this.#respawnFailed(shard, error);
    });
    shard.on('message', (message: unknown) => {
      this.#message(shard, watch, message);
    });
  }

  #spawned(shard: Shard, watch: ShardWatch, child: Child): void {
    const spawnedAt = performance.now();
    watch.child = child;
    watch.lateReady = false;
    clearTimeout(watch.readyTimer);
    watch.readyTimer = setTimeout(() => {
      watch.readyTimer = undefined;
      watch.lateReady = true;
      this.#report(shard, new ShardNotReady(shard.id, this.#readyTimeoutMs));
    }, this.#readyTimeoutMs);
    // The shards' processes keep the manager alive; a timer for one must not.
    watch.readyTimer.unref();
    this.#spawnedAt.set(child, spawnedAt);
    (child as EventEmitter).once('exit', (exitCode: number | null, signal?: NodeJS.Signals | null) => {
      // A process's death was reported as discord.js saw it (a worker's exit code comes only with this event).
      if (child instanceof Worker || this.#ended.has(child) || this.#stopping)
        this.#exited(shard, watch, child, { exitCode, signal: signal ?? null });
    });
  }

  /**
   * discord.js's `death`: emitted when a process exits, before discord.js forks its replacement (tens of
   * milliseconds), so a death is reported from here; and by `kill()` (so `respawn()` too) before the process has even
   * exited, which marks it as ended on purpose.
   */
  #died(shard: Shard, watch: ShardWatch, child: Child): void {
    if (!hasExited(child)) {
      this.#ended.add(child);
      return;
    }
    if (child instanceof Worker || this.#stopping) return;
    this.#exited(shard, watch, child, { exitCode: child.exitCode, signal: child.signalCode });
  }

  #ready(shard: Shard, watch: ShardWatch): void {
    clearTimeout(watch.readyTimer);
    watch.readyTimer = undefined;
    if (watch.lateReady) {
      watch.lateReady = false;
      this.log.info(`Shard ${String(shard.id)} became ready after all, later than ${String(this.#readyTimeoutMs)} ms after its spawn`);
    }
    const { death } = watch;
    if (!death) return;
    watch.death = undefined;
    this.#report(shard, new ShardRespawned(shard.id, performance.now() - death.at, death.error));
  }

  #exited(shard: Shard, watch: ShardWatch, child: Child, exit: ShardExit): void {
    // With respawn on, discord.js may have spawned the next process (and its timer) by now.
    if (watch.child === child) {
      clearTimeout(watch.readyTimer);
      watch.readyTimer = undefined;
    }
    if (this.#ended.has(child) || this.#stopping) {
      this.log.info(`Shard ${String(shard.id)} stopped (${exit.signal ?? `exit code ${String(exit.exitCode)}`})`);
      return;
    }
    const error = new ShardDied({
      shardId: shard.id,
      exit,
      uptimeMs: performance.now() - (this.#spawnedAt.get(child) ?? performance.now()),
      respawning: this.respawn,
    });
    if (this.respawn) watch.death = { error, at: performance.now() };
    this.#report(shard, error);
  }

  #respawnFailed(shard: Shard, error: Error): void {
    if (REPORTED_OTHERWISE.has(String((error as { code?: unknown }).code))) return;
    this.#report(shard, new ShardRespawnFailed(shard.id, error));
  }

  #message(shard: Shard, watch: ShardWatch, message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    if (LINKED_KEY in message && watch.child) this.#linked.add(watch.child);
    if (!(FORWARDED_ERROR_KEY in message)) return;
    const forwarded = (message as Record<string, unknown>)[FORWARDED_ERROR_KEY];
    if (!isForwardedError(forwarded)) {
      this.log.warn(`Shard ${String(shard.id)} sent an error report the manager could not read; it is ignored`);
      return;
    }
    this.#report(shard, deserializeError(forwarded.error), {
      source: `shard ${String(shard.id)}: ${forwarded.source}`,
      tags: forwarded.tags,
      extension: forwarded.extension,
    });
  }

  #report(shard: Shard, error: Error, forwarded?: Pick<ErrorInit, 'source' | 'tags' | 'extension'>): void {
    const source = forwarded?.source ?? `shard ${String(shard.id)}`;
    // A forwarded event's tags are the shard's, but its source is the manager's name for it.
    const tags = { ...forwarded?.tags, source, shard_id: String(shard.id), shard_count: String(this.totalShards) };
    const report = this.#bot.reportError({ ...forwarded, source, error, tags });
    this.#reports.add(report);
    void report.finally(() => this.#reports.delete(report));
  }
}

/**
 * The manager's client. ShardingManager marks its own process as a manager in the environment, where discord.js
 * would take a client made later for one of its shards (and send its ready over IPC): the mark is hidden meanwhile.
 */
function managerClient(options: Pick<ClientOptions, 'logger' | 'secrets' | 'errorLogLimit' | 'defaultListeners'>): Client {
  const mark = process.env.SHARDING_MANAGER;
  Reflect.deleteProperty(process.env, 'SHARDING_MANAGER');
  try {
    return new Client({ ...options, syncCommands: false, handleSignals: false, handleProcessErrors: false });
  } finally {
    if (mark !== undefined) process.env.SHARDING_MANAGER = mark;
  }
}

function hasExited(child: Child): boolean {
  if (child instanceof Worker) return child.threadId === -1;
  return child.exitCode !== null || child.signalCode !== null;
}

function isForwardedError(value: unknown): value is ForwardedError {
  if (typeof value !== 'object' || value === null) return false;
  const { source, tags, extension } = value as Partial<Record<keyof ForwardedError, unknown>>;
  return (
    typeof source === 'string' &&
    (extension === undefined || typeof extension === 'string') &&
    typeof tags === 'object' &&
    tags !== null &&
    Object.values(tags).every((tag) => typeof tag === 'string')
  );
}
