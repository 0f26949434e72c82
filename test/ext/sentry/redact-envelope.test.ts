/**
 * The last redaction before bytes leave for Sentry, on envelopes shaped as the SDK hands them to its transport:
 * every way a payload can come (an object, a string, bytes, something JSON cannot write), the header with and
 * without the DSN a tunnel needs, the tokens a URL gives away, and what the SDK's own cuts leave of a secret.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor } from '../../../src/errors/redact.js';
import { redactEnvelope } from '../../../src/ext/sentry/redact-envelope.js';
import type { MutableEnvelope } from '../../../src/ext/sentry/redact-envelope.js';

const SECRET = 'hunter2-correct-horse';
const WEBHOOK_TOKEN = 'Aa0_-webhook-token-of-the-guild-channel-xyz';
const WEBHOOK_URL = `https://discord.com/api/v10/webhooks/123456789012345678/${WEBHOOK_TOKEN}`;

function redactor(...secrets: string[]): Redactor {
  const made = new Redactor();
  for (const secret of secrets) made.add(secret);
  return made;
}

function envelopeOf(header: Record<string, unknown>, ...items: [Record<string, unknown>, unknown][]): MutableEnvelope {
  return [header, items];
}

test('the header is redacted, keys too, and keeps the DSN a tunnel forwards with; a header without one gets none', () => {
  const dsn = `https://public@o1.ingest.sentry.io/1?note=${SECRET}`;
  const withDsn = envelopeOf({ event_id: 'e1', dsn, trace: { [`key-${SECRET}`]: `value ${SECRET}` } });
  redactEnvelope(withDsn, redactor(SECRET));
  assert.deepEqual(withDsn[0], { event_id: 'e1', dsn, trace: { 'key-[REDACTED SECRET]': 'value [REDACTED SECRET]' } });

  const withoutDsn = envelopeOf({ event_id: 'e2', sdk: { name: `sdk ${SECRET}` } });
  redactEnvelope(withoutDsn, redactor(SECRET));
  assert.deepEqual(withoutDsn[0], { event_id: 'e2', sdk: { name: 'sdk [REDACTED SECRET]' } });
  assert.ok(!('dsn' in withoutDsn[0]), 'no dsn key is added to a header that had none');
});

test('an object payload becomes redacted JSON text, with secrets in keys and among characters JSON escapes', () => {
  const payload = {
    message: `failed with ${SECRET}`,
    tags: { [SECRET]: 'as a key' },
    quoted: `"${SECRET}"\n\ttab`,
    [`"${SECRET}"`]: 'a key JSON escapes',
    list: [`a ${SECRET}`, 3, null, true],
  };
  const envelope = envelopeOf({}, [{ type: 'event' }, payload]);
  redactEnvelope(envelope, redactor(SECRET));
  const sent = envelope[1][0]?.[1];
  assert.equal(typeof sent, 'string', 'serialised here, so the transport sends the redacted text as it is');
  assert.deepEqual(JSON.parse(sent as string), {
    message: 'failed with [REDACTED SECRET]',
    tags: { '[REDACTED SECRET]': 'as a key' },
    quoted: '"[REDACTED SECRET]"\n\ttab',
    '"[REDACTED SECRET]"': 'a key JSON escapes',
    list: ['a [REDACTED SECRET]', 3, null, true],
  });
});

test('a registered secret holding a quote, inside a string JSON escapes, is found before the text is written', () => {
  const quoted = 'pa"ss\\word';
  const envelope = envelopeOf({}, [{ type: 'event' }, { message: `the password is ${quoted}\u0001`, plain: 'no secret' }]);
  redactEnvelope(envelope, redactor(quoted));
  const sent = envelope[1][0]?.[1] as string;
  assert.ok(!sent.includes('pa\\"ss'), sent);
  assert.deepEqual(JSON.parse(sent), { message: 'the password is [REDACTED SECRET]\u0001', plain: 'no secret' });
});

test('a token right after a character JSON escapes is redacted before the text is written, in a value and in a key', () => {
  // In the text, `\t` or `\n` puts a letter before the token, which then no longer has a token's shape: the string is
  // redacted on its own first, and the payload still goes as one JSON text.
  const token = `${Buffer.from('123456789012345678').toString('base64url')}.GabcDe.${'x'.repeat(27)}Q`;
  for (const [value, expected] of [
    [{ message: `\t${token}` }, { message: '\t[REDACTED TOKEN]' }],
    [{ nested: { [`\n${token}`]: 1, plain: 2 } }, { nested: { '\n[REDACTED TOKEN]': 1, plain: 2 } }],
    [{ [`\u0001${token}`]: 'only key' }, { '\u0001[REDACTED TOKEN]': 'only key' }],
  ] as const) {
    const envelope = envelopeOf({}, [{ type: 'event' }, value]);
    redactEnvelope(envelope, new Redactor());
    const sent = envelope[1][0]?.[1];
    assert.equal(typeof sent, 'string', `sent as JSON text: ${JSON.stringify(value)}`);
    assert.deepEqual(JSON.parse(sent as string), expected);
  }
});

test('a secret spanning two JSON strings is redacted field by field instead of breaking the JSON', () => {
  // The text `{"a":"12345678","b":"x"}` holds `12345678","b`: replaced in the text, it would leave invalid JSON.
  const spanning = '12345678","b';
  const envelope = envelopeOf({}, [{ type: 'event' }, { a: '12345678', b: 'x', c: `whole ${spanning}` }]);
  redactEnvelope(envelope, redactor(spanning));
  assert.deepEqual(envelope[1][0]?.[1], { a: '12345678', b: 'x', c: 'whole [REDACTED SECRET]' });
});

test('a string payload (an attachment) is redacted and its declared length follows; bytes go as they are', () => {
  const text = `é log line ${SECRET} end`;
  const bytes = new TextEncoder().encode(`binary ${SECRET}`);
  const envelope = envelopeOf(
    {},
    [{ type: 'attachment', length: Buffer.byteLength(text) }, text],
    [{ type: 'attachment' }, `no length ${SECRET}`],
    [{ type: 'attachment', length: bytes.length }, bytes],
  );
  redactEnvelope(envelope, redactor(SECRET));
  const [declared, undeclared, binary] = envelope[1];
  assert.equal(declared?.[1], 'é log line [REDACTED SECRET] end');
  assert.equal(declared[0].length, Buffer.byteLength('é log line [REDACTED SECRET] end'), 'bytes, not characters');
  assert.equal(undeclared?.[1], 'no length [REDACTED SECRET]');
  assert.deepEqual(undeclared[0], { type: 'attachment' }, 'no length is declared where there was none');
  assert.equal(binary?.[1], bytes, 'a binary attachment is not decoded');
  assert.equal(binary[0].length, bytes.length);
});

test('what JSON cannot write is redacted string by string, keys included, through toJSON and arrays', () => {
  const session = { toJSON: () => ({ sid: `s-${SECRET}` }) };
  const bytes = new Uint8Array([1, 2, 3]);
  const payload = { count: 10n, [`k-${SECRET}`]: [`v-${SECRET}`, { session }], bytes, none: null, flag: false };
  const envelope = envelopeOf({}, [{ type: 'event' }, payload]);
  redactEnvelope(envelope, redactor(SECRET));
  assert.deepEqual(envelope[1][0]?.[1], {
    count: 10n,
    'k-[REDACTED SECRET]': ['v-[REDACTED SECRET]', { session: { sid: 's-[REDACTED SECRET]' } }],
    bytes,
    none: null,
    flag: false,
  });
});

test('past 64 levels a value is replaced rather than sent unchecked; up to them it is kept', () => {
  const nest = (depth: number): unknown => {
    let value: unknown = `deep ${SECRET}`;
    for (let level = 0; level < depth; level++) value = { level: value };
    return value;
  };
  const leaf = (value: unknown): unknown => {
    let at = value;
    while (typeof at === 'object' && at !== null) at = (at as { level: unknown }).level;
    return at;
  };
  // A BigInt makes JSON.stringify throw, so these take the string-by-string way, which is the one with a depth bound.
  const envelope = envelopeOf({}, [{ type: 'event' }, { n: 1n, kept: nest(63) }], [{ type: 'event' }, { n: 1n, cut: nest(64) }]);
  redactEnvelope(envelope, redactor(SECRET));
  assert.equal(leaf((envelope[1][0]?.[1] as { kept: unknown }).kept), 'deep [REDACTED SECRET]');
  assert.equal(leaf((envelope[1][1]?.[1] as { cut: unknown }).cut), '[REDACTED: nested too deeply to check]');
});

test('arrays and toJSON chains count as levels too', () => {
  let list: unknown = `deep ${SECRET}`;
  for (let level = 0; level < 70; level++) list = [list];
  const chain = (left: number): unknown => (left === 0 ? `end ${SECRET}` : { toJSON: () => chain(left - 1) });
  const envelope = envelopeOf({}, [{ type: 'event' }, { n: 1n, list, chain: chain(100) }]);
  redactEnvelope(envelope, redactor(SECRET));
  const sent = envelope[1][0]?.[1] as { list: unknown; chain: unknown };
  let at = sent.list;
  while (Array.isArray(at)) at = at[0];
  assert.equal(at, '[REDACTED: nested too deeply to check]');
  assert.equal(sent.chain, '[REDACTED: nested too deeply to check]');
});

test('a token seen in a webhook URL is removed wherever else it appears alone, longest token first', () => {
  const longer = `${WEBHOOK_TOKEN}-and-more`;
  const longerUrl = `https://discord.com/api/webhooks/223456789012345678/${longer}`;
  const event = {
    request: { url: WEBHOOK_URL },
    frames: [{ module: WEBHOOK_TOKEN }, { module: longer }],
    other: `${longerUrl} and /interactions/323456789012345678/${'i'.repeat(30)}/callback`,
    short: '/webhooks/123/too-short-an-id-to-be-a-snowflake-x',
  };
  const envelope = envelopeOf({}, [{ type: 'event' }, event]);
  redactEnvelope(envelope, new Redactor());
  const sent = JSON.parse(envelope[1][0]?.[1] as string) as typeof event;
  assert.equal(sent.request.url, 'https://discord.com/api/v10/webhooks/123456789012345678/[REDACTED]');
  assert.deepEqual(sent.frames, [{ module: '[REDACTED]' }, { module: '[REDACTED]' }], 'the longer token went whole');
  assert.equal(
    sent.other,
    'https://discord.com/api/webhooks/223456789012345678/[REDACTED] and /interactions/323456789012345678/[REDACTED]/callback',
  );
  assert.equal(sent.short, event.short, 'not a Discord URL: the id is no snowflake');
});

test('tokens are learnt across the whole item on the string-by-string way too', () => {
  const envelope = envelopeOf({}, [{ type: 'event' }, { big: 1n, module: WEBHOOK_TOKEN, url: WEBHOOK_URL, plain: 'kept' }]);
  redactEnvelope(envelope, new Redactor());
  assert.deepEqual(envelope[1][0]?.[1], {
    big: 1n,
    module: '[REDACTED]',
    url: 'https://discord.com/api/v10/webhooks/123456789012345678/[REDACTED]',
    plain: 'kept',
  });
  const clean = envelopeOf({}, [{ type: 'event' }, { big: 2n, text: 'nothing to learn' }]);
  redactEnvelope(clean, new Redactor());
  assert.deepEqual(clean[1][0]?.[1], { big: 2n, text: 'nothing to learn' });
});

test("what the SDK's cuts leave of a secret goes: before `...`, after `{snip} `, before ` {snip}`", () => {
  const secret = 'abcdefghijklmnopqrstuvwxyz012345';
  const event = {
    message: `the key is ${secret.slice(0, 12)}...`,
    line: `{snip} ${secret.slice(-10)} = load()`,
    tail: `const key = ${secret.slice(0, 9)} {snip}`,
    both: `{snip} ${secret.slice(-8)} = ${secret.slice(0, 8)} {snip}`,
    dots: `an ellipsis... in the middle is no cut: ${secret.slice(0, 12)}... stays, as does one at the end without a secret...`,
    short: `too short to be a part: ${secret.slice(0, 3)}...`,
    plainLine: '{snip} ordinary code with no secret',
    // A long field after the cut: the part is looked for just before its mark, not from the text's start.
    padding: 'p'.repeat(500),
  };
  const envelope = envelopeOf({}, [{ type: 'event' }, event]);
  redactEnvelope(envelope, redactor(secret));
  assert.deepEqual(JSON.parse(envelope[1][0]?.[1] as string), {
    message: 'the key is [REDACTED SECRET]...',
    line: '{snip} [REDACTED SECRET] = load()',
    tail: 'const key = [REDACTED SECRET] {snip}',
    both: '{snip} [REDACTED SECRET] = [REDACTED SECRET] {snip}',
    dots: event.dots,
    short: event.short,
    plainLine: event.plainLine,
    padding: event.padding,
  });
});

test('cut parts are found at the end of a long text and at the start of one, and in every string of an event', () => {
  const secret = 'zyxwvutsrqponmlkjihg';
  const far = `${secret.slice(0, 8)}...`;
  const envelope = envelopeOf(
    {},
    [{ type: 'attachment' }, `${'x'.repeat(500)}${far}`],
    [{ type: 'attachment' }, `{snip} ${secret.slice(-6)}${'y'.repeat(500)}`],
    [{ type: 'event' }, { a: `${secret.slice(0, 6)}...`, b: `{snip} ${secret.slice(-5)}`, c: `${secret.slice(0, 7)}...` }],
  );
  redactEnvelope(envelope, redactor(secret));
  assert.equal(envelope[1][0]?.[1], `${'x'.repeat(500)}[REDACTED SECRET]...`);
  assert.equal(envelope[1][1]?.[1], `{snip} [REDACTED SECRET]${'y'.repeat(500)}`);
  assert.deepEqual(JSON.parse(envelope[1][2]?.[1] as string), {
    a: '[REDACTED SECRET]...',
    b: '{snip} [REDACTED SECRET]',
    c: '[REDACTED SECRET]...',
  });
});

test('parts side by side are both removed; parts over the same characters are replaced once', () => {
  const first = 'first-secret-0123456789';
  const second = 'second-secret-9876543210';
  const sameEnds = 'abcd-middle-abcd';
  const envelope = envelopeOf(
    {},
    [{ type: 'attachment' }, `{snip} ${first.slice(-6)}${second.slice(0, 6)}...`],
    // `abcd` is both the end of the secret (after `{snip} `) and its start (before `...`).
    [{ type: 'attachment' }, '{snip} abcd...'],
  );
  redactEnvelope(envelope, redactor(first, second, sameEnds));
  assert.equal(envelope[1][0]?.[1], '{snip} [REDACTED SECRET][REDACTED SECRET]...');
  assert.equal(envelope[1][1]?.[1], '{snip} [REDACTED SECRET]...');
});
