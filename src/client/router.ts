import { MessageFlags } from 'discord.js';
import type {
  AutocompleteInteraction,
  Interaction,
  MessageContextMenuCommandInteraction,
  RepliableInteraction,
  UserContextMenuCommandInteraction,
} from 'discord.js';
import type { Bot } from '../interactions/bot.js';
import type { AutocompleteChoice, OptionDefinitions, OptionValues } from '../commands/options.js';
import { isExpectedError } from '../checks/errors.js';
import { guardLayer } from '../checks/guard.js';
import type { GuardLayer, GuardOptions, Guards } from '../checks/guard.js';
import { expectedErrorMessage } from '../checks/messages.js';
import type { ExpectedErrorMessages } from '../checks/messages.js';
import { readOptions } from '../commands/read-options.js';
import { resolveAutocomplete, resolveContextMenu } from '../commands/registry.js';
import type { CommandRegistry, UnresolvedCommand } from '../commands/registry.js';
import { commandLabel } from '../util/command-label.js';
import { readFields } from '../components/modal.js';
import { labelOf } from '../components/registry.js';
import type { HandlerRegistry, ResolvedHandler } from '../components/registry.js';
import { codedLine, toError } from '../errors/codes.js';
import { summarizeError } from '../errors/format.js';
import { explainMissingPermissions } from '../errors/missing-permissions.js';
import type { Redactor } from '../errors/redact.js';
import type { EventHub } from '../events/hub.js';
import { errorEvent } from '../events/error-event.js';
import type { InteractionErrorEvent, LanternEvents } from '../events/types.js';
import { quote } from '../log/bound.js';
import type { ErrorLog } from '../log/error-log.js';
import type { Log } from '../log/log.js';
import { settlesWithin } from '../util/settle.js';
import {
  AutocompleteContext,
  CommandContext,
  ComponentContext,
  MessageCommandContext,
  ModalContext,
  UserCommandContext,
} from '../interactions/context.js';
import type { InteractionContext, RepliableContext } from '../interactions/context.js';
import { DEFAULT_ERROR_MESSAGE, errorAnswer } from './error-answer.js';
import type { ErrorAnswerPolicy } from './error-answer.js';
import { DiscordLimits } from '../util/limits.js';
import { cutText } from '../util/text.js';

/** Discord drops an interaction unanswered after 3 s; the error answer must be on its way before that. */
const UNACKNOWLEDGED_ANSWER_DEADLINE_MS = 2500;
/** Once acknowledged there are 15 minutes, but a user should not wait long for the error either. */
const ACKNOWLEDGED_ANSWER_WAIT_MS = 5000;

/**
 * Runs around the handling of one interaction (checks, handler, error chain, the user's error answer) and
 * must call `next` once: a tracker opens a per-interaction scope here.
 */
export type InteractionWrapper = (ctx: InteractionContext, next: () => Promise<void>) => Promise<void>;

interface WrapperRegistration {
  readonly wrap: InteractionWrapper;
  readonly owner: { readonly name: string } | undefined;
}

export interface RouterMessages {
  /** Sent (ephemeral) for an interaction naming a command this bot does not define. */
  unknownCommand: string;
  /** Sent (ephemeral) for a button, select menu or modal no handler matches; `null` leaves it unanswered. */
  unknownComponent: string | null;
  /** Sent (ephemeral) for an interaction that arrives while the bot is stopping. */
  stopping: string;
  /** Sent (ephemeral) for an interaction Lantern could not read. */
  malformed: string;
}

export interface RouterParts {
  readonly bot: Bot;
  readonly commands: CommandRegistry;
  readonly handlers: HandlerRegistry;
  readonly hub: EventHub;
  readonly log: Log;
  /** Where a failure to answer a user about an error is logged, counted like the errors themselves. */
  readonly errorLog: ErrorLog;
  readonly redactor: Redactor;
  readonly policy: ErrorAnswerPolicy;
  readonly messages: RouterMessages;
  readonly guards: Guards;
  /** The bot's own guards, in front of every handler. */
  readonly globalGuards: GuardLayer | undefined;
  readonly expectedMessages: ExpectedErrorMessages;
}

type ErrorEventName = 'CommandError' | 'ComponentError' | 'ModalError';
type CompletionEventName = 'CommandCompletion' | 'ComponentCompletion' | 'ModalCompletion';
type ErrorHandler = (event: never) => unknown;

