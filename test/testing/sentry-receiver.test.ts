import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { captureFeedback, defaultStackParser, makeNodeTransport, NodeClient, Scope } from '@sentry/node';
import { SentryReceiver, SentryReceiverError } from '../../src/testing/index.js';

/** A test that hangs (a receiver that never answers, an SDK that never gives up) fails instead. */
const T = { timeout: 15_000 };

type NodeClientOptions = ConstructorParameters<typeof NodeClient>[0];
type Transport = ReturnType<typeof makeNodeTransport>;
type HttpModule = NonNullable<NodeClientOptions['transportOptions']>['httpModule'];

/** What one `transport.send` ended with, as the SDK saw it: a status, nothing (dropped locally), or an error code. */
interface SendOutcome {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | null>>;
  readonly errorCode?: string;
}

interface Sdk {
  readonly client: NodeClient;
  /** Scope of this test only: no Sentry global state is shared between tests. */
  readonly scope: Scope;
  readonly sends: SendOutcome[];
  /** The content-encoding header of each HTTP request the SDK made. */
  readonly encodings: (string | undefined)[];
}

async function startReceiver(t: TestContext): Promise<SentryReceiver> {
  const receiver = await SentryReceiver.start();
  t.after(() => receiver.stop());
  return receiver;
}

/**
 * A NodeClient of its own (not `Sentry.init`), with no integrations, release and environment set (the SDK would
 * read them from the environment), and a transport that records what each send ended with.
 */
function startSdk(t: TestContext, receiver: { readonly dsn: string }, options: Partial<NodeClientOptions> = {}): Sdk {
  const sends: SendOutcome[] = [];
  const encodings: (string | undefined)[] = [];
  const httpModule: HttpModule = {
    request: (requestOptions: RequestOptions, callback?: (res: IncomingMessage) => void): ClientRequest => {
      // The SDK passes its headers as a plain object.
      encodings.push((requestOptions.headers as Record<string, string | undefined> | undefined)?.['content-encoding']);
      return request(requestOptions, callback);
    },
  };
  const client = new NodeClient({
    dsn: receiver.dsn,
    release: 'lantern-test@1.0.0',
    environment: 'test',
    integrations: [],
    stackParser: defaultStackParser,
    enableRuntimeChannelInjection: false,
    sendClientReports: true,
    transportOptions: { httpModule },
    transport: (transportOptions): Transport => {
      const transport = makeNodeTransport(transportOptions);
      return {
        ...transport,
        send: (envelope) =>
          transport.send(envelope).then(
            (response) => {
              sends.push(response.statusCode === undefined ? {} : { status: response.statusCode, headers: response.headers ?? {} });
              return response;
            },
            (error: unknown) => {
              sends.push({ errorCode: (error as NodeJS.ErrnoException).code ?? String(error) });
              throw error;
            },
          ),
      };
    },
    ...options,
  });
  client.init();
  t.after(() => client.close(500));
  const scope = new Scope();
  scope.setClient(client);
  return { client, scope, sends, encodings };
}

/** Posts `body` to the receiver's envelope endpoint by hand, on a connection of its own. */
function post(
  receiver: { readonly dsn: string },
  body: Buffer | string,
  { path, headers = {} }: { path?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const dsn = new URL(receiver.dsn);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: dsn.hostname,
        port: dsn.port,
        method: 'POST',
        path: path ?? `/api${dsn.pathname}/envelope/?sentry_key=${dsn.username}&sentry_version=7`,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Resolves with the error code of a plain TCP connection to the receiver's port, or 'connected'. */
function tryConnect(receiver: { readonly dsn: string }): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(receiver.dsn).port), '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code ?? error.message);
    });
  });
}

