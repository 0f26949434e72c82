import { resolve } from 'node:path';
import { StoreLockedError } from '../../errors/codes.js';
import { summarizeError } from '../../errors/format.js';
import type { Bot } from '../../interactions/bot.js';
import { localStoreOf, onLocalStore } from '../local/shared.js';
import type { Outbox } from './outbox.js';
import { MemoryOutboxQueue, SqliteOutboxQueue } from './outbox-queue.js';
import type { OutboxLimits, OutboxQueue } from './outbox-queue.js';
import type { ClosingOutbox } from './close.js';

/** Where the outbox is when `lantern/ext/local` is not loaded and no `path` is given, under the working directory. */
export const DEFAULT_OUTBOX_PATH = '.lantern/outbox.db';
/**
 * SQLite's own wait for another process's lock, on the event loop: short, since a write that finds the file locked
 * is retried with timers instead.
 */
const BUSY_TIMEOUT_MS = 20;
/** How long opening waits, with timers, for shards opening (and migrating) the same file at the same moment. */
const OPEN_LOCK_TIMEOUT_MS = 5000;

/**
 * Chooses the outbox's file and opens it: the `path` given; else the local error store's file when `lantern/ext/local`
 * is loaded (the outbox keeps its own tables in it); else `.lantern/outbox.db`. Sentry is loaded first, before the
 * local store, so without a `path` the choice waits until the store is announced or the bot is ready (envelopes
 * meanwhile wait in memory). A file that cannot be used is one warning, and the outbox runs in memory.
 */
export class OutboxFile implements ClosingOutbox {
  #opening: Promise<void> | undefined;
  readonly #unlisten: (() => void)[] = [];

  constructor(
    private readonly bot: Bot,
    private readonly outbox: Outbox,
    private readonly path: string | undefined,
    private readonly limits: OutboxLimits,
  ) {}

  start(): void {
    const { bot } = this;
    const known = this.path ?? localStoreOf(bot)?.path ?? (bot.discord.isReady() ? DEFAULT_OUTBOX_PATH : undefined);
    if (known !== undefined) {
      this.#open(known);
      return;
    }
    this.#unlisten.push(
      onLocalStore(bot, (store) => {
        this.#open(store.path);
      }),
      bot.listen('clientReady', () => {
        this.#open(DEFAULT_OUTBOX_PATH);
      }),
    );
  }

  /** Chooses now if nothing has yet (the bot never started), and waits for the file to be open. */
  async ready(): Promise<void> {
    this.#open(localStoreOf(this.bot)?.path ?? DEFAULT_OUTBOX_PATH);
    await this.#opening;
  }

  writeOnlyFlush(): void {
    this.outbox.writeOnlyFlush();
  }

  deliver(timeoutMs: number): Promise<boolean> {
    return this.outbox.deliverWithin(timeoutMs);
  }

  stopDelivery(): void {
    this.outbox.stopDelivery();
  }

  async close(): Promise<void> {
    for (const unlisten of this.#unlisten.splice(0)) unlisten();
    await this.#opening;
    await this.outbox.close();
  }

  #open(path: string): void {
    if (this.#opening) return;
    for (const unlisten of this.#unlisten.splice(0)) unlisten();
    this.#opening = openQueue(this.bot, resolve(path), this.limits).then((queue) => {
      this.outbox.attach(queue);
    });
  }
}

async function openQueue(bot: Bot, path: string, limits: OutboxLimits): Promise<OutboxQueue> {
  const deadline = performance.now() + OPEN_LOCK_TIMEOUT_MS;
  for (let wait = 20; ; wait *= 2) {
    try {
      return await SqliteOutboxQueue.open(path, limits, BUSY_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof StoreLockedError && performance.now() + wait < deadline) {
        await new Promise((done) => setTimeout(done, wait));
        continue;
      }
      bot.log.warn(
        `Sentry: the outbox cannot use ${path} (${summarizeError(error, bot.redactor)}); events wait in memory this run, ` +
          'so what is not delivered when the bot stops is lost',
      );
      return new MemoryOutboxQueue(limits);
    }
  }
}
