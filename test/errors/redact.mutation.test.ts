/**
 * The Redactor on its own: registered secrets (one inside another, encoded, removed again) and the shapes of Discord's
 * tokens, for bots of every age (17-, 18- and 19-digit ids). What a secret becomes is asserted exactly, so a leftover
 * piece of one shows.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { Redactor } from '../../src/errors/redact.js';

/** A bot token as Discord makes it: `base64(bot id).base64(timestamp).hmac`, unpadded. */
function botToken(botId: string, timestampChars = 6, hmacChars = 38): string {
  const part = (chars: number) => randomBytes(chars).toString('base64url').slice(0, chars);
  return `${Buffer.from(botId).toString('base64url')}.${part(timestampChars)}.${part(hmacChars)}`;
}

/** A Redactor that knows each `[secret, label]`. */
function withSecrets(...secrets: [secret: string, label?: string][]): Redactor {
  const redactor = new Redactor();
  for (const [secret, label] of secrets) redactor.add(secret, label);
  return redactor;
}

const DSN_KEY = 'f3a9c0d1e2b34c5d6e7f8091a2b3c4d5';
const DSN = `https://${DSN_KEY}@o450123.ingest.sentry.io/4504123456789`;
/** A secret with characters URL encoding changes: `@`, a space, `/` and a letter outside ASCII. */
const ENCODABLE = 'p@ss w0rd/äpi';

test('a secret that contains another is replaced whole, whichever was registered first', () => {
  const keyFirst = new Redactor();
  keyFirst.add(DSN_KEY, 'DSN KEY');
  keyFirst.add(DSN, 'DSN');
  const dsnFirst = new Redactor();
  dsnFirst.add(DSN, 'DSN');
  dsnFirst.add(DSN_KEY, 'DSN KEY');
  for (const redactor of [keyFirst, dsnFirst]) {
    assert.equal(redactor.redact(`init with ${DSN} failed`), 'init with [REDACTED DSN] failed');
    assert.equal(redactor.redact(`bad key ${DSN_KEY}`), 'bad key [REDACTED DSN KEY]');
  }
});

test('removing one secret keeps the others replaced longest first', () => {
  const redactor = withSecrets([DSN_KEY, 'DSN KEY'], ['an-api-key-of-the-bot', 'API KEY'], [DSN, 'DSN']);
  redactor.delete('an-api-key-of-the-bot');
  assert.equal(redactor.redact(`${DSN} and an-api-key-of-the-bot`), '[REDACTED DSN] and an-api-key-of-the-bot');
});

test('a secret is also replaced in its URL-encoded form, and delete forgets both forms', () => {
  const redactor = withSecrets([ENCODABLE]);
  const encoded = encodeURIComponent(ENCODABLE);
  assert.equal(redactor.redact(`raw ${ENCODABLE} encoded ${encoded}`), 'raw [REDACTED SECRET] encoded [REDACTED SECRET]');
  redactor.delete(ENCODABLE);
  assert.equal(redactor.redact(`raw ${ENCODABLE} encoded ${encoded}`), `raw ${ENCODABLE} encoded ${encoded}`);
});

test('a secret of six characters is accepted, a shorter one is refused with a RangeError that says why', () => {
  const redactor = withSecrets(['abcdef', 'SHORT']);
  assert.equal(redactor.redact('x abcdef y'), 'x [REDACTED SHORT] y');
  assert.throws(
    () => {
      redactor.add('abcde');
    },
    { name: 'RangeError', message: 'A secret must have at least 6 characters to be redacted safely' },
  );
});

test('bot tokens of bots with 17-, 18- and 19-digit ids are redacted whole without being registered', () => {
  const ids = ['81384788765712384', '159985870458322944', '1234567890123456789'];
  const redactor = new Redactor();
  for (const id of ids) {
    for (const [timestampChars, hmacChars] of [
      [6, 27],
      [6, 38],
      [7, 38],
    ] as const) {
      const token = botToken(id, timestampChars, hmacChars);
      assert.equal(redactor.redact(`Bot ${token}`), 'Bot [REDACTED TOKEN]', `${id}: ${token}`);
      assert.equal(redactor.redact(`{"token":"${token}"}`), '{"token":"[REDACTED TOKEN]"}', `${id}: ${token}`);
      assert.equal(redactor.redact(`${token}\nat line 2`), '[REDACTED TOKEN]\nat line 2', `${id}: ${token}`);
    }
  }
});