test('an event from captureException arrives with its event_id, exception, tags, user, contexts, release and environment', T, async (t) => {
  const receiver = await startReceiver(t);
  assert.match(receiver.dsn, /^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/42$/);
  const { scope, client, sends } = startSdk(t, receiver);
  scope.setTag('guild', '1234');
  scope.setUser({ id: '5678', username: 'alice' });
  scope.setContext('command', { name: 'roll', sides: 6 });

  const eventId = scope.captureException(new TypeError('dice fell off the table'));
  const event = await receiver.waitForEvent(eventId);

  assert.equal(event.event_id, eventId);
  const thrown = event.exception?.values?.at(-1);
  assert.ok(thrown);
  assert.equal(thrown.type, 'TypeError');
  assert.equal(thrown.value, 'dice fell off the table');
  assert.ok((thrown.stacktrace?.frames?.length ?? 0) > 0, 'the stack trace came along');
  assert.deepEqual(event.tags, { guild: '1234' });
  assert.deepEqual(event.user, { id: '5678', username: 'alice' });
  assert.deepEqual(event.contexts?.command, { name: 'roll', sides: 6 });
  assert.equal(event.release, 'lantern-test@1.0.0');
  assert.equal(event.environment, 'test');

  assert.equal(await client.flush(2000), true);
  assert.deepEqual(
    sends.map((send) => send.status),
    [200],
  );
  assert.equal(receiver.requests, 1);
  const [envelope] = receiver.envelopes;
  assert.equal(envelope?.header.event_id, eventId);
  assert.equal(envelope.header.sdk?.name, 'sentry.javascript.node');
  assert.deepEqual(
    envelope.items.map((item) => item.header.type),
    ['event'],
  );
  assert.ok(envelope.raw.includes('dice fell off the table'));
  assert.equal(receiver.malformed.length, 0);
});

test('an event over 32 KiB, gzipped by the SDK, decodes; an attachment keeps its newlines and multi-byte text by length', T, async (t) => {
  const receiver = await startReceiver(t);
  const { scope, client, encodings } = startSdk(t, receiver);
  const blob = Array.from({ length: 3000 }, (_, i) => `line ${i} é🔥`).join('\n');
  assert.ok(Buffer.byteLength(blob) > 32 * 1024);
  scope.setExtra('blob', blob);
  const attachment = 'first line\nsecond line, ünïcödé 🔥\n';
  scope.addAttachment({ filename: 'log.txt', data: attachment, contentType: 'text/plain' });

  const eventId = scope.captureException(new Error('big'));
  const event = await receiver.waitForEvent(eventId);
  assert.equal(await client.flush(2000), true);

  assert.deepEqual(encodings, ['gzip'], 'the SDK compressed the body');
  assert.equal(event.extra?.blob, blob);
  const [file] = receiver.itemsOfType('attachment');
  assert.equal(file?.header.filename, 'log.txt');
  assert.equal(file.header.length, Buffer.byteLength(attachment));
  assert.equal(file.payload, attachment);
  assert.ok(Buffer.byteLength(receiver.envelopes[0]?.raw ?? '') > 32 * 1024);
});

test('waitForEvents counts events passing the filter; feedback and client reports are items of their own type', T, async (t) => {
  const receiver = await startReceiver(t);
  const { scope, client } = startSdk(t, receiver);

  const waiting = receiver.waitForEvents(2, { filter: (event) => event.tags?.kind === 'wanted' });
  scope.captureException(new Error('unwanted'), { captureContext: { tags: { kind: 'other' } } });
  const first = scope.captureException(new Error('first'), { captureContext: { tags: { kind: 'wanted' } } });
  const second = scope.captureException(new Error('second'), { captureContext: { tags: { kind: 'wanted' } } });
  scope.captureException(new Error('third'), { captureContext: { tags: { kind: 'wanted' } } });
  assert.deepEqual(
    (await waiting).map((event) => event.event_id),
    [first, second],
  );

  captureFeedback({ message: 'the dice never land', name: 'alice', associatedEventId: first }, {}, scope);
  assert.equal(await client.flush(2000), true);
  const [feedback] = receiver.itemsOfType('feedback');
  const contexts = (feedback?.payload as { contexts: { feedback: Record<string, unknown> } }).contexts;
  assert.equal(contexts.feedback.message, 'the dice never land');
  assert.equal(contexts.feedback.associated_event_id, first);
  assert.equal(receiver.events.length, 4, 'feedback is not an event item');
});

