/**
 * The Redactor on its own: every shape a secret takes in text (encoded, escaped, wrapped, cut) is removed. The
 * end-to-end leak tests (every sink, every handler kind) are in leaks.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Redactor } from '../../src/index.js';

/** A Discord bot token for a bot with this id, shaped as Discord makes them. */
function botToken(id: string, { padded = false } = {}): string {
  const head = Buffer.from(id).toString(padded ? 'base64' : 'base64url');
  return `${head}.${randomBytes(4).toString('base64url')}.${randomBytes(28).toString('base64url')}`;
}

const webhookToken = () => randomBytes(51).toString('base64url');

/** Asserts that `secret`, and every 10 characters in a row of it, are gone from `redacted`, and that a marker says so. */
function assertGone(redacted: string, secret: string, marker = '[REDACTED'): void {
  assert.ok(!redacted.includes(secret), `the secret is still there: ${redacted}`);
  for (let i = 0; i + 10 <= secret.length; i++) {
    const part = secret.slice(i, i + 10);
    assert.ok(!redacted.includes(part), `"${part}" of the secret is still there: ${redacted}`);
  }
  assert.ok(redacted.includes(marker), `no ${marker} marker in: ${redacted}`);
}

test('webhook URLs on every Discord host, with or without /api/vN, lose their token', () => {
  const redactor = new Redactor();
  for (const base of [
    'https://discord.com/api/webhooks',
    'https://discord.com/api/v10/webhooks',
    'https://discordapp.com/api/webhooks',
    'https://canary.discord.com/api/v9/webhooks',
    'https://ptb.discordapp.com/api/webhooks',
    'https://discord.com/webhooks',
  ]) {
    const token = webhookToken();
    for (const tail of ['', '?wait=true', '/messages/@original', '#x', '>', '"', ')']) {
      const text = `posting to ${base}/123456789012345678/${token}${tail} failed`;
      const redacted = redactor.redact(text);
      assertGone(redacted, token);
      assert.ok(redacted.includes('/123456789012345678/[REDACTED]'), redacted);
    }
  }
});

test('a webhook or interaction URL URL-encoded (once or twice) or with JSON-escaped slashes loses its token', () => {
  const redactor = new Redactor();
  const token = webhookToken();
  const url = `https://discord.com/api/v10/webhooks/123456789012345678/${token}?wait=true`;
  const interactionToken = webhookToken();
  const interaction = `https://discord.com/api/v10/interactions/123456789012345678/${interactionToken}/callback`;
  for (const text of [
    encodeURIComponent(url),
    encodeURIComponent(encodeURIComponent(url)),
    `?redirect=${encodeURIComponent(url).toLowerCase()}`,
    JSON.stringify({ url }).replaceAll('/', '\\/'),
    JSON.stringify(JSON.stringify({ url }).replaceAll('/', '\\/')),
    new URLSearchParams({ url }).toString(),
  ])
    assertGone(redactor.redact(text), token);
  assertGone(redactor.redact(encodeURIComponent(interaction)), interactionToken);
});

test('a bare webhook token the redactor learned is removed alone, in a URL or next to other text', () => {
  const redactor = new Redactor();
  const token = webhookToken();
  redactor.learnToken(token, 'WEBHOOK TOKEN');
  for (const text of [`token=${token}`, `{"token":"${token}"}`, `leak_${token}_end`, token])
    assertGone(redactor.redact(text), token, '[REDACTED WEBHOOK TOKEN]');
});

test('bot tokens of bots with 17, 18, 19 and 20 digit ids are removed, their id padded or not', () => {
  const redactor = new Redactor();
  for (const id of ['12345678901234567', '123456789012345678', '1234567890123456789', '12345678901234567890']) {
    for (const padded of [false, true]) {
      const token = botToken(id, { padded });
      assertGone(redactor.redact(`Authorization: Bot ${token}`), token, '[REDACTED TOKEN]');
      assertGone(redactor.redact(JSON.stringify({ headers: { authorization: `Bot ${token}` } })), token, '[REDACTED TOKEN]');
    }
  }
});

