import type { Bot } from '../interactions/bot.js';
import type { GuardOptions } from '../checks/guard.js';
import type { InteractionErrorEvent } from '../events/types.js';

/** What `setup` may return: called on unload, before Lantern removes the extension's commands and listeners. */
export type Teardown = () => unknown;

/**
 * An extension: a module (or object) with `setup(bot, options)`. Everything it adds through the `bot` it is
 * given (commands, listeners) belongs to it and goes when it is unloaded.
 */
/** Its `checks`, `cooldown` and `maxConcurrency` guard every command, component and modal it adds. */
export interface Extension<Options = never> extends GuardOptions {
  /** How the extension is named in events and logs; defaults to the specifier it was loaded by. */
  readonly name?: string;
  /** May return a Teardown (or a promise of one) that unloading calls. */
  setup(bot: Bot, options: Options): unknown;
  /**
   * Runs for errors in the extension's commands, components, modals and autocomplete handlers, after the
   * handler's own `onError`, before the global events.
   */
  onError?(event: InteractionErrorEvent): unknown;
}

/** Types an extension's options for its `setup` and for `bot.loadExtension`. */
export function defineExtension<Options = never>(extension: Extension<Options>): Extension<Options> {
  return extension;
}