test('dotted words that are not tokens are left alone: file names, versions, a short first part', () => {
  const redactor = new Redactor();
  const text = `src/errors/format.ts v14.28.1 ${'a'.repeat(19)}.abcdef.${'b'.repeat(30)} ${'c'.repeat(24)}.abcde.${'d'.repeat(30)}`;
  assert.equal(redactor.redact(text), text);
});

test('interaction tokens are redacted whole, padding included', () => {
  const unpadded = Buffer.from(`interaction:1234567890123456789:${randomBytes(64).toString('base64url')}`).toString('base64url');
  const token = unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '=');
  assert.ok(token.endsWith('='), 'the token ends with base64 padding');
  const redactor = new Redactor();
  assert.equal(redactor.redact(`token ${token} end`), 'token [REDACTED INTERACTION TOKEN] end');
});

test('the token after a webhook or interaction id in a URL is redacted; the route, the id and the query stay', () => {
  const redactor = new Redactor();
  for (const id of ['81384788765712384', '1234567890123456789']) {
    assert.equal(
      redactor.redact(`POST https://discord.com/api/v10/webhooks/${id}/Whk9-abc_DEF?wait=true failed`),
      `POST https://discord.com/api/v10/webhooks/${id}/[REDACTED]?wait=true failed`,
    );
    assert.equal(redactor.redact(`/interactions/${id}/some-callback-token/callback`), `/interactions/${id}/[REDACTED]/callback`);
  }
  assert.equal(
    redactor.redact(`{"url":"/webhooks/1234567890123456789/abc-TOKEN"} '/webhooks/1234567890123456789/abc#frag'`),
    `{"url":"/webhooks/1234567890123456789/[REDACTED]"} '/webhooks/1234567890123456789/[REDACTED]#frag'`,
  );
  assert.equal(redactor.redact('/webhooks/12345/short-id-is-not-a-snowflake'), '/webhooks/12345/short-id-is-not-a-snowflake');
});

test('text redacted twice is unchanged the second time', () => {
  const redactor = withSecrets([DSN, 'DSN']);
  const once = redactor.redact(`${DSN} ${botToken('159985870458322944')} /webhooks/1234567890123456789/secret-part`);
  assert.equal(redactor.redact(once), once);
  assert.equal(once, '[REDACTED DSN] [REDACTED TOKEN] /webhooks/1234567890123456789/[REDACTED]');
});

test('a secret Lantern later sees handed out as a webhook token keeps its label and every encoded form', () => {
  const redactor = new Redactor();
  const secret = 'Zq7xWebhookSecret_012345678';
  redactor.add(secret, 'API KEY');
  redactor.learnToken(secret, 'WEBHOOK TOKEN');
  const base64 = Buffer.from(secret).toString('base64');
  const hex = Buffer.from(secret).toString('hex');
  assert.equal(redactor.redact(`plain ${secret}`), 'plain [REDACTED API KEY]');
  assert.equal(redactor.redact(`basic ${base64}`), 'basic [REDACTED API KEY]');
  assert.equal(redactor.redact(`hex ${hex}`), 'hex [REDACTED API KEY]');
});

test('the part a cut left is found from four characters on, and the longest part of any secret wins', () => {
  const redactor = withSecrets(['abcdefgh-0123', 'FIRST'], ['defgXYZ-98765', 'SECOND']);
  assert.deepEqual(redactor.partialAtEnd('the key abcdefg'), { length: 7, replacement: '[REDACTED FIRST]' });
  assert.deepEqual(redactor.partialAtEnd('the key abcd'), { length: 4, replacement: '[REDACTED FIRST]' });
  assert.deepEqual(redactor.partialAtStart('h-0123 was cut'), { length: 6, replacement: '[REDACTED FIRST]' });
  assert.deepEqual(redactor.partialAtStart('0123 was cut'), { length: 4, replacement: '[REDACTED FIRST]' });
});

