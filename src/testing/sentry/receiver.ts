import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LanternError } from '../../errors/index.js';
import type { ErrorCode } from '../../errors/index.js';
import type { EnvelopeItem, MalformedEnvelope, ReceivedEnvelope, ReceivedEvent } from '../../util/sentry-envelope.js';
import type { ParentMessage, ReceiverServerConfig, RequestRecord, SentryReceiverMode, ServerMessage } from './receiver-server.js';

export type {
  EnvelopeHeader,
  EnvelopeItem,
  EnvelopeItemHeader,
  MalformedEnvelope,
  ReceivedEnvelope,
  ReceivedEvent,
  ReceivedException,
} from '../../util/sentry-envelope.js';
export type { SentryReceiverMode } from './receiver-server.js';

export type SentryReceiverErrorCode = Extract<ErrorCode, `LANTERN_ERR_SENTRY_RECEIVER_${string}`>;

/** Thrown to the test when the receiver cannot do what it was asked, or what was awaited did not arrive. */
export class SentryReceiverError extends LanternError<SentryReceiverErrorCode> {}

export interface WaitOptions {
  /** Default 5000 ms. */
  readonly timeoutMs?: number;
}

export interface WaitForEventsOptions extends WaitOptions {
  /** Only events passing it count. */
  readonly filter?: (event: ReceivedEvent) => boolean;
}

export interface SentryReceiverOptions {
  /**
   * Checks each event received (against Sentry's event schema and Relay's limits, say) and returns what is wrong with
   * it. Events are checked when `violations` or `checked` is read, not as they arrive, so a slow check costs the code
   * under test nothing; what it finds is kept, so a test that cleared the events still sees it.
   */
  readonly checkEvent?: (event: ReceivedEvent) => readonly string[];
}

/** What `checkEvent` found wrong with one event. */
export interface EventViolation {
  readonly eventId: string;
  readonly problem: string;
}

export interface RateLimitOptions {
  /** The window the SDK must stay silent for, in whole seconds (the SDK reads no fractions). Default 60. */
  readonly retryAfterSeconds?: number;
}

const PROJECT_ID = '42';
const DEFAULT_TIMEOUT_MS = 5000;
/** Loading the server under tsx compiles it first; a child not listening by then is not going to. */
const START_TIMEOUT_MS = 15_000;
/** How long stop() lets the child exit on its own before killing it. */
const EXIT_GRACE_MS = 2000;
/** Events a timeout message lists; the count says how many more there were. */
const EVENTS_NAMED_ON_TIMEOUT = 10;

interface Waiter {
  /** Settles the wait if what it waits for has arrived. */
  readonly check: () => void;
  readonly fail: (error: SentryReceiverError) => void;
}

/**
 * A Sentry ingest endpoint on 127.0.0.1 for tests: the real `@sentry/node` SDK sends to `dsn` over HTTP and the
 * test reads back the decoded envelopes, or makes the endpoint fail the ways Sentry can (refused connections,
 * 500s, 429s, no answer at all). The server runs in a child process so the SDK under test never instruments it.
 *
 * ```ts
 * const receiver = await SentryReceiver.start();
 * const client = new NodeClient({ dsn: receiver.dsn, ... });
 * const event = await receiver.waitForEvent(client.captureException(new Error('boom')));
 * await receiver.stop();
 * ```
 *
 * An HTTP answer is sent only once the record is here: after the SDK's `flush()` resolves true, `events` has them.
 */
export class SentryReceiver {
  /** `http://<public key>@127.0.0.1:<port>/42`: the same for the receiver's whole life, `refuse` included. */
  readonly dsn: string;
  readonly #child: ChildProcess;
  readonly #events: ReceivedEvent[] = [];
  readonly #envelopes: ReceivedEnvelope[] = [];
  readonly #malformed: MalformedEnvelope[] = [];
  readonly #checkEvent: SentryReceiverOptions['checkEvent'];
  readonly #unchecked: ReceivedEvent[] = [];
  readonly #violations: EventViolation[] = [];
  #checked = 0;
  #requests = 0;
  #mode: SentryReceiverMode = 'accept';
  readonly #waiters = new Set<Waiter>();
  readonly #modeReplies = new Map<number, { resolve: () => void; reject: (error: SentryReceiverError) => void }>();
  #nextModeRequest = 0;
  /** Set once the child is gone or going: every later wait or mode change fails with it. */
  #ended: SentryReceiverError | null = null;
  #stopping: Promise<void> | null = null;

