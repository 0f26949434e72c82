import type { Context, Hono } from 'hono';
import { LanternError } from '../errors/lantern-error.js';
import { Redactor } from '../errors/redact.js';
import type { TrackedEvent } from '../tracking/tracked-event.js';
import { decodeBody, EnvelopeTooLargeError, MalformedEnvelopeError, parseEnvelope } from '../util/sentry-envelope.js';
import type { ErrorStore } from '../ext/local/store.js';
import { addressedToLoopback, fromThisPage, isLoopbackHost, sameSecret, sentryKey } from './access.js';
import { feedbackFromSentry, trackedFromSentry } from './from-sentry.js';
import type { IngestedFeedback } from './from-sentry.js';

/** Sentry's own limit for a whole envelope, decompressed, is 200 MiB; one bot's errors need far less. */
export const DEFAULT_MAX_ENVELOPE_BYTES = 20 * 1024 * 1024;

export interface IngestOptions {
  readonly store: ErrorStore;
  /** When the page has a token, it is the only key an SDK may send (the DSN's `<key>@`). */
  readonly token: string | undefined;
  readonly maxEnvelopeBytes: number;
  readonly now?: () => number;
}

type Env = { Variables: { nonce: string } };

/**
 * Sentry's ingest endpoints, so an app's own Sentry SDK (`dsn: http://<key>@127.0.0.1:<port>/<project>`) writes
 * into the same store as the bot: `POST /api/<project>/envelope/` (and the older `/store/` with one JSON event),
 * gzip, deflate or brotli bodies, answered as Sentry answers (200 with the event id, 400 for what is not an
 * envelope, 413 past the size limit). `event` items are recorded and `feedback` and `user_report` items kept as
 * feedback; other items (sessions, client reports, transactions, attachments) are accepted and dropped. Each
 * envelope is redacted before anything of it is written, its own DSN key included.
 */
export function ingestRoutes(app: Hono<Env>, options: IngestOptions): void {
  const now = options.now ?? Date.now;
  const handle = (kind: 'envelope' | 'store') => async (c: Context<Env>) => {
    const refused = refusal(c, options.token);
    if (refused) return refused;
    let items: { type: string; payload: unknown }[];
    let eventId: string | undefined;
    try {
      const raw = await readBody(c.req.raw, options.maxEnvelopeBytes);
      const body = decodeBody(raw, c.req.header('content-encoding'), options.maxEnvelopeBytes);
      if (kind === 'envelope') {
        const envelope = parseEnvelope(body);
        eventId = typeof envelope.header.event_id === 'string' ? envelope.header.event_id : undefined;
        items = envelope.items.map((item) => ({ type: item.header.type, payload: item.payload }));
      } else {
        const event = parseStoreBody(body);
        eventId = typeof event.event_id === 'string' ? event.event_id : undefined;
        items = [{ type: 'event', payload: event }];
      }
    } catch (error) {
      if (error instanceof EnvelopeTooLargeError) return c.json({ detail: error.message }, 413);
      if (error instanceof MalformedEnvelopeError) return c.json({ detail: error.message }, 400);
      throw error;
    }
    const redactor = redactorFor(options.token, sentryKey(c));
    const events: TrackedEvent[] = [];
    const feedback: IngestedFeedback[] = [];
    const at = now();
    for (const { type, payload } of items) {
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) continue;
      const fields = payload as Record<string, unknown>;
      if (type === 'event') events.push(trackedFromSentry(fields, redactor, at));
      else if (type === 'feedback' || type === 'user_report') {
        const said = feedbackFromSentry(type, fields, redactor, at);
        if (said) feedback.push(said);
      }
    }
    try {
      if (events.length > 0) options.store.record(events, at);
      for (const said of feedback) options.store.addFeedback(said);
    } catch (error) {
      // A lock held past the busy timeout, a full disk: the SDK may send it again later.
      if (error instanceof LanternError) return c.json({ detail: error.message }, 503, { 'retry-after': '10' });
      throw error;
    }
    return c.json(eventId === undefined ? {} : { id: eventId.toLowerCase().replaceAll('-', '') });
  };
  for (const path of ['/api/:project/envelope/', '/api/:project/envelope']) app.post(path, handle('envelope'));
  for (const path of ['/api/:project/store/', '/api/:project/store']) app.post(path, handle('store'));
}

/**
 * Who may send: with a token, only an SDK whose DSN key is the token; without one (the page is on the loopback
 * address), programs on this machine, and browsers only from pages of this machine, so no site a developer visits
 * can fill their store. Answered as Sentry answers a bad key: 401 with a `detail`.
 */
function refusal(c: Context<Env>, token: string | undefined): Response | undefined {
  if (token !== undefined) {
    return sameSecret(sentryKey(c), token) ? undefined : c.json({ detail: 'the DSN key is not this page’s token' }, 401);
  }
  if (!addressedToLoopback(c)) return c.json({ detail: 'this page takes events addressed to 127.0.0.1 or localhost only' }, 403);
  const origin = c.req.header('origin');
  if (origin === undefined || fromThisPage(c)) return undefined;
  let host: string;
  try {
    host = new URL(origin).hostname.replace(/^\[|\]$/g, '');
  } catch {
    host = '';
  }
  return isLoopbackHost(host) ? undefined : c.json({ detail: `events from a page of ${origin} are not taken` }, 403);
}

/** The default shapes (Discord's tokens), and the page's token and the SDK's DSN key, which an event can quote. */
function redactorFor(token: string | undefined, key: string | undefined): Redactor {
  const redactor = new Redactor();
  if (token !== undefined) redactor.add(token, 'TOKEN');
  if (key !== undefined && key !== token) {
    try {
      redactor.add(key, 'DSN KEY');
    } catch {
      // A key too short to hide without blanking ordinary words: it is no secret worth the name.
    }
  }
  return redactor;
}

/** The request's body, read no further than `maxBytes` (the SDK sends chunked bodies, with no length to check first). */
async function readBody(request: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new EnvelopeTooLargeError(`the envelope is larger than ${String(maxBytes)} bytes`);
  if (Number(request.headers.get('content-length')) > maxBytes) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseStoreBody(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new MalformedEnvelopeError(`the body is not a JSON event: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new MalformedEnvelopeError('the body is not a JSON event object');
  return parsed as Record<string, unknown>;
}
