import { ComponentDefinitionError } from '../errors/codes.js';
import { validateGuards } from '../checks/guard.js';
import type { GuardOptions } from '../checks/guard.js';
import type { ComponentErrorEvent } from '../events/types.js';
import type { ComponentContext } from '../interactions/context.js';
import { CustomIdMatcher } from './custom-id.js';
import type { CustomIdPattern, ParamsOf } from './custom-id.js';

export type ComponentKind = 'button' | 'select';

/** What a button or select menu handler is given: the custom id (or pattern) it answers and what it runs. */
export interface ComponentHandlerInput<P extends CustomIdPattern> extends GuardOptions {
  /** `'confirm'`, a template `'delete:{id}'` (its parts become `ctx.params`), or a RegExp (named groups). */
  customId: P;
  run(ctx: ComponentContext<ParamsOf<P>>): unknown;
  /** Runs first when `run` throws; set `event.handled = true` once the user has had an answer. */
  onError?(event: ComponentErrorEvent): unknown;
}

export interface ComponentDefinition<P extends CustomIdPattern = CustomIdPattern> extends ComponentHandlerInput<P> {
  readonly kind: ComponentKind;
  readonly matcher: CustomIdMatcher;
  /** The custom id to put on a component for these params: `deleteButton.id({ id: '42' })` gives `'delete:42'`. */
  id(...params: keyof ParamsOf<P> extends never ? [] : [ParamsOf<P>]): string;
}

function define<P extends CustomIdPattern>(kind: ComponentKind, input: ComponentHandlerInput<P>): ComponentDefinition<P> {
  const matcher = new CustomIdMatcher(
    input.customId,
    `${kind} ${String(input.customId)}`,
    (at, problem) => new ComponentDefinitionError(at, problem),
  );
  if (typeof input.run !== 'function') throw new TypeError(`${kind} ${matcher.label}: \`run\` must be a function`);
  validateGuards(input, `${kind} ${matcher.label}`);
  return { ...input, kind, matcher, id: (...params) => matcher.build(params[0]) };
}

/**
 * A button handler, routed by custom id. Add it with `bot.addComponent(handler)` (answers that custom id on every
 * message, across restarts) or `bot.addComponent(handler, { message, timeoutMs })` (one message, for a while).
 *
 * ```ts
 * const remove = button({ customId: 'delete:{id}', run: (ctx) => ctx.update(`Deleted ${ctx.params.id}`) });
 * new ButtonBuilder().setCustomId(remove.id({ id: '42' }))
 * ```
 */
export function button<const P extends CustomIdPattern>(input: ComponentHandlerInput<P>): ComponentDefinition<P> {
  return define('button', input);
}

/** A select menu handler (string, user, role, mentionable or channel select): `ctx.values` holds the picks. */
export function selectMenu<const P extends CustomIdPattern>(input: ComponentHandlerInput<P>): ComponentDefinition<P> {
  return define('select', input);
}
