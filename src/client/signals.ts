import { constants } from 'node:os';
import type { Log } from '../log/log.js';

/** What stopping on a signal needs of a running bot. */
export interface SignalTarget {
  /** The bot's `stop()`. */
  readonly stop: () => Promise<void>;
  /** How many handlers, listeners and task iterations are running: after the stop, the ones it gave up on. */
  readonly running: () => number;
  readonly stopTimeoutMs: number;
  readonly log: Log;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * How long past the longest `stopTimeoutMs` a stop after a signal may take before the process exits anyway: enough
 * for trackers to flush (Sentry's default is 2 s) and the gateway to close, short enough that a teardown that hangs
 * cannot keep a shard's process alive after its manager let it go.
 */
export const SIGNAL_STOP_GRACE_MS = 5000;

const running = new Set<SignalTarget>();
let listening = false;
/** Set while the bots stop after a signal; a second signal then exits at once. */
let stopping = false;
/**
 * Set while the stop began with a sharding manager's request: the signal that reached the manager first (Ctrl+C
 * reaches every process of the group) may reach this process after the request, and is then no second signal.
 */
let requested = false;

/**
 * Stops the bot on SIGTERM and SIGINT, with every other bot of the process, until the returned function is called
 * (at the end of its stop). One listener per signal serves every bot; it is removed with the last one, so nothing
 * keeps listening.
 *
 * The process is Lantern's to end only when nothing else listens to the signal, as Node would have ended it at
 * once: then, once every bot has stopped, it exits (with `process.exitCode`, 0 unless the app set one), or with
 * 128 + the signal's number (143 for SIGTERM, 130 for SIGINT) when a stop had to give up, took longer than its
 * `stopTimeoutMs` plus SIGNAL_STOP_GRACE_MS, or a second signal came. An app with its own listener for the signal
 * manages the process: the bots stop, and the app decides when and how it ends.
 */
export function stopOnSignals(target: SignalTarget): () => void {
  running.add(target);
  listen(true);
  return () => {
    running.delete(target);
    if (running.size === 0 && !stopping) listen(false);
  };
}

/**
 * A stop a sharding manager asks for over IPC: what SIGTERM does, except that it joins a stop already under way
 * instead of counting as a second signal (Ctrl+C, and systemd's stop, signal the manager and its shards alike, and the
 * manager then asks its shards to stop). With no bot here stopping on signals, the process gets a real SIGTERM, which
 * the app handles or which ends it, as a plain ShardingManager's `kill()` would.
 */
export function stopOnRequest(): void {
  if (stopping) return;
  if (running.size === 0) {
    process.kill(process.pid, 'SIGTERM');
    return;
  }
  beginStop('SIGTERM', true);
  requested = true;
}

function listen(on: boolean): void {
  if (listening === on) return;
  listening = on;
  for (const signal of SIGNALS) {
    if (on) process.on(signal, onSignal);
    else process.off(signal, onSignal);
  }
}

/** The signals' listener. Node passes it the signal's number too, which must not read as a stop request. */
function onSignal(signal: NodeJS.Signals): void {
  beginStop(signal, false);
}

function beginStop(signal: NodeJS.Signals, request: boolean): void {
  const signalCode = 128 + constants.signals[signal];
  const cause = request ? "the sharding manager's stop request" : signal;
  const opening = request ? 'Asked to stop by the sharding manager' : signal;
  const appManaged = process.listeners(signal).some((listener) => listener !== onSignal);
  const bots = [...running];
  if (stopping) {
    if (requested) {
      requested = false;
      return;
    }
    if (appManaged) return;
    tell(bots, 'warn', `${signal} during the stop: exiting at once with code ${String(signalCode)}`);
    process.exit(signalCode);
  }
  stopping = true;
  const budgetMs = Math.max(...bots.map((bot) => bot.stopTimeoutMs)) + SIGNAL_STOP_GRACE_MS;
  tell(
    bots,
    'info',
    appManaged
      ? `${opening}: stopping; the app's own ${signal} listener decides when the process ends`
      : `${opening}: stopping, then exiting (a second SIGTERM or SIGINT exits at once)`,
  );
  const deadline = appManaged
    ? undefined
    : setTimeout(() => {
        tell(bots, 'warn', `The stop after ${cause} took more than ${String(budgetMs)} ms: exiting with code ${String(signalCode)}`);
        process.exit(signalCode);
      }, budgetMs);
  void Promise.all(bots.map(stopCleanly)).then((clean) => {
    clearTimeout(deadline);
    stopping = false;
    requested = false;
    if (running.size === 0) listen(false);
    if (appManaged) return;
    if (!clean.every(Boolean)) process.exitCode = signalCode;
    tell(bots, 'info', `Stopped after ${cause}: exiting with code ${String(process.exitCode ?? 0)}`);
    process.exit();
  });
}

/** Whether the bot stopped without giving up on anything. */
async function stopCleanly(bot: SignalTarget): Promise<boolean> {
  try {
    await bot.stop();
  } catch (error) {
    bot.log.error(`stop() failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return false;
  }
  return bot.running() === 0;
}

function tell(bots: readonly SignalTarget[], level: 'info' | 'warn', message: string): void {
  for (const bot of bots) bot.log[level](message);
}
