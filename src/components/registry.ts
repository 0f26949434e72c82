import { DuplicateHandlerError } from '../errors/codes.js';
import type { Owner } from '../events/owner.js';
import type { Clock, ClockTimer } from '../util/clock.js';
import type { ComponentDefinition, ComponentKind } from './component.js';
import type { ModalDefinition } from './modal.js';
import { DiscordLimits, MAX_TIMER_MS } from '../util/limits.js';

export type HandlerDefinition = ComponentDefinition | ModalDefinition;
type HandlerKind = ComponentKind | 'modal';

export interface OneMessageOptions {
  /** Only interactions on this message reach the handler (`{ id }` of a message, or the id). */
  message: { readonly id: string } | string;
  /** After this long the handler is removed and the component answers as expired. Default 15 minutes. */
  timeoutMs?: number;
  /** Runs when the handler times out (to disable the buttons, say). An error in it becomes an `Error` event. */
  onTimeout?: () => unknown;
}

export interface RegisteredHandler {
  readonly definition: HandlerDefinition;
  readonly owner: Owner | undefined;
  /** Set for a one-message handler. */
  readonly messageId: string | undefined;
}

export interface ResolvedHandler {
  readonly registered: RegisteredHandler;
  readonly params: Readonly<Record<string, string>>;
}

const DEFAULT_ONE_MESSAGE_TIMEOUT_MS = DiscordLimits.interactionLifetimeMs;

/**
 * Button, select menu and modal handlers by custom id. Persistent handlers answer their custom id on any
 * message (so they survive restarts); one-message handlers answer only on their message, before their timeout,
 * and win over persistent ones. An exact id is a map lookup; patterns are tried in the order they were added.
 */
export class HandlerRegistry {
  readonly #exact = new Map<string, RegisteredHandler>();
  #patterns: RegisteredHandler[] = [];
  readonly #byMessage = new Map<string, { registered: RegisteredHandler; timer: ClockTimer }[]>();
  /** Set once the bot stops: one-message handlers added later would only leave a timer behind. */
  #closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly onTimeoutError: (error: unknown, registered: RegisteredHandler) => void,
  ) {}

  /** Adds a handler; returns a function that removes it. Throws DuplicateHandlerError when the pattern is taken. */
  add(definition: HandlerDefinition, owner: Owner | undefined, oneMessage?: OneMessageOptions): () => void {
    if (oneMessage) return this.#addForMessage(definition, owner, oneMessage);
    const registered: RegisteredHandler = { definition, owner, messageId: undefined };
    const { exact } = definition.matcher;
    const taken =
      exact === undefined
        ? this.#patterns.find((r) => sameRoute(r.definition, definition))
        : this.#exact.get(`${definition.kind}:${exact}`);
    if (taken) throw new DuplicateHandlerError(labelOf(definition), taken.owner ? `extension ${taken.owner.name}` : 'the bot');
    if (exact === undefined) this.#patterns = [...this.#patterns, registered];
    else this.#exact.set(`${definition.kind}:${exact}`, registered);
    return () => {
      this.#remove((r) => r === registered);
    };
  }

  resolve(kind: HandlerKind, customId: string, messageId: string | undefined): ResolvedHandler | undefined {
    for (const { registered } of (messageId && this.#byMessage.get(messageId)) || []) {
      const params = registered.definition.kind === kind ? registered.definition.matcher.match(customId) : undefined;
      if (params) return { registered, params };
    }
    const exact = this.#exact.get(`${kind}:${customId}`);
    if (exact) return { registered: exact, params: {} };
    for (const registered of this.#patterns) {
      const params = registered.definition.kind === kind ? registered.definition.matcher.match(customId) : undefined;
      if (params) return { registered, params };
    }
    return undefined;
  }

  removeOwnedBy(owner: Owner): void {
    this.#remove((r) => r.owner === owner);
  }

  /** Cancels every one-message timeout and takes no new ones (the bot is stopping); persistent handlers stay. */
  close(): void {
    this.#closed = true;
    for (const entries of this.#byMessage.values()) for (const { timer } of entries) this.clock.clearTimeout(timer);
    this.#byMessage.clear();
  }

  #addForMessage(
    definition: HandlerDefinition,
    owner: Owner | undefined,
    { message, timeoutMs = DEFAULT_ONE_MESSAGE_TIMEOUT_MS, onTimeout }: OneMessageOptions,
  ): () => void {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS)
      throw new RangeError(
        `timeoutMs of ${labelOf(definition)} must be between 1 and ${String(MAX_TIMER_MS)} ` +
          `ms (about 24 days); a persistent handler answers for longer`,
      );
    // A handler still running while the bot stops may add one; after a restart its message answers as expired.
    if (this.#closed) return () => undefined;
    const messageId = typeof message === 'string' ? message : message.id;
    const registered: RegisteredHandler = { definition, owner, messageId };
    const remove = () => {
      this.#remove((r) => r === registered);
    };
    const timer = this.clock.setTimeout(() => {
      remove();
      Promise.resolve()
        .then(onTimeout)
        .catch((error: unknown) => {
          this.onTimeoutError(error, registered);
        });
    }, timeoutMs);
    this.#byMessage.set(messageId, [...(this.#byMessage.get(messageId) ?? []), { registered, timer }]);
    return remove;
  }

  #remove(matches: (registered: RegisteredHandler) => boolean): void {
    for (const [key, registered] of this.#exact) if (matches(registered)) this.#exact.delete(key);
    this.#patterns = this.#patterns.filter((r) => !matches(r));
    for (const [messageId, entries] of this.#byMessage) {
      const kept = entries.filter(({ registered, timer }) => {
        if (!matches(registered)) return true;
        this.clock.clearTimeout(timer);
        return false;
      });
      if (kept.length > 0) this.#byMessage.set(messageId, kept);
      else this.#byMessage.delete(messageId);
    }
  }
}

/** How Error events name a handler: `button delete:{id}`, `select colour`, `modal feedback`. */
export function labelOf(definition: HandlerDefinition): string {
  return `${definition.kind} ${definition.matcher.label}`;
}

/** Two patterns that match the same ids: equal RegExps, or templates equal but for their parameters' names. */
function sameRoute(a: HandlerDefinition, b: HandlerDefinition): boolean {
  const shape = (definition: HandlerDefinition) =>
    typeof definition.customId === 'string'
      ? `template ${definition.customId.replace(/\{[^}]*\}/g, '{}')}`
      : `regexp ${definition.matcher.label}`;
  return a.kind === b.kind && shape(a) === shape(b);
}