/** What one interaction runs: its context, its handler, and where its outcome is dispatched. */
interface Route {
  readonly ctx: RepliableContext;
  readonly run: () => unknown;
  /** Innermost first: the handler's own `onError`, its parent's, its extension's. */
  readonly errorHandlers: readonly ErrorHandler[];
  readonly extension: string | undefined;
  readonly errorEvent: ErrorEventName;
  readonly completionEvent: CompletionEventName;
  /** Fields the kind's events carry besides the common ones (`command` for commands). */
  readonly extra: Readonly<Record<string, unknown>>;
  /** Checks, cooldowns and concurrency limits: the bot's, the extension's, then the handler's. */
  readonly layers: readonly GuardLayer[];
}

type Refusal = { readonly refuse: string | null; readonly reason: string };

/**
 * Takes each interaction from discord.js to its handler (slash and context-menu commands, buttons, select
 * menus, modals, autocomplete) and turns the outcome into events: a `*Completion`, or the error chain (the
 * handler's `onError`, its parent's, its extension's, then `*Error` and `Error`) followed by an answer to the
 * user, so nobody is left with "The application did not respond".
 */
export class InteractionRouter {
  #stopping = false;
  #wrappers: readonly WrapperRegistration[] = [];

  constructor(private readonly parts: RouterParts) {}

  /** Adds a wrapper (outside those added later); returns a function that removes it. */
  around(wrap: InteractionWrapper, owner?: { readonly name: string }): () => void {
    const registration = { wrap, owner };
    this.#wrappers = [...this.#wrappers, registration];
    return () => {
      this.#wrappers = this.#wrappers.filter((r) => r !== registration);
    };
  }

  /** The bot is stopping: new interactions get a notice, and runs queued for a concurrency slot are refused. */
  stop(): void {
    this.#stopping = true;
    this.parts.guards.stop();
  }

  removeOwnedBy(owner: { readonly name: string }): void {
    this.#wrappers = this.#wrappers.filter((r) => r.owner !== owner);
  }

  /**
   * Never rejects: what escaped here would be an unhandled rejection (and, without Lantern's process handlers, the end
   * of the process) with nobody answered. Each kind catches what it cannot read; this is the last net behind them.
   */
  async handle(interaction: Interaction): Promise<void> {
    try {
      await this.#handle(interaction);
    } catch (error) {
      await this.parts.hub.error({ source: `interaction ${String(interaction.type)}`, error });
    }
  }

  async #handle(interaction: Interaction): Promise<void> {
    const receivedAt = performance.now();
    if (interaction.isAutocomplete()) return this.#autocomplete(interaction, receivedAt);
    if (!interaction.isRepliable()) return;
    if (this.#stopping) return this.#refuse(interaction, { refuse: this.parts.messages.stopping, reason: 'the bot is stopping' });
    let route: Route | Refusal;
    try {
      route = this.#route(interaction, receivedAt);
    } catch (error) {
      // Lantern could not even tell what the interaction runs: still an Error event and an answer.
      await this.parts.hub.error({ source: `interaction ${String(interaction.type)}`, error });
      return this.#refuse(interaction, { refuse: this.parts.messages.malformed, reason: 'an interaction could not be routed' });
    }
    if ('refuse' in route) return this.#refuse(interaction, route);
    await this.#wrapped(route.ctx, () => this.#run(route));
  }