  private constructor(child: ChildProcess, port: number, publicKey: string, options: SentryReceiverOptions) {
    this.#child = child;
    this.#checkEvent = options.checkEvent;
    this.dsn = `http://${publicKey}@127.0.0.1:${port}/${PROJECT_ID}`;
    child.on('message', (message: ServerMessage) => {
      this.#onMessage(message);
    });
    child.on('exit', (code, signal) => {
      this.#end(
        new SentryReceiverError(
          'LANTERN_ERR_SENTRY_RECEIVER_EXITED',
          `The Sentry receiver process exited unexpectedly (${signal ?? `code ${code}`}); its stderr is above`,
        ),
      );
    });
    child.on('error', (error) => {
      // Only a failed kill or message can get here; either way the child is no longer under control.
      this.#end(new SentryReceiverError('LANTERN_ERR_SENTRY_RECEIVER_EXITED', `The Sentry receiver process failed: ${error.message}`));
    });
  }

  /** Starts the receiver's process, listening on a free port of 127.0.0.1, in `accept` mode. */
  static async start(options: SentryReceiverOptions = {}): Promise<SentryReceiver> {
    const publicKey = randomBytes(16).toString('hex');
    const child = launchServer({ projectId: PROJECT_ID, publicKey });
    try {
      const port = await waitForReady(child);
      return new SentryReceiver(child, port, publicKey, options);
    } finally {
      // From here the channel stays open without keeping the test alive: a receiver the test forgot to stop
      // must not hang it, and the child exits when the channel closes with the test process.
      child.channel?.unref();
      child.unref();
    }
  }

  /** Payloads of the `event` items of accepted envelopes, in arrival order. */
  get events(): readonly ReceivedEvent[] {
    return this.#events;
  }

  /** Every accepted envelope, decoded, in arrival order. Envelopes answered by an outage mode are not kept. */
  get envelopes(): readonly ReceivedEnvelope[] {
    return this.#envelopes;
  }

  /** Requests in `accept` mode that were not envelopes for this DSN (answered 400, 401, 404 or 405), and why. */
  get malformed(): readonly MalformedEnvelope[] {
    return this.#malformed;
  }

  /** What `checkEvent` finds in the events received so far (`clear` keeps it). */
  get violations(): readonly EventViolation[] {
    this.#runChecks();
    return this.#violations;
  }

  /** How many events `checkEvent` has checked: every event received. */
  get checked(): number {
    this.#runChecks();
    return this.#checked;
  }

  #runChecks(): void {
    if (!this.#checkEvent) return;
    for (const event of this.#unchecked.splice(0)) {
      this.#checked++;
      for (const problem of this.#checkEvent(event)) this.#violations.push({ eventId: event.event_id, problem });
    }
  }

  /** HTTP requests received in every mode (refused connections never become requests). */
  get requests(): number {
    return this.#requests;
  }

  get mode(): SentryReceiverMode {
    return this.#mode;
  }

  /** The items of this type across all accepted envelopes, in arrival order. */
  itemsOfType(type: string): EnvelopeItem[] {
    return this.#envelopes.flatMap((envelope) => envelope.items.filter((item) => item.header.type === type));
  }

  /** Resolves with the event whose `event_id` is `eventId` (what `captureException` returned), arrived or arriving. */
  waitForEvent(eventId: string, { timeoutMs = DEFAULT_TIMEOUT_MS }: WaitOptions = {}): Promise<ReceivedEvent> {
    return this.#waitFor(() => this.#events.find((event) => event.event_id === eventId), timeoutMs, `the Sentry event ${eventId}`);
  }

  /** Resolves with the first `count` events (passing `filter`) once that many have arrived. */
  waitForEvents(count: number, { timeoutMs = DEFAULT_TIMEOUT_MS, filter }: WaitForEventsOptions = {}): Promise<ReceivedEvent[]> {
    if (!Number.isInteger(count) || count < 1)
      return Promise.reject(new RangeError(`waitForEvents counts at least one event, got ${count}`));
    return this.#waitFor(
      () => {
        const matching = filter ? this.#events.filter(filter) : this.#events;
        return matching.length >= count ? matching.slice(0, count) : undefined;
      },
      timeoutMs,
      `${count} Sentry event${count === 1 ? '' : 's'}${filter ? ' passing the filter' : ''}`,
    );
  }

  /**
   * Changes how the receiver answers from the next request on; resolves once the child has done it (the port is
   * closed for `refuse`, listening again when leaving it). Leaving `hang` resets the connections it left hanging,
   * as a restarted server would.
   */
  setMode(mode: 'rateLimit', options?: RateLimitOptions): Promise<void>;
  setMode(mode: Exclude<SentryReceiverMode, 'rateLimit'>): Promise<void>;
  setMode(mode: SentryReceiverMode, { retryAfterSeconds = 60 }: RateLimitOptions = {}): Promise<void> {
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 1)
      return Promise.reject(new RangeError(`retryAfterSeconds is a whole number of seconds, at least 1; got ${retryAfterSeconds}`));
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#nextModeRequest++;
    const reply = new Promise<void>((resolve, reject) => {
      this.#modeReplies.set(id, { resolve, reject });
    });
    this.#send({ type: 'setMode', id, mode, retryAfterSeconds });
    return this.#keepingAlive(reply).then(() => {
      this.#mode = mode;
    });
  }

  /** Forgets every event, envelope, malformed request and the request count; the mode stays. */
  clear(): void {
    this.#events.length = 0;
    this.#envelopes.length = 0;
    this.#malformed.length = 0;
    this.#requests = 0;
  }

  /** Ends the child process, and with it the port and every connection (hanging requests included). */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopChild();
    return this.#stopping;
  }

  async #stopChild(): Promise<void> {
    this.#end(new SentryReceiverError('LANTERN_ERR_SENTRY_RECEIVER_STOPPED', 'The Sentry receiver was stopped'));
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    this.#send({ type: 'stop' });
    // The timer also keeps the test process alive until the exit is seen, though the child is unref'd.
    const kill = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
    await exited;
    clearTimeout(kill);
  }

  #onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'request':
        this.#record(message.record);
        this.#send({ type: 'recorded', seq: message.seq });
        for (const waiter of this.#waiters) waiter.check();
        return;
      case 'modeSet': {
        const reply = this.#modeReplies.get(message.id);
        this.#modeReplies.delete(message.id);
        if (message.error === undefined) reply?.resolve();
        else
          reply?.reject(
            new SentryReceiverError(
              'LANTERN_ERR_SENTRY_RECEIVER_MODE_FAILED',
              `The Sentry receiver could not change mode: ${message.error}`,
            ),
          );
        return;
      }
      case 'ready':
        return;
    }
  }

  #record(record: RequestRecord): void {
    this.#requests++;
    if (record.kind === 'malformed') this.#malformed.push(record.malformed);
    if (record.kind !== 'envelope') return;
    this.#envelopes.push(record.envelope);
    for (const item of record.envelope.items) {
      if (item.header.type !== 'event') continue;
      const event = item.payload as ReceivedEvent;
      this.#events.push(event);
      if (this.#checkEvent) this.#unchecked.push(event);
    }
  }

  #waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise<T>((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter: Waiter = {
        check: () => {
          const value = find();
          if (value === undefined) return;
          settle();
          resolve(value);
        },
        fail: (error) => {
          settle();
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        waiter.fail(
          new SentryReceiverError(
            'LANTERN_ERR_SENTRY_RECEIVER_TIMEOUT',
            `Timed out after ${timeoutMs} ms waiting for ${what}; ${this.#describeArrivals()}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** What did arrive, for a timeout message: enough to tell a wrong id from a lost event from an outage. */
  #describeArrivals(): string {
    const parts = [`${this.#requests} request${this.#requests === 1 ? '' : 's'} arrived (mode ${this.#mode})`];
    const named = this.#events.slice(-EVENTS_NAMED_ON_TIMEOUT).map(describeEvent);
    const unnamed = this.#events.length - named.length;
    parts.push(this.#events.length === 0 ? 'no events' : `events: ${named.join(', ')}${unnamed > 0 ? ` and ${unnamed} earlier` : ''}`);
    const otherItems = this.#envelopes
      .flatMap((envelope) => envelope.items.map((item) => item.header.type))
      .filter((type) => type !== 'event');
    if (otherItems.length > 0) parts.push(`other items: ${otherItems.join(', ')}`);
    if (this.#malformed.length > 0) parts.push(`malformed: ${this.#malformed.map((entry) => entry.reason).join('; ')}`);
    return parts.join('; ');
  }

  /** Fails every wait and pending mode change with `error`, and every later one. */
  #end(error: SentryReceiverError): void {
    this.#ended ??= error;
    for (const waiter of this.#waiters) waiter.fail(this.#ended);
    for (const reply of this.#modeReplies.values()) reply.reject(this.#ended);
    this.#modeReplies.clear();
  }

  #send(message: ParentMessage): void {
    // A child that is already gone cannot take it; its exit has been (or will be) reported through #end.
    this.#child.send(message, (error: Error | null) => {
      if (error !== null && message.type === 'stop') this.#child.kill('SIGKILL');
    });
  }

  /** The channel is unref'd; while a reply is awaited it must keep the process alive, or the await is cut short. */
  async #keepingAlive<T>(reply: Promise<T>): Promise<T> {
    this.#child.channel?.ref();
    try {
      return await reply;
    } finally {
      if (this.#modeReplies.size === 0) this.#child.channel?.unref();
    }
  }
}

/**
 * Forks the server module that sits beside this one: `receiver-server.ts` with tsx when this module runs from
 * TypeScript source, `receiver-server.js` when it runs compiled from dist/. The test process's own flags
 * (`--test`, `--inspect`...) are not passed on.
 */
function launchServer(config: ReceiverServerConfig): ChildProcess {
  const extension = extname(fileURLToPath(import.meta.url));
  const script = fileURLToPath(new URL(`./receiver-server${extension}`, import.meta.url));
  const execArgv = extension === '.ts' ? ['--import', import.meta.resolve('tsx')] : [];
  // stdout is the test runner's report stream; the child's stderr stays visible for a crash.
  return fork(script, [JSON.stringify(config)], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
}

function waitForReady(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => {
      cleanUp();
      child.kill('SIGKILL');
      reject(new SentryReceiverError('LANTERN_ERR_SENTRY_RECEIVER_START_FAILED', `The Sentry receiver process did not start: ${reason}`));
    };
    const onMessage = (message: ServerMessage): void => {
      if (message.type !== 'ready') return;
      cleanUp();
      resolve(message.port);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      fail(`it exited (${signal ?? `code ${code}`}) before listening; its stderr is above`);
    };
    const onError = (error: Error): void => {
      fail(error.message);
    };
    const timer = setTimeout(() => {
      fail(`it was not listening after ${START_TIMEOUT_MS} ms`);
    }, START_TIMEOUT_MS);
    const cleanUp = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage).off('exit', onExit).off('error', onError);
    };
    child.on('message', onMessage).on('exit', onExit).on('error', onError);
  });
}

function describeEvent(event: ReceivedEvent): string {
  const thrown = event.exception?.values?.at(-1);
  if (thrown) return `${event.event_id} (${thrown.type ?? '?'}: ${thrown.value ?? ''})`;
  return event.message === undefined ? event.event_id : `${event.event_id} (message ${JSON.stringify(event.message)})`;
}
