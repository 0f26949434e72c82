import type { Bot } from '../interactions/bot.js';
import { ClientStateError, toError } from '../errors/codes.js';
import type { EventHub } from '../events/hub.js';
import { errorEvent } from '../events/error-event.js';
import type { TaskErrorEvent } from '../events/types.js';
import type { Owner } from '../events/owner.js';
import type { Log } from '../log/log.js';
import type { Clock, ClockTimer } from '../util/clock.js';
import { parseSchedule, TaskDefinitionError } from './define.js';
import type { Schedule, TaskDefinition } from './define.js';
import { MAX_TIMER_MS } from '../util/limits.js';

/** A task added with `bot.task(...)`: its state, and a way to pause and resume it. */
export interface Task {
  readonly name: string;
  /** Whether the task is scheduled: started, not stopped, and its bot running. */
  readonly running: boolean;
  /** How many iterations have begun (a running one included). */
  readonly iterations: number;
  /** When the next iteration is due; `undefined` while one runs or when the task is not running. */
  readonly nextRunAt: Date | undefined;
  /** Failed iterations since the last success. */
  readonly consecutiveFailures: number;
  /**
   * Resumes a stopped task (with a fresh failure count), or does nothing if it runs. Before the bot starts it only
   * marks the task to start with the bot. Throws after `bot.stop()` and for a task its extension's unload removed.
   */
  start(): void;
  /** No new iterations until `start()`; a running one finishes (its `signal` is aborted). */
  stop(): void;
}

export interface TaskHost {
  readonly clock: Clock;
  readonly hub: EventHub;
  readonly log: Log;
  /** Makes `stop()` and `idle()` wait for the work. */
  readonly track: (work: Promise<unknown>) => void;
}

type Phase = 'idle' | 'running' | 'stopped';

/** The bot's tasks: they run while the bot does, through its Clock, and go with the extension that added them. */
export class TaskScheduler {
  readonly #tasks = new Map<string, ScheduledTask>();
  #phase: Phase = 'idle';

  constructor(private readonly host: TaskHost) {}

  /** Adds a task; it starts at once if the bot is running. */
  add(definition: TaskDefinition, owner: Owner | undefined, bot: Bot): Task {
    const schedule = parseSchedule(definition, this.host.clock.now());
    const taken = this.#tasks.get(definition.name);
    if (taken)
      throw new TaskDefinitionError(
        definition.name,
        `a task with this name was already added (by ${taken.owner ? `extension ${taken.owner.name}` : 'the bot'})`,
      );
    if (this.#phase === 'stopped')
      throw new ClientStateError(`Task ${definition.name} was added after stop(); a stopped bot runs no tasks`);
    const task = new ScheduledTask(definition, schedule, owner, bot, this.host, () => this.#phase);
    this.#tasks.set(definition.name, task);
    task.resume();
    return task;
  }

  start(): void {
    this.#phase = 'running';
    for (const task of this.#tasks.values()) task.resume();
  }

  /** No new iterations from now on; running ones are tracked, so the bot's stop waits for them. */
  stop(): void {
    this.#phase = 'stopped';
    for (const task of this.#tasks.values()) task.halt();
  }

  removeOwnedBy(owner: Owner): void {
    for (const [name, task] of this.#tasks) {
      if (task.owner !== owner) continue;
      task.remove();
      this.#tasks.delete(name);
    }
  }
}

class ScheduledTask implements Task {
  #enabled = true;
  #removed = false;
  #busy = false;
  #iterations = 0;
  #consecutiveFailures = 0;
  #timer: ClockTimer | undefined;
  #nextRunAt: number | undefined;
  #controller = new AbortController();

  constructor(
    private readonly definition: TaskDefinition,
    private readonly schedule: Schedule,
    readonly owner: Owner | undefined,
    private readonly bot: Bot,
    private readonly host: TaskHost,
    private readonly phase: () => Phase,
  ) {}

  get name(): string {
    return this.definition.name;
  }

  get running(): boolean {
    return this.#enabled && !this.#removed && this.phase() === 'running';
  }

  get iterations(): number {
    return this.#iterations;
  }

  get nextRunAt(): Date | undefined {
    return this.#nextRunAt === undefined ? undefined : new Date(this.#nextRunAt);
  }

  get consecutiveFailures(): number {
    return this.#consecutiveFailures;
  }

  start(): void {
    if (this.#removed) throw new ClientStateError(`Task ${this.name} was removed when its extension unloaded; add it again to run it`);
    if (this.phase() === 'stopped') throw new ClientStateError(`Task ${this.name} cannot start: the bot has stopped`);
    if (!this.#enabled) {
      this.#enabled = true;
      this.#consecutiveFailures = 0;
    }
    this.resume();
  }

  stop(): void {
    this.#enabled = false;
    this.halt();
  }

  /** Begins the schedule when the task should run and is not already under way. */
  resume(): void {
    if (!this.running) return;
    if (this.#controller.signal.aborted) this.#controller = new AbortController();
    // A running iteration plans the next one when it ends, so there is never a second in parallel.
    if (this.#timer !== undefined || this.#busy) return;
    if (this.definition.runOnStart) this.#runIteration();
    else this.#planNext();
  }

  halt(): void {
    if (this.#timer !== undefined) this.host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextRunAt = undefined;
    this.#controller.abort();
  }

  remove(): void {
    this.#removed = true;
    this.halt();
  }

  #planNext(): void {
    const at = this.schedule.next(this.host.clock.now());
    if (at === undefined) {
      this.#enabled = false;
      this.host.log.warn(`Task ${this.name} has stopped: its cron pattern matches no later time`);
      return;
    }
    this.#nextRunAt = at;
    this.#wakeAt(at);
  }

  #wakeAt(at: number): void {
    const delay = Math.max(at - this.host.clock.now(), 0);
    this.#timer = this.host.clock.setTimeout(
      () => {
        this.#timer = undefined;
        // Long waits go in steps, and a timer may fire a little early: running only once `at` has come keeps a cron
        // task from matching the same minute twice.
        if (this.host.clock.now() < at) this.#wakeAt(at);
        else this.#runIteration();
      },
      Math.min(delay, MAX_TIMER_MS),
    );
  }

  #runIteration(): void {
    this.#nextRunAt = undefined;
    this.#busy = true;
    this.#iterations += 1;
    this.host.track(this.#iterate(this.#iterations, this.#controller.signal));
  }

  async #iterate(iteration: number, signal: AbortSignal): Promise<void> {
    let failure: Error | undefined;
    try {
      await this.definition.run({ name: this.name, iteration, bot: this.bot, signal });
      this.#consecutiveFailures = 0;
    } catch (error) {
      failure = toError(error);
      this.#consecutiveFailures += 1;
    }
    this.#busy = false;
    const limit = this.definition.stopAfterFailures;
    if (failure && this.#enabled && limit !== undefined && this.#consecutiveFailures >= limit) {
      this.stop();
      this.host.log.warn(
        `Task ${this.name} stopped after ${this.#consecutiveFailures} failed iterations in ` +
          `a row (the last: ${failure.name}: ${failure.message}); task.start() resumes it`,
      );
    } else if (this.running) {
      this.#planNext();
    }
    if (failure)
      await this.host.hub.emit(
        'TaskError',
        errorEvent<TaskErrorEvent>({
          source: `task ${this.name}`,
          error: failure,
          task: { name: this.name, iteration },
          extension: this.owner?.name,
        }),
      );
  }
}
