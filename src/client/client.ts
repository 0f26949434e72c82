import { AsyncResource } from 'node:async_hooks';
import { Client as DiscordClient, Events as DiscordEvents, GatewayIntentBits, MessageFlags, Routes, Status, Team } from 'discord.js';
import type { GatewayDispatchPayload } from 'discord.js';
import { guardLayer, Guards, validateGuards } from '../checks/guard.js';
import { CommandRegistry } from '../commands/registry.js';
import { CommandSync } from '../commands/sync.js';
import type { SyncResult } from '../commands/sync.js';
import type { CommandDefinition } from '../commands/define.js';
import { ClientStateError, TokenMissingError } from '../errors/codes.js';
import { Redactor } from '../errors/redact.js';
import { EventHub } from '../events/hub.js';
import { installDefaultListeners } from '../events/default-listeners.js';
import type { ErrorInit } from '../events/error-event.js';
import type { ErrorEvent, EventName, Listener, ListenOptions } from '../events/types.js';
import type { Extension, LanternExtensions, OtherSpecifier } from '../extensions/extension.js';
import { ExtensionManager } from '../extensions/manager.js';
import type { LoadedExtension } from '../extensions/manager.js';
import { DEFAULT_ERROR_MESSAGE } from './error-answer.js';
import type { TracebackMode } from './error-answer.js';
import { InteractionRouter } from './router.js';
import type { ComponentDefinition } from '../components/component.js';
import type { ModalDefinition, ModalFields } from '../components/modal.js';
import type { CustomIdPattern } from '../components/custom-id.js';
import { HandlerRegistry, labelOf } from '../components/registry.js';
import type { OneMessageOptions } from '../components/registry.js';
import type { InteractionWrapper } from './router.js';
import { DEFAULT_ERROR_LOG_LIMIT, ErrorLog, validateErrorLogLimit, validateLogStack } from '../log/error-log.js';
import { consoleLogger, Log } from '../log/log.js';
import { learnWebhookTokens } from './webhook-tokens.js';
import { loginError } from './login.js';
import { settlesWithin } from '../util/settle.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import type { TaskDefinition } from '../tasks/define.js';
import { TaskScheduler } from '../tasks/scheduler.js';
import type { Task } from '../tasks/scheduler.js';
import { DEFAULT_MESSAGES } from './options.js';
import type { ClientOptions } from './options.js';
import { linkToShardManager } from './shard-link.js';
import { stopOnSignals } from './signals.js';

/** Delay that coalesces command changes made while running into one sync. */
const SYNC_DEBOUNCE_MS = 50;

/** How long stop() lets a shard that is reconnecting finish before destroying the client. */
const RECONNECT_SETTLE_MS = 3000;
const RECONNECTING = new Set<Status>([
  Status.Connecting,
  Status.Reconnecting,
  Status.Nearly,
  Status.Identifying,
  Status.Resuming,
  Status.WaitingForGuilds,
]);

type Phase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Shared by the bot and every extension's scoped view of it, so state is never copied per view. */
interface Core {
  phase: Phase;
  readonly options: ClientOptions;
  readonly owners: Set<string>;
  readonly inFlight: Set<Promise<unknown>>;
  /** Adds work to `inFlight` until it settles, so `idle()` and `stop()` wait for it. */
  readonly track: (work: Promise<unknown>) => void;
  readonly registry: CommandRegistry;
  readonly handlers: HandlerRegistry;
  readonly sync: CommandSync;
  syncTimer: NodeJS.Timeout | undefined;
  readonly hub: EventHub;
  readonly router: InteractionRouter;
  readonly extensions: ExtensionManager;
  readonly tasks: TaskScheduler;
  /** The default `Error` listener's lines: each error in full, a repeating one counted past `errorLogLimit`. */
  readonly errorLog: ErrorLog;
  readonly detach: (() => void)[];
  /** The start in progress, which a stop waits for. */
  starting: Promise<void> | undefined;
  /** The stop in progress or done, which a later stop waits for. */
  stopping: Promise<void> | undefined;
}