test('a bot token split across two lines, with or without indentation, raw or JSON-escaped, is removed', () => {
  const redactor = new Redactor();
  const token = botToken('123456789012345678');
  for (const at of [5, 24, 25, 30, 40, token.length - 3]) {
    for (const lineBreak of ['\n', '\r\n', '\n    ', '\n\t', '\u200b']) {
      const wrapped = `Error: login failed with ${token.slice(0, at)}${lineBreak}${token.slice(at)} (401)`;
      assertGone(redactor.redact(wrapped), token, '[REDACTED TOKEN]');
      assertGone(redactor.redact(JSON.stringify({ message: wrapped })), token, '[REDACTED TOKEN]');
    }
  }
  // A line ending in a word, a token on the next: the line stays as it was, only the token goes.
  assert.equal(redactor.redact(`id 123\n    ${token} ok`), 'id 123\n    [REDACTED TOKEN] ok');
});

test('a registered secret wrapped across two lines is removed', () => {
  const redactor = new Redactor();
  const secret = `sk-live-${randomBytes(16).toString('hex')}`;
  redactor.add(secret, 'API KEY');
  assertGone(redactor.redact(`key ${secret.slice(0, 20)}\n  ${secret.slice(20)} refused`), secret, '[REDACTED API KEY]');
});

test('a registered secret is removed URL-encoded, form-encoded, JSON-escaped, as HTML, in base64 and in hex', () => {
  const redactor = new Redactor();
  const secret = `pa ss"wo\\rd/${randomBytes(6).toString('hex')}+é=&<1>`;
  redactor.add(secret, 'API KEY');
  const unicodeEscaped = JSON.stringify(secret).replace(/[^\w ]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const shapes: Record<string, string> = {
    'as it is': secret,
    'URL-encoded': encodeURIComponent(secret),
    'URL-encoded twice': encodeURIComponent(encodeURIComponent(secret)),
    'URL-encoded, lowercase hex': encodeURIComponent(secret).toLowerCase(),
    'form-encoded': new URLSearchParams({ key: secret }).toString(),
    'JSON-escaped': JSON.stringify({ key: secret }),
    'JSON in JSON': JSON.stringify(JSON.stringify({ key: secret })),
    'JSON with escaped slashes': JSON.stringify(secret).replaceAll('/', '\\/'),
    'JSON with \\u escapes': unicodeEscaped,
    'HTML references': secret.replace(/[^\w ]/g, (c) => `&#${String(c.codePointAt(0))};`),
    'HTML named and hex references': secret.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c] ?? ''};`),
    hex: Buffer.from(secret).toString('hex'),
    'upper-case hex': Buffer.from(secret).toString('hex').toUpperCase(),
  };
  for (const prefix of ['', 'a', 'ab']) {
    shapes[`base64 after ${String(prefix.length)} bytes`] = Buffer.from(`${prefix}${secret}!`).toString('base64');
    shapes[`URL-safe base64 after ${String(prefix.length)} bytes`] = Buffer.from(`${prefix}${secret}`).toString('base64url');
  }
  for (const [shape, text] of Object.entries(shapes)) {
    const redacted = redactor.redact(`before ${text} after`);
    assert.ok(redacted.includes('[REDACTED API KEY]'), `${shape}: ${redacted}`);
    assert.ok(!redacted.includes(text), `${shape} survived: ${redacted}`);
    assert.ok(redacted.startsWith('before ') && redacted.endsWith(' after'), `${shape}: the text around it stays: ${redacted}`);
  }
});

test('the DSN, its public key alone and its secret key alone are removed; other DSNs by their shape', () => {
  const redactor = new Redactor();
  const publicKey = randomBytes(16).toString('hex');
  const secretKey = randomBytes(16).toString('hex');
  const dsn = `https://${publicKey}:${secretKey}@o1.ingest.sentry.io/42`;
  redactor.add(dsn, 'SENTRY DSN');
  redactor.add(publicKey, 'SENTRY KEY');
  redactor.add(secretKey, 'SENTRY KEY');
  for (const text of [dsn, encodeURIComponent(dsn), JSON.stringify(dsn).replaceAll('/', '\\/')]) {
    const redacted = redactor.redact(`dsn ${text} set`);
    assert.match(redacted, /^dsn "?\[REDACTED SENTRY DSN\]"? set$/, `nothing of the DSN survives, not even its host: ${redacted}`);
  }
  assert.equal(redactor.redact(`key ${publicKey}, secret ${secretKey}`), 'key [REDACTED SENTRY KEY], secret [REDACTED SENTRY KEY]');
  const other = `https://${randomBytes(16).toString('hex')}@o2.ingest.us.sentry.io/7`;
  assert.equal(new Redactor().redact(`other ${other}`), 'other [REDACTED SENTRY DSN]');
});

