import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayIntentBits } from 'discord-api-types/v10';
import type { APIMessage } from 'discord-api-types/v10';
import { CommandStore } from './commands.js';
import { FakeDiscordError } from './errors.js';
import { FakeGateway } from './gateway/gateway.js';
import type { InteractionHandle } from './interactions/handle.js';
import { interactionPayload, interactionToken } from './interactions/payload.js';
import { InteractionResponder } from './interactions/responder.js';
import { UserActor } from './interactions/user-actor.js';
import type { ActorHost } from './interactions/user-actor.js';
import { FaultInjector } from './rest/faults.js';
import type { Fault } from './rest/faults.js';
import { createRoutes } from './rest/routes.js';
import { Router } from './rest/router.js';
import { API_PREFIX, createRestListener } from './rest/server.js';
import type { RecordedRequest, RouteHandler } from './rest/server.js';
import { DISCORD_REQUEST_SPEC } from './spec/discord-requests.js';
import { validateRequest } from './spec/requests.js';
import { FakeState, snowflake } from './state.js';
import type { FakeChannel, FakeGuild, FakeUser, GuildInit, UserInit } from './state.js';
import { FakeWebhooks } from './webhooks.js';
import type { FakeWebhook } from './webhooks.js';

export interface FakeDiscordOptions {
  /** The bot token the fake accepts; a realistic one is made up when omitted (read it from `token`). */
  token?: string;
  botUsername?: string;
  applicationName?: string;
  /** The shard count GET /gateway/bot recommends. Default 1. */
  shards?: number;
  /** session_start_limit.max_concurrency: shards that may identify at once (discord.js waits 5 s otherwise). Default 16. */
  maxConcurrency?: number;
  /** Gateway heartbeat interval sent in HELLO. Default 41250 ms, as Discord; tests of zombie connections use less. */
  heartbeatIntervalMs?: number;
  /** Time an interaction may go unanswered before it is expired (later callbacks get 404 10062). Default 3000 ms. */
  interactionTimeoutMs?: number;
  /** Lifetime of an interaction token for edits and follow-ups. Default 15 minutes. */
  interactionTokenTtlMs?: number;
  /** The clock interaction deadlines and timestamps are read from; inject one to test expiry without waiting. */
  now?: () => number;
  /** Privileged intents the application is allowed (others close with 4014). Default: all three. */
  privilegedIntents?: number;
  /** Messages kept per channel. Default 1000. */
  messageHistoryLimit?: number;
  /** Interactions kept for callbacks and `interaction(id)`; past it the oldest are forgotten. Default 10000. */
  interactionLimit?: number;
  /** REST requests kept in `requests` (and in `unhandledRequests`, `internalErrors`). Default 1000. */
  requestLogLimit?: number;
  /** Dispatches a session keeps for RESUME. Default 1000. */
  resumeBufferLimit?: number;
  /** Port to listen on (127.0.0.1). Default: a free one. */
  port?: number;
  /** Keep each answer's JSON body in `requests[i].response`, for conformance checks. Default false. */
  recordResponses?: boolean;
}

/**
 * A fake Discord on 127.0.0.1: REST v10 over HTTP and gateway v10 over WebSocket on one random port, so the
 * real discord.js client (or a Lantern bot) can log in, receive interactions, and answer them offline.
 *
 * ```ts
 * const discord = await FakeDiscord.start();
 * const guild = discord.addGuild({ name: 'Test' });
 * const client = new Client({ intents: ['Guilds'], rest: discord.rest });
 * await client.login(discord.token);
 * ```
 */
export class FakeDiscord {
  readonly commands: CommandStore;
  readonly gateway: FakeGateway;
  readonly faults = new FaultInjector();
  /** The most recent REST requests, oldest first (at most `requestLogLimit`). */
  readonly requests: RecordedRequest[] = [];
  /** Requests to routes the fake does not serve; a non-empty list means a test touched something unmodelled. */
  readonly unhandledRequests: RecordedRequest[] = [];
  /** Errors inside the fake itself (answered 500); a non-empty list is a bug in the fake. */
  readonly internalErrors: unknown[] = [];
  readonly #state: FakeState;
  private readonly responder: InteractionResponder;
  private readonly webhookStore: FakeWebhooks;
  private readonly server: Server;
  /** What a `UserActor` may do: read the world and deliver interactions. */
  private readonly actorHost: ActorHost;
  // ES private fields: util.inspect and JSON.stringify never show them, unlike TypeScript's `private`.
  readonly #tokenDigest: Buffer;
  readonly #generatedToken: string | null;
  private readonly options: Required<Omit<FakeDiscordOptions, 'token'>>;
  /** The port the server listens on; set by `start()` before the instance is handed out. */
  private port = 0;

