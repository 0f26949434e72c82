import type { APIActionRowComponent, APIComponentInMessageActionRow, ClientEvents } from 'discord.js';
import type {
  AnyCommandContext,
  AutocompleteContext,
  ComponentContext,
  InteractionContext,
  ModalContext,
} from '../interactions/context.js';

/** Lantern's own events. PascalCase, so they never collide with discord.js's camelCase gateway events. */
export const Events = {
  /** Every failure, whatever its source: the hub every sink (log, tracker) listens to. */
  Error: 'Error',
  /** A slash, user or message command's handler threw (or a check refused it). Re-dispatched as `Error` by a default listener. */
  CommandError: 'CommandError',
  /** A command's handler finished without throwing. */
  CommandCompletion: 'CommandCompletion',
  /** A button or select menu's handler threw, or a check refused it. Re-dispatched as `Error`. */
  ComponentError: 'ComponentError',
  ComponentCompletion: 'ComponentCompletion',
  /** A modal submission's handler threw, or a check refused it. Re-dispatched as `Error`. */
  ModalError: 'ModalError',
  ModalCompletion: 'ModalCompletion',
  /** An autocomplete handler threw; the user was shown no suggestions. Re-dispatched as `Error`. */
  AutocompleteError: 'AutocompleteError',
  AutocompleteCompletion: 'AutocompleteCompletion',
  /** A task's run threw. Re-dispatched as `Error` (with `task`) by a default listener. */
  TaskError: 'TaskError',
} as const;

/**
 * The `Error` event: one failure, where it came from, and what earlier handlers did about it. It is one object from
 * start to end: the handler's `onError`, the extension's, the kind's event (`CommandError`, `TaskError`, ...), `Error`
 * and every sink get the same one, so a `reference` or `handled` set anywhere is seen by everything after it.
 */
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
  /** Rows of buttons a sink adds under the user's friendly error answer (the Sentry extension's "Report this"). */
  answerComponents?: APIActionRowComponent<APIComponentInMessageActionRow>[] | undefined;
  /** Tags trackers add to the ones they work out (a sharding manager's `shard_id` and `shard_count`, a shard's own). */
  readonly tags: Readonly<Record<string, string>> | undefined;
}

/** One run of a task: its name and which run it was (1 for the first). */
export interface TaskRun {
  readonly name: string;
  readonly iteration: number;
}

/** A task's run failed: the `Error` event with its `task` (source `task <name>`), before `Error` listeners see it. */
export interface TaskErrorEvent extends ErrorEvent {
  readonly ctx: undefined;
  readonly task: TaskRun;
}

/**
 * A failure inside one interaction's handler: the `Error` event with its context, as the handler's `onError`, the
 * extension's and the kind's event see it before `Error` listeners do. `source` names the handler (`/divide`,
 * `button delete:{id}`, `modal feedback`); `expected` marks a failed check, a cooldown or a concurrency limit; set
 * `handled` once the user has had an answer about it, and Lantern sends none of its own.
 */
export interface InteractionErrorEvent<Ctx extends InteractionContext = InteractionContext> extends ErrorEvent {
  readonly ctx: Ctx;
  readonly task: undefined;
}

export interface CommandErrorEvent extends InteractionErrorEvent<AnyCommandContext> {
  /** `/name`, `/name sub`, `/name group sub`, `user command Name` or `message command Name`. */
  readonly command: string;
}

export type ComponentErrorEvent = InteractionErrorEvent<ComponentContext>;
export type ModalErrorEvent = InteractionErrorEvent<ModalContext>;
export type AutocompleteErrorEvent = InteractionErrorEvent<AutocompleteContext>;

/** A handler that finished without throwing. */
export interface InteractionCompletionEvent<Ctx extends InteractionContext = InteractionContext> {
  readonly ctx: Ctx;
  readonly source: string;
  /** Time from the interaction reaching Lantern to the handler's return. */
  readonly durationMs: number;
}

export interface CommandCompletionEvent extends InteractionCompletionEvent<AnyCommandContext> {
  readonly command: string;
}

export interface LanternEvents {
  Error: [ErrorEvent];
  CommandError: [CommandErrorEvent];
  CommandCompletion: [CommandCompletionEvent];
  ComponentError: [ComponentErrorEvent];
  ComponentCompletion: [InteractionCompletionEvent<ComponentContext>];
  ModalError: [ModalErrorEvent];
  ModalCompletion: [InteractionCompletionEvent<ModalContext>];
  AutocompleteError: [AutocompleteErrorEvent];
  AutocompleteCompletion: [InteractionCompletionEvent<AutocompleteContext>];
  TaskError: [TaskErrorEvent];
}

/** Everything `bot.listen` accepts: Lantern's events and every discord.js client event. */
export type EventName = keyof LanternEvents | keyof ClientEvents;

export type EventArgs<E extends EventName> = E extends keyof LanternEvents
  ? LanternEvents[E]
  : E extends keyof ClientEvents
    ? ClientEvents[E]
    : never;

export type Listener<E extends EventName> = (...args: EventArgs<E>) => unknown;

export interface ListenOptions {
  /** Replace Lantern's default listeners for this event instead of running beside them. */
  disableDefaultListeners?: boolean;
}
