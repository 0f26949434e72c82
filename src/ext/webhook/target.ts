import { WebhookUrlError } from './errors.js';

/** Where reports go: the webhook's id and token (a secret), and the thread of a forum or text channel, if any. */
export interface WebhookTarget {
  readonly id: string;
  readonly token: string;
  readonly threadId: string | undefined;
}

/** Discord's hosts for the app and its canary and PTB builds, on both of its domains. */
const DISCORD_HOSTS = new Set(['discord.com', 'discordapp.com'].flatMap((domain) => [domain, `canary.${domain}`, `ptb.${domain}`]));
/** `/webhooks/<id>/<token>`, after an optional `/api` or `/api/v10`. */
const WEBHOOK_PATH = /^(?:\/api(?:\/v\d+)?)?\/webhooks\/([^/]+)\/([^/]+)\/?$/;
const SNOWFLAKE = /^\d{17,20}$/;
/** Discord's webhook tokens are 68 characters of base64url; anything else is a copy-and-paste accident. */
const TOKEN = /^[\w-]{30,200}$/;

/**
 * Reads the webhook from the options: a URL copied from Discord (`https://discord.com/api/webhooks/<id>/<token>`,
 * on discordapp.com, canary or ptb, with or without `/api/vN`, with `?thread_id=` for a thread) or an `id` and
 * `token`. Throws a WebhookUrlError saying what is wrong, never what the token is.
 */
export function parseWebhookTarget(options: { url?: unknown; id?: unknown; token?: unknown }): WebhookTarget {
  const { url, id, token } = options;
  if (url !== undefined) {
    if (id !== undefined || token !== undefined) throw new WebhookUrlError('is given twice: pass either `url` or `id` and `token`');
    return fromUrl(url);
  }
  if (typeof id !== 'string' || typeof token !== 'string') throw new WebhookUrlError('needs both `id` and `token` (strings)');
  return checked(id, token, undefined);
}

function fromUrl(url: unknown): WebhookTarget {
  if (typeof url !== 'string') throw new WebhookUrlError('URL must be a string');
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new WebhookUrlError('URL is not a URL');
  }
  if (parsed.protocol !== 'https:') throw new WebhookUrlError('URL must start with https://');
  // The host is safe to name (the token is in the path); it says at once which part was pasted wrong.
  if (!DISCORD_HOSTS.has(parsed.hostname.toLowerCase()))
    throw new WebhookUrlError(`URL's host ${parsed.hostname} is not Discord's (discord.com, discordapp.com, or their canary and ptb)`);
  const match = WEBHOOK_PATH.exec(parsed.pathname);
  if (!match) throw new WebhookUrlError("URL's path is not /api/webhooks/<id>/<token>");
  const threadId = parsed.searchParams.get('thread_id') ?? undefined;
  if (threadId !== undefined && !SNOWFLAKE.test(threadId)) throw new WebhookUrlError("URL's thread_id is not a Discord id");
  return checked(decodeURIComponent(match[1] ?? ''), decodeURIComponent(match[2] ?? ''), threadId);
}

function checked(id: string, token: string, threadId: string | undefined): WebhookTarget {
  if (!SNOWFLAKE.test(id)) throw new WebhookUrlError('id is not a Discord id (17 to 20 digits)');
  if (!TOKEN.test(token)) throw new WebhookUrlError('token does not look like a webhook token (letters, digits, - and _, 68 of them)');
  return { id, token, threadId };
}
