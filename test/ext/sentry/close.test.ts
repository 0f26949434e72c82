/**
 * Closing a bot's Sentry client, on a real client sending to real servers on 127.0.0.1: the wait is bounded by
 * `flushTimeoutMs`, what Sentry never answered is ended and said to be lost, the process-wide scope is given back
 * only by the client that held it, and with an outbox the steps run in order with what is left of the time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Sentry from '@sentry/node';
import { Client } from '../../../src/index.js';
import { Redactor } from '../../../src/errors/redact.js';
import { createClient } from '../../../src/ext/sentry/client.js';
import { closeClient } from '../../../src/ext/sentry/close.js';
import type { ClosingOutbox } from '../../../src/ext/sentry/close.js';
import { Log } from '../../../src/log/log.js';
import { recordingLogger } from '../../support/bot.js';
import { localServer } from '../../support/http-server.js';
import { waitUntil } from '../../support/resources.js';

/** A Sentry that answers every envelope, or (`hang`) accepts each request and never answers. */
async function sentryServer(hang: boolean) {
  const server = await localServer({ hang, body: '{}' });
  return { ...server, dsn: `http://public@127.0.0.1:${String(server.port)}/1` };
}

function sentryClient(dsn: string) {
  const { logger, logged } = recordingLogger();
  const redactor = new Redactor();
  const log = new Log(logger, redactor);
  const made = createClient(Sentry, {
    dsn,
    sentry: { release: 'r', environment: 'e', defaultIntegrations: false, sendClientReports: false },
    filter: undefined,
    requestTimeoutMs: 60_000,
    redactor,
    log,
  });
  made.client.init();
  const bot = new Client({ token: 'unused', logger, handleProcessErrors: false });
  return { ...made, bot, logged };
}

/** Runs the closing sink's teardown and measures it. */
async function close(sink: ReturnType<typeof closeClient>, bot: Client): Promise<number> {
  const teardown = sink.setup(bot);
  assert.ok(teardown);
  const started = performance.now();
  await teardown();
  return performance.now() - started;
}

test('Sentry not answering: closing waits flushTimeoutMs, ends the request and says the rest are lost', async () => {
  const sentry = await sentryServer(true);
  const { client, http, bot, logged } = sentryClient(sentry.dsn);
  client.captureException(new Error('never answered'));
  await waitUntil(() => sentry.requests() >= 1);
  const took = await close(closeClient(client, http, 300, undefined, undefined), bot);
  assert.ok(took >= 290 && took < 5000, `closing took ${String(took)} ms`);
  assert.deepEqual(
    logged.filter(({ level }) => level === 'warn').map(({ message }) => message),
    ['Sentry: not every event was delivered within 300 ms; the rest are lost'],
  );
  await waitUntil(() => sentry.open() === 0);
});

test('Sentry answering: closing delivers, returns at once and warns of nothing', async () => {
  const sentry = await sentryServer(false);
  const { client, http, bot, logged } = sentryClient(sentry.dsn);
  client.captureException(new Error('answered'));
  const took = await close(closeClient(client, http, 10_000, undefined, undefined), bot);
  assert.equal(sentry.requests(), 1);
  assert.ok(took < 5000, `closing took ${String(took)} ms`);
  assert.deepEqual(logged, []);
});

test('a client whose close throws counts as not delivered', async () => {
  const sentry = await sentryServer(false);
  const { client, http, bot, logged } = sentryClient(sentry.dsn);
  client.close = () => Promise.reject(new Error('broken close'));
  await close(closeClient(client, http, 200, undefined, undefined), bot);
  assert.deepEqual(
    logged.map(({ message }) => message),
    ['Sentry: not every event was delivered within 200 ms; the rest are lost'],
  );
});

test('the process-wide scope is given back by the client that holds it, and left alone by another', async () => {
  const sentry = await sentryServer(false);
  const holder = sentryClient(sentry.dsn);
  const scope = new Sentry.Scope();
  scope.setClient(holder.client);
  const other = sentryClient(sentry.dsn);
  await close(closeClient(other.client, other.http, 1000, scope, undefined), other.bot);
  assert.equal(scope.getClient(), holder.client, 'another client closing leaves the scope its holder');
  await close(closeClient(holder.client, holder.http, 1000, scope, undefined), holder.bot);
  assert.equal(scope.getClient(), undefined);
});

test('with an outbox: ready, write-only flush, close, deliver with the time left, stop, abort, close; no warning', async () => {
  const sentry = await sentryServer(true);
  const { client, http, bot, logged } = sentryClient(sentry.dsn);
  const steps: string[] = [];
  let deliverBudget = -1;
  const closeOfClient = client.close.bind(client);
  client.close = (timeout) => {
    steps.push('client.close');
    return closeOfClient(timeout);
  };
  const abortAll = http.abortAll.bind(http);
  http.abortAll = () => {
    steps.push('abortAll');
    abortAll();
  };
  const outbox: ClosingOutbox = {
    ready: async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      steps.push('ready');
    },
    writeOnlyFlush: () => steps.push('writeOnlyFlush'),
    deliver: (timeoutMs) => {
      deliverBudget = timeoutMs;
      steps.push('deliver');
      return Promise.resolve(false);
    },
    stopDelivery: () => steps.push('stopDelivery'),
    close: () => {
      steps.push('outbox.close');
      return Promise.resolve();
    },
  };
  await close(closeClient(client, http, 1000, undefined, outbox), bot);
  assert.deepEqual(steps, ['ready', 'writeOnlyFlush', 'client.close', 'deliver', 'stopDelivery', 'abortAll', 'outbox.close']);
  assert.ok(deliverBudget > 0 && deliverBudget <= 900, `the outbox was given ${String(deliverBudget)} ms of the 1000 after ready`);
  assert.deepEqual(logged, [], 'what is left stays in the outbox, which says so itself');
});
