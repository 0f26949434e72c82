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
import { errorAnswer } from './error-answer.js';
import type { ErrorAnswerPolicy } from './error-answer.js';

/** Discord drops an interaction unanswered after 3 s; the error answer must be on its way before that. */
const UNACKNOWLEDGED_ANSWER_DEADLINE_MS = 2500;
/** Once acknowledged there are 15 minutes, but a user should not wait long for the error either. */
const ACKNOWLEDGED_ANSWER_WAIT_MS = 5000;

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

  constructor(
    private readonly bot: Client,
    private readonly registry: CommandRegistry,
    private readonly hub: EventHub,
    private readonly log: Log,
    private readonly redactor: Redactor,
    private readonly policy: ErrorAnswerPolicy,
    private readonly messages: RouterMessages,
  ) {}

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