test('overlapping secrets become one replacement named for the longest, even when the shorter starts first', () => {
  const redactor = withSecrets(['user-4242', 'USER'], ['4242-session-ffee0011', 'SESSION']);
  assert.equal(redactor.redact('cookie user-4242-session-ffee0011; path=/'), 'cookie [REDACTED SESSION]; path=/');
});

test('a registered secret longer than 200 characters, wrapped across two lines in its middle, is removed whole', () => {
  const redactor = new Redactor();
  const secret = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(300).toString('base64url')}.${randomBytes(100).toString('base64url')}`;
  assert.ok(secret.length > 500, 'each half is longer than a token');
  redactor.add(secret, 'JWT');
  const middle = Math.floor(secret.length / 2);
  const wrapped = `Authorization failed: ${secret.slice(0, middle)}\n    ${secret.slice(middle)} (expired)`;
  assert.equal(redactor.redact(wrapped), 'Authorization failed: [REDACTED JWT] (expired)');
});

test('a value shorter than six characters learned as a token is not hidden: ordinary words stay', () => {
  const redactor = new Redactor();
  redactor.learnToken('hello', 'WEBHOOK TOKEN');
  assert.equal(redactor.redact('hello world'), 'hello world');
});

test('a secret wrapped with only its last character on the next line leaves no character of it', () => {
  const redactor = withSecrets(['pa55word-for-the-db', 'PASSWORD']);
  assert.equal(redactor.redact('login pa55word-for-the-d\nb failed'), 'login [REDACTED PASSWORD] failed');
});

test("DSNs with a secret key (Sentry's older form) and webhook URLs of 15-digit ids lose their secrets unregistered", () => {
  const redactor = new Redactor();
  const key = 'a'.repeat(32);
  const secretKey = 'b'.repeat(32);
  assert.equal(redactor.redact(`dsn https://${key}:${secretKey}@sentry.example.com/42 set`), 'dsn [REDACTED SENTRY DSN] set');
  assert.equal(
    redactor.redact('POST https://discord.com/api/webhooks/123456789012345/TokenOfAnOldWebhook-x1 failed'),
    'POST https://discord.com/api/webhooks/123456789012345/[REDACTED] failed',
  );
});

test('a webhook URL with lower-case %2f slashes, or URL-encoded three times, loses its token', () => {
  const redactor = new Redactor();
  const id = '1234567890123456789';
  for (const slash of ['%2f', '%25252F']) {
    const url = `webhooks${slash}${id}${slash}SomeWebhookToken_abc`;
    assert.equal(redactor.redact(`url=${url}&x=1`), `url=webhooks${slash}${id}${slash}[REDACTED]&x=1`, slash);
  }
});

test('a secret with quotes is found as HTML with upper-case hex or zero-padded references, and as \\u escapes in JSON in JSON', () => {
  const redactor = new Redactor();
  const secret = 'pa"ss-word-42';
  redactor.add(secret, 'PASSWORD');
  for (const quote of ['&#X22;', '&#034;', '\\\\u0022']) {
    assert.equal(redactor.redact(`key=pa${quote}ss-word-42;`), 'key=[REDACTED PASSWORD];', quote);
  }
});

test('a DSN over plain http loses its key unregistered, as one over https does', () => {
  const redactor = new Redactor();
  for (const scheme of ['http', 'https']) {
    const dsn = `${scheme}://${DSN_KEY}@sentry.internal:9000/42`;
    assert.equal(redactor.redact(`init ${dsn} failed`), 'init [REDACTED SENTRY DSN] failed', scheme);
  }
});

test('a secret with a space is found form-encoded (`+`), and one with a tab or a line break as JSON writes them', () => {
  const redactor = withSecrets(['open sesame 42', 'PHRASE'], ['tab\there-42', 'TABBED'], ['line\none-42', 'BROKEN']);
  assert.equal(redactor.redact('q=open+sesame+42&x=1'), 'q=[REDACTED PHRASE]&x=1');
  assert.equal(
    redactor.redact(JSON.stringify({ a: 'tab\there-42', b: 'line\none-42' })),
    '{"a":"[REDACTED TABBED]","b":"[REDACTED BROKEN]"}',
  );
  assert.equal(redactor.redact(JSON.stringify(JSON.stringify('tab\there-42'))), String.raw`"\"[REDACTED TABBED]\""`);
});

