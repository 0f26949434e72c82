import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { causeChain } from './causes.js';
import { errorType } from './format.js';

/** Error codes of a connection that failed or stalled, from Node and from undici (discord.js's HTTP client). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);
/** discord.js aborts a request that outlives its REST timeout: an `AbortError`, a network failure for our purpose. */
const NETWORK_NAMES = new Set(['AbortError', 'ConnectTimeoutError', 'HeadersTimeoutError', 'BodyTimeoutError', 'SocketError']);

/** How an error is grouped and tagged, worked out before the SDK builds an event for it. */
export interface Grouping {
  /** The Sentry fingerprint, set for Discord failures only; other errors keep Sentry's own grouping. */
  readonly fingerprint: string[] | undefined;
  /** Identifies the group for storm control: equal keys are "the same error again". */
  readonly key: string;
  /** `failure` (`discord_api_error`, `discord_server_error`, `discord_rate_limited`, `network`), `discord_code`, `discord_status`. */
  readonly tags: Record<string, string>;
  /** What Discord said, as the `discord` context. */
  readonly discord: Record<string, unknown> | undefined;
}

/**
 * Groups a failure cheaply (no event is built): a Discord error, itself or as a cause, by its code (or status),
 * method and route template, so one missing permission is one issue whichever channel it happened in; anything
 * else by source, type and the frame that threw, which is what Sentry's stack-based grouping sees too.
 */
export function groupError(source: string, error: Error): Grouping {
  const chain = causeChain(error);
  const discordError = chain.find((e) => e instanceof DiscordAPIError || e instanceof HTTPError || e instanceof RateLimitError);
  const wrapper = discordError && discordError !== error ? [errorType(error)] : [];
  if (discordError instanceof DiscordAPIError) {
    const route = routeTemplate(discordError.url);
    const fingerprint = [...wrapper, 'discord-api-error', String(discordError.code), discordError.method.toUpperCase(), route];
    return {
      fingerprint,
      key: fingerprint.join(' '),
      tags: {
        failure: discordError.status >= 500 ? 'discord_server_error' : 'discord_api_error',
        discord_code: String(discordError.code),
        discord_status: String(discordError.status),
      },
      discord: discordContext(discordError, route),
    };
  }
  if (discordError instanceof HTTPError) {
    const route = routeTemplate(discordError.url);
    const fingerprint = [...wrapper, 'discord-http-error', String(discordError.status), discordError.method.toUpperCase(), route];
    return {
      fingerprint,
      key: fingerprint.join(' '),
      tags: { failure: 'discord_server_error', discord_status: String(discordError.status) },
      discord: { status: discordError.status, method: discordError.method.toUpperCase(), route },
    };
  }
  if (discordError instanceof RateLimitError) {
    const route = routeTemplate(discordError.route);
    const fingerprint = [...wrapper, 'discord-rate-limited', discordError.method.toUpperCase(), route];
    return {
      fingerprint,
      key: fingerprint.join(' '),
      tags: { failure: 'discord_rate_limited' },
      discord: { method: discordError.method.toUpperCase(), route, global: discordError.global, retry_after_ms: discordError.retryAfter },
    };
  }
  const network = chain.some(isNetworkFailure);
  return {
    fingerprint: undefined,
    key: `${source} ${errorType(error)} ${throwingFrame(error)}`,
    tags: network ? { failure: 'network' } : {},
    discord: undefined,
  };
}

/**
 * What Discord said about a refused request. Its field errors (a 50035's tree, `{ options: { 0: { name: { _errors:
 * [...] } } } }`) become one line per field, `options.0.name: BASE_TYPE_BAD_LENGTH Must be between 1 and 32 in length.`:
 * nested that deep, a tracker's depth limit (Sentry's is 3) would cut exactly the fields that failed.
 */
function discordContext(error: DiscordAPIError, route: string): Record<string, unknown> {
  const { errors, ...said } = error.rawError as { errors?: unknown };
  const fields = fieldErrors(errors, []);
  return {
    code: error.code,
    status: error.status,
    method: error.method.toUpperCase(),
    route,
    ...said,
    ...(fields.length > 0 ? { errors: fields } : {}),
  };
}

/** Deeper than any form Discord validates; past it a hostile tree is not followed. */
const MAX_FIELD_DEPTH = 16;

function fieldErrors(node: unknown, path: readonly string[]): string[] {
  if (node === null || typeof node !== 'object' || path.length > MAX_FIELD_DEPTH) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    if (key !== '_errors') return fieldErrors(value, [...path, key]);
    if (!Array.isArray(value)) return [];
    return value.map((entry: { code?: unknown; message?: unknown } | null) => {
      const { code, message } = entry ?? {};
      return `${path.join('.') || '(body)'}: ${String(code)} ${String(message)}`;
    });
  });
}

/** A URL's origin and Discord's `/api/v10` prefix. */
const ORIGIN_AND_API_PREFIX = /^(?:[a-z]+:\/\/[^/]+)?(?:\/api(?:\/v\d+)?(?=\/|$))?/i;
/** A webhook's or interaction's id and token, a reaction's emoji, or an id. */
const ROUTE_PARAMETERS = /\/(?:(webhooks|interactions)\/\d{15,21}\/[^/]+|(reactions)\/[^/]+|\d{15,21}(?=\/|$))/g;

/**
 * A Discord URL or path as its route: `/channels/:id/messages`, `/interactions/:id/:token/callback`. Ids, tokens,
 * emojis and the query go, so the template is the same for every call of one endpoint and holds no secret.
 */
export function routeTemplate(urlOrPath: string): string {
  const end = urlOrPath.search(/[?#]/);
  const path = (end === -1 ? urlOrPath : urlOrPath.slice(0, end)).replace(ORIGIN_AND_API_PREFIX, '');
  // One pass (it runs on every REST call for breadcrumbs): a token after a webhook or interaction id, an emoji, an id.
  return path.replace(ROUTE_PARAMETERS, (_match, owner: string | undefined, reaction: string | undefined) =>
    owner ? `/${owner}/:id/:token` : reaction ? '/reactions/:emoji' : '/:id',
  );
}

function isNetworkFailure(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return NETWORK_NAMES.has(error.name) || (typeof code === 'string' && NETWORK_CODES.has(code));
}

/** The stack's first `at` line: where the error was thrown. */
function throwingFrame(error: Error): string {
  const stack = error.stack ?? '';
  const start = stack.indexOf('\n    at ');
  if (start === -1) return '';
  const end = stack.indexOf('\n', start + 1);
  return stack.slice(start + 1, end === -1 ? undefined : end).trim();
}
