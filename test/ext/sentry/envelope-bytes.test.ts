/**
 * The outbox keeps an envelope as the bytes the SDK serialized: read back, it must go out again byte for byte (binary
 * attachments and payloads with newlines included) with only `sent_at` renewed, and the facts it is queued with (its
 * id and rate-limit categories) must be those the SDK would find.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEnvelope, envelopeItemTypeToDataCategory, serializeEnvelope } from '@sentry/core';
import type { Envelope as SdkEnvelope } from '@sentry/core';
import { categoryOf, envelopeBytes, envelopeFacts, envelopeToResend } from '../../../src/ext/sentry/envelope-bytes.js';
import type { Envelope } from '../../../src/ext/sentry/envelope-bytes.js';

const EVENT_ID = '0123456789abcdef0123456789abcdef';
const FIRST_SENT = '2026-12-04T10:00:00.000Z';
const RESENT = new Date('2026-12-04T11:30:00.000Z');

function bytesOf(envelope: SdkEnvelope): Uint8Array {
  return envelopeBytes(serializeEnvelope(envelope));
}

function resentBytes(body: Uint8Array): Uint8Array {
  return bytesOf(envelopeToResend(body, RESENT));
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test('every item type has the rate-limit category @sentry/core gives it', () => {
  const types = ['event', 'transaction', 'session', 'sessions', 'attachment', 'client_report', 'user_report', 'feedback', 'profile'];
  const more = ['profile_chunk', 'replay_event', 'replay_recording', 'check_in', 'span', 'raw_security', 'log', 'metric', 'statsd', 'x'];
  for (const type of [...types, ...more]) assert.equal(categoryOf(type), envelopeItemTypeToDataCategory(type as never), type);
});

test('a string from the SDK becomes its UTF-8 bytes; bytes are kept as they are', () => {
  assert.deepEqual([...envelopeBytes('é\n€')], [0xc3, 0xa9, 0x0a, 0xe2, 0x82, 0xac]);
  const bytes = new Uint8Array([1, 2, 3]);
  assert.equal(envelopeBytes(bytes), bytes);
});

test('an event envelope is sent again byte for byte but for sent_at, which is now', () => {
  const envelope = createEnvelope<SdkEnvelope>(
    { event_id: EVENT_ID, sent_at: FIRST_SENT, sdk: { name: 'sentry.javascript.node', version: '11' } },
    [[{ type: 'event' }, { event_id: EVENT_ID, message: 'line one\nline two', extra: { emoji: '🔥' } }]] as never,
  );
  const body = bytesOf(envelope);
  const resent = resentBytes(body);
  assert.equal(text(resent), text(body).replace(FIRST_SENT, RESENT.toISOString()));
  assert.notEqual(text(body), text(resent));
  assert.deepEqual(envelopeFacts(body), { eventId: EVENT_ID, categories: ['error'] });
});

test('an envelope without sent_at gets none; one without event_id has no id', () => {
  const body = bytesOf(createEnvelope<SdkEnvelope>({}, [[{ type: 'session' }, { sid: 'abc', status: 'ok' }]] as never));
  assert.equal(text(resentBytes(body)), text(body));
  assert.doesNotMatch(text(resentBytes(body)), /sent_at/);
  assert.deepEqual(envelopeFacts(body), { eventId: undefined, categories: ['session'] });
  const numbered = envelopeBytes('{"event_id":42}\n{"type":"event"}\n{}\n');
  assert.equal(envelopeFacts(numbered).eventId, undefined);
});

test('binary attachments, with newlines and bytes that are not UTF-8 inside, come back whole, beside text items', () => {
  const binary = new Uint8Array([0x0a, 0xff, 0x00, 0x0a, 0x0a, 0xc3, 0x28, 0x0a]);
  const envelope = createEnvelope<SdkEnvelope>({ event_id: EVENT_ID, sent_at: FIRST_SENT }, [
    [{ type: 'event' }, { event_id: EVENT_ID, message: 'boom' }],
    [{ type: 'attachment', length: binary.length, filename: 'dump.bin' }, binary],
    [{ type: 'attachment', length: 0, filename: 'empty.txt' }, new Uint8Array()],
    [{ type: 'client_report' }, { timestamp: 1, discarded_events: [] }],
    [{ type: 'attachment', length: 3, filename: 'last.bin' }, new Uint8Array([0x0a, 0x0a, 0x0a])],
  ] as never);
  const body = bytesOf(envelope);
  const resent = resentBytes(body);
  const expected = bytesOf(createEnvelope<SdkEnvelope>({ event_id: EVENT_ID, sent_at: RESENT.toISOString() }, envelope[1]));
  assert.deepEqual([...resent], [...expected]);
  const [, items] = envelopeToResend(body, RESENT) as unknown as [unknown, [Record<string, unknown>, unknown][]];
  assert.deepEqual([...(items[1]![1] as Uint8Array)], [...binary]);
  assert.deepEqual([...(items[4]![1] as Uint8Array)], [0x0a, 0x0a, 0x0a]);
  assert.deepEqual(envelopeFacts(body), { eventId: EVENT_ID, categories: ['error', 'attachment', 'internal'] });
});

test('a sized payload at the very end without a newline, and blank lines between items, are read as the SDK writes them', () => {
  const body = envelopeBytes(
    '{"sent_at":"x"}\n\n{"type":"attachment","length":2}\nab\n\n{"type":"user_report"}\n{"a":1}\n{"type":"attachment","length":1}\nz',
  );
  const [header, items] = envelopeToResend(body, RESENT) as unknown as [Record<string, unknown>, [Record<string, unknown>, unknown][]];
  assert.deepEqual(header, { sent_at: RESENT.toISOString() });
  assert.deepEqual(
    items.map(([item, payload]) => [item.type, payload instanceof Uint8Array ? text(payload) : payload]),
    [
      ['attachment', 'ab'],
      ['user_report', '{"a":1}'],
      ['attachment', 'z'],
    ],
  );
  assert.deepEqual(envelopeFacts(body).categories, ['attachment', 'default']);
  const textOnly: Envelope = envelopeToResend(envelopeBytes('{}\n{"type":"event"}\n{"message":"m"}'), RESENT);
  assert.deepEqual(textOnly[1], [[{ type: 'event' }, '{"message":"m"}']]);
});
