import type { Client as DiscordClient, ClientEvents } from 'discord.js';
import { formatError } from '../errors/format.js';
import type { Redactor } from '../errors/redact.js';
import type { Log } from '../log/log.js';
import { Events } from './types.js';
import type { ErrorEvent, EventArgs, EventName, Listener, ListenOptions } from './types.js';
import { errorEvent } from './error-event.js';
import type { ErrorInit } from './error-event.js';
import type { Owner } from './owner.js';

interface Registration {
  readonly handler: (...args: unknown[]) => unknown;
  readonly isDefault: boolean;
  readonly disablesDefaults: boolean;
  readonly owner: Owner | undefined;
}

const LANTERN_EVENTS = new Set<string>(Object.values(Events));

/**
 * Runs listeners for Lantern's events and for discord.js's. Listeners of one event run in order, awaited one
 * after the other (user listeners, then the defaults unless one of them disabled them), so a `handled` set
 * by one is seen by the next. A listener that throws becomes an `Error` event; one that throws while
 * handling an `Error` is logged and goes no further, so there is no loop.
 */
export class EventHub {
  readonly #listeners = new Map<string, Registration[]>();
  readonly #boundToDiscord = new Set<string>();

  constructor(
    private readonly discord: DiscordClient,
    private readonly log: Log,
    private readonly redactor: Redactor,
    private readonly track: (work: Promise<unknown>) => void,
  ) {}

  listen<E extends EventName>(
    event: E,
    handler: Listener<E>,
    options: ListenOptions & { owner?: Owner; isDefault?: boolean } = {},
  ): () => void {
    if (typeof handler !== 'function') throw new TypeError(`listen("${event}") needs a function`);
    const registration: Registration = {
      handler: handler as (...args: unknown[]) => unknown,
      isDefault: options.isDefault ?? false,
      disablesDefaults: options.disableDefaultListeners ?? false,
      owner: options.owner,
    };
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), registration]);
    if (!LANTERN_EVENTS.has(event)) this.#bindDiscordEvent(event as keyof ClientEvents);
    return () => {
      this.#remove((r) => r === registration);
    };
  }

  removeOwnedBy(owner: Owner): void {
    this.#remove((r) => r.owner === owner);
  }

  /** Runs the event's listeners; resolves when all have finished. Never rejects. */
  async emit<E extends EventName>(event: E, ...args: EventArgs<E>): Promise<void> {
    const registrations = this.#listeners.get(event) ?? [];
    const defaultsOff = registrations.some((r) => r.disablesDefaults);
    const ordered = [...registrations.filter((r) => !r.isDefault), ...(defaultsOff ? [] : registrations.filter((r) => r.isDefault))];
    for (const registration of ordered) {
      try {
        await registration.handler(...args);
      } catch (error) {
        await this.#listenerFailed(event, registration, error, args);
      }
    }
  }

  /** Dispatches an `Error` event and returns it, with `handled` and `reference` as its listeners left them. */
  async error(init: ErrorInit): Promise<ErrorEvent> {
    const event = errorEvent(init);
    await this.emit('Error', event);
    return event;
  }

  async #listenerFailed(event: string, registration: Registration, error: unknown, args: unknown[]): Promise<void> {
    const name = registration.handler.name ? ` (${registration.handler.name})` : '';
    if (event === 'Error') {
      const failed = args[0] as ErrorEvent;
      this.log.error(
        `An Error listener${name} threw while handling an error from ${failed.source}; ` +
          `it is not re-dispatched: ${formatError(error, this.redactor)}`,
      );
      return;
    }
    await this.error({ source: `listener ${event}${name}`, error, extension: registration.owner?.name });
  }

  #bindDiscordEvent(event: keyof ClientEvents): void {
    if (this.#boundToDiscord.has(event)) return;
    this.#boundToDiscord.add(event);
    this.discord.on(event, (...args: unknown[]) => {
      this.track(this.emit(event, ...(args as EventArgs<typeof event>)));
    });
  }

  #remove(match: (registration: Registration) => boolean): void {
    for (const [event, registrations] of this.#listeners)
      this.#listeners.set(
        event,
        registrations.filter((r) => !match(r)),
      );
  }
}
