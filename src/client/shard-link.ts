import { serializeError } from '../errors/serialize.js';
import type { SerializedError } from '../errors/serialize.js';
import type { EventHub } from '../events/hub.js';
import type { Bot } from '../interactions/bot.js';
import { describeEvent } from '../tracking/event-data.js';
import { stopOnRequest } from './signals.js';

/** Set in each shard's environment by `lantern/sharding`'s ShardManager: the shard answers its stop requests. */
export const SHARD_MANAGER_ENV = 'LANTERN_SHARD_MANAGER';
/** Set too when the manager has `forwardErrors`: the shard sends it its `Error` events. */
export const FORWARD_ERRORS_ENV = 'LANTERN_FORWARD_ERRORS';
/** The keys of Lantern's IPC messages; discord.js's own start with an underscore too (`_ready`, `_eval`). */
export const FORWARDED_ERROR_KEY = '_lanternError';
export const STOP_REQUEST_KEY = '_lanternStop';
/** Sent once by a shard whose bot answers stop requests; the manager signals the others as discord.js would. */
export const LINKED_KEY = '_lanternLinked';

/** A shard's `Error` event as it crosses IPC to the manager: redacted, with the tags the shard worked out. */
export interface ForwardedError {
  readonly source: string;
  readonly error: SerializedError;
  readonly tags: Readonly<Record<string, string>>;
  readonly extension: string | undefined;
}

let answeringStopRequests = false;

/**
 * Links a bot running as a shard of a Lantern ShardManager (process mode) to its manager: a stop request from the
 * manager stops it as SIGTERM would, and with `forwardErrors` each of its unexpected `Error` events goes to the
 * manager too, redacted, with its tags (guild, command, shard). Does nothing elsewhere, under a plain ShardingManager
 * included.
 */
export function linkToShardManager(bot: Bot, hub: EventHub): void {
  const shard = bot.discord.shard;
  if (process.env[SHARD_MANAGER_ENV] !== '1' || shard?.mode !== 'process') return;
  if (!answeringStopRequests) {
    answeringStopRequests = true;
    process.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && STOP_REQUEST_KEY in message) stopOnRequest();
    });
    shard.send({ [LINKED_KEY]: true }).catch(() => undefined);
  }
  if (process.env[FORWARD_ERRORS_ENV] !== '1') return;
  const redact = (text: string) => bot.redactor.redact(text);
  hub.listen('Error', function forwardToShardManager(event) {
    if (event.expected) return;
    const forwarded: ForwardedError = {
      source: redact(event.source),
      error: serializeError(event.error, redact),
      // Redacted as every tracker's tags are.
      tags: describeEvent(bot, event, event.ctx).tags,
      extension: event.extension,
    };
    // The manager may be gone (its IPC channel closed); the shard's own trackers still have the event.
    shard.send({ [FORWARDED_ERROR_KEY]: forwarded }).catch(() => undefined);
  });
}