test('secrets that contain or overlap one another are replaced as one, so no part of either survives', () => {
  const redactor = new Redactor();
  const inner = `inner-${randomBytes(6).toString('hex')}`;
  const outer = `outer-${randomBytes(4).toString('hex')}-${inner}-tail`;
  redactor.add(inner, 'INNER');
  redactor.add(outer, 'OUTER');
  assert.equal(redactor.redact(`a ${outer} b`), 'a [REDACTED OUTER] b');
  const left = `left-${randomBytes(6).toString('hex')}`;
  const right = `${left.slice(-6)}-right-${randomBytes(4).toString('hex')}`;
  redactor.add(left);
  redactor.add(right);
  const joined = `${left}${right.slice(6)}`;
  const redacted = redactor.redact(`x ${joined} y`);
  assert.equal(redacted, 'x [REDACTED SECRET] y');
});

test('a non-Error value thrown with a secret inside is redacted in its JSON form', () => {
  const redactor = new Redactor();
  const secret = `p"a\\ss-${randomBytes(6).toString('hex')}`;
  redactor.add(secret, 'API KEY');
  const described = JSON.stringify({ config: { apiKey: secret, nested: [secret] } });
  assertGone(redactor.redact(`A non-Error value was thrown: ${described}`), secret, '[REDACTED API KEY]');
});

test('what a cut left of a secret at the end or the start of a text is found; ordinary edges are not', () => {
  const redactor = new Redactor();
  const secret = `sk-live-${randomBytes(12).toString('hex')}`;
  redactor.add(secret, 'API KEY');
  assert.deepEqual(redactor.partialAtEnd(`message ${secret.slice(0, 14)}`), { length: 14, replacement: '[REDACTED API KEY]' });
  assert.deepEqual(redactor.partialAtStart(`${secret.slice(-9)} and more`), { length: 9, replacement: '[REDACTED API KEY]' });
  assert.equal(redactor.partialAtEnd(`message ${secret.slice(0, 3)}`), undefined, 'three characters tell nothing');
  assert.equal(redactor.partialAtEnd('an ordinary message'), undefined);
  assert.equal(redactor.partialAtStart(`${secret} whole`), undefined, 'a whole secret is for redact(), not a cut');
});

test('a secret shorter than 6 characters is refused; a deleted one is shown again', () => {
  const redactor = new Redactor();
  assert.throws(() => {
    redactor.add('abc');
  }, RangeError);
  redactor.add('hunter2-secret');
  assert.equal(redactor.redact('pw hunter2-secret'), 'pw [REDACTED SECRET]');
  redactor.delete('hunter2-secret');
  assert.equal(redactor.redact('pw hunter2-secret'), 'pw hunter2-secret');
});

test('long hostile texts (backslashes, line breaks, token characters) are redacted in one pass each', () => {
  const redactor = new Redactor();
  redactor.add('p"ss w/rd-0123', 'API KEY');
  const token = botToken('123456789012345678');
  for (const filler of ['\\', '\n', 'a\n', 'a', '%25', '\\u00', ' ']) {
    const text = `${filler.repeat(Math.ceil(200_000 / filler.length))}${token}`;
    const redacted = redactor.redact(text);
    assert.ok(redacted.endsWith('[REDACTED TOKEN]'), `the token after ${JSON.stringify(filler)} filler`);
  }
});
