import type { ErrorEvent as SentryEvent, EventHint, NodeClient, NodeOptions } from '@sentry/node';
import type { ErrorEvent } from '../../events/types.js';
import type { Log } from '../../log/log.js';
import { summarizeError } from '../../errors/format.js';
import type { Redactor } from '../../errors/redact.js';
import { redactEnvelope } from './redact-envelope.js';
import { fitForRelay } from './relay.js';
import { timedHttp } from './transport.js';
import type { TimedHttp } from './transport.js';

export type Sdk = typeof import('@sentry/node');
type Integration = ReturnType<Sdk['getDefaultIntegrations']>[number];

/** The hint `filter` gets: Sentry's, plus the Lantern `Error` event the Sentry event was made from (if it was). */
export interface SentryFilterHint extends EventHint {
  readonly lantern?: ErrorEvent;
}

/** Decides what is sent: the event (changed or not) to send it, `null` to drop it. */
export type SentryFilter = (event: SentryEvent, hint: SentryFilterHint) => SentryEvent | null | PromiseLike<SentryEvent | null>;

/** The Sentry SDK's options that the extension passes through, with a plain `stackParser` (a function). */
export type SentryClientOptions = Omit<NodeOptions, 'dsn' | 'stackParser'> & {
  stackParser?: Extract<NodeOptions['stackParser'], (...args: never[]) => unknown>;
};

/**
 * Default integrations a bot must not have. Lantern dispatches unhandled rejections and uncaught exceptions as
 * `Error` events (which the extension captures), so Sentry's own handlers would report them twice and could end
 * the process. Dedupe drops an error equal to the previous one, which would leave the user who quotes its
 * reference with an id Sentry never received; storm control bounds repeats instead. ProcessSession counts the
 * process as one release-health session, which says nothing about a bot that survives its errors, and leaves a
 * `beforeExit` listener per client that closing does not remove.
 */
const UNWANTED_DEFAULTS = new Set(['OnUncaughtException', 'OnUnhandledRejection', 'Dedupe', 'ProcessSession']);

/** Lantern's own error log line, which repeats the `Error` event the extension has already captured. */
const LANTERN_ERROR_LINE = '[lantern] Error in ';

export interface ClientSettings {
  readonly dsn: string;
  readonly sentry: SentryClientOptions;
  readonly filter: SentryFilter | undefined;
  readonly requestTimeoutMs: number;
  readonly redactor: Redactor;
  readonly log: Log;
}

/**
 * A Sentry client for one bot, built as `Sentry.init` builds its own but without making it global state the
 * bot depends on: several bots (or test files) in one process each have theirs. Defaults are a bot's: no
 * loader-hook thread (`enableRuntimeChannelInjection`), no OpenTelemetry setup, a request timeout, no process
 * handlers. Every envelope is redacted just before it is sent.
 */
export function createClient(sdk: Sdk, settings: ClientSettings): { client: NodeClient; http: TimedHttp } {
  const { sentry, dsn } = settings;
  const http = timedHttp(sentry.tunnel ?? dsn, settings.requestTimeoutMs);
  const integrations = chooseIntegrations(sdk, sentry);
  const client = new sdk.NodeClient({
    ...sentry,
    dsn,
    // As Sentry.init reads them: the SDK's client alone does not.
    environment: sentry.environment ?? process.env.SENTRY_ENVIRONMENT,
    release: sentry.release ?? sdk.getSentryRelease(),
    enableRuntimeChannelInjection: sentry.enableRuntimeChannelInjection ?? false,
    enableOpenTelemetrySetup: sentry.enableOpenTelemetrySetup ?? false,
    sendClientReports: sentry.sendClientReports ?? true,
    transport: sentry.transport ?? sdk.makeNodeTransport,
    transportOptions: { ...sentry.transportOptions, httpModule: sentry.transportOptions?.httpModule ?? http.module },
    stackParser: sentry.stackParser ?? sdk.defaultStackParser,
    integrations,
    beforeSend: beforeSend(sentry.beforeSend, settings),
    beforeBreadcrumb: (breadcrumb, hint) => {
      if (breadcrumb.category === 'console' && breadcrumb.message?.startsWith(LANTERN_ERROR_LINE)) return null;
      const kept = sentry.beforeBreadcrumb ? sentry.beforeBreadcrumb(breadcrumb, hint) : breadcrumb;
      // Redacted here, before the scope cuts a message at 2,048 characters: a cut secret could not be found later.
      if (typeof kept?.message === 'string') kept.message = settings.redactor.redact(kept.message);
      return kept;
    },
  });
  client.on('beforeEnvelope', (envelope) => {
    redactEnvelope(envelope, settings.redactor);
  });
  return { client, http };
}

/** The default integrations minus the unwanted ones, then the user's, as `Sentry.init` combines them. */
function chooseIntegrations(sdk: Sdk, sentry: SentryClientOptions): Integration[] {
  const defaults = sentry.defaultIntegrations === false ? [] : (sentry.defaultIntegrations ?? botDefaults(sdk, sentry));
  const chosen = sentry.integrations;
  if (typeof chosen === 'function') return chosen(defaults);
  if (!chosen) return defaults;
  const replaced = new Set(chosen.map((integration) => integration.name));
  return [...defaults.filter((integration) => !replaced.has(integration.name)), ...chosen];
}

/**
 * Sentry's defaults for a bot. Fetch breadcrumbs are off: undici (discord.js's HTTP client, and `fetch`) reports a
 * response in the async context of whoever opened the (pooled) connection, not of the request (measured: with 10
 * concurrent commands each making requests, most events lacked breadcrumbs of their own requests).
 * Discord's calls are recorded by the extension instead (`discord.rest` breadcrumbs, from discord.js's own events).
 * Without tracing the fetch integration goes altogether: all it would still do is put trace headers on every
 * request to Discord, which ignores them, at a cost measured on every REST call (`npm run bench`).
 * The http integration counts every request an HTTP server in the process serves (a health check, a dashboard) as a
 * release-health session, as for a web server; a bot has no sessions, so it is kept without them.
 */
function botDefaults(sdk: Sdk, sentry: SentryClientOptions): Integration[] {
  const tracing = sentry.tracesSampleRate !== undefined || sentry.tracesSampler !== undefined;
  return sdk
    .getDefaultIntegrations(sentry)
    .filter((integration) => !UNWANTED_DEFAULTS.has(integration.name) && (tracing || integration.name !== 'NodeFetch'))
    .map((integration) => {
      if (integration.name === 'NodeFetch') return sdk.nativeNodeFetchIntegration({ breadcrumbs: false });
      if (integration.name === 'Http') return sdk.httpIntegration({ sessions: false });
      return integration;
    });
}

/**
 * Lantern's log duplicates are dropped, then the user's `beforeSend` and `filter` decide, and what is kept is fitted
 * to Relay's limits. A filter that throws drops the event.
 */
function beforeSend(
  userBeforeSend: SentryClientOptions['beforeSend'],
  { filter, log, redactor }: ClientSettings,
): NonNullable<NodeOptions['beforeSend']> {
  return async (event, hint) => {
    if (event.logger === 'console' && event.message?.startsWith(LANTERN_ERROR_LINE)) return null;
    try {
      const kept = userBeforeSend ? await userBeforeSend(event, hint) : event;
      const filtered = kept && filter ? await filter(kept, hint) : kept;
      return filtered && fitForRelay(filtered);
    } catch (error) {
      log.warn(`Sentry: the event filter threw, so the event was not sent: ${summarizeError(error, redactor)}`);
      return null;
    }
  };
}
