import type { ErrorStore } from '../ext/local/store.js';

/** What a page is told when events were written: the newest sequence number, and which issues they went to. */
export interface LiveUpdate {
  readonly seq: number;
  readonly issues: readonly number[];
  readonly events: number;
}

/** Events read per poll to learn their issues; past it the update says only that something changed. */
const EVENTS_PER_POLL = 1000;
/** A comment line this often keeps proxies and the browser from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/**
 * New events, as the store's other writers (the bot, the ingest route, another shard) add them: one timer polls the
 * file's newest sequence number while at least one page listens, and every listener gets one update per change.
 * Polling the file is what sees writes of other processes; SQLite has no cross-process notification.
 */
export class LiveFeed {
  readonly #store: ErrorStore;
  readonly #intervalMs: number;
  readonly #listeners = new Set<(update: LiveUpdate) => void>();
  #timer: NodeJS.Timeout | undefined;
  #seq = 0;

  constructor(store: ErrorStore, intervalMs: number) {
    this.#store = store;
    this.#intervalMs = intervalMs;
  }

  /** Calls `listener` with every later change; the returned function stops it. */
  subscribe(listener: (update: LiveUpdate) => void): () => void {
    if (this.#listeners.size === 0) {
      this.#seq = this.#safeLastSeq() ?? this.#seq;
      this.#timer = setInterval(() => {
        this.#poll();
      }, this.#intervalMs);
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  /** What was written after `seq`, or undefined when nothing was. */
  since(seq: number): LiveUpdate | undefined {
    const last = this.#safeLastSeq();
    if (last === undefined || last <= seq) return undefined;
    const events = this.#store.eventsSince(seq, EVENTS_PER_POLL);
    return { seq: last, issues: [...new Set(events.map((event) => event.issueId))], events: events.length };
  }

  close(): void {
    this.#listeners.clear();
    this.#stop();
  }

  #poll(): void {
    let update: LiveUpdate | undefined;
    try {
      update = this.since(this.#seq);
    } catch {
      // A lock held by a writer, or a file being replaced: the next poll tries again.
      return;
    }
    if (!update) return;
    this.#seq = update.seq;
    for (const listener of this.#listeners) listener(update);
  }

  #safeLastSeq(): number | undefined {
    try {
      return this.#store.lastSeq();
    } catch {
      return undefined;
    }
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * A `text/event-stream` response of the feed's updates after `after` (or the `Last-Event-ID` a reconnecting
 * browser sends), each as an `events` message whose id is its sequence number. It ends when the client goes away
 * or `signal` aborts (the server closing).
 */
export function liveStream(feed: LiveFeed, after: number, signal: AbortSignal): Response {
  let stop = (): void => undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const encoder = new TextEncoder();
      const send = (text: string): void => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const message = (update: LiveUpdate): void => {
        send(`id: ${String(update.seq)}\nevent: events\ndata: ${JSON.stringify(update)}\n\n`);
      };
      // Tells the browser how long to wait before reconnecting, and flushes the headers at once.
      send('retry: 2000\n\n');
      // Subscribed first: an event written in between is then told twice (harmless), never missed.
      const unsubscribe = feed.subscribe(message);
      let missed: LiveUpdate | undefined;
      try {
        missed = feed.since(after);
      } catch {
        missed = undefined;
      }
      if (missed) message(missed);
      const keepalive = setInterval(() => {
        send(': keepalive\n\n');
      }, KEEPALIVE_MS);
      stop = () => {
        stop = () => undefined;
        unsubscribe();
        clearInterval(keepalive);
        signal.removeEventListener('abort', stop);
        try {
          controller.close();
        } catch {
          // Already closed by the client going away.
        }
      };
      signal.addEventListener('abort', stop);
      if (signal.aborted) stop();
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
  });
}