test('waitForEvent times out with an error naming the id and what did arrive', T, async (t) => {
  const receiver = await startReceiver(t);
  const { scope } = startSdk(t, receiver);
  const arrived = scope.captureException(new RangeError('out of dice'));
  await receiver.waitForEvent(arrived);

  const missing = 'f'.repeat(32);
  const error = await receiver.waitForEvent(missing, { timeoutMs: 100 }).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SentryReceiverError);
  assert.equal(error.code, 'LANTERN_ERR_SENTRY_RECEIVER_TIMEOUT');
  assert.match(error.message, new RegExp(`waiting for the Sentry event ${missing}`));
  assert.match(error.message, new RegExp(`${arrived} \\(RangeError: out of dice\\)`));
  assert.match(error.message, /1 request arrived \(mode accept\)/);
});

test("'refuse' refuses TCP connections and the SDK's send fails; 'accept' listens on the same port again", T, async (t) => {
  const receiver = await startReceiver(t);
  const { scope, client, sends } = startSdk(t, receiver);
  await receiver.waitForEvent(scope.captureException(new Error('before')));
  const dsn = receiver.dsn;

  await receiver.setMode('refuse');
  assert.equal(await tryConnect(receiver), 'ECONNREFUSED');
  const lost = scope.captureException(new Error('during'));
  await client.flush(2000);
  assert.deepEqual(sends.at(-1), { errorCode: 'ECONNREFUSED' });
  assert.equal(receiver.requests, 1);

  await receiver.setMode('accept');
  assert.equal(receiver.dsn, dsn);
  assert.equal(await tryConnect(receiver), 'connected');
  const after = scope.captureException(new Error('after'));
  await receiver.waitForEvent(after);
  assert.equal(await client.flush(2000), true);
  assert.ok(!receiver.events.some((event) => event.event_id === lost), 'no retry: the event sent while refused is lost');
  const report = receiver
    .itemsOfType('client_report')
    .map((item) => item.payload as { discarded_events: { reason: string; category: string }[] });
  assert.deepEqual(
    report.flatMap((payload) => payload.discarded_events.map((d) => `${d.reason}:${d.category}`)),
    ['network_error:error'],
  );
});

test("'error' answers 500: the SDK sees it and the event is lost; 'accept' recovers", T, async (t) => {
  const receiver = await startReceiver(t);
  const { scope, client, sends } = startSdk(t, receiver);

  await receiver.setMode('error');
  const lost = scope.captureException(new Error('during'));
  await client.flush(2000);
  assert.equal(sends.at(-1)?.status, 500);
  assert.equal(receiver.requests, 1);
  assert.equal(receiver.events.length, 0);

  await receiver.setMode('accept');
  const after = scope.captureException(new Error('after'));
  await receiver.waitForEvent(after);
  assert.deepEqual(
    receiver.events.map((event) => event.event_id),
    [after],
  );
  assert.notEqual(lost, after);
  assert.equal(receiver.mode, 'accept');
});