test('a secret with letters outside ASCII is found as JSON \\u escapes, ASCII-only JSON of it too', () => {
  const redactor = withSecrets(['geheim-schlüssel', 'KEY']);
  const asciiJson = JSON.stringify('geheim-schlüssel').replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  assert.equal(redactor.redact(`body=${asciiJson}`), 'body="[REDACTED KEY]"');
});

test('a secret inside longer base64 is found at each of the three byte offsets, in base64 and base64url', () => {
  const redactor = new Redactor();
  const secret = 'api-key->?~>?~-1234';
  redactor.add(secret, 'API KEY');
  for (const prefix of ['', 'a', 'ab']) {
    for (const encoding of ['base64', 'base64url'] as const) {
      const encoded = Buffer.from(`${prefix}${secret}tail`).toString(encoding);
      const redacted = redactor.redact(`blob ${encoded} end`);
      assert.match(redacted, /\[REDACTED API KEY\]/, `${encoding} after ${String(prefix.length)} bytes: ${redacted}`);
      const kept = redacted.replace(/^blob |\s*end$/g, '');
      assert.ok(kept.length < encoded.length, `${encoding} after ${String(prefix.length)} bytes`);
    }
  }
});

test('a secret wrapped over three lines, each break of another kind, is removed with its breaks and nothing after it', () => {
  const redactor = withSecrets(['pa55word-for-the-db', 'PASSWORD']);
  for (const [first, second] of [
    ['\n', '\r\n\t'],
    ['\\n', '\\r\\n  '],
    ['\r', '\n    '],
  ]) {
    const text = `login pa55word-${first}for-the${second}-db\nnext line`;
    assert.equal(redactor.redact(text), 'login [REDACTED PASSWORD]\nnext line', JSON.stringify(text));
  }
});

test('a secret broken by any invisible character a copy leaves in a word is removed whole', () => {
  const redactor = withSecrets(['pa55word-for-the-db', 'PASSWORD']);
  for (const invisible of ['\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff']) {
    const text = `login pa55word-f${invisible}or-the-db failed`;
    assert.equal(redactor.redact(text), 'login [REDACTED PASSWORD] failed', `U+${invisible.charCodeAt(0).toString(16)}`);
  }
});

test('a secret wrapped where both sides of the break are characters no token has is still found', () => {
  const redactor = withSecrets(['p@ss!#w0rd$%', 'PASSWORD']);
  assert.equal(redactor.redact('login p@ss!\n#w0rd$% failed'), 'login [REDACTED PASSWORD] failed');
});

test('a wrapped token at the very start or end of a text is removed, and the text around it kept exactly', () => {
  const redactor = new Redactor();
  const token = botToken('1234567890123456789');
  assert.equal(redactor.redact(`${token.slice(0, 12)}\n${token.slice(12)} was refused`), '[REDACTED TOKEN] was refused');
  assert.equal(redactor.redact(`refused: ${token.slice(0, 40)}\n   ${token.slice(40)}`), 'refused: [REDACTED TOKEN]');
});

test('wrapped secrets far apart and close together in one text are each removed, and what lies between them stays', () => {
  const redactor = withSecrets(['pa55word-for-the-db', 'PASSWORD'], ['an-api-key-of-the-bot', 'API KEY']);
  const between = ' and then '.repeat(60);
  for (const gap of [' & ', between]) {
    const text = `a pa55word-f\nor-the-db${gap}an-api-key-\nof-the-bot z`;
    assert.equal(redactor.redact(text), `a [REDACTED PASSWORD]${gap}[REDACTED API KEY] z`, `gap of ${String(gap.length)}`);
  }
});

test('a registered secret longer than a token, wrapped near its start or its end, is removed whole', () => {
  const redactor = new Redactor();
  const secret = randomBytes(300).toString('base64url');
  redactor.add(secret, 'LONG KEY');
  for (const at of [15, secret.length - 15]) {
    const wrapped = `key ${secret.slice(0, at)}\n${secret.slice(at)} expired`;
    assert.equal(redactor.redact(wrapped), 'key [REDACTED LONG KEY] expired', `broken after ${String(at)} characters`);
  }
});

