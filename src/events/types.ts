import type { ClientEvents } from 'discord.js';
import type { CommandContext, InteractionContext } from '../interactions/context.js';

/** Lantern's own events. PascalCase, so they never collide with discord.js's camelCase gateway events. */
export const Events = {
  /** Every failure, whatever its source: the hub every sink (log, tracker) listens to. */
  Error: 'Error',
  /** A slash command's handler threw. Re-dispatched as `Error` by a default listener. */
  CommandError: 'CommandError',
  /** A slash command's handler finished without throwing. */
  CommandCompletion: 'CommandCompletion',
  /** A task's run threw. Re-dispatched as `Error` (with `task`) by a default listener. */
  TaskError: 'TaskError',
} as const;

/** The `Error` event: one failure, where it came from, and what earlier handlers did about it. */
export interface ErrorEvent {
  /** What failed: `/divide`, `/admin ban`, `listener messageCreate`, `command sync`, `extension fun`, `unhandled rejection`, ... */
  readonly source: string;
  readonly error: Error;
  /** The interaction's context when the failure happened inside one. */
  readonly ctx: InteractionContext | undefined;
  /** The extension that owns what failed, if any. */
  readonly extension: string | undefined;
  /**
   * An outcome the bot expects and has already explained to the user (a failed check, a cooldown, a concurrency
   * limit): worth a log line, not a tracker issue.
   */
  readonly expected: boolean;
  /** The task run that failed, when a task failed. */
  readonly task: TaskRun | undefined;
  /** Set by any handler that has dealt with the error (answered the user, for one); later handlers see it. */
  handled: boolean;
  /** A tracker's id for this error, shown to the user as a reference they can quote. */
  reference: string | undefined;
}

/** One run of a task: its name and which run it was (1 for the first). */
export interface TaskRun {
  readonly name: string;
  readonly iteration: number;
}

export interface TaskErrorEvent {
  readonly error: Error;
  readonly task: TaskRun;
  readonly extension: string | undefined;
  handled: boolean;
  reference: string | undefined;
}

export interface CommandErrorEvent {
  readonly error: Error;
  readonly ctx: CommandContext;
  /** `/name`, `/name sub` or `/name group sub`. */
  readonly command: string;
  readonly extension: string | undefined;
  handled: boolean;
  reference: string | undefined;
}

export interface CommandCompletionEvent {
  readonly ctx: CommandContext;
  readonly command: string;
  /** Time from the interaction reaching Lantern to the handler's return. */
  readonly durationMs: number;
}

export interface LanternEvents {
  Error: [ErrorEvent];
  CommandError: [CommandErrorEvent];
  CommandCompletion: [CommandCompletionEvent];
  TaskError: [TaskErrorEvent];
}

/** Everything `bot.listen` accepts: Lantern's events and every discord.js client event. */
export type EventName = keyof LanternEvents | keyof ClientEvents;

export type EventArgs<E extends EventName> = E extends keyof LanternEvents ? LanternEvents[E] : E extends keyof ClientEvents ? ClientEvents[E] : never;

export type Listener<E extends EventName> = (...args: EventArgs<E>) => unknown;

export interface ListenOptions {
  /** Replace Lantern's default listeners for this event instead of running beside them. */
  disableDefaultListeners?: boolean;
}