  private constructor({ token, ...options }: FakeDiscordOptions) {
    this.options = {
      botUsername: 'lantern-bot',
      applicationName: 'Lantern Bot',
      shards: 1,
      maxConcurrency: 16,
      heartbeatIntervalMs: 41_250,
      interactionTimeoutMs: 3000,
      interactionTokenTtlMs: 15 * 60_000,
      now: Date.now,
      privilegedIntents: GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent,
      messageHistoryLimit: 1000,
      requestLogLimit: 1000,
      interactionLimit: 10_000,
      resumeBufferLimit: 1000,
      port: 0,
      recordResponses: false,
      ...stripUndefined(options),
    };
    const o = this.options;
    this.#state = new FakeState({
      now: o.now,
      messageHistoryLimit: o.messageHistoryLimit,
      botUsername: o.botUsername,
      applicationName: o.applicationName,
    });
    // Only a digest of the token is kept: nothing the fake records or logs can contain it.
    this.#generatedToken = token === undefined ? makeBotToken(this.#state.botUser.id) : null;
    this.#tokenDigest = digest(token ?? this.#generatedToken ?? '');
    this.commands = new CommandStore(this.#state.application.id);
    this.actorHost = { state: this.#state, commands: this.commands, interact: (input) => this.deliver(input) };
    this.responder = new InteractionResponder(this.#state, {
      interactionTimeoutMs: o.interactionTimeoutMs,
      interactionTokenTtlMs: o.interactionTokenTtlMs,
      interactionLimit: o.interactionLimit,
    });
    this.webhookStore = new FakeWebhooks(this.#state, () => this.apiUrl);
    const verifyToken = (token: unknown): boolean => typeof token === 'string' && timingSafeEqual(digest(token), this.#tokenDigest);
    this.gateway = new FakeGateway(this.#state, {
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      privilegedIntents: o.privilegedIntents,
      resumeBufferLimit: o.resumeBufferLimit,
      verifyToken,
      gatewayUrl: () => this.gatewayUrl,
    });
    const routes = createRoutes({
      state: this.#state,
      commands: this.commands,
      responder: this.responder,
      webhooks: this.webhookStore,
      gatewayUrl: () => this.gatewayUrl,
      shardCount: o.shards,
      maxConcurrency: o.maxConcurrency,
    });
    this.server = createServer(
      createRestListener({
        state: this.#state,
        router: new Router<RouteHandler>(routes),
        faults: this.faults,
        verifyToken,
        recordResponses: o.recordResponses,
        validate: (method, template, body, query) => validateRequest(DISCORD_REQUEST_SPEC, method, template, body, query),
        onRequest: (request) => {
          pushBounded(this.requests, request, o.requestLogLimit);
          if (request.route === null) pushBounded(this.unhandledRequests, request, o.requestLogLimit);
        },
        onInternalError: (error) => {
          pushBounded(this.internalErrors, error, o.requestLogLimit);
        },
      }),
    );
    this.server.on('upgrade', (request, socket, head) => {
      this.gateway.handleUpgrade(request, socket, head);
    });
  }

  /** Creates a fake Discord and starts listening. */
  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const discord = new FakeDiscord(options);
    await discord.listen();
    return discord;
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.#state.baseUrl = this.baseUrl;
  }

  /** Closes every connection, hanging requests included, and the port. */
  async stop(): Promise<void> {
    await this.gateway.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  /** The bot token to log in with (only when the fake made it up; otherwise you already have yours). */
  get token(): string {
    if (this.#generatedToken === null)
      throw new FakeDiscordError(
        'LANTERN_ERR_FAKE_TOKEN_NOT_KEPT',
        'This fake was given its token in the options and keeps only a digest of it',
      );
    return this.#generatedToken;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${String(this.port)}`;
  }

  /** `${baseUrl}/api/v10`, where the REST routes live. */
  get apiUrl(): string {
    return `${this.baseUrl}${API_PREFIX}`;
  }

  get gatewayUrl(): string {
    return this.baseUrl.replace(/^http/, 'ws');
  }

  /**
   * discord.js REST options pointing at this fake: spread into `new Client({ rest: discord.rest })`.
   * `offset: 0` makes rate-limit waits exact instead of 50 ms longer.
   */
  get rest(): { api: string; offset: number } {
    return { api: `${this.baseUrl}/api`, offset: 0 };
  }

  get botUser(): FakeUser {
    return this.#state.botUser;
  }

  get applicationId(): string {
    return this.#state.application.id;
  }

  addUser(init: UserInit): FakeUser {
    return this.#state.addUser(init);
  }

  /** Adds a guild (with a `general` channel unless `channels` says otherwise) and the bot as its member. */
  addGuild(init: GuildInit): FakeGuild {
    return this.#state.addGuild(init);
  }

  /** The application's owners: one user, or several (a team), as GET /applications/@me reports them. */
  setOwners(owners: FakeUser[]): void {
    if (!Array.isArray(owners)) throw new TypeError('setOwners takes an array of users: setOwners([alice])');
    if (owners.length === 0) throw new RangeError('An application has at least one owner');
    this.#state.application.owners = owners;
  }

  get owners(): readonly FakeUser[] {
    return this.#state.application.owners;
  }

  /** Acts as `user`: in their DM with the bot, or in `channel`. */
  as(user: FakeUser, channel?: FakeChannel): UserActor {
    const actor = new UserActor(this.actorHost, user, this.#state.dmChannel(user));
    return channel ? actor.in(channel) : actor;
  }

  user(id: string): FakeUser {
    return this.#state.user(id);
  }

  guild(id: string): FakeGuild {
    return this.#state.guild(id);
  }

  channel(id: string): FakeChannel {
    return this.#state.channel(id);
  }

  /** The message with this id as it is now (channel messages and ephemeral responses), while the fake keeps it. */
  message(id: string): APIMessage | undefined {
    return this.#state.message(id);
  }

  /** The DM channel between the bot and `user`. */
  dmChannel(user: FakeUser): FakeChannel {
    return this.#state.dmChannel(user);
  }

  /**
   * Creates a channel webhook whose executions are recorded on it; `applicationOwned` makes it the bot
   * application's, as one the bot created (only those may post buttons).
   */
  addWebhook(channel: FakeChannel, name = 'Webhook', { applicationOwned = false }: { applicationOwned?: boolean } = {}): FakeWebhook {
    return this.webhookStore.create(channel, name, applicationOwned ? this.#state.application.id : null);
  }

  /** Deletes a webhook, as its channel's settings do: later requests to it answer 404 10015 Unknown Webhook. */
  deleteWebhook(webhook: FakeWebhook): void {
    this.webhookStore.delete(webhook.id);
  }

  /** Makes matching REST requests fail; see `DiscordFaults` for Discord's usual answers. */
  failNext(fault: Fault): void {
    this.faults.inject(fault);
  }

  /** An interaction by id, among the last `interactionLimit`. */
  interaction(id: string): InteractionHandle | undefined {
    return this.responder.get(id);
  }

  /** Delivers an interaction over the gateway to the shard that holds its guild (shard 0 for DMs). */
  private deliver(input: Parameters<ActorHost['interact']>[0]): InteractionHandle {
    if (!this.gateway.hasSessionFor(input.channel.guildId)) {
      throw new FakeDiscordError(
        'LANTERN_ERR_FAKE_NOT_CONNECTED',
        `No bot session holds the shard for ${input.channel.guildId ? `guild ${input.channel.guildId}` : 'DMs'}: ` +
          `log the client in and wait for ready first`,
      );
    }
    const id = snowflake(this.#state.now());
    const token = interactionToken(id);
    const payload = interactionPayload(this.#state, { ...input, id, token });
    const handle = this.responder.register({ ...input, id, token, payload, createdAt: this.#state.now() });
    this.#state.dispatch('INTERACTION_CREATE', payload, input.channel.guildId, null);
    return handle;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Discord bot tokens are `base64(bot id).base64(timestamp).hmac`; ours look the same so redaction tests are honest. */
function makeBotToken(botId: string): string {
  return `${Buffer.from(botId).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(28).toString('base64url')}`;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.shift();
}