test('a secret with a letter outside the basic plane is found as JSON surrogate escapes and as HTML references', () => {
  const redactor = withSecrets(['key-😀-42', 'KEY']);
  for (const emoji of [String.raw`\ud83d\ude00`, String.raw`\\uD83D\\uDE00`, '&#128512;', '&#x1f600;', '&#X1F600;', '%F0%9F%98%80']) {
    assert.equal(redactor.redact(`sent key-${emoji}-42.`), 'sent [REDACTED KEY].', emoji);
  }
});

test('a secret with each character HTML names is found with the named references, and JSON short escapes of each control', () => {
  const redactor = withSecrets([`a&b<c>d"e'f`, 'HTML']);
  assert.equal(redactor.redact('<p>a&amp;b&lt;c&gt;d&quot;e&apos;f</p>'), '<p>[REDACTED HTML]</p>');
  for (const control of ['\b', '\f', '\r', '\n', '\t']) {
    const secret = `ctrl${control}secret-42`;
    redactor.add(secret, 'CONTROL');
    const once = JSON.stringify(secret);
    assert.equal(redactor.redact(`x=${once};`), 'x="[REDACTED CONTROL]";', once);
    assert.equal(redactor.redact(`x=${JSON.stringify(once)};`), String.raw`x="\"[REDACTED CONTROL]\"";`, once);
    redactor.delete(secret);
  }
});

test('a secret is found in hex of either case', () => {
  const redactor = withSecrets(['hex-me-please', 'KEY']);
  const hex = Buffer.from('hex-me-please').toString('hex');
  assert.equal(redactor.redact(`dump ${hex} | ${hex.toUpperCase()}`), 'dump [REDACTED KEY] | [REDACTED KEY]');
});

test('bot tokens with a padded middle part, or the shortest signature, are found in texts of every kind', () => {
  const redactor = new Redactor();
  const first = Buffer.from('1234567890123456789').toString('base64url');
  for (const middle of ['AbCdEf', 'AbCdEfG', 'AbCdEf==', 'AbCdEfG=']) {
    for (const hmac of ['x'.repeat(27), `${'y'.repeat(26)}-_`, 'z'.repeat(40)]) {
      const token = `${first}.${middle}.${hmac}`;
      assert.equal(redactor.redact(`token: ${token}, refused`), 'token: [REDACTED TOKEN], refused', token);
    }
  }
  assert.equal(redactor.redact(`${first}.AbCdE.${'x'.repeat(27)}`), `${first}.AbCdE.${'x'.repeat(27)}`, 'a middle part of 5 is no token');
});

test('a secret with quotes and control characters is found as util.inspect writes it: quotes raw, controls escaped', () => {
  const redactor = new Redactor();
  for (const control of ['\b', '\f', '\r', '\n', '\t']) {
    const secret = `say "open"${control}sesame-42`;
    redactor.add(secret, 'PHRASE');
    assert.equal(redactor.redact(`args: [ ${inspect(secret)} ]`), "args: [ '[REDACTED PHRASE]' ]", inspect(secret));
    redactor.delete(secret);
  }
});

test('a webhook URL written in capitals loses its token, and a token learned at six characters is hidden', () => {
  const redactor = new Redactor();
  const url = 'HTTPS://DISCORD.COM/API/WEBHOOKS/1234567890123456789/SomeWebhookToken_abc';
  assert.equal(redactor.redact(`POST ${url}`), 'POST HTTPS://DISCORD.COM/API/WEBHOOKS/1234567890123456789/[REDACTED]');
  redactor.learnToken('tok3n6', 'WEBHOOK TOKEN');
  assert.equal(redactor.redact('sent tok3n6 twice'), 'sent [REDACTED WEBHOOK TOKEN] twice');
});

