import type { NodeClient } from '@sentry/node';

/** An envelope as the SDK's client and transports take it. */
export type Envelope = Parameters<NodeClient['sendEnvelope']>[0];

/** Sentry's rate-limit category of each item type that is not named after its type (`@sentry/core`'s table). */
const CATEGORY_OF_TYPE: Readonly<Record<string, string>> = {
  sessions: 'session',
  event: 'error',
  client_report: 'internal',
  user_report: 'default',
  profile_chunk: 'profile',
  replay_event: 'replay',
  replay_recording: 'replay',
  check_in: 'monitor',
  raw_security: 'security',
  log: 'log_item',
  metric: 'trace_metric',
};

const NEWLINE = 0x0a;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What the outbox keeps beside an envelope's bytes, read from them once when it is queued. */
export interface EnvelopeFacts {
  /** The event (or feedback, or transaction) id the envelope carries: the same at every attempt. */
  readonly eventId: string | undefined;
  /** The rate-limit categories of its items, each once. */
  readonly categories: string[];
}

export function categoryOf(itemType: string): string {
  return CATEGORY_OF_TYPE[itemType] ?? itemType;
}

/** The serialized envelope as bytes (the SDK hands a string when no item is binary). */
export function envelopeBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body;
}

export function envelopeFacts(body: Uint8Array): EnvelopeFacts {
  const { header, items } = splitEnvelope(body);
  const eventId = typeof header.event_id === 'string' ? header.event_id : undefined;
  return { eventId, categories: [...new Set(items.map(([item]) => categoryOf(String(item.type))))] };
}

/**
 * The stored bytes as an envelope the SDK's transport sends again byte for byte (payloads stay as they were
 * serialized), with `sent_at` set to now: Sentry corrects the event's time by the gap between `sent_at` and its
 * arrival, so an envelope sent an hour late with its first `sent_at` would have its times moved by an hour.
 */
export function envelopeToResend(body: Uint8Array, sentAt: Date): Envelope {
  const { header, items } = splitEnvelope(body);
  if ('sent_at' in header) header.sent_at = sentAt.toISOString();
  return [header, items] as unknown as Envelope;
}

type RawItem = [Record<string, unknown>, string | Uint8Array];

/**
 * Splits serialized envelope bytes: a header line, then per item a header line and its payload, `length` bytes
 * when the header gives it (kept as bytes), else up to the next newline (kept as text).
 */
function splitEnvelope(body: Uint8Array): { header: Record<string, unknown>; items: RawItem[] } {
  let offset = 0;
  const line = (): Uint8Array => {
    const end = body.indexOf(NEWLINE, offset);
    const slice = body.subarray(offset, end === -1 ? body.length : end);
    offset = end === -1 ? body.length : end + 1;
    return slice;
  };
  const header = JSON.parse(decoder.decode(line())) as Record<string, unknown>;
  const items: RawItem[] = [];
  while (offset < body.length) {
    const headerLine = line();
    // An empty line: the newline after a sized payload.
    if (headerLine.length === 0) continue;
    const itemHeader = JSON.parse(decoder.decode(headerLine)) as Record<string, unknown>;
    if (typeof itemHeader.length === 'number') {
      const payload = body.slice(offset, offset + itemHeader.length);
      offset += itemHeader.length;
      items.push([itemHeader, payload]);
    } else items.push([itemHeader, decoder.decode(line())]);
  }
  return { header, items };
}