const OWNER = Symbol('lantern.owner');

/**
 * A Discord bot: a discord.js client with commands, events and extensions, whose every failure becomes an
 * `Error` event and an answer to the user who hit it.
 *
 * ```ts
 * const bot = new Client({ sendCommandTracebacks: 'owners' });
 * bot.addCommand(ping);
 * bot.listen(Events.Error, ({ source, error }) => { ... });
 * await bot.start();
 * ```
 */
declare module '../interactions/bot.js' {
  // The bottom's `Bot` is this client: contexts, extensions and tasks see every method it has.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by extending the class
  interface Bot extends Client {}
}

export class Client {
  /** The discord.js client underneath, for anything Lantern does not wrap. */
  readonly discord: DiscordClient;
  /** Hides tokens and registered secrets; everything Lantern shows or logs goes through it. */
  readonly redactor: Redactor;
  /** Lantern's log; every line is redacted. */
  readonly log: Log;
  /** Where tasks, cooldowns and timeouts read the time: the `clock` option, else the system clock. */
  readonly clock: Clock;
  private readonly detached: AsyncResource;
  private readonly core: Core;
  /** The extension a scoped view adds things for; `undefined` on the bot itself. */
  private readonly [OWNER]: LoadedExtension | undefined;

  constructor(options: ClientOptions = {}) {
    validateGuards(options, 'the bot (client options)');
    validateErrorLogLimit(options.errorLogLimit ?? DEFAULT_ERROR_LOG_LIMIT);
    const logStack = options.logStack ?? 'compact';
    validateLogStack(logStack);
    this.redactor = new Redactor();
    for (const secret of options.secrets ?? []) this.redactor.add(secret);
    this.log = new Log(options.logger ?? consoleLogger, this.redactor);
    this.discord = new DiscordClient({ ...options.discord, intents: options.intents ?? [GatewayIntentBits.Guilds] });
    learnWebhookTokens(this.discord, this.redactor);
    const track = (work: Promise<unknown>) => {
      this.core.inFlight.add(work);
      void work.finally(() => this.core.inFlight.delete(work));
    };
    const hub = new EventHub(this.discord, this.log, this.redactor, track);
    const registry = new CommandRegistry(() => {
      this.scheduleSync();
    });
    const owners = new Set(options.ownerIds ?? []);
    const errorMessage = options.errorMessage ?? DEFAULT_ERROR_MESSAGE;
    const policy = {
      tracebacks: options.sendCommandTracebacks ?? true,
      isOwner: (userId: string) => owners.has(userId),
      message: typeof errorMessage === 'string' ? () => errorMessage : errorMessage,
    };
    // Timers (tasks, one-message timeouts, the sync debounce) run in the context the client was made in, not in the
    // interaction that happened to schedule them: a tracker must not give a later task failure that user's scope.
    this.detached = new AsyncResource('lantern.client');
    this.clock = detachedClock(options.clock ?? systemClock, this.detached);
    const errorLog = new ErrorLog(this.log, this.redactor, this.clock, options.errorLogLimit ?? DEFAULT_ERROR_LOG_LIMIT, logStack);
    const handlers = new HandlerRegistry(this.clock, (error, registered) => {
      track(hub.error({ source: `${labelOf(registered.definition)} onTimeout`, error, extension: registered.owner?.name }));
    });
    const messages = {
      unknownCommand: options.unknownCommandMessage ?? DEFAULT_MESSAGES.unknownCommand,
      unknownComponent: options.unknownComponentMessage === undefined ? DEFAULT_MESSAGES.unknownComponent : options.unknownComponentMessage,
      stopping: DEFAULT_MESSAGES.stopping,
      malformed: DEFAULT_MESSAGES.malformed,
    };
    const router = new InteractionRouter({
      bot: this,
      commands: registry,
      handlers,
      hub,
      log: this.log,
      errorLog,
      redactor: this.redactor,
      policy,
      messages,
      guards: new Guards(this.clock, {
        error: (init) => {
          track(hub.error(init));
        },
        info: (message) => {
          this.log.info(message);
        },
      }),
      globalGuards: guardLayer('bot', options),
      expectedMessages: options.expectedErrorMessages ?? {},
    });
    const tasks = new TaskScheduler({ clock: this.clock, hub, log: this.log, track });
    const extensions = new ExtensionManager({
      scoped: (owner) => this.scoped(owner),
      removeOwnedBy: (owner) => {
        registry.removeOwnedBy(owner);
        handlers.removeOwnedBy(owner);
        hub.removeOwnedBy(owner);
        router.removeOwnedBy(owner);
        tasks.removeOwnedBy(owner);
      },
      reportError: (init) => hub.error(init),
    });
    this.core = {
      phase: 'idle',
      options,
      owners,
      inFlight: new Set(),
      track,
      registry,
      handlers,
      sync: new CommandSync(registry),
      syncTimer: undefined,
      hub,
      router,
      extensions,
      tasks,
      errorLog,
      detach: [],
      starting: undefined,
      stopping: undefined,
    };
    this[OWNER] = undefined;
    if (options.defaultListeners !== false)
      installDefaultListeners({
        hub: this.core.hub,
        log: this.log,
        errorLog: this.core.errorLog,
        redactor: this.redactor,
        discord: this.discord,
      });
    linkToShardManager(this, hub);
    this.discord.on(DiscordEvents.InteractionCreate, (interaction) => {
      track(router.handle(interaction));
    });
    // An 'error' emitted with no listener throws and ends the process; these become Error events instead.
    this.discord.on(DiscordEvents.Error, (error) => {
      track(hub.error({ source: 'discord.js client', error }));
    });
    this.discord.on(DiscordEvents.ShardError, (error, shardId) => {
      track(hub.error({ source: `shard ${String(shardId)}`, error }));
    });
    this.discord.on(DiscordEvents.Warn, (message) => {
      this.log.warn(`discord.js: ${message}`);
    });
  }

