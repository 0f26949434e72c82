import { MessageFlags } from 'discord.js';
import type { ChatInputCommandInteraction, Interaction } from 'discord.js';
import type { Client } from '../client/client.js';
import type { OptionDefinitions, OptionValues } from '../commands/options.js';
import { readOptions } from '../commands/read-options.js';
import type { CommandRegistry, ResolvedCommand } from '../commands/registry.js';
import { toError, UnknownCommandError } from '../errors/codes.js';
import { formatError, summarizeError } from '../errors/format.js';
import type { Redactor } from '../errors/redact.js';
import type { EventHub } from '../events/hub.js';
import type { CommandErrorEvent } from '../events/types.js';
import type { Log } from '../log/log.js';
import { settlesWithin } from '../util/settle.js';
import { CommandContext } from './context.js';
import type { InteractionContext } from './context.js';
import { errorAnswer } from './error-answer.js';
import type { ErrorAnswerPolicy } from './error-answer.js';

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
  /** Sent (ephemeral) for an interaction that arrives while the bot is stopping. */
  stopping: string;
}

/**
 * Takes each interaction from discord.js to its handler and turns the outcome into events: a
 * `CommandCompletion`, or the error chain (the command's `onError`, its parent's, its extension's, then
 * `CommandError` and `Error`) followed by an answer to the user, so nobody is left with "The application did not
 * respond".
 */
export class InteractionRouter {
  stopping = false;
  #wrappers: readonly WrapperRegistration[] = [];

  constructor(
    private readonly bot: Client,
    private readonly registry: CommandRegistry,
    private readonly hub: EventHub,
    private readonly log: Log,
    private readonly redactor: Redactor,
    private readonly policy: ErrorAnswerPolicy,
    private readonly messages: RouterMessages,
  ) {}

  /** Adds a wrapper (outside those added later); returns a function that removes it. */
  around(wrap: InteractionWrapper, owner?: { readonly name: string }): () => void {
    const registration = { wrap, owner };
    this.#wrappers = [...this.#wrappers, registration];
    return () => {
      this.#wrappers = this.#wrappers.filter((r) => r !== registration);
    };
  }

  removeOwnedBy(owner: { readonly name: string }): void {
    this.#wrappers = this.#wrappers.filter((r) => r.owner !== owner);
  }

  /**
   * Runs `work` inside the wrappers. A wrapper that throws becomes an `Error` event and never costs the user
   * their answer: when it threw before calling `next`, the work runs anyway.
   */
  async #wrapped(ctx: InteractionContext, work: () => Promise<void>): Promise<void> {
    const run = this.#wrappers.reduceRight<() => Promise<void>>((next, { wrap, owner }) => async () => {
      let called = false as boolean;
      const once = () => {
        called = true;
        return next();
      };
      try {
        await wrap(ctx, once);
      } catch (error) {
        await this.hub.error({ source: `interaction wrapper${wrap.name ? ` (${wrap.name})` : ''}`, error, ctx, extension: owner?.name });
        if (!called) await next();
      }
    }, work);
    await run();
  }

  async handle(interaction: Interaction): Promise<void> {
    if (!interaction.isChatInputCommand()) return;
    const receivedAt = performance.now();
    if (this.stopping) return this.#refuse(interaction, this.messages.stopping, 'the bot is stopping');
    const resolved = this.registry.resolve(interaction);
    if (!resolved.runnable) {
      const error = new UnknownCommandError(resolved.path);
      return this.#refuse(interaction, this.messages.unknownCommand, `${error.code}: ${error.message}`);
    }
    const ctx = new CommandContext<OptionValues<OptionDefinitions>>(this.bot, interaction, resolved.path, receivedAt);
    await this.#wrapped(ctx, () => this.#run(ctx, resolved));
  }

  async #run(ctx: CommandContext<OptionValues<OptionDefinitions>>, resolved: ResolvedCommand): Promise<void> {
    const { interaction, receivedAt } = ctx;
    try {
      ctx.setOptions(readOptions(interaction, resolved.runnable.options ?? {}, resolved.path));
      await resolved.runnable.run(ctx);
    } catch (error) {
      await this.#fail(ctx, resolved, toError(error));
      return;
    }
    await this.hub.emit('CommandCompletion', { ctx, command: resolved.path, durationMs: performance.now() - receivedAt });
  }

  async #fail(ctx: CommandContext, resolved: ResolvedCommand, error: Error): Promise<void> {
    const event: CommandErrorEvent = { error, ctx, command: resolved.path, extension: resolved.registered.owner?.name, handled: false, reference: undefined };
    const chain = this.#runErrorChain(event, resolved);
    // The user's answer waits for the chain (it may answer, or set a reference) but not for ever: a slow or hung
    // handler must not turn into "The application did not respond". The chain goes on, and stop() waits for it.
    const waitMs = ctx.acknowledged ? ACKNOWLEDGED_ANSWER_WAIT_MS : Math.max(0, UNACKNOWLEDGED_ANSWER_DEADLINE_MS - (performance.now() - ctx.receivedAt));
    if (!(await settlesWithin(chain, waitMs))) this.log.warn(`The error handlers of ${resolved.path} are still running after ${String(Math.round(waitMs))} ms; answering the user without them`);
    // Even a handled error leaves the user with an answer when nobody gave one.
    if (!(event.handled && ctx.acknowledged)) {
      try {
        await ctx.send(errorAnswer(event, this.policy, this.redactor));
      } catch (answerError) {
        this.log.warn(`Could not tell the user about the error in ${resolved.path}: ${summarizeError(answerError, this.redactor)}`);
      }
    }
    await chain;
  }

  async #runErrorChain(event: CommandErrorEvent, resolved: ResolvedCommand): Promise<void> {
    for (const onError of resolved.errorHandlers) {
      try {
        await onError(event);
      } catch (thrown) {
        await this.hub.error({ source: `${resolved.path} onError`, error: thrown, ctx: event.ctx, extension: event.extension });
      }
    }
    await this.hub.emit('CommandError', event);
  }

  async #refuse(interaction: ChatInputCommandInteraction, message: string, reason: string): Promise<void> {
    this.log.warn(`${reason} (from user ${interaction.user.id}); answered with a notice`);
    try {
      await interaction.reply({ content: message, flags: MessageFlags.Ephemeral });
    } catch (error) {
      this.log.warn(`Could not answer: ${formatError(error, this.redactor)}`);
    }
  }
}