  #route(interaction: RepliableInteraction, receivedAt: number): Route | Refusal {
    const { bot, commands, handlers, messages } = this.parts;
    if (interaction.isChatInputCommand()) {
      const resolved = commands.resolve(interaction);
      if (!resolved.runnable) return { refuse: messages.unknownCommand, reason: unresolvedCommand(resolved, this.parts.redactor) };
      const { runnable, path } = resolved;
      const ctx = new CommandContext<OptionValues<OptionDefinitions>>(bot, interaction, path, receivedAt);
      const run = () => {
        ctx.setOptions(readOptions(interaction, runnable.options ?? {}, path));
        return runnable.run(ctx);
      };
      return {
        ctx,
        run,
        errorHandlers: resolved.errorHandlers,
        extension: resolved.registered.owner?.name,
        errorEvent: 'CommandError',
        completionEvent: 'CommandCompletion',
        extra: { command: path },
        layers: this.#layers(resolved.registered.owner, resolved.layers),
      };
    }
    if (interaction.isContextMenuCommand()) {
      const resolved = resolveContextMenu(commands, interaction);
      if (!resolved.definition)
        return {
          refuse: messages.unknownCommand,
          reason: unresolvedCommand({ path: resolved.path, mismatch: undefined }, this.parts.redactor),
        };
      const { definition } = resolved;
      const ctx =
        definition.type === 'user'
          ? new UserCommandContext(bot, interaction as UserContextMenuCommandInteraction, receivedAt)
          : new MessageCommandContext(bot, interaction as MessageContextMenuCommandInteraction, receivedAt);
      const run = () => (definition.run as (ctx: RepliableContext) => unknown)(ctx);
      return {
        ctx,
        run,
        errorHandlers: resolved.errorHandlers,
        extension: resolved.registered.owner?.name,
        errorEvent: 'CommandError',
        completionEvent: 'CommandCompletion',
        extra: { command: resolved.path },
        layers: this.#layers(resolved.registered.owner, resolved.layers),
      };
    }
    if (interaction.isButton() || interaction.isAnySelectMenu()) {
      const kind = interaction.isButton() ? 'button' : 'select';
      const resolved = handlers.resolve(kind, interaction.customId, interaction.message.id);
      if (!resolved)
        return { refuse: messages.unknownComponent, reason: unknownComponent(kind, interaction.customId, this.parts.redactor) };
      const ctx = new ComponentContext(bot, interaction, labelOf(resolved.registered.definition), resolved.params, receivedAt);
      return this.#handlerRoute(ctx, resolved, 'ComponentError', 'ComponentCompletion');
    }
    if (interaction.isModalSubmit()) {
      const resolved = handlers.resolve('modal', interaction.customId, interaction.message?.id);
      const { definition } = resolved?.registered ?? {};
      if (!resolved || definition?.kind !== 'modal')
        return { refuse: messages.unknownComponent, reason: unknownComponent('modal', interaction.customId, this.parts.redactor) };
      const ctx = new ModalContext(bot, interaction, labelOf(definition), resolved.params, receivedAt);
      return this.#handlerRoute(ctx, resolved, 'ModalError', 'ModalCompletion', () => {
        ctx.setFields(readFields(interaction, definition.fields));
      });
    }
    return { refuse: null, reason: `interaction type ${String(interaction.type)} is not handled by Lantern` };
  }

  /** `prepare` runs first inside the handler's error path (reading what a stale form may not hold). */
  #handlerRoute(
    ctx: ComponentContext | ModalContext,
    resolved: ResolvedHandler,
    errorEvent: ErrorEventName,
    completionEvent: CompletionEventName,
    prepare?: () => void,
  ): Route {
    const { definition, owner } = resolved.registered;
    const errorHandlers = [definition.onError?.bind(definition), owner?.onError?.bind(owner)].filter(
      (handler): handler is ErrorHandler => handler !== undefined,
    );
    const own = guardLayer(ctx.source, definition);
    const run = () => {
      prepare?.();
      return (definition.run as (ctx: RepliableContext) => unknown)(ctx);
    };
    return {
      ctx,
      run,
      errorHandlers,
      extension: owner?.name,
      errorEvent,
      completionEvent,
      extra: {},
      layers: this.#layers(owner, own ? [own] : []),
    };
  }

  #layers(owner: { readonly name: string; readonly guards?: GuardOptions } | undefined, own: readonly GuardLayer[]): readonly GuardLayer[] {
    const { globalGuards } = this.parts;
    const extension = owner && guardLayer(`extension ${owner.name}`, owner.guards);
    if (!globalGuards && !extension) return own;
    return [...(globalGuards ? [globalGuards] : []), ...(extension ? [extension] : []), ...own];
  }

  /**
   * Runs `work` inside the wrappers. A wrapper that throws becomes an `Error` event and never costs the user
   * their answer: when it threw before calling `next`, the work runs anyway.
   */
  async #wrapped(ctx: InteractionContext, work: () => Promise<void>): Promise<void> {
    const run = this.#wrappers.reduceRight<() => Promise<void>>(
      (next, { wrap, owner }) =>
        async () => {
          let called = false as boolean;
          const once = () => {
            called = true;
            return next();
          };
          const source = `interaction wrapper${wrap.name ? ` (${wrap.name})` : ''}`;
          try {
            await wrap(ctx, once);
          } catch (error) {
            await this.parts.hub.error({ source, error, ctx, extension: owner?.name });
          }
          if (!called) {
            await this.parts.hub.error({
              source,
              error: new Error('The wrapper returned without calling next(); the interaction was handled without it'),
              ctx,
              extension: owner?.name,
            });
            await next();
          }
        },
      work,
    );
    await run();
  }

  async #run(route: Route): Promise<void> {
    const { ctx } = route;
    try {
      if (route.layers.length === 0) await route.run();
      else {
        await this.parts.guards.run(
          ctx,
          route.layers,
          async () => {
            await route.run();
          },
          { onWait: () => ctx.defer() },
        );
      }
    } catch (error) {
      await this.#fail(route, toError(error));
      return;
    }
    await this.#emit(route.completionEvent, { ctx, source: ctx.source, durationMs: performance.now() - ctx.receivedAt, ...route.extra });
  }

  async #fail(route: Route, error: Error): Promise<void> {
    const { ctx } = route;
    const expected = isExpectedError(error);
    const event = errorEvent<InteractionErrorEvent>({ source: ctx.source, error, ctx, extension: route.extension, expected }, route.extra);
    const chain = this.#runErrorChain(event, route);
    // The user's answer waits for the chain (it may answer, or set a reference) but not for ever: a slow or hung
    // handler must not turn into "The application did not respond". The chain goes on, and stop() waits for it.
    const waitMs = ctx.acknowledged
      ? ACKNOWLEDGED_ANSWER_WAIT_MS
      : Math.max(0, UNACKNOWLEDGED_ANSWER_DEADLINE_MS - (performance.now() - ctx.receivedAt));
    if (!(await settlesWithin(chain, waitMs)))
      this.parts.log.warn(
        `The error handlers of ${ctx.source} are still running after ${String(Math.round(waitMs))} ms; answering the user without them`,
      );
    // Even a handled error leaves the user with an answer when nobody gave one.
    if (!(event.handled && ctx.acknowledged)) {
      try {
        const explained = expected ? await this.#explain(error, ctx) : undefined;
        await ctx.send(explained === undefined ? await this.#errorAnswer(event) : { content: explained, ephemeral: true });
      } catch (answerError) {
        this.parts.errorLog.answerFailed(ctx.source, answerError, explainMissingPermissions(answerError, this.parts.bot.discord, ctx));
      }
    }
    await chain;
  }

  /** The user's answer by the traceback policy; an `errorMessage` function that throws is reported, and the default text is sent. */
  async #errorAnswer(event: InteractionErrorEvent): Promise<ReturnType<typeof errorAnswer>> {
    const { policy, redactor } = this.parts;
    try {
      return errorAnswer(event, policy, redactor);
    } catch (thrown) {
      await this.parts.hub.error({ source: 'errorMessage', error: thrown, ctx: event.ctx });
      return errorAnswer(event, { ...policy, message: () => DEFAULT_ERROR_MESSAGE }, redactor);
    }
  }

  /** The friendly text for a refusal; a custom text that throws is reported, and the built-in one is used. */
  async #explain(error: Error, ctx: RepliableContext): Promise<string | undefined> {
    try {
      return expectedErrorMessage(error, ctx.locale, this.parts.expectedMessages);
    } catch (thrown) {
      await this.parts.hub.error({ source: 'expectedErrorMessages', error: thrown, ctx });
      return expectedErrorMessage(error, ctx.locale);
    }
  }

  async #runErrorChain(
    event: InteractionErrorEvent,
    route: { readonly errorHandlers: readonly ErrorHandler[]; readonly errorEvent: ErrorEventName | 'AutocompleteError' },
  ): Promise<void> {
    for (const onError of route.errorHandlers) {
      try {
        await onError(event as never);
      } catch (thrown) {
        await this.parts.hub.error({ source: `${event.source} onError`, error: thrown, ctx: event.ctx, extension: event.extension });
      }
    }
    await this.#emit(route.errorEvent, event);
  }

  /** Suggestions are answered even when the handler fails (an empty list), so the user's client never hangs on them. */
  async #autocomplete(interaction: AutocompleteInteraction, receivedAt: number): Promise<void> {
    let resolved: ReturnType<typeof resolveAutocomplete>;
    try {
      resolved = resolveAutocomplete(this.parts.commands, interaction);
    } catch (error) {
      // discord.js could not read it (no focused option, say): like any interaction Lantern cannot read, an Error event.
      await this.#respond(interaction, []);
      await this.parts.hub.error({ source: `autocomplete ${commandLabel({ name: interaction.commandName })}`, error });
      return;
    }
    if (!resolved.handler) {
      if (this.#stopping || !resolved.known) await this.#respond(interaction, []);
      if (!resolved.known)
        this.parts.log.warn(
          `${unresolvedCommand(resolved, this.parts.redactor)} (autocomplete of ${quote(resolved.option, this.parts.redactor)}, ` +
            `from user ${quote(interaction.user.id, this.parts.redactor)}); answered with no suggestions`,
        );
      return;
    }
    if (this.#stopping) return this.#respond(interaction, []);
    const { handler, path, option, registered } = resolved;
    const ctx = new AutocompleteContext(this.parts.bot, interaction, path, option, receivedAt);
    await this.#wrapped(ctx, async () => {
      try {
        const choices = await handler(ctx);
        await interaction.respond(this.#choices(choices, ctx.source));
      } catch (thrown) {
        if (!interaction.responded) await this.#respond(interaction, []);
        const event = errorEvent<InteractionErrorEvent>({ source: ctx.source, error: thrown, ctx, extension: registered.owner?.name });
        const ownerOnError = registered.owner?.onError?.bind(registered.owner);
        await this.#runErrorChain(event, { errorHandlers: ownerOnError ? [ownerOnError] : [], errorEvent: 'AutocompleteError' });
        return;
      }
      await this.#emit('AutocompleteCompletion', { ctx, source: ctx.source, durationMs: performance.now() - receivedAt });
    });
  }

  /** Fits a handler's suggestions into Discord's limits: 25 of them, names cut to 100 characters, over-long values left out. */
  #choices(choices: readonly AutocompleteChoice[], source: string): { name: string; value: string | number }[] {
    const fitting = choices
      .map((choice) => (typeof choice === 'object' ? choice : { name: String(choice), value: choice }))
      .filter((choice) => typeof choice.value !== 'string' || choice.value.length <= DiscordLimits.choiceText);
    if (fitting.length < choices.length)
      this.parts.log.warn(
        `${source} suggested ${String(choices.length - fitting.length)} values longer than ` +
          `${String(DiscordLimits.choiceText)} characters; Discord refuses them, so they were left out`,
      );
    return fitting.slice(0, DiscordLimits.choices).map(({ name, value }) => ({
      name: cutText(name, DiscordLimits.choiceText, '…') || cutText(String(value), DiscordLimits.choiceText),
      value,
    }));
  }

  async #respond(interaction: AutocompleteInteraction, choices: []): Promise<void> {
    try {
      await interaction.respond(choices);
    } catch (error) {
      this.parts.log.warn(
        `Could not answer the autocomplete of /${interaction.commandName}: ${summarizeError(error, this.parts.redactor)}`,
      );
    }
  }

  #emit(event: keyof LanternEvents, payload: object): Promise<void> {
    return this.parts.hub.emit(event, payload as never);
  }

  async #refuse(interaction: RepliableInteraction, { refuse, reason }: Refusal): Promise<void> {
    const user = quote(interaction.user.id, this.parts.redactor);
    this.parts.log.warn(`${reason} (from user ${user})${refuse === null ? '' : '; answered with a notice'}`);
    if (refuse === null) return;
    try {
      await interaction.reply({ content: refuse, flags: MessageFlags.Ephemeral });
    } catch (error) {
      this.parts.log.warn(`Could not answer: ${summarizeError(error, this.parts.redactor)}`);
    }
  }
}

/** The log line for a command this bot does not define, or one it defines that the interaction did not address rightly. */
function unresolvedCommand({ path, mismatch }: UnresolvedCommand, redactor: Redactor): string {
  if (mismatch !== undefined)
    return codedLine(
      'LANTERN_ERR_UNKNOWN_SUBCOMMAND',
      `Received ${quote(path, redactor)}, but ${quote(mismatch, redactor)}; the registered command is out of date`,
    );
  return codedLine('LANTERN_ERR_UNKNOWN_COMMAND', `Received ${quote(path, redactor)}, which this bot does not define`);
}

function unknownComponent(kind: string, customId: string, redactor: Redactor): string {
  return codedLine('LANTERN_ERR_UNKNOWN_COMPONENT', `Received ${kind} "${quote(customId, redactor)}", which no handler matches`);
}
