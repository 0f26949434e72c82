/**
 * The Sentry client as `createClient` builds it, option by option: the defaults a bot gets and each option the app
 * gives passed through, the integrations chosen, and the hooks that drop, redact and filter what would be sent.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as Sentry from '@sentry/node';
import type { Breadcrumb, ErrorEvent as SentryEvent, EventHint } from '@sentry/node';
import { Redactor } from '../../../src/errors/redact.js';
import { createClient } from '../../../src/ext/sentry/client.js';
import type { ClientSettings, SentryClientOptions } from '../../../src/ext/sentry/client.js';
import { Log } from '../../../src/log/log.js';
import { recordingLogger } from '../../support/bot.js';
import { startReceiver } from '../../fixtures/sentry-support.js';

type Integration = ReturnType<typeof Sentry.getDefaultIntegrations>[number];

const DSN = 'https://public@o1.ingest.example.invalid/7';
const SECRET = 'sk-live-0123456789';

function build(sentry: SentryClientOptions = {}, extra: Partial<ClientSettings> = {}) {
  const { logger, logged } = recordingLogger();
  const redactor = new Redactor();
  redactor.add(SECRET, 'API KEY');
  const settings: ClientSettings = {
    dsn: DSN,
    sentry,
    filter: undefined,
    requestTimeoutMs: 1000,
    redactor,
    log: new Log(logger, redactor),
    ...extra,
  };
  const { client, http } = createClient(Sentry, settings);
  return { client, http, options: client.getOptions(), logged };
}

const names = (integrations: readonly Integration[]) => integrations.map((integration) => integration.name);

async function send(options: ReturnType<typeof build>['options'], event: SentryEvent, hint: EventHint = {}) {
  return (options.beforeSend as (event: SentryEvent, hint: EventHint) => Promise<SentryEvent | null>)(event, hint);
}

function crumb(options: ReturnType<typeof build>['options'], breadcrumb: Breadcrumb) {
  return (options.beforeBreadcrumb as (breadcrumb: Breadcrumb, hint?: Sentry.BreadcrumbHint) => Breadcrumb | null)(breadcrumb, {});
}

test("a bot's defaults: no loader thread, no OpenTelemetry, client reports on, the Node transport and stack parser", () => {
  const { options } = build();
  assert.equal(options.dsn, DSN);
  assert.equal(options.enableRuntimeChannelInjection, false);
  assert.equal(options.enableOpenTelemetrySetup, false);
  assert.equal(options.sendClientReports, true);
  assert.equal(options.transport, Sentry.makeNodeTransport);
  assert.equal(options.stackParser, Sentry.defaultStackParser);
  assert.equal(typeof options.transportOptions?.httpModule?.request, 'function');
  assert.ok(!('bufferSize' in (options.transportOptions ?? {})), 'without the outbox the SDK keeps its own buffer size');
});

test('what the app sets wins over each default', () => {
  const transport = (transportOptions: Parameters<typeof Sentry.makeNodeTransport>[0]) => Sentry.makeNodeTransport(transportOptions);
  const httpModule = { request: () => undefined as never };
  const stackParser = () => [];
  const { options } = build({
    enableRuntimeChannelInjection: true,
    enableOpenTelemetrySetup: true,
    sendClientReports: false,
    transport,
    transportOptions: { httpModule, headers: { 'x-app': 'kept' } },
    stackParser,
    environment: 'staging',
    release: 'bot@2',
  });
  assert.equal(options.enableRuntimeChannelInjection, true);
  assert.equal(options.enableOpenTelemetrySetup, true);
  assert.equal(options.sendClientReports, false);
  assert.equal(options.transport, transport);
  assert.equal(options.transportOptions?.httpModule, httpModule);
  assert.equal(options.transportOptions.headers?.['x-app'], 'kept');
  assert.equal(options.stackParser, stackParser);
  assert.equal(options.environment, 'staging');
  assert.equal(options.release, 'bot@2');
});

test('environment and release come from SENTRY_ENVIRONMENT and SENTRY_RELEASE when not given, as after Sentry.init', () => {
  const saved = { environment: process.env.SENTRY_ENVIRONMENT, release: process.env.SENTRY_RELEASE };
  after(() => {
    if (saved.environment === undefined) delete process.env.SENTRY_ENVIRONMENT;
    else process.env.SENTRY_ENVIRONMENT = saved.environment;
    if (saved.release === undefined) delete process.env.SENTRY_RELEASE;
    else process.env.SENTRY_RELEASE = saved.release;
  });
  process.env.SENTRY_ENVIRONMENT = 'from-env';
  process.env.SENTRY_RELEASE = 'release-from-env';
  const { options } = build();
  assert.equal(options.environment, 'from-env');
  assert.equal(options.release, 'release-from-env');
});

test('with the outbox, its wrapper gets the transport the client would have, and the buffer holds a burst', () => {
  const wrapped: unknown[] = [];
  const wrapTransport: ClientSettings['wrapTransport'] = (transport) => {
    wrapped.push(transport);
    return transport;
  };
  assert.equal(build({}, { wrapTransport }).options.transportOptions?.bufferSize, 10_000);
  const transport = (transportOptions: Parameters<typeof Sentry.makeNodeTransport>[0]) => Sentry.makeNodeTransport(transportOptions);
  assert.equal(build({ transport, transportOptions: { bufferSize: 5 } }, { wrapTransport }).options.transportOptions?.bufferSize, 5);
  assert.deepEqual(wrapped, [Sentry.makeNodeTransport, transport]);
});

test('the default integrations leave out the process handlers, Dedupe, sessions and (without tracing) fetch', () => {
  const plain = names(build().options.integrations);
  for (const unwanted of ['OnUncaughtException', 'OnUnhandledRejection', 'Dedupe', 'ProcessSession', 'NodeFetch'])
    assert.ok(!plain.includes(unwanted), `${unwanted} is not among ${plain.join(', ')}`);
  for (const wanted of ['Http', 'EventFilters', 'LinkedErrors', 'ContextLines', 'Console'])
    assert.ok(plain.includes(wanted), `${wanted} is among ${plain.join(', ')}`);
  assert.equal(new Set(plain).size, plain.length, 'no integration twice');
  for (const tracing of [{ tracesSampleRate: 0 }, { tracesSampler: () => 1 }]) {
    const traced = names(build(tracing).options.integrations);
    assert.equal(traced.filter((name) => name === 'NodeFetch').length, 1, `fetch is traced with ${Object.keys(tracing)[0]}`);
    assert.ok(!traced.includes('Dedupe'));
  }
});

test("the app's integrations: an array replaces defaults of the same name, a function gets the defaults, false keeps none", () => {
  const own = (name: string): Integration => ({ name });
  const replaced = build({ integrations: [own('Http'), own('Mine')] }).options.integrations;
  assert.equal(replaced.filter((integration) => integration.name === 'Http').length, 1);
  assert.ok(names(replaced).includes('Mine'));
  assert.ok(!('setupOnce' in (replaced.find((integration) => integration.name === 'Http') ?? {})), "the app's, not the default");
  assert.ok(names(replaced).includes('LinkedErrors'), 'the other defaults stay');

  let given: string[] = [];
  const chosen = build({
    integrations: (defaults) => {
      given = names(defaults);
      return [own('Only')];
    },
  }).options.integrations;
  assert.ok(names(chosen).includes('Only') && !names(chosen).includes('Http'), names(chosen).join(', '));
  assert.ok(given.includes('Http') && !given.includes('Dedupe'), 'the function sees the bot defaults');

  // The SDK's client adds SpanStreaming itself, whatever it is given.
  const sdkAdded = (integrations: readonly Integration[]) => names(integrations).filter((name) => name !== 'SpanStreaming');
  assert.deepEqual(sdkAdded(build({ defaultIntegrations: false, integrations: [own('Mine')] }).options.integrations), ['Mine']);
  assert.deepEqual(sdkAdded(build({ defaultIntegrations: [own('Given')] }).options.integrations), ['Given']);
});

test("breadcrumbs: Lantern's own error lines are dropped, the rest go through the app's hook and are redacted", () => {
  const plain = build().options;
  assert.equal(crumb(plain, { category: 'console', message: '[lantern] Error in /fail: boom' }), null);
  assert.deepEqual(crumb(plain, { category: 'console', message: `[lantern] Sentry error tracking is on ${SECRET}` }), {
    category: 'console',
    message: '[lantern] Sentry error tracking is on [REDACTED API KEY]',
  });
  assert.deepEqual(crumb(plain, { category: 'app', message: '[lantern] Error in /x' }), {
    category: 'app',
    message: '[lantern] Error in /x',
  });
  assert.deepEqual(crumb(plain, { category: 'console', data: { n: 1 } }), { category: 'console', data: { n: 1 } });

  const seen: Breadcrumb[] = [];
  const hooked = build({
    beforeBreadcrumb: (breadcrumb) => {
      seen.push({ ...breadcrumb });
      return breadcrumb.category === 'drop' ? null : { ...breadcrumb, message: `${breadcrumb.message ?? ''} ${SECRET}` };
    },
  }).options;
  assert.equal(crumb(hooked, { category: 'drop', message: 'x' }), null);
  assert.deepEqual(crumb(hooked, { category: 'keep', message: 'kept' }), { category: 'keep', message: 'kept [REDACTED API KEY]' });
  assert.deepEqual(
    seen.map((breadcrumb) => breadcrumb.category),
    ['drop', 'keep'],
  );
});

test("events: Lantern's log duplicates dropped, then the app's beforeSend and filter in turn, then fitted to Relay", async () => {
  const order: string[] = [];
  const { options } = build(
    {
      beforeSend: (event) => {
        order.push(`beforeSend ${String(event.message)}`);
        return event.message === 'drop in beforeSend' ? null : { ...event, tags: { ...event.tags, before: 'yes' } };
      },
    },
    {
      filter: (event, hint) => {
        order.push(`filter ${String(event.message)} ${String(event.tags?.before)} ${String(hint.originalException)}`);
        return event.message === 'drop in filter' ? null : event;
      },
    },
  );
  assert.equal(await send(options, { type: undefined, logger: 'console', message: '[lantern] Error in /fail: x' }), null);
  assert.deepEqual(order, [], 'a log duplicate reaches neither hook');
  // Only the console integration's copy of the log line is a duplicate; the app's own event with that text is not.
  const captured = await send(options, { type: undefined, message: '[lantern] Error in /fail: sent by the app' });
  assert.equal(captured?.message, '[lantern] Error in /fail: sent by the app');
  const noMessage = await send(options, { type: undefined, logger: 'console', extra: { n: 1 } });
  assert.deepEqual(noMessage?.extra, { n: 1 }, 'a console event without a message is kept');
  order.length = 0;
  const kept = await send(options, { type: undefined, logger: 'console', message: 'an app log line', tags: { ['k'.repeat(40)]: 'v' } });
  assert.ok(kept?.tags);
  assert.equal(kept.tags.before, 'yes');
  assert.ok(
    Object.keys(kept.tags).every((key) => key.length <= 32),
    'fitted to Relay: a tag key of 40 characters is cut to 32',
  );
  assert.equal(await send(options, { type: undefined, message: 'drop in beforeSend' }), null);
  assert.equal(await send(options, { type: undefined, message: 'drop in filter' }, { originalException: 'cause' }), null);
  assert.deepEqual(order, [
    'beforeSend an app log line',
    'filter an app log line yes undefined',
    'beforeSend drop in beforeSend',
    'beforeSend drop in filter',
    'filter drop in filter yes cause',
  ]);
});

test('a filter or beforeSend that throws drops the event with a redacted warning; without hooks the event is sent', async () => {
  const throwing = build({}, { filter: () => Promise.reject(new Error(`filter broke on ${SECRET}`)) });
  assert.equal(await send(throwing.options, { type: undefined, message: 'x' }), null);
  assert.deepEqual(throwing.logged, [
    { level: 'warn', message: 'Sentry: the event filter threw, so the event was not sent: Error: filter broke on [REDACTED API KEY]' },
  ]);
  const beforeSendThrows = build({
    beforeSend: () => {
      throw new TypeError('nope');
    },
  });
  assert.equal(await send(beforeSendThrows.options, { type: undefined, message: 'x' }), null);
  assert.equal(beforeSendThrows.logged.length, 1);
  const event = { type: undefined, message: 'plain' } satisfies SentryEvent;
  assert.equal(await send(build().options, event), event);
});

const receiver = await startReceiver();

test('requests go to the tunnel, over its own protocol, when one is set', async () => {
  const dsn = new URL(receiver.dsn);
  // The DSN says https on a port nothing listens on: only the plain-HTTP tunnel can deliver.
  const tunnel = `http://${dsn.host}/api${dsn.pathname}/envelope/?sentry_key=${dsn.username}`;
  const { client, http } = build(
    { tunnel, release: 'r', environment: 'e', defaultIntegrations: false },
    { dsn: `https://${dsn.username}@127.0.0.1:9${dsn.pathname}` },
  );
  client.init();
  const id = client.captureException(new Error(`through the tunnel ${SECRET}`));
  assert.equal(await client.flush(5000), true);
  http.abortAll();
  await client.close(0);
  const event = receiver.events.find((received) => received.event_id === id);
  assert.ok(event, 'the event came through the tunnel');
  assert.equal(event.exception?.values?.[0]?.value, 'through the tunnel [REDACTED API KEY]', 'redacted just before it was sent');
});