  /** Whether `sendCommandTracebacks` is on, off or for owners only. */
  get tracebackMode(): TracebackMode {
    return this.core.options.sendCommandTracebacks ?? true;
  }

  /** Whether the user owns the bot: the application's owner or a team member (read at start), or in `ownerIds`. */
  isOwner(userId: string): boolean {
    return this.core.owners.has(userId);
  }

  // ---- commands ----

  /**
   * Adds commands; while running, Discord's registration follows shortly. Throws for an invalid definition or a
   * taken name, and then adds none of them.
   */
  addCommand(...definitions: CommandDefinition[]): this {
    this.core.registry.add(definitions, this[OWNER]);
    return this;
  }

  /** Removes a command by name; `false` when there was none. */
  removeCommand(name: string): boolean {
    return this.core.registry.remove(name);
  }

  get commands(): readonly CommandDefinition[] {
    return this.core.registry.list().map((registered) => registered.definition);
  }

  /**
   * Makes Discord's registered commands equal to the defined ones now (start does it; so do changes while
   * running). A scope that fails becomes an `Error` event with source `command sync`; the bot keeps running.
   */
  async syncCommands(): Promise<SyncResult> {
    const application = this.discord.application;
    if (!application || this.core.phase === 'stopped')
      throw new ClientStateError('Commands can be synced while the bot runs (after start(), before stop())');
    const result = await this.core.sync.run({
      rest: this.discord.rest,
      applicationId: application.id,
      devGuilds: this.core.options.devGuilds ?? [],
    });
    for (const failure of result.failed) await this.core.hub.error({ source: 'command sync', error: failure });
    if (result.updated.length > 0) this.log.info(`Registered commands for ${result.updated.join(', ')}`);
    return result;
  }

  // ---- components and modals ----

