import { randomBytes } from 'node:crypto';
import type { APIMessage, APIWebhook } from 'discord-api-types/v10';
import { WebhookType } from 'discord-api-types/v10';
import { UNKNOWN_MESSAGE, UNKNOWN_WEBHOOK } from './discord-error.js';
import { readMessageFields } from './messages.js';
import type { IncomingFile } from './messages.js';
import { snowflake } from './state.js';
import type { FakeChannel, FakeState } from './state.js';

/** A channel webhook; `url` is what a bot would be configured with. */
export class FakeWebhook {
  readonly id = snowflake();
  /** 68 characters, like Discord's webhook tokens. */
  readonly token = randomBytes(51).toString('base64url');
  /** Every message executed through this webhook, oldest first. */
  readonly executions: APIMessage[] = [];

  constructor(
    readonly channel: FakeChannel,
    readonly name: string,
    private readonly apiBase: () => string,
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
      application_id: null,
    };
  }
}

export class FakeWebhooks {
  private readonly byId = new Map<string, FakeWebhook>();

  constructor(
    private readonly state: FakeState,
    private readonly apiBase: () => string,
  ) {}

  create(channel: FakeChannel, name: string): FakeWebhook {
    const webhook = new FakeWebhook(channel, name, this.apiBase);
    this.byId.set(webhook.id, webhook);
    return webhook;
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

  execute(id: string, token: string, body: Record<string, unknown>, files: readonly IncomingFile[]): APIMessage {
    const webhook = this.get(id, token);
    const { fields } = readMessageFields(this.state, body, files);
    const username = typeof body.username === 'string' ? body.username : webhook.name;
    const message = this.state.createMessage(webhook.channel, {
      author: { id: webhook.id, username, discriminator: '0000', global_name: null, avatar: null, bot: true },
      ...fields,
      webhookId: webhook.id,
    });
    webhook.executions.push(message);
    return message;
  }

  message(id: string, token: string, messageId: string): APIMessage {
    const message = this.get(id, token).executions.find((m) => m.id === messageId);
    if (!message || this.state.isDeleted(message)) throw UNKNOWN_MESSAGE();
    return message;
  }
}
