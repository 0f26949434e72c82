import { randomUUID } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** The first line of an envelope. `event_id` is there when the envelope carries an event, feedback or transaction. */
export interface EnvelopeHeader {
  readonly event_id?: string;
  readonly sent_at?: string;
  readonly dsn?: string;
  readonly sdk?: { readonly name: string; readonly version: string };
  readonly trace?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface EnvelopeItemHeader {
  /** `event`, `feedback`, `session`, `client_report`, `transaction`, `attachment`... */
  readonly type: string;
  /** Payload size in bytes; without it the payload runs to the end of the line. */
  readonly length?: number;
  readonly content_type?: string;
  readonly [key: string]: unknown;
}

export interface EnvelopeItem {
  readonly header: EnvelopeItemHeader;
  /** Parsed JSON for JSON items (events, feedback, sessions, client reports...); text for the others (attachments). */
  readonly payload: unknown;
}

export interface ReceivedEnvelope {
  readonly header: EnvelopeHeader;
  readonly items: readonly EnvelopeItem[];
  /** The whole envelope as text, after any gzip was undone. */
  readonly raw: string;
}

/** An exception as the SDK reports it; `values` lists the cause chain, the thrown error last. */
export interface ReceivedException {
  readonly type?: string;
  readonly value?: string;
  readonly mechanism?: Readonly<Record<string, unknown>>;
  readonly stacktrace?: { readonly frames?: readonly Readonly<Record<string, unknown>>[] };
}

/**
 * The payload of an `event` item as the SDK sent it. The named fields are the ones tests read most; nothing
 * guarantees their presence or shape beyond `event_id`, which every event item carries.
 */
export interface ReceivedEvent {
  readonly event_id: string;
  readonly level?: string;
  readonly message?: string;
  readonly exception?: { readonly values?: readonly ReceivedException[] };
  readonly tags?: Readonly<Record<string, unknown>>;
  readonly user?: Readonly<Record<string, unknown>>;
  readonly contexts?: Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly breadcrumbs?: readonly Readonly<Record<string, unknown>>[];
  readonly fingerprint?: readonly string[];
  readonly release?: string;
  readonly environment?: string;
  readonly [key: string]: unknown;
}

/** A request the receiver could not take as an envelope, and why. */
export interface MalformedEnvelope {
  readonly reason: string;
  /** The body as text: decompressed when that worked, as it came otherwise. */
  readonly raw: string;
}

/** The body is not an envelope; the message says where and why, and becomes `MalformedEnvelope.reason`. */
export class MalformedEnvelopeError extends Error {
  override readonly name = 'MalformedEnvelopeError';
}

/** Items Relay files under an event: an envelope holding one gets an `event_id` in its header when it has none. */
const EVENT_ITEM_TYPES = new Set([
  'event',
  'transaction',
  'security',
  'attachment',
  'form_data',
  'raw_security',
  'unreal_report',
  'user_report',
  'feedback',
  'replay_event',
  'profile',
]);

/** Item types whose payload is not JSON when the item header gives no content type. */
const NON_JSON_ITEM_TYPES = new Set(['attachment', 'replay_recording', 'replay_video', 'statsd']);

const NEWLINE = 0x0a;

/** Decompressors by `content-encoding`; null for a body sent as it is. */
const DECOMPRESSORS = new Map<string, ((body: Buffer, options: { maxOutputLength?: number }) => Buffer) | null>([
  ['', null],
  ['identity', null],
  ['gzip', gunzipSync],
  ['x-gzip', gunzipSync],
  ['deflate', inflateSync],
  ['br', brotliDecompressSync],
]);

/** The body, or what it decompresses to, is longer than the receiver takes. */
export class EnvelopeTooLargeError extends Error {
  override readonly name = 'EnvelopeTooLargeError';
}

/**
 * Undoes the request's `content-encoding`: @sentry/node gzips bodies over 32 KiB; Sentry also takes deflate and br.
 * Past `maxBytes` of output it stops with an EnvelopeTooLargeError, so a small compressed body cannot expand into
 * gigabytes.
 */
export function decodeBody(body: Buffer, contentEncoding: string | undefined, maxBytes = Infinity): Buffer {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  const decompress = DECOMPRESSORS.get(encoding);
  if (decompress === undefined)
    throw new MalformedEnvelopeError(`content-encoding '${encoding}' is not one Sentry accepts (gzip, deflate, br)`);
  const tooLarge = () => new EnvelopeTooLargeError(`the envelope is larger than ${String(maxBytes)} bytes`);
  if (decompress === null) {
    if (body.length > maxBytes) throw tooLarge();
    return body;
  }
  try {
    return decompress(body, Number.isFinite(maxBytes) ? { maxOutputLength: maxBytes } : {});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw new MalformedEnvelopeError(
      `the body is labelled content-encoding ${encoding} but does not decompress: ${(error as Error).message}`,
    );
  }
}

/**
 * Reads an envelope as Relay does: a header line, then per item a header line and a payload of `length` bytes
 * followed by a newline or the end (or up to the next newline when the header has no length). An event without an
 * `event_id` gets the envelope's, and an envelope with event items but no `event_id` gets a new one, as Relay assigns
 * them. Throws `MalformedEnvelopeError` for what Relay refuses.
 */
export function parseEnvelope(body: Buffer): Omit<ReceivedEnvelope, 'raw'> {
  if (body.length === 0) throw new MalformedEnvelopeError('the body is empty');
  let offset = 0;
  const readLine = (): Buffer => {
    const end = body.indexOf(NEWLINE, offset);
    const line = body.subarray(offset, end === -1 ? body.length : end);
    offset = end === -1 ? body.length : end + 1;
    return line;
  };

  const parsedHeader = parseObject(readLine(), 'the envelope header') as EnvelopeHeader;
  const items: EnvelopeItem[] = [];
  const raw: { header: EnvelopeItemHeader; payload: Buffer; described: string }[] = [];
  while (offset < body.length) {
    const where = `item ${items.length + 1}`;
    const itemHeader = parseObject(readLine(), `the header of ${where}`);
    if (typeof itemHeader.type !== 'string') throw new MalformedEnvelopeError(`the header of ${where} has no string type`);
    const described = `${where} (${itemHeader.type})`;
    let payload: Buffer;
    if (itemHeader.length === undefined) {
      payload = readLine();
    } else {
      const length = itemHeader.length;
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 0)
        throw new MalformedEnvelopeError(`${described} has length ${JSON.stringify(length)}, not a byte count`);
      if (offset + length > body.length)
        throw new MalformedEnvelopeError(`${described} says length ${length} but only ${body.length - offset} bytes follow`);
      payload = body.subarray(offset, offset + length);
      offset += length;
      if (offset < body.length && body[offset] !== NEWLINE)
        throw new MalformedEnvelopeError(`${described}: its ${length} bytes of payload are not followed by a newline`);
      offset++;
    }
    raw.push({ header: itemHeader as EnvelopeItemHeader, payload, described });
  }
  const decoded = raw.map((item) => ({ header: item.header, payload: decodePayload(item.header, item.payload, item.described) }));
  const eventIdOf = (item: EnvelopeItem): unknown => (item.header.type === 'event' ? (item.payload as ReceivedEvent).event_id : undefined);
  const needsEventId = parsedHeader.event_id === undefined && raw.some(({ header }) => EVENT_ITEM_TYPES.has(header.type));
  const eventId = needsEventId ? (decoded.map(eventIdOf).find((id) => typeof id === 'string') ?? newEventId()) : parsedHeader.event_id;
  const header: EnvelopeHeader = needsEventId ? { ...parsedHeader, event_id: eventId } : parsedHeader;
  for (const item of decoded)
    // Relay files an event without an id under the envelope's.
    items.push(
      item.header.type === 'event' && eventIdOf(item) === undefined
        ? { ...item, payload: { ...(item.payload as object), event_id: eventId } }
        : item,
    );
  return { header, items };
}

