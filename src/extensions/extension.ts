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

/**
 * The options of Lantern's own extensions by the specifier they are loaded by: `bot.loadExtension('lantern/ext/sentry',
 * { dsn })` type-checks its options, and a misspelt `lantern/...` specifier does not compile. One line per extension.
 * Its options are named by an `import()` type, not by declaration merging from its module: a program that loads an
 * extension by name never imports that module, so it would never see the merge. A package of its own can merge in its
 * specifiers.
 */
export interface LanternExtensions {
  'lantern/ext/sentry': import('../ext/sentry/index.js').SentryOptions;
  'lantern/ext/local': import('../ext/local/index.js').LocalOptions;
  'lantern/ext/webhook': import('../ext/webhook/index.js').WebhookOptions;
}

/** A specifier that is not under `lantern/`, where only the specifiers of LanternExtensions are. */
export type OtherSpecifier<Specifier extends string> = Specifier extends `lantern/${string}` ? never : Specifier;