test('a secret found as it is and another wrapped elsewhere in the same text are both removed', () => {
  const redactor = withSecrets(['pa55word-for-the-db', 'PASSWORD'], ['an-api-key-of-the-bot', 'API KEY']);
  assert.equal(
    redactor.redact('db pa55word-for-the-db refused; key an-api-key-\n  of-the-bot refused'),
    'db [REDACTED PASSWORD] refused; key [REDACTED API KEY] refused',
  );
});

test('two secrets side by side are two replacements, each with its own label', () => {
  const redactor = withSecrets(['alpha-secret-1', 'A'], ['beta-secret-2', 'B']);
  assert.equal(redactor.redact('alpha-secret-1beta-secret-2'), '[REDACTED A][REDACTED B]');
});

test('a secret holding another, far into a long text, is labelled by the longer one', () => {
  const redactor = withSecrets([DSN_KEY, 'DSN KEY'], [DSN, 'DSN']);
  const prefix = 'x'.repeat(100);
  assert.equal(redactor.redact(`${prefix} ${DSN} end`), `${prefix} [REDACTED DSN] end`);
});

test('texts that only resemble a secret are kept: a character left out, or another text in its place', () => {
  const redactor = withSecrets(['p@ss w0rd!', 'PASSWORD']);
  for (const nearMiss of ['pss w0rd!', 'p+ss w0rd!', 'pundefinedss w0rd!', 'p\\undefinedss w0rd!', 'p@ssw0rd!', 'p@ss w0rd']) {
    assert.equal(redactor.redact(`try ${nearMiss} now`), `try ${nearMiss} now`, nearMiss);
  }
});

test('a URL-encoded secret, a DSN and a webhook URL wrapped beside a character only encodings and URLs write are removed whole', () => {
  const redactor = withSecrets([ENCODABLE, 'PASSWORD']);
  const encoded = encodeURIComponent(ENCODABLE);
  for (const at of [6, 7, encoded.indexOf('%C3') + 1]) {
    const text = `q=${encoded.slice(0, at)}\n${encoded.slice(at)}&x=1`;
    assert.equal(redactor.redact(text), 'q=[REDACTED PASSWORD]&x=1', JSON.stringify(text));
  }
  assert.equal(redactor.redact(`dsn https://${DSN_KEY}@\n   o450123.ingest.sentry.io/4504123456789 set`), 'dsn [REDACTED SENTRY DSN] set');
  const id = '1234567890123456789';
  for (const url of [`webhooks/\n${id}/TokenOfTheHook`, `webhooks/${id}/\n  TokenOfTheHook`, `webhooks%2F${id}%2F\nTokenOfTheHook`]) {
    assert.equal(
      redactor.redact(`POST ${url} failed`),
      `POST ${url.replaceAll(/\n */g, '').replace('TokenOfTheHook', '[REDACTED]')} failed`,
      url,
    );
  }
});

test('the part a cut left is the longest of any secret, whichever was registered first', () => {
  const longFirst = withSecrets(['abcdefgh-0123', 'LONG'], ['efgh-other-99', 'SHORT']);
  const shortFirst = withSecrets(['efgh-other-99', 'SHORT'], ['abcdefgh-0123', 'LONG']);
  for (const redactor of [longFirst, shortFirst]) {
    assert.deepEqual(redactor.partialAtEnd('the key abcdefgh'), { length: 8, replacement: '[REDACTED LONG]' });
    assert.deepEqual(redactor.partialAtStart('her-99 was cut'), { length: 6, replacement: '[REDACTED SHORT]' });
  }
});

test('a secret is found URL-encoded once, twice and three times over', () => {
  const redactor = withSecrets([ENCODABLE, 'PASSWORD']);
  let encoded = ENCODABLE;
  for (const times of [1, 2, 3]) {
    encoded = encodeURIComponent(encoded);
    assert.equal(redactor.redact(`next=${encoded}&x=1`), 'next=[REDACTED PASSWORD]&x=1', `${String(times)}: ${encoded}`);
  }
});

test('overlapping secrets of the same length become one replacement named for the one that starts first', () => {
  const redactor = withSecrets(['4242-session-ff', 'SESSION'], ['user-4242-sessi', 'USER']);
  assert.equal(redactor.redact('cookie user-4242-session-ff; path=/'), 'cookie [REDACTED USER]; path=/');
});

