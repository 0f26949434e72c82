import { toError } from '../errors/codes.js';
import type { InteractionContext } from '../interactions/context.js';
import type { ErrorEvent, TaskRun } from './types.js';

export interface ErrorInit {
  source: string;
  error: unknown;
  ctx?: InteractionContext;
  extension?: string;
  /** An outcome the user has been told about (a check, a cooldown); sinks may skip it. */
  expected?: boolean;
  task?: TaskRun;
  /** Whether an earlier handler (the command's `onError`) has already dealt with it. */
  handled?: boolean;
  /** Tags the reporter knows better than the bot can tell: a sharding manager's shard id and count, a shard's own. */
  tags?: Readonly<Record<string, string>>;
}

/** The one object a failure travels as, from the handler's `onError` to the last sink. */
export function errorEvent<Event extends ErrorEvent = ErrorEvent>(init: ErrorInit, extra?: Omit<Event, keyof ErrorEvent>): Event {
  // The init's ctx and task are what narrow an ErrorEvent to the kind asked for.
  return {
    source: init.source,
    error: toError(init.error),
    ctx: init.ctx,
    extension: init.extension,
    expected: init.expected ?? false,
    task: init.task,
    handled: init.handled ?? false,
    reference: undefined,
    tags: init.tags,
    ...extra,
  } as Event;
}
