import { DiscordAPIError, HTTPError, RateLimitError, RequestMethod, Routes } from 'discord.js';
import type { APIRequest, RateLimitData, ResponseLike } from 'discord.js';
import type { APIWebhook } from 'discord-api-types/v10';
import { readableDuration } from '../../checks/messages.js';
import { causeChain } from '../../errors/causes.js';
import { codedLine } from '../../errors/codes.js';
import { errorType, formatError, summarizeError } from '../../errors/format.js';
import type { ErrorEvent } from '../../events/types.js';
import type { Sink } from '../../extensions/sink.js';
import type { Bot } from '../../interactions/bot.js';
import type { Task } from '../../tasks/scheduler.js';
import { describeEvent } from '../../tracking/event-data.js';
import { RequestBudget } from './budget.js';
import { composeAnnouncement, composeDigest, ISSUES_PER_POST } from './compose.js';
import type { IssueAction, OutgoingMessage } from './compose.js';
import { IssueBook } from './issues.js';
import type { PendingReport, ReporterStore } from './store.js';
import type { WebhookTarget } from './target.js';

/** The task that posts: it looks every second whether a post is due and the budget allows one. */
export const TASK_NAME = 'lantern webhook reporter';
const TICK_MS = 1000;
/** Discord's answers that mean the webhook is gone or not ours to use: one is enough, more would earn a ban. */
const REJECTED_STATUSES = new Set([401, 403, 404]);

export interface ReporterSettings {
  readonly target: WebhookTarget;
  readonly windowMs: number;
  readonly batchDelayMs: number;
  readonly maxRequestsPerMinute: number;
  readonly reportExpected: boolean;
  readonly buttons: boolean;
  readonly flushTimeoutMs: number;
  readonly release: string | undefined;
  readonly store: ReporterStore;
}

type PostOutcome = 'sent' | 'retry' | 'dropped' | 'rejected';

/**
 * The webhook reporter: counts every `Error` event into its issue, posts each new issue within seconds, a digest of
 * the repeats per window, within a budget of requests; stops for good (until reloaded) when Discord refuses the
 * webhook; posts what is pending when it is unloaded. Its own failures are logged, never reported as errors.
 */
export class WebhookReporter {
  readonly book: IssueBook;
  readonly #budget: RequestBudget;
  /** Messages built and not yet posted, oldest first: a digest's messages, a post a failure put off. */
  readonly #outbox: OutgoingMessage[] = [];
  readonly #path: string;
  #state: 'running' | 'rejected' | 'closed' = 'running';
  #accepting = true;
  /** Whether the webhook's messages can carry the bot's buttons; unknown until it is read. */
  #interactive: boolean | undefined;
  /** Set while a run of failures lasts, so it is logged once. */
  #failing = false;
  #step: Promise<void> | undefined;
  #customId: ((issueId: string, action: IssueAction) => string) | undefined;

  constructor(
    private readonly bot: Bot,
    private readonly settings: ReporterSettings,
  ) {
    const now = () => bot.clock.now();
    this.#path = `/webhooks/${settings.target.id}/`;
    this.#budget = new RequestBudget(settings.maxRequestsPerMinute, now);
    this.book = new IssueBook({
      now,
      store: settings.store,
      snapshot: (event) => ({
        source: bot.redactor.redact(event.source),
        title: summarizeError(event.error, bot.redactor),
        message: bot.redactor.redact(event.error.message),
        traceback: formatError(event.error, bot.redactor),
        tags: Object.fromEntries(Object.entries(describeEvent(bot, event, event.ctx).tags).map(([k, v]) => [k, bot.redactor.redact(v)])),
      }),
      storeFailed: (error) => {
        bot.log.warn(`Error webhook: its store failed (${errorType(error)}); statuses are kept in memory meanwhile`);
      },
    });
  }

  /** Buttons on new issues, once the buttons' sink gives their custom ids (only used on the bot's own webhooks). */
  useButtons(customId: (issueId: string, action: IssueAction) => string): void {
    this.#customId = customId;
  }

