import { Webhook } from 'discord.js';
import type { Client as DiscordClient } from 'discord.js';
import type { Redactor } from '../errors/redact.js';

/** Each Lantern bot's discord.js client, and the redactor that learns the webhook tokens it sees. */
const redactorOf = new WeakMap<object, Redactor>();
/** Marks the `Webhook` prototype this copy of Lantern has wrapped (another copy in the process wraps its own way). */
const WRAPPED = Symbol('lantern.webhookTokens');

interface WebhookPrototype {
  _patch?: (this: { readonly client?: object }, data: { readonly token?: unknown }) => unknown;
  [WRAPPED]?: true;
}

/**
 * Teaches `redactor` the token of every webhook `discord` creates or fetches (`createWebhook`, `fetchWebhooks`,
 * `fetchWebhook`, `edit`): the token comes back in Discord's answer, and once it appears alone (a bot that
 * stores or prints it) it has no shape to recognise it by. discord.js builds every `Webhook` from such an answer
 * through its `_patch`, wrapped here once per process; a webhook of a client no Lantern bot owns is left alone.
 */
export function learnWebhookTokens(discord: DiscordClient, redactor: Redactor): void {
  redactorOf.set(discord, redactor);
  const prototype = Webhook.prototype as unknown as WebhookPrototype;
  const original = prototype._patch;
  if (typeof original !== 'function' || prototype[WRAPPED]) return;
  prototype[WRAPPED] = true;
  prototype._patch = function learnToken(data) {
    const result = original.call(this, data);
    if (typeof data.token === 'string' && this.client) redactorOf.get(this.client)?.learnToken(data.token, 'WEBHOOK TOKEN');
    return result;
  };
}