/**
 * Relay's check of the header's `dsn` against the request: an envelope may name the DSN it was made for, and must then
 * be sent to that project with that key.
 */
export function checkHeaderDsn(header: EnvelopeHeader, request: { readonly projectId: string; readonly publicKey: string }): void {
  if (header.dsn === undefined) return;
  let dsn: URL;
  try {
    dsn = new URL(header.dsn);
  } catch {
    throw new MalformedEnvelopeError('the envelope header has a dsn that is not a DSN');
  }
  if (dsn.pathname.split('/').filter(Boolean).at(-1) !== request.projectId)
    throw new MalformedEnvelopeError('project id header mismatch between envelope and request: the dsn names another project');
  if (decodeURIComponent(dsn.username) !== request.publicKey)
    throw new MalformedEnvelopeError('public key header mismatch between envelope and request: the dsn names another key');
}

/** 32 hex digits, as Sentry writes event ids. */
function newEventId(): string {
  return randomUUID().replaceAll('-', '');
}

function decodePayload(header: EnvelopeItemHeader, payload: Buffer, described: string): unknown {
  const text = payload.toString('utf8');
  const json = header.content_type === undefined ? !NON_JSON_ITEM_TYPES.has(header.type) : header.content_type.includes('json');
  if (!json) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MalformedEnvelopeError(`the payload of ${described} is not JSON: ${(error as Error).message}`);
  }
  if (header.type === 'event' && (!isObject(parsed) || (parsed.event_id !== undefined && typeof parsed.event_id !== 'string')))
    throw new MalformedEnvelopeError(`the payload of ${described} is not an event object (with a string event_id, if any)`);
  return parsed;
}

function parseObject(line: Buffer, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.toString('utf8'));
  } catch (error) {
    throw new MalformedEnvelopeError(`${what} is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new MalformedEnvelopeError(`${what} is not a JSON object`);
  return parsed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