  /**
   * Adds a button or select menu handler (from `button()` / `selectMenu()`). Without options it answers its custom
   * id on every message, also after a restart; with `{ message, timeoutMs }` only on that message, until the
   * timeout. Returns a function that removes it. Throws DuplicateHandlerError when the custom id is taken.
   */
  addComponent<P extends CustomIdPattern>(handler: ComponentDefinition<P>, oneMessage?: OneMessageOptions): () => void {
    return this.core.handlers.add(handler as unknown as ComponentDefinition, this[OWNER], oneMessage);
  }

  /** Adds a modal's submission handler (from `modal()`); show it with `ctx.showModal(definition.build(params))`. */
  addModal<P extends CustomIdPattern, F extends ModalFields>(handler: ModalDefinition<P, F>): () => void {
    return this.core.handlers.add(handler, this[OWNER]);
  }

  // ---- events ----

  /**
   * Listens to a Lantern event (`Events.Error`, `Events.CommandError`, ...) or any discord.js client event.
   * A listener that throws becomes an `Error` event. Returns a function that removes the listener.
   */
  listen<E extends EventName>(event: E, handler: Listener<E>, options: ListenOptions = {}): () => void {
    return this.core.hub.listen(event, handler, { ...options, owner: this[OWNER] });
  }

  /**
   * Runs `wrapper` around the handling of every interaction: its checks, handler, error chain and the user's
   * error answer. It must call `next()` once. Trackers open a per-interaction scope here so that concurrent
   * interactions never mix their data. Removed with the extension that added it; also returns a remover.
   */
  aroundInteraction(wrapper: InteractionWrapper): () => void {
    return this.core.router.around(wrapper, this[OWNER]);
  }

  /** Reports an error from the bot's own code (a timer, a webhook handler) as an `Error` event. */
  reportError(init: ErrorInit): Promise<ErrorEvent> {
    return this.core.hub.error({ extension: this[OWNER]?.name, ...init });
  }

  /**
   * Adds a task that runs `every` so many milliseconds or on a `cron` schedule while the bot runs (from start, or
   * at once when added later), never two iterations at a time. A throwing iteration becomes a `TaskError` and
   * an `Error` event with source `task <name>`; the schedule goes on. An extension's tasks stop when it unloads.
   * Throws a TaskDefinitionError for an invalid definition or a taken name.
   *
   * ```ts
   * bot.task({ name: 'digest', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', run: ({ bot }) => postDigest(bot) });
   * ```
   */
  task(definition: TaskDefinition): Task {
    return this.core.tasks.add(definition, this[OWNER], this);
  }

  /** Redacts `secret` from everything shown or logged from now on. */
  addSecret(secret: string, label?: string): void {
    this.redactor.add(secret, label);
  }

  // ---- extensions ----

  /**
   * Loads an extension: a module exporting `setup(bot, options)`, by specifier (`./extensions/fun.js` resolves
   * from the working directory; `lantern/ext/sentry` as a package) or as an object. A failure dispatches an
   * `Error` event (so a tracker loaded earlier sees it) and throws an ExtensionLoadError. Returns its name.
   * Lantern's own extensions (`lantern/ext/sentry`) type their options when loaded by name; an extension object types
   * them by its definition; another module's are what the type argument says (`loadExtension<FunOptions>('./fun.js', ...)`).
   */
  loadExtension<Specifier extends keyof LanternExtensions>(extension: Specifier, options?: LanternExtensions[Specifier]): Promise<string>;
  loadExtension<Options>(extension: Extension<Options>, options?: Options): Promise<string>;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- given explicitly, it types the options
  loadExtension<Options = unknown, Specifier extends string = string>(
    extension: OtherSpecifier<Specifier>,
    options?: Options,
  ): Promise<string>;
  loadExtension(extension: string | Extension<unknown>, options?: unknown): Promise<string> {
    return this.core.extensions.load(extension, options);
  }

  /** Runs the extension's teardown and removes its commands and listeners. */
  unloadExtension(name: string): Promise<void> {
    return this.core.extensions.unload(name);
  }

  /** Imports the extension again; when the new version fails, the previous one is restored and the error thrown. */
  reloadExtension(name: string): Promise<void> {
    return this.core.extensions.reload(name);
  }

