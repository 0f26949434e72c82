import { randomBytes } from 'node:crypto';
import type { APIMessage, APIWebhook } from 'discord-api-types/v10';
import { WebhookType } from 'discord-api-types/v10';
import { DiscordApiFailure, UNKNOWN_MESSAGE, UNKNOWN_WEBHOOK } from './discord-error.js';
import { readMessageFields } from './messages.js';
import type { IncomingFile } from './messages.js';
import { snowflake, webhookAuthor } from './state.js';
import type { FakeChannel, FakeState } from './state.js';

/** A channel webhook; `url` is what a bot would be configured with. */
export class FakeWebhook {
  readonly id = snowflake();
  /** 68 characters, like Discord's webhook tokens. */
  readonly token = randomBytes(51).toString('base64url');
  /** Every message executed through this webhook, oldest first. */
  readonly executions: APIMessage[] = [];

  /** Its bucket's window: executes counted since `start` (Discord allows 5 per 2 s and says so in its headers). */
  readonly bucket = { start: Number.NEGATIVE_INFINITY, count: 0 };

  constructor(
    readonly channel: FakeChannel,
    readonly name: string,
    private readonly apiBase: () => string,
    /** The application that made it (through the bot's `POST /channels/:id/webhooks`); null for one a user made. */
    readonly applicationId: string | null = null,
  ) {}

  get url(): string {
    return `${this.apiBase()}/webhooks/${this.id}/${this.token}`;
  }

  toAPI(): APIWebhook {
    return {
      id: this.id,
      type: WebhookType.Incoming,
      token: this.token,
      name: this.name,
      avatar: null,
      channel_id: this.channel.id,
      guild_id: this.channel.guildId ?? undefined,
      application_id: this.applicationId,
    };
  }
}

/** Discord's webhook limits: 5 executes per 2 s per webhook (in the headers), about 30 a minute per channel (not). */
const WEBHOOK_BUCKET = { limit: 5, windowMs: 2000 };
const CHANNEL_LIMIT = { limit: 30, windowMs: 60_000 };

/** A 429 with the body and headers Discord sends; `scope` is `shared` for the per-channel limit. */
export class RateLimitedFailure extends DiscordApiFailure {
  override readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly retryAfterS: number,
    scope: 'user' | 'shared',
    bucket: Readonly<Record<string, string>> = {},
  ) {
    super(429, 0, 'You are being rate limited.');
    this.headers = { 'retry-after': String(retryAfterS), 'x-ratelimit-scope': scope, ...bucket };
  }

  override toBody(): Record<string, unknown> {
    return { message: this.message, retry_after: this.retryAfterS, global: false };
  }
}

export class FakeWebhooks {
  private readonly byId = new Map<string, FakeWebhook>();
  /** Execute times per channel, for the per-channel limit. */
  private readonly channelPosts = new Map<string, number[]>();

  constructor(
    private readonly state: FakeState,
    private readonly apiBase: () => string,
  ) {}

  create(channel: FakeChannel, name: string, applicationId: string | null = null): FakeWebhook {
    const webhook = new FakeWebhook(channel, name, this.apiBase, applicationId);
    this.byId.set(webhook.id, webhook);
    return webhook;
  }

  /** Deletes the webhook: every later use of it answers 404 10015, as on Discord. */
  delete(id: string, token?: string): void {
    if (token !== undefined) this.get(id, token);
    if (!this.byId.delete(id)) throw UNKNOWN_WEBHOOK();
  }

  /** The channel's webhooks, oldest first, as GET /channels/:id/webhooks lists them (tokens included, as Discord does). */
  inChannel(channel: FakeChannel): FakeWebhook[] {
    return [...this.byId.values()].filter((webhook) => webhook.channel === channel);
  }

  get(id: string, token: string): FakeWebhook {
    const webhook = this.byId.get(id);
    if (webhook?.token !== token) throw UNKNOWN_WEBHOOK();
    return webhook;
  }

  /**
   * Posts a message as the webhook, within Discord's limits (a 429 past them) and with its bucket's headers.
   * Components count only with `with_components=true`, and only an application's own webhook may send ones a user
   * clicks.
   */
  execute(
    id: string,
    token: string,
    body: Record<string, unknown>,
    files: readonly IncomingFile[],
    { withComponents = false }: { withComponents?: boolean } = {},
  ): { message: APIMessage; headers: Record<string, string> } {
    const webhook = this.get(id, token);
    const headers = this.admit(webhook);
    const { components, ...rest } = body;
    // Components a user acts on (they have a custom id, a link button has none) need an application's own webhook.
    if (withComponents && webhook.applicationId === null && JSON.stringify(components ?? []).includes('"custom_id"'))
      throw DiscordApiFailure.invalidForm([
        { path: 'components', code: 'COMPONENT_INVALID', message: 'Interactive components need an application-owned webhook' },
      ]);
    const username = typeof body.username === 'string' ? body.username : webhook.name;
    // Discord keeps its own names for itself: a webhook may not pose as Discord or its old bot, Clyde.
    const reserved = ['discord', 'clyde'].find((word) => username.toLowerCase().includes(word));
    if (reserved !== undefined)
      throw DiscordApiFailure.invalidForm([
        { path: 'username', code: 'USERNAME_INVALID_CONTAINS', message: `Username cannot contain "${reserved}"` },
      ]);
    const { fields } = readMessageFields(this.state, withComponents ? body : rest, files);
    const message = this.state.createMessage(webhook.channel, {
      author: webhookAuthor(webhook.id, username),
      ...fields,
      webhookId: webhook.id,
    });
    webhook.executions.push(message);
    return { message, headers };
  }

  /** Counts an execute against the webhook's bucket and its channel's limit; throws the 429 when either is spent. */
  private admit(webhook: FakeWebhook): Record<string, string> {
    const now = this.state.now();
    const { bucket } = webhook;
    if (now >= bucket.start + WEBHOOK_BUCKET.windowMs) Object.assign(bucket, { start: now, count: 0 });
    const resetAt = bucket.start + WEBHOOK_BUCKET.windowMs;
    const headers = (remaining: number) => ({
      'x-ratelimit-limit': String(WEBHOOK_BUCKET.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(resetAt / 1000),
      'x-ratelimit-reset-after': String((resetAt - now) / 1000),
      'x-ratelimit-bucket': `webhook-${webhook.id.slice(-6)}`,
    });
    if (bucket.count >= WEBHOOK_BUCKET.limit) throw new RateLimitedFailure((resetAt - now) / 1000, 'user', headers(0));
    const posts = (this.channelPosts.get(webhook.channel.id) ?? []).filter((at) => at > now - CHANNEL_LIMIT.windowMs);
    this.channelPosts.set(webhook.channel.id, posts);
    if (posts.length >= CHANNEL_LIMIT.limit)
      throw new RateLimitedFailure(((posts[0] ?? now) + CHANNEL_LIMIT.windowMs - now) / 1000, 'shared');
    posts.push(now);
    bucket.count++;
    return headers(WEBHOOK_BUCKET.limit - bucket.count);
  }

  message(id: string, token: string, messageId: string): APIMessage {
    const message = this.get(id, token).executions.find((m) => m.id === messageId);
    if (!message || this.state.isDeleted(message)) throw UNKNOWN_MESSAGE();
    return message;
  }
}