  readonly onError = (event: ErrorEvent): void => {
    if (!this.#accepting || this.#state !== 'running') return;
    if (event.expected && !this.settings.reportExpected) return;
    if (event.task?.name === TASK_NAME || this.#isOwnFailure(event.error)) return;
    this.book.record(event);
  };

  /** The `Error` listener; stops first on unload, so what it counted is in the final flush. */
  readonly intake: Sink = {
    name: 'webhook intake',
    setup: (bot) => {
      const unlisten = bot.listen('Error', this.onError);
      return () => {
        this.#accepting = false;
        unlisten();
      };
    },
  };

  /** The posting task and the rate-limit listener; on unload, posts what is pending (bounded) or hands it to the store. */
  readonly delivery: Sink = {
    name: 'webhook delivery',
    setup: (bot) => {
      this.#restorePending();
      const { rest } = bot.discord;
      rest.on('rateLimited', this.#onRateLimited);
      const task: Task = bot.task({ name: TASK_NAME, every: TICK_MS, run: () => this.#tick() });
      return async () => {
        task.stop();
        rest.off('rateLimited', this.#onRateLimited);
        await this.#step;
        await this.#flush();
      };
    },
  };

  #tick(): Promise<void> {
    this.#step ??= this.#post().finally(() => (this.#step = undefined));
    return this.#step;
  }

  /** One step: closes the window when it is due, then posts one message if one is due and the budget allows. */
  async #post(): Promise<void> {
    try {
      if (this.#state !== 'running') return;
      const { windowMs, batchDelayMs } = this.settings;
      // While earlier messages wait (Discord down, say), the window goes on: one digest later rather than many.
      if (this.#outbox.length === 0 && this.book.digestDue(windowMs)) this.#outbox.push(...composeDigest(this.book.takeDigest()));
      if (!this.#budget.ready()) return;
      if (this.#outbox.length === 0 && this.book.announcementsDue(batchDelayMs)) {
        const interactive = await this.#isInteractive();
        // Reading the webhook may have found it deleted.
        if (this.#rejected()) return;
        this.#outbox.push(this.#announcement(interactive));
      }
      const next = this.#outbox[0];
      if (!next) return;
      const outcome = await this.#send(next);
      if (outcome === 'sent' || outcome === 'dropped') this.#outbox.shift();
    } catch (error) {
      // A bug of the reporter's own: logged, never an `Error` event it would then try to post.
      this.bot.log.warn(`Error webhook: a step failed: ${formatError(error, this.bot.redactor)}`);
    }
  }

  #announcement(interactive: boolean): OutgoingMessage {
    return composeAnnouncement(this.book.takeAnnouncements(ISSUES_PER_POST), {
      customId: interactive ? this.#customId : undefined,
      release: this.settings.release,
      lookFurther: (issueId, reference, source) => this.#lookFurther(issueId, reference, source),
    });
  }

  #lookFurther(issueId: string, reference: string | undefined, source: string): string {
    const link = this.book.linkFor(issueId);
    const tracker =
      reference === undefined
        ? undefined
        : this.bot.extensions.includes('sentry')
          ? `Sentry: search \`${reference}\``
          : `The tracker that gave reference \`${reference}\``;
    return [link && `[The issue's page](${link})`, tracker, `The bot's log: \`Error in ${source}\``].filter(Boolean).join('\n');
  }

  /**
   * Posts one message through the bot's REST client (its queues and rate-limit handling), reading the bucket's
   * headers. A 429 (discord.js waits as Discord asks and tries again) backs the reporter off; a second one for the
   * same message ends the attempt instead of letting discord.js keep trying.
   */
  async #send(message: OutgoingMessage, signal?: AbortSignal): Promise<PostOutcome> {
    const { rest } = this.bot.discord;
    const { id, token, threadId } = this.settings.target;
    const attempt = new AbortController();
    let limited = 0;
    const onResponse = (request: APIRequest, response: ResponseLike): void => {
      if (response.status !== 429 || !request.path.startsWith(this.#path)) return;
      limited++;
      this.#budget.backOff(Number(response.headers.get('retry-after') ?? 0) * 1000);
      if (limited >= 2) attempt.abort();
    };
    // Listened to only while a post is under way: discord.js copies every response while someone listens.
    rest.on('response', onResponse);
    this.#budget.started();
    try {
      const response = await rest.queueRequest({
        method: RequestMethod.Post,
        fullRoute: Routes.webhook(id, token),
        body: message.body,
        files: message.files.map((file) => ({ name: file.name, data: file.data, contentType: 'text/plain; charset=utf-8' })),
        query: new URLSearchParams({
          ...(threadId ? { thread_id: threadId } : {}),
          ...(message.body.components ? { with_components: 'true' } : {}),
        }),
        auth: false,
        signal: signal ? AbortSignal.any([signal, attempt.signal]) : attempt.signal,
      });
      await response.text();
      this.#budget.observe(response.headers);
      if (limited === 0) this.#budget.succeeded();
      if (this.#failing) this.bot.log.info('Error webhook: posting works again');
      this.#failing = false;
      return 'sent';
    } catch (error) {
      return this.#failed(error, message.label);
    } finally {
      rest.off('response', onResponse);
    }
  }

  /** Sorts a failure: the webhook refused (stop), the message refused (drop it), or Discord unreachable (back off). */
  #failed(error: unknown, what: string): PostOutcome {
    if (error instanceof DiscordAPIError && REJECTED_STATUSES.has(error.status)) {
      this.#state = 'rejected';
      this.bot.log.warn(
        codedLine(
          'LANTERN_ERR_WEBHOOK_REJECTED',
          `Discord answered ${String(error.status)} ${error.message} (code ${String(error.code)}) to ${what}: the error webhook ` +
            `${error.status === 404 ? 'was deleted or its token changed' : 'may not be used'}. Errors are no longer posted to it; ` +
            'fix the webhook and reload the extension',
        ),
      );
      return 'rejected';
    }
    if (error instanceof DiscordAPIError && error.status !== 429) {
      this.bot.log.warn(
        `Error webhook: Discord refused ${what} (${String(error.status)} ${error.message}, code ${String(error.code)}); it is dropped`,
      );
      return 'dropped';
    }
    const wait = this.#budget.backOff();
    if (!this.#failing)
      this.bot.log.warn(
        `Error webhook: ${what} could not be posted (${describeFailure(error)}); ` +
          `trying again in ${readableDuration(wait, 'en-US')}, nothing is lost meanwhile`,
      );
    this.#failing = true;
    return 'retry';
  }

  /** Whether the webhook belongs to the bot's application, which alone lets its messages carry the bot's buttons. */
  async #isInteractive(signal?: AbortSignal): Promise<boolean> {
    if (this.#interactive !== undefined) return this.#interactive;
    const application = this.bot.discord.application?.id;
    if (!this.settings.buttons || !this.#customId) return (this.#interactive = false);
    // Before the bot is ready its application is unknown: this post goes without buttons and the next one asks.
    if (!application) return false;
    const { id, token } = this.settings.target;
    try {
      const webhook = (await this.bot.discord.rest.get(Routes.webhook(id, token), { auth: false, signal })) as APIWebhook;
      return (this.#interactive = webhook.application_id === application);
    } catch (error) {
      this.#failed(error, 'reading the webhook');
      return false;
    }
  }

  readonly #onRateLimited = (info: RateLimitData): void => {
    // discord.js is waiting for the webhook's bucket (maybe for the bot's own other posts to it): so does the reporter.
    if (info.url.includes(this.#path)) this.#budget.hold(info.timeToReset);
  };

  /**
   * On unload: what is pending becomes messages now (the first post of new issues, the rest in the digest), posted
   * one after the other within `flushTimeoutMs`, whatever the budget's spacing. What could not be posted goes to
   * the store when it keeps pending messages, else a warning says what was lost.
   */
  async #flush(): Promise<void> {
    const signal = AbortSignal.timeout(this.settings.flushTimeoutMs);
    if (this.#state === 'running') {
      if (this.book.waitingAnnouncements > 0) this.#outbox.push(this.#announcement(await this.#isInteractive(signal)));
      this.book.demoteAnnouncements();
      this.#outbox.push(...composeDigest(this.book.takeDigest()));
    }
    while (this.#state === 'running' && !signal.aborted) {
      const next = this.#outbox[0];
      if (!next) break;
      const outcome = await this.#send(next, signal);
      if (outcome === 'retry') break;
      if (outcome === 'sent' || outcome === 'dropped') this.#outbox.shift();
    }
    this.#state = 'closed';
    const left = this.#outbox.splice(0);
    if (left.length === 0) return;
    const { store } = this.settings;
    if (store.savePending) {
      try {
        store.savePending(toPending(left, this.bot.clock.now()));
        this.bot.log.info(`Error webhook: ${messages(left.length)} not posted before stop, kept for the next start`);
        return;
      } catch (error) {
        this.bot.log.warn(`Error webhook: the store could not keep the pending messages (${errorType(error)})`);
      }
    }
    this.bot.log.warn(`Error webhook: ${messages(left.length)} not posted before stop, and lost: ${left.map((m) => m.label).join(', ')}`);
  }

  #restorePending(): void {
    try {
      const pending = this.settings.store.takePending?.();
      if (pending) this.#outbox.push(...fromPending(pending));
    } catch (error) {
      this.bot.log.warn(`Error webhook: the store could not give back the messages kept at the last stop (${errorType(error)})`);
    }
  }

  #rejected(): boolean {
    return this.#state === 'rejected';
  }

  /** A failure of the reporter's own request (reported by some other part of the bot) is never posted to the webhook. */
  #isOwnFailure(error: Error): boolean {
    return causeChain(error).some(
      (cause) =>
        (cause instanceof DiscordAPIError || cause instanceof HTTPError || cause instanceof RateLimitError) &&
        cause.url.includes(this.#path),
    );
  }
}

/** What went wrong, without the request's URL (it holds the token; the log would redact it anyway). */
function describeFailure(error: unknown): string {
  if (error instanceof HTTPError) return `${String(error.status)} ${error.message}`;
  if (error instanceof Error) return `${errorType(error)}: ${error.message}`;
  return errorType(error);
}

function messages(count: number): string {
  return count === 1 ? '1 message' : `${String(count)} messages`;
}

function toPending(messages: readonly OutgoingMessage[], now: number): PendingReport {
  return {
    savedAt: now,
    messages: messages.map((message) => ({
      body: { ...message.body },
      files: message.files.map((file) => ({ name: file.name, base64: file.data.toString('base64') })),
    })),
  };
}

function fromPending(pending: PendingReport): OutgoingMessage[] {
  return pending.messages.map((message) => ({
    body: message.body,
    files: message.files.map((file) => ({ name: file.name, data: Buffer.from(file.base64, 'base64') })),
    label: 'a message kept at the last stop',
  }));
}