  get extensions(): readonly string[] {
    return this.core.extensions.names();
  }

  // ---- lifecycle ----

  /** Resolves when every running handler, listener and command sync has finished (new ones included). */
  async idle(): Promise<void> {
    while (this.core.inFlight.size > 0) await Promise.allSettled(this.core.inFlight);
  }

  /**
   * Logs in, reads the owners, syncs the commands and resolves once the bot answers interactions. A login that
   * fails (no network, a refused token or intents) rejects with a `LoginError` saying which.
   */
  async start(): Promise<void> {
    const { core } = this;
    if (core.phase !== 'idle')
      throw new ClientStateError(`start() was called on a client that is ${core.phase}; make a new Client to start again`);
    const token = core.options.token ?? process.env.DISCORD_TOKEN;
    if (!token) throw new TokenMissingError();
    core.phase = 'starting';
    core.starting = this.startup(token);
    return core.starting;
  }

  private async startup(token: string): Promise<void> {
    const { core } = this;
    this.redactor.add(token, 'TOKEN');
    if (core.options.handleProcessErrors ?? true) this.catchProcessErrors();
    if (core.options.handleSignals ?? true) {
      const stopTimeoutMs = core.options.stopTimeoutMs ?? 10_000;
      core.detach.push(stopOnSignals({ stop: () => this.stop(), running: () => core.inFlight.size, stopTimeoutMs, log: this.log }));
    }
    this.guardGatewayHandlers();
    try {
      const ready = new Promise<void>((resolve) =>
        this.discord.once(DiscordEvents.ClientReady, () => {
          resolve();
        }),
      );
      await this.discord.login(token).catch((error: unknown) => {
        throw loginError(error);
      });
      await ready;
    } catch (error) {
      await this.shutdown();
      throw error;
    }
    await this.readOwners();
    if (core.options.syncCommands ?? true)
      await this.syncCommands().catch((error: unknown) => this.core.hub.error({ source: 'command sync', error }));
    core.phase = 'running';
    core.tasks.start();
    this.log.info(`${this.discord.user?.username ?? 'bot'} is ready with ${String(core.registry.list().length)} commands`);
  }

  /**
   * Stops the tasks and taking interactions, waits (up to `stopTimeoutMs`) for running handlers, listeners and
   * task iterations, unloads the extensions (last loaded first), and closes the gateway, so the process can exit.
   */
  async stop(): Promise<void> {
    const { core } = this;
    // A stop during start lets the start finish (or fail) first, so nothing it starts outlives the stop.
    if (core.phase === 'starting') await core.starting?.catch(() => undefined);
    // A stop while one is under way (an app's own signal listener during Lantern's) resolves when that one is done.
    if (core.phase === 'idle' || core.phase === 'running') core.stopping = this.stopRunning();
    return core.stopping;
  }

  private async stopRunning(): Promise<void> {
    const { core } = this;
    core.phase = 'stopping';
    core.tasks.stop();
    core.router.stop();
    core.handlers.close();
    const timeout = core.options.stopTimeoutMs ?? 10_000;
    const pending = await drainWithin(core.inFlight, timeout);
    if (pending > 0) this.log.warn(`stop(): ${String(pending)} handlers still running after ${String(timeout)} ms; stopping anyway`);
    await core.extensions.unloadAll();
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    const { core } = this;
    clearTimeout(core.syncTimer);
    core.tasks.stop();
    await settlesWithin(core.sync.idle(), core.options.stopTimeoutMs ?? 10_000);
    await this.settleReconnects();
    await this.discord.destroy();
    for (const detach of core.detach.splice(0)) detach();
    core.errorLog.flush();
    core.phase = 'stopped';
  }