test(
  "'rateLimit' answers 429 with Retry-After and X-Sentry-Rate-Limits; the SDK drops later events itself until the window ends",
  T,
  async (t) => {
    const receiver = await startReceiver(t);
    const { scope, client, sends } = startSdk(t, receiver);

    await receiver.setMode('rateLimit', { retryAfterSeconds: 1 });
    scope.captureException(new Error('limited'));
    await client.flush(2000);
    assert.deepEqual(sends.at(-1), { status: 429, headers: { 'retry-after': '1', 'x-sentry-rate-limits': '1::organization' } });
    assert.equal(receiver.requests, 1);

    await receiver.setMode('accept');
    scope.captureException(new Error('dropped by the SDK'));
    await client.flush(2000);
    assert.deepEqual(sends.at(-1), {}, 'the transport did not send');
    assert.equal(receiver.requests, 1, 'nothing reached the receiver');

    // The SDK counts the window from the 429; once it has passed, events flow again.
    await sleep(1100);
    const after = scope.captureException(new Error('after the window'));
    await receiver.waitForEvent(after);
    assert.equal(await client.flush(2000), true);
    assert.deepEqual(
      receiver.events.map((event) => event.exception?.values?.at(-1)?.value),
      ['after the window'],
    );
    const discarded = receiver
      .itemsOfType('client_report')
      .flatMap((item) => (item.payload as { discarded_events: { reason: string }[] }).discarded_events.map((d) => d.reason));
    assert.ok(discarded.includes('ratelimit_backoff'), `client report reasons: ${discarded.join(', ')}`);
  },
);

test("'hang' reads requests and never answers: flush(500) is false; leaving it resets them and events flow again", T, async (t) => {
  const receiver = await startReceiver(t);
  const { scope, client } = startSdk(t, receiver);

  await receiver.setMode('hang');
  scope.captureException(new Error('hung'));
  assert.equal(await client.flush(500), false);
  assert.equal(receiver.requests, 1, 'the request was read');
  assert.equal(receiver.events.length, 0);

  await receiver.setMode('accept');
  const after = scope.captureException(new Error('after'));
  await receiver.waitForEvent(after);
  assert.equal(await client.flush(2000), true, 'nothing is left hanging in the SDK');
});

test('malformed bodies are recorded with a reason and answered 4xx, and the receiver keeps accepting', T, async (t) => {
  const receiver = await startReceiver(t);
  const header = JSON.stringify({ event_id: 'a'.repeat(32) });
  const cases: { body: Buffer | string; headers?: Record<string, string>; path?: string; status: number; reason: RegExp }[] = [
    { body: '', status: 400, reason: /the body is empty/ },
    { body: 'not json\n{}', status: 400, reason: /the envelope header is not JSON/ },
    { body: `${header}\n{"type":"event"}\n{"event_id": oops}`, status: 400, reason: /the payload of item 1 \(event\) is not JSON/ },
    { body: `${header}\n{"type":"event"}\n[1,2]`, status: 400, reason: /item 1 \(event\) is not an event object/ },
    { body: `${header}\n{"length":2}\nhi`, status: 400, reason: /the header of item 1 has no string type/ },
    { body: `${header}\n{"type":"attachment","length":50}\nshort`, status: 400, reason: /says length 50 but only 5 bytes follow/ },
    {
      body: `${header}\n{"type":"event"}\n{}`,
      headers: { 'content-encoding': 'gzip' },
      status: 400,
      reason: /content-encoding gzip but does not decompress/,
    },
    {
      body: `${header}\n`,
      headers: { 'content-encoding': 'zstd' },
      status: 400,
      reason: /content-encoding 'zstd' is not one Sentry accepts/,
    },
    {
      body: `${header}\n`,
      path: '/api/42/envelope/?sentry_key=wrong',
      status: 401,
      reason: /sentry_key wrong is not this receiver's public key/,
    },
    {
      body: `${header}\n`,
      path: '/api/7/envelope/',
      status: 404,
      reason: /POST \/api\/7\/envelope\/ is not this receiver's envelope endpoint/,
    },
  ];
  for (const { body, headers, path, status, reason } of cases) {
    const answer = await post(receiver, body, { headers, path });
    assert.equal(answer.status, status, `${reason.source}: ${answer.body}`);
    assert.match(receiver.malformed.at(-1)?.reason ?? '', reason);
  }
  assert.equal(receiver.malformed.length, cases.length);
  assert.equal(receiver.malformed[2]?.raw, `${header}\n{"type":"event"}\n{"event_id": oops}`, 'the body is kept as text');
  assert.equal(receiver.envelopes.length, 0);

  const eventId = 'b'.repeat(32);
  const valid =
    `{"event_id":"${eventId}"}\n{"type":"event"}\n{"event_id":"${eventId}","message":"hand ` +
    `made"}\n{"type":"attachment","length":3}\na\nb\n`;
  const answer = await post(receiver, gzipSync(valid), { headers: { 'content-encoding': 'gzip' } });
  assert.deepEqual({ status: answer.status, body: JSON.parse(answer.body) as unknown }, { status: 200, body: { id: eventId } });
  assert.equal((await receiver.waitForEvent(eventId)).message, 'hand made');
  assert.equal(receiver.itemsOfType('attachment')[0]?.payload, 'a\nb');
  assert.equal(receiver.requests, cases.length + 1);
});

