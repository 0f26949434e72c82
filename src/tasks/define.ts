import { Cron } from 'croner';
import type { Bot } from '../interactions/bot.js';
import { describeValue } from '../errors/format.js';
import { LanternError } from '../errors/lantern-error.js';

/** A task definition Lantern cannot schedule (no schedule, two, a bad cron pattern, a taken name...), thrown by `bot.task`. */
export class TaskDefinitionError extends LanternError<'LANTERN_ERR_TASK_DEFINITION'> {
  constructor(task: string, problem: string, options?: ErrorOptions) {
    super('LANTERN_ERR_TASK_DEFINITION', `Task ${task}: ${problem}`, options);
  }
}

/** What a task's `run` gets for one iteration. */
export interface TaskContext {
  readonly name: string;
  /** Which iteration this is: 1 for the first. */
  readonly iteration: number;
  /** The bot (the extension's view of it, for a task an extension added). */
  readonly bot: Bot;
  /** Aborted when the task stops (`task.stop()`, `bot.stop()`, its extension unloading), so a long run can end early. */
  readonly signal: AbortSignal;
}

interface TaskCommon {
  /** Unique among the bot's tasks; the source of its errors is `task <name>`. */
  name: string;
  /** Run one iteration as soon as the task starts, then follow the schedule. */
  runOnStart?: boolean;
  /** Stop the task after this many failed iterations in a row (a success resets the count). */
  stopAfterFailures?: number;
  /** One iteration. A throw (or rejection) becomes a `TaskError` event; the schedule goes on. */
  run(task: TaskContext): unknown;
}

/**
 * A task runs `every` so many milliseconds, or when a `cron` pattern matches (`'0 * * * *'`: every hour, read in
 * `timezone` or the process's local time). Iterations never overlap: the next is planned when one ends.
 */
export type TaskDefinition = TaskCommon &
  ({ every: number; cron?: undefined; timezone?: undefined } | { cron: string; timezone?: string; every?: undefined });

/** When a task runs next. */
export interface Schedule {
  /** The first run after `now` (ms since the epoch), or `undefined` when the schedule has no later run. */
  next(now: number): number | undefined;
}

/** Checks a definition and returns its schedule, or throws a TaskDefinitionError naming the problem. */
export function parseSchedule(definition: TaskDefinition, now: number): Schedule {
  const { name, every, cron, timezone, run, stopAfterFailures } = definition as Partial<Record<keyof TaskDefinition, unknown>>;
  if (typeof name !== 'string' || name.trim() === '') throw new TaskDefinitionError('(unnamed)', 'it needs a `name`');
  const problem = (text: string, cause?: unknown) => new TaskDefinitionError(name, text, cause === undefined ? undefined : { cause });
  if (typeof run !== 'function') throw problem('`run` must be a function');
  if (stopAfterFailures !== undefined && !(Number.isInteger(stopAfterFailures) && (stopAfterFailures as number) > 0))
    throw problem(`\`stopAfterFailures\` must be a positive whole number, got ${shown(stopAfterFailures)}`);
  if (every !== undefined && cron !== undefined) throw problem('give either `every` or `cron`, not both');
  if (every !== undefined) {
    if (typeof every !== 'number' || !Number.isFinite(every) || every <= 0)
      throw problem(`\`every\` must be a positive number of milliseconds, got ${shown(every)}`);
    if (timezone !== undefined) throw problem('`timezone` applies to `cron` schedules only');
    return { next: (from) => from + every };
  }
  if (cron === undefined) throw problem("it needs a schedule: `every` (milliseconds) or `cron` (a pattern such as '*/5 * * * *')");
  if (typeof cron !== 'string') throw problem(`\`cron\` must be a pattern string, got ${shown(cron)}`);
  if (timezone !== undefined && !isTimeZone(timezone))
    throw problem(`\`timezone\` '${shown(timezone)}' is not an IANA time zone (such as 'Europe/Berlin')`);
  let pattern: Cron;
  try {
    // Paused and without a function, croner only parses and computes; the bot's Clock does the waiting.
    pattern = new Cron(cron, { paused: true, timezone: timezone as string | undefined });
  } catch (error) {
    throw problem(`\`cron\` '${cron}' is not a valid pattern: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (pattern.nextRun(new Date(now)) === null) throw problem(`\`cron\` '${cron}' never matches after now`);
  return { next: (from) => pattern.nextRun(new Date(from))?.getTime() };
}

/** A value as a definition's author wrote it (JSON would show NaN as null). */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}

function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