  /**
   * A shard that lost its connection waits 500 ms before resuming, and during that wait @discordjs/ws treats it
   * as idle: a destroy then skips it, and it reconnects after the client is gone, keeping the process alive.
   * So stop lets such a shard finish reconnecting (bounded) before destroying.
   */
  private async settleReconnects(): Promise<void> {
    const deadline = Date.now() + RECONNECT_SETTLE_MS;
    const reconnecting = () => this.discord.ws.shards.some((shard) => RECONNECTING.has(shard.status));
    while (reconnecting() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private scoped(owner: LoadedExtension): Client {
    // As Fastify does for plugins: a view that shares everything but records who adds what.
    const view = Object.create(this) as Client;
    Object.defineProperty(view, OWNER, { value: owner });
    return view;
  }

  private scheduleSync(): void {
    const { core } = this;
    if (core.phase !== 'running' || !(core.options.syncCommands ?? true)) return;
    clearTimeout(core.syncTimer);
    core.syncTimer = setTimeout(
      this.detached.bind(() => {
        core.track(this.syncCommands().catch((error: unknown) => this.core.hub.error({ source: 'command sync', error })));
      }),
      SYNC_DEBOUNCE_MS,
    );
  }

  private async readOwners(): Promise<void> {
    try {
      const application = await this.discord.application?.fetch();
      const owner = application?.owner;
      if (owner instanceof Team) for (const member of owner.members.values()) this.core.owners.add(member.user.id);
      else if (owner) this.core.owners.add(owner.id);
    } catch (error) {
      await this.core.hub.error({ source: 'owners', error });
    }
  }

  /** Unhandled rejections and uncaught exceptions become `Error` events while the bot runs. */
  private catchProcessErrors(): void {
    const { hub, detach } = this.core;
    const onRejection = (reason: unknown) => void hub.error({ source: 'unhandled rejection', error: reason });
    const onException = (error: unknown) => void hub.error({ source: 'uncaught exception', error });
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    detach.push(() => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    });
  }

  /**
   * discord.js handles each gateway dispatch inside its socket's event handler, where a malformed payload
   * throws and would end the process. Each dispatch is handled inside a guard instead: the failure becomes an
   * `Error` event with source `gateway <EVENT>`, and an interaction that could not be read is still answered.
   */
  private guardGatewayHandlers(): void {
    const manager = this.discord.ws as unknown as { handlePacket?: (packet?: GatewayDispatchPayload, shard?: unknown) => boolean };
    const original = manager.handlePacket;
    if (typeof original !== 'function') return;
    const { hub } = this.core;
    const rest = this.discord.rest;
    manager.handlePacket = function guardedHandlePacket(packet, shard) {
      try {
        return original.call(this, packet, shard);
      } catch (error) {
        void hub.error({ source: `gateway ${packet?.t ?? 'dispatch'}`, error });
        const data = packet?.d as { id?: unknown; token?: unknown } | undefined;
        if (packet?.t === 'INTERACTION_CREATE' && typeof data?.id === 'string' && typeof data.token === 'string') {
          rest
            .post(Routes.interactionCallback(data.id, data.token), {
              body: { type: 4, data: { content: DEFAULT_MESSAGES.malformed, flags: MessageFlags.Ephemeral } },
              auth: false,
            })
            .catch(() => undefined);
        }
        return true;
      }
    };
  }
}

/**
 * Waits until the set is empty or `timeoutMs` passes; returns how many were still pending. The set is live (its
 * promises remove themselves when they settle): work added meanwhile, such as the notice to an interaction that
 * arrived during stop, is waited for too.
 */
async function drainWithin(work: ReadonlySet<Promise<unknown>>, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (work.size > 0) {
    const left = deadline - performance.now();
    if (left <= 0 || !(await settlesWithin(Promise.allSettled(work), left))) break;
  }
  return work.size;
}

/** `clock`, with every timer callback run in `context`. */
function detachedClock(clock: Clock, context: AsyncResource): Clock {
  return {
    now: () => clock.now(),
    setTimeout: (callback, delayMs) =>
      clock.setTimeout(() => {
        context.runInAsyncScope(callback);
      }, delayMs),
    clearTimeout: (timer) => {
      clock.clearTimeout(timer);
    },
  };
}
