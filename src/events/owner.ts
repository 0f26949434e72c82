import type { GuardOptions } from '../checks/guard.js';
import type { InteractionErrorEvent } from './types.js';

/**
 * Who added a command, component, modal, listener or task: an extension (its name, guards and error handler), or
 * `undefined` for the bot itself. Unloading an extension removes everything it owns.
 */
export interface Owner {
  readonly name: string;
  readonly guards?: GuardOptions;
  onError?(event: InteractionErrorEvent): unknown;
}
