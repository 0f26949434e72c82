/**
 * The Sentry receiver's HTTP server, run by `SentryReceiver` in a child process: an in-process server would be
 * instrumented by the very SDK under test once tracing is on, and its sockets would share the test's event loop.
 */
import { buffer } from 'node:stream/consumers';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkHeaderDsn, decodeBody, MalformedEnvelopeError, parseEnvelope } from '../../util/sentry-envelope.js';
import type { MalformedEnvelope, ReceivedEnvelope } from '../../util/sentry-envelope.js';

/**
 * How the receiver answers: `accept` as Sentry does; `refuse` closes the port (connections are refused);
 * `error` answers 500; `rateLimit` answers 429 with `Retry-After` and `X-Sentry-Rate-Limits` for every
 * category; `hang` reads each request and never answers it.
 */
export type SentryReceiverMode = 'accept' | 'refuse' | 'error' | 'rateLimit' | 'hang';

/** Passed as the child's only argument, as JSON. */
export interface ReceiverServerConfig {
  readonly projectId: string;
  readonly publicKey: string;
}

/** What one request left for the test to see: only accepted envelopes and rejected bodies are recorded. */
export type RequestRecord =
  | { readonly kind: 'envelope'; readonly envelope: ReceivedEnvelope }
  | { readonly kind: 'malformed'; readonly malformed: MalformedEnvelope }
  | { readonly kind: 'outage' };

export type ServerMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'request'; readonly seq: number; readonly record: RequestRecord }
  | { readonly type: 'modeSet'; readonly id: number; readonly error?: string };

export type ParentMessage =
  | { readonly type: 'recorded'; readonly seq: number }
  | { readonly type: 'setMode'; readonly id: number; readonly mode: SentryReceiverMode; readonly retryAfterSeconds: number }
  | { readonly type: 'stop' };

interface Answer {
  readonly record: RequestRecord;
  readonly status: number;
  readonly body: unknown;
}

const sendToParent = process.send?.bind(process);
if (sendToParent === undefined)
  throw new Error('receiver-server is the child process of SentryReceiver: start it with SentryReceiver.start()');
const send = (message: ServerMessage): void => {
  sendToParent(message);
};

const config = JSON.parse(process.argv[2] ?? '{}') as ReceiverServerConfig;
const envelopePath = `/api/${config.projectId}/envelope/`;
let mode: SentryReceiverMode = 'accept';
let retryAfterSeconds = 60;
let port = 0;
const hanging = new Set<ServerResponse>();
const awaitingRecord = new Map<number, () => void>();
let nextSeq = 0;
/** Mode changes run one after another: `refuse` and back both wait for the port to close or open. */
let modeChanges = Promise.resolve();

const server = createServer((req, res) => {
  // A request whose client went away mid-body has nobody left to answer.
  answer(req, res).catch(() => res.destroy());
});

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await buffer(req);
  switch (mode) {
    case 'accept': {
      const { record, status, body: reply } = receive(req, body);
      await recordInParent(record);
      respond(res, status, reply);
      return;
    }
    case 'error':
      await recordInParent({ kind: 'outage' });
      respond(res, 500, { detail: 'internal server error' });
      return;
    case 'rateLimit':
      await recordInParent({ kind: 'outage' });
      // No categories before the first colon: the limit covers all of them, as an organization-wide limit does.
      respond(
        res,
        429,
        { detail: 'rate limited' },
        { 'retry-after': String(retryAfterSeconds), 'x-sentry-rate-limits': `${retryAfterSeconds}::organization` },
      );
      return;
    case 'hang':
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      await recordInParent({ kind: 'outage' });
      return;
    case 'refuse':
      // The body finished arriving just as refusing began; a refused connection gets no answer.
      res.destroy();
      return;
  }
}

/** Checks the endpoint and key as Sentry does, then decodes the envelope. */
function receive(req: IncomingMessage, body: Buffer): Answer {
  const url = new URL(req.url ?? '/', 'http://receiver');
  const reject = (status: number, reason: string, raw = body): Answer => ({
    record: { kind: 'malformed', malformed: { reason, raw: raw.toString('utf8') } },
    status,
    body: { detail: reason },
  });

  if (req.method !== 'POST') return reject(405, `${req.method ?? '?'} ${url.pathname}: envelopes are sent with POST`);
  if (url.pathname !== envelopePath && url.pathname !== envelopePath.slice(0, -1))
    return reject(404, `POST ${url.pathname} is not this receiver's envelope endpoint, ${envelopePath}`);
  const key = url.searchParams.get('sentry_key') ?? authHeaderKey(req.headers['x-sentry-auth']);
  if (key !== config.publicKey)
    return reject(
      401,
      key === undefined ? 'no sentry_key in the query or the X-Sentry-Auth header' : `sentry_key ${key} is not this receiver's public key`,
    );

  let decoded = body;
  try {
    decoded = decodeBody(body, req.headers['content-encoding']);
    const envelope = { ...parseEnvelope(decoded), raw: decoded.toString('utf8') };
    checkHeaderDsn(envelope.header, { projectId: config.projectId, publicKey: key });
    return {
      record: { kind: 'envelope', envelope },
      status: 200,
      body: envelope.header.event_id === undefined ? {} : { id: envelope.header.event_id },
    };
  } catch (error) {
    if (!(error instanceof MalformedEnvelopeError)) throw error;
    return reject(400, error.message, decoded);
  }
}

/** `X-Sentry-Auth: Sentry sentry_key=abc, sentry_version=7`: the other place a client may put its key. */
function authHeaderKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  return /\bsentry_key=([^,\s]+)/.exec(Array.isArray(header) ? header.join(', ') : header)?.[1];
}

/**
 * The answer waits until the parent holds the record, so whoever sees the HTTP answer (the SDK's `flush`)
 * finds the event in `receiver.events` already.
 */
function recordInParent(record: RequestRecord): Promise<void> {
  const seq = nextSeq++;
  return new Promise((resolve) => {
    awaitingRecord.set(seq, resolve);
    send({ type: 'request', seq, record });
  });
}

async function changeMode(next: SentryReceiverMode, seconds: number): Promise<void> {
  if (mode === 'hang' && next !== 'hang') {
    // As a restarted server would: the requests it left hanging end with a reset connection.
    for (const res of hanging) res.destroy();
  }
  if (next === 'refuse' && mode !== 'refuse') {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      // Idle keep-alive sockets too: the SDK's next request must open a new connection and be refused.
      server.closeAllConnections();
    });
  }
  if (next !== 'refuse' && mode === 'refuse') await listen(port);
  mode = next;
  retryAfterSeconds = seconds;
}

function listen(onPort: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${onPort} was taken by another process while the receiver refused connections, so the DSN cannot stay valid`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(onPort, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function respond(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'recorded':
      awaitingRecord.get(message.seq)?.();
      awaitingRecord.delete(message.seq);
      return;
    case 'setMode':
      modeChanges = modeChanges
        .then(() => changeMode(message.mode, message.retryAfterSeconds))
        .then(
          () => {
            send({ type: 'modeSet', id: message.id });
          },
          (error: unknown) => {
            send({ type: 'modeSet', id: message.id, error: error instanceof Error ? error.message : String(error) });
          },
        );
      return;
    case 'stop':
      // Exiting closes the port and every connection, hanging ones included: their clients see a reset.
      process.exit(0);
  }
});

// The parent exited without stop(): a receiver nobody reads must not outlive it.
process.on('disconnect', () => process.exit(0));

port = await listen(0);
send({ type: 'ready', port });
