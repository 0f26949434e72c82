import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What the command does on a bot: answer, or throw (once, or in a storm of the same or of 1,000 distinct errors). */
export type BenchPath = 'success' | 'failure' | 'storm-same' | 'storm-distinct';
/** `lantern-sharded`: Lantern in two shards under `lantern/sharding`'s ShardManager, the manager in the bot's process. */
export type Framework = 'raw' | 'lantern' | 'lantern-sharded' | 'sapphire';

export interface BotSpec {
  readonly framework: Framework;
  readonly path: BenchPath;
  /** Where `lantern/ext/sentry` sends; Lantern only. */
  readonly sentryDsn?: string;
  /** Sentry's outbox file, or `false` to send straight to Sentry; Lantern with Sentry only. */
  readonly outbox?: string | false;
  /** The file of `lantern/ext/local`, loaded when given; Lantern only. */
  readonly localStore?: string;
  /** The webhook `lantern/ext/webhook` posts to, loaded when given; Lantern only. */
  readonly webhook?: { readonly id: string; readonly token: string };
}

export interface ReadyReport {
  /** Milliseconds from the process's start to serving the bench command (logged in, command registered). */
  readonly startupMs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

export interface RoundReport {
  readonly cpuMicros: number;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly rssBytes: number;
  /** The process's peak RSS so far (its whole life); a sharded bot's, every process's added up. */
  readonly peakRssBytes: number;
  /** A sharded bot's CPU per shard in the round (`cpuMicros` is their sum), and its manager's own. */
  readonly shardCpuMicros?: readonly number[];
  readonly managerCpuMicros?: number;
}

type BotMessage = ({ type: 'ready' } & ReadyReport) | { type: 'begun' } | ({ type: 'ended' } & RoundReport) | { type: 'stopped' };

/** How long a bot may take to start, or to answer a question of the driver's, before the bench gives up on it. */
const ANSWER_TIMEOUT_MS = 60_000;
const EXIT_GRACE_MS = 5000;

/**
 * One bot in its own process (plain node on the built package, as a deployed bot runs), on its own fake Discord.
 * Its stdout and stderr go to `logFile`, which a failure quotes.
 */
export class BotProcess {
  readonly #child: ChildProcess;
  readonly #logFile: string;

  private constructor(child: ChildProcess, logFile: string) {
    this.#child = child;
    this.#logFile = logFile;
  }

  static async start(
    spec: BotSpec,
    connection: { api: string; token: string },
    { logFile, execArgv }: { logFile: string; execArgv: string[] },
  ): Promise<{ bot: BotProcess; ready: ReadyReport }> {
    const { framework, ...settings } = spec;
    const script = fileURLToPath(new URL(`../bots/${framework}.js`, import.meta.url));
    const log = openSync(logFile, 'a');
    const config = { api: connection.api, token: connection.token, ...settings };
    const env = {
      ...process.env,
      LANTERN_BENCH: JSON.stringify(config),
      DISCORD_TOKEN: undefined,
      SENTRY_DSN: undefined,
      NODE_OPTIONS: undefined,
    };
    const child = fork(script, [], { env, execArgv, stdio: ['ignore', log, log, 'ipc'] });
    closeSync(log);
    const bot = new BotProcess(child, logFile);
    const ready = await bot.#answer('ready');
    return { bot, ready };
  }

  /** Measures `work` from the bot's side: CPU and event-loop delay from `begin` to `end`, memory at the end. */
  async round(work: () => Promise<void>): Promise<RoundReport> {
    await this.#ask('begin', 'begun');
    await work();
    return this.#ask('end', 'ended');
  }

  /** Stops the bot as its framework stops; one that does not exit in time is killed. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), EXIT_GRACE_MS);
    await this.#ask('stop', 'stopped').catch(() => undefined);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }

  #ask<T extends BotMessage['type']>(question: 'begin' | 'end' | 'stop', type: T): Promise<Extract<BotMessage, { type: T }>> {
    const answer = this.#answer(type);
    this.#child.send({ type: question });
    return answer;
  }

  /** The bot's next message of `type`; rejects, quoting the bot's log, if it exits or stays silent first. */
  #answer<T extends BotMessage['type']>(type: T): Promise<Extract<BotMessage, { type: T }>> {
    const child = this.#child;
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        cleanUp();
        this.kill();
        reject(new Error(`The bench bot ${why}. The end of its log (${this.#logFile}):\n${tail(this.#logFile)}`));
      };
      const onMessage = (message: BotMessage): void => {
        if (message.type !== type) return;
        cleanUp();
        resolve(message as Extract<BotMessage, { type: T }>);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        fail(`exited (${signal ?? `code ${String(code)}`}) before saying "${type}"`);
      };
      const timer = setTimeout(() => {
        fail(`did not say "${type}" within ${String(ANSWER_TIMEOUT_MS)} ms`);
      }, ANSWER_TIMEOUT_MS);
      const cleanUp = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}
