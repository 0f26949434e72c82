import type { Client as DiscordClient } from 'discord.js';
import { summarizeError } from '../errors/format.js';
import { explainMissingPermissions } from '../errors/missing-permissions.js';
import type { Redactor } from '../errors/redact.js';
import type { ErrorLog } from '../log/error-log.js';
import type { Log } from '../log/log.js';
import type { EventHub } from './hub.js';
import type { ErrorEvent } from './types.js';

export interface DefaultListenerParts {
  readonly hub: EventHub;
  readonly log: Log;
  readonly errorLog: ErrorLog;
  readonly redactor: Redactor;
  /** Read for the bot's permissions when a 50013 says what it lacked. */
  readonly discord: DiscordClient;
}

/**
 * Lantern's default listeners, as a set: each kind's error event (`CommandError`, `ComponentError`, `ModalError`,
 * `AutocompleteError`, `TaskError`) is dispatched again as `Error` (the same object, so what `Error` listeners set is
 * what the kind's listeners see), and every `Error` becomes a log line: one info line for an expected refusal, the
 * error log's entry otherwise. `new Client({ defaultListeners: false })` installs none of them.
 */
export function installDefaultListeners({ hub, log, errorLog, redactor, discord }: DefaultListenerParts): void {
  const redispatch = (event: ErrorEvent) => hub.emit('Error', event);
  for (const kind of ['CommandError', 'ComponentError', 'ModalError', 'AutocompleteError', 'TaskError'] as const)
    hub.listen(kind, redispatch, { isDefault: true });
  hub.listen(
    'Error',
    ({ source, error, reference, expected, ctx }) => {
      if (expected) {
        log.info(`${source} refused${ctx ? ` for user ${ctx.user.id}` : ''}: ${summarizeError(error, redactor)}`);
        return;
      }
      errorLog.error(source, error, reference, explainMissingPermissions(error, discord, ctx));
    },
    { isDefault: true },
  );
}