test('clear() forgets what arrived; the key may also come in X-Sentry-Auth', T, async (t) => {
  const receiver = await startReceiver(t);
  const { scope } = startSdk(t, receiver);
  await receiver.waitForEvent(scope.captureException(new Error('old')));
  await post(receiver, 'garbage');
  receiver.clear();
  assert.deepEqual([receiver.events.length, receiver.envelopes.length, receiver.malformed.length, receiver.requests], [0, 0, 0, 0]);

  const key = new URL(receiver.dsn).username;
  const eventId = 'c'.repeat(32);
  const answer = await post(receiver, `{}\n{"type":"event"}\n{"event_id":"${eventId}"}`, {
    path: '/api/42/envelope/',
    headers: { 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${key}` },
  });
  assert.equal(answer.status, 200);
  assert.deepEqual(
    receiver.events.map((event) => event.event_id),
    [eventId],
  );
});

test('stop() with a hanging request ends it and the child; waits pending and later fail as stopped', T, async (t) => {
  const receiver = await SentryReceiver.start();
  const { scope, client, sends } = startSdk(t, receiver);
  await receiver.setMode('hang');
  scope.captureException(new Error('hung'));
  assert.equal(await client.flush(300), false);
  const pending = assert.rejects(receiver.waitForEvent('d'.repeat(32), { timeoutMs: 10_000 }), {
    code: 'LANTERN_ERR_SENTRY_RECEIVER_STOPPED',
  });

  await receiver.stop();
  await pending;
  assert.equal(await client.flush(2000), true, 'the hanging request ended');
  assert.ok(['ECONNRESET', 'ECONNREFUSED'].includes(sends.at(-1)?.errorCode ?? ''), JSON.stringify(sends));
  assert.equal(await tryConnect(receiver), 'ECONNREFUSED');
  await assert.rejects(receiver.waitForEvent('d'.repeat(32)), { code: 'LANTERN_ERR_SENTRY_RECEIVER_STOPPED' });
  await assert.rejects(receiver.setMode('accept'), { code: 'LANTERN_ERR_SENTRY_RECEIVER_STOPPED' });
  await receiver.stop();
});

test('the compiled receiver from dist (lantern/testing) launches its .js child and receives', T, async (t) => {
  const testing = await import('lantern/testing');
  const receiver = await testing.SentryReceiver.start();
  t.after(() => receiver.stop());
  const { scope } = startSdk(t, receiver);
  const eventId = scope.captureException(new Error('from dist'));
  assert.equal((await receiver.waitForEvent(eventId)).exception?.values?.at(-1)?.value, 'from dist');
});

test('checkEvent sees every event as it arrives; what it finds stays in violations after clear()', T, async (t) => {
  const receiver = await SentryReceiver.start({
    checkEvent: (event) => (event.message === 'bad' ? [`${event.event_id} is bad`] : []),
  });
  t.after(() => receiver.stop());
  const { scope, client } = startSdk(t, receiver);
  scope.captureMessage('good');
  const bad = scope.captureMessage('bad');
  assert.equal(await client.flush(5000), true);
  assert.equal(receiver.checked, 2);
  receiver.clear();
  assert.deepEqual(receiver.violations, [{ eventId: bad, problem: `${bad} is bad` }]);
});
