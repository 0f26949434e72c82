import type { APIMessage } from 'discord-api-types/v10';
import type { Client, ClientOptions } from '../../../src/index.js';
import webhook from '../../../src/ext/webhook/index.js';
import type { WebhookOptions } from '../../../src/ext/webhook/index.js';
import { FakeClock } from '../../../src/testing/index.js';
import type { FakeDiscord, FakeWebhook, RecordedRequest } from '../../../src/testing/index.js';
import { startBot, startFake } from '../../support/bot.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const START = Date.parse('2026-12-01T09:00:00Z');
export const EXECUTE_ROUTE = '/webhooks/:webhook_id/:webhook_token';

export interface ReporterSetup {
  /** Options for the extension besides the webhook (which is the fake's). */
  options?: WebhookOptions;
  client?: ClientOptions;
  /** The webhook is the bot application's own (its messages may carry buttons). */
  applicationOwned?: boolean;
  /** Runs before the extension loads (a tracker, commands). */
  before?: (bot: Client) => unknown;
}

/**
 * A bot on a fake Discord whose clock (and the fake's) is a FakeClock, with lantern/ext/webhook posting to a
 * webhook of the fake's #errors channel. alice owns the bot; bob does not.
 */
export async function reporterBot(setup: ReporterSetup = {}) {
  const clock = new FakeClock(START);
  const discord = await startFake({ now: () => clock.now() });
  const alice = discord.addUser({ username: 'alice' });
  const bob = discord.addUser({ username: 'bob' });
  discord.setOwners([alice]);
  const guild = discord.addGuild({ name: 'HQ', members: [alice, bob] });
  const channel = guild.addChannel({ name: 'errors' });
  const hook = discord.addWebhook(channel, 'Errors', { applicationOwned: setup.applicationOwned ?? false });
  const started = await startBot(discord, { clock, ...setup.client }, async (bot) => {
    await setup.before?.(bot);
    await bot.loadExtension(webhook, { id: hook.id, token: hook.token, ...setup.options });
  });
  const { bot } = started;
  /** Moves both clocks forward a second at a time, letting the reporter's requests finish after each second. */
  const pass = async (ms: number, eachSecond: (elapsed: number) => unknown = () => undefined) => {
    for (let elapsed = 0; elapsed < ms; elapsed += SECOND) {
      await eachSecond(elapsed);
      await clock.advance(SECOND);
      await bot.idle();
    }
  };
  return { ...started, clock, discord, alice, bob, guild, channel, hook, pass, executes: () => executesOf(discord, hook) };
}

/** The requests that executed (or tried to execute) the webhook, oldest first. */
export function executesOf(discord: FakeDiscord, hook: FakeWebhook): RecordedRequest[] {
  return discord.requests.filter((r) => r.route === EXECUTE_ROUTE && r.method === 'POST' && r.path.startsWith(`/webhooks/${hook.id}/`));
}

/** Everything a message shows, as one text: content, embed titles, descriptions, fields and footers. */
export function textOf(message: APIMessage): string {
  return [
    message.content,
    ...message.embeds.flatMap((embed) => [
      embed.title ?? '',
      embed.description ?? '',
      ...(embed.fields ?? []).flatMap((field) => [field.name, field.value]),
      embed.footer?.text ?? '',
    ]),
  ].join('\n');
}

/** Whether a post is a digest (its first embed's title says so). */
export function isDigest(message: APIMessage): boolean {
  return message.embeds[0]?.title?.startsWith('Digest') ?? false;
}

/** An error of kind `kind` thrown from one place, so that each kind is one issue (its source differs). */
export function failure(kind: number, message = `import step ${String(kind)} failed`): Error {
  return kind % 2 === 0 ? new TypeError(message) : new RangeError(message);
}

/** The buttons on a message, by label and custom id. */
export function buttonsOf(message: APIMessage): { label: string; customId: string }[] {
  const rows = (message.components ?? []) as unknown as { components?: { label?: string; custom_id?: string }[] }[];
  return rows.flatMap((row) => row.components ?? []).map((button) => ({ label: button.label ?? '', customId: button.custom_id ?? '' }));
}