test('a secret with a run of four characters encodings change is found URL-encoded and as HTML references', () => {
  const secret = 'key!@#$value';
  const redactor = withSecrets([secret, 'KEY']);
  const html = secret.replace(/[^\w]/g, (c) => `&#${String(c.charCodeAt(0))};`);
  assert.equal(redactor.redact(`a ${encodeURIComponent(secret)} b ${html} c`), 'a [REDACTED KEY] b [REDACTED KEY] c');
});

test('occurrences of a secret that overlap are all replaced, whether the secret holds characters encodings change or not', () => {
  // Searched one character on from each match: a search resumed after a match would leave the end of the second.
  const encodable = withSecrets(['abc/abc/abc/abc']);
  assert.equal(encodable.redact('x abc/abc/abc/abc/abc/abc/abc y'), 'x [REDACTED SECRET] y');
  const plain = withSecrets(['xyzxyzxyz']);
  assert.equal(plain.redact('x xyzxyzxyzxyzxyz y'), 'x [REDACTED SECRET] y');
});

test('a Redactor that knows no secret yet still finds the token shapes and no part of a secret', () => {
  const redactor = new Redactor();
  const token = botToken('123456789012345678');
  assert.equal(redactor.redact(`undefined ${token}`), 'undefined [REDACTED TOKEN]');
  assert.equal(redactor.partialAtEnd('ends with undefined'), undefined);
  assert.equal(redactor.partialAtStart('undefined starts it'), undefined);
});

test('a secret wrapped onto a second line is found beside one written whole, before it or after it, touching or apart', () => {
  const redactor = withSecrets(['supersecretvalue']);
  assert.equal(redactor.redact('supersecretvalue then super\nsecretvalue'), '[REDACTED SECRET] then [REDACTED SECRET]');
  assert.equal(redactor.redact('supersecretvaluesuper\nsecretvalue'), '[REDACTED SECRET][REDACTED SECRET]');
  assert.equal(redactor.redact('super\nsecretvaluesupersecretvalue'), '[REDACTED SECRET][REDACTED SECRET]');
});

test('of two secrets whose cut parts left at an edge are as long, the one registered first names the part', () => {
  const redactor = withSecrets(['abcdXXXXXX', 'ALPHA'], ['abcdYYYYYY', 'BETA']);
  assert.deepEqual(redactor.partialAtEnd('the text ends abcd'), { length: 4, replacement: '[REDACTED ALPHA]' });
  const ends = withSecrets(['XXXXXXwxyz', 'ALPHA'], ['YYYYYYwxyz', 'BETA']);
  assert.deepEqual(ends.partialAtStart('wxyz begins the text'), { length: 4, replacement: '[REDACTED ALPHA]' });
});

test('a registered token is named by its registration, not as a token shape found at the same place', () => {
  const token = botToken('123456789012345678');
  assert.equal(withSecrets([token, 'BOT TOKEN']).redact(`login with ${token} failed`), 'login with [REDACTED BOT TOKEN] failed');
});

test('where one secret holds another, the longer names the replacement, wherever the shorter starts inside it', () => {
  const redactor = withSecrets(['abcdef123456', 'API KEY'], ['user:abcdef123456@x', 'CREDENTIALS']);
  assert.equal(redactor.redact('sent user:abcdef123456@x'), 'sent [REDACTED CREDENTIALS]');
});

test('a secret of punctuation only, with no letter or digit, is found as it is and encoded', () => {
  const redactor = withSecrets(['!@#$%^&*']);
  assert.equal(redactor.redact('pin !@#$%^&* end'), 'pin [REDACTED SECRET] end');
  assert.equal(redactor.redact(`pin ${encodeURIComponent('!@#$%^&*')} end`), 'pin [REDACTED SECRET] end');
});

test('of a chain of secrets each overlapping the next, the longest names the one replacement, wherever it comes', () => {
  const text = '0123456789ABCDEFGHIJ';
  const redactor = withSecrets([text.slice(5, 11), 'SIX'], [text.slice(6, 14), 'EIGHT'], [text.slice(7, 17), 'TEN']);
  assert.equal(redactor.redact(text), '01234[REDACTED TEN]HIJ');
});
