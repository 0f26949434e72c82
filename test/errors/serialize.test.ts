import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiscordAPIError } from 'discord.js';
import { MAX_CAUSE_DEPTH } from '../../src/errors/causes.js';
import { deserializeError, serializeError } from '../../src/errors/serialize.js';
import { errorText } from '../../src/errors/format.js';
import { CommandOnCooldown, isExpectedError, Redactor } from '../../src/index.js';

/** Through JSON, as an IPC message goes. */
function acrossIpc(error: unknown, redact?: (text: string) => string): Error {
  return deserializeError(JSON.parse(JSON.stringify(serializeError(error, redact))));
}

class QuotaExceeded extends Error {
  override name = 'QuotaExceeded';
  readonly limit = 3;
}

test('an error crossing IPC keeps its class name, message, stack and own plain properties', () => {
  const original = new QuotaExceeded('only 3 a day');
  const copy = acrossIpc(original);
  assert.equal(copy.name, 'QuotaExceeded');
  assert.equal(copy.message, 'only 3 a day');
  assert.equal(copy.stack, original.stack);
  assert.equal((copy as unknown as QuotaExceeded).limit, 3);
  assert.equal(errorText(copy), errorText(original));
});

test('a Lantern error keeps its code, so it is still recognised by code (an expected cooldown stays expected)', () => {
  const copy = acrossIpc(new CommandOnCooldown({ retryAfterMs: 1200, bucket: 'user', uses: 1, windowMs: 5000 }));
  assert.equal(copy.name, 'CommandOnCooldown');
  assert.equal((copy as { code?: string }).code, 'LANTERN_ERR_COOLDOWN');
  assert.equal((copy as { retryAfterMs?: number }).retryAfterMs, 1200);
  assert.ok(isExpectedError(copy));
});

test('the cause chain crosses whole: errors and a non-Error cause at its end, in order', () => {
  const root = new RangeError('socket closed', { cause: 'ECONNRESET' });
  const middle = new TypeError('fetch failed', { cause: root });
  const copy = acrossIpc(new Error('could not load the profile', { cause: middle }));
  const chain: unknown[] = [];
  for (let at: unknown = copy; at !== undefined; at = (at as Error).cause)
    chain.push(at instanceof Error ? `${at.name}: ${at.message}` : at);
  assert.deepEqual(chain, ['Error: could not load the profile', 'TypeError: fetch failed', 'RangeError: socket closed', 'ECONNRESET']);
  assert.equal(((copy.cause as Error).cause as Error).stack, root.stack);
});

test('an AggregateError keeps its members, each with its own class name', () => {
  const copy = acrossIpc(new AggregateError([new TypeError('first'), new RangeError('second'), 'third'], 'two failed'));
  assert.ok(copy instanceof AggregateError);
  assert.deepEqual(
    copy.errors.map((member: unknown) => (member instanceof Error ? `${member.name}: ${member.message}` : member)),
    ['TypeError: first', 'RangeError: second', 'third'],
  );
});

test(`a chain longer than MAX_CAUSE_DEPTH (${String(MAX_CAUSE_DEPTH)}) is cut there, and a cycle ends with a note`, () => {
  let deep = new Error('level 0');
  for (let level = 1; level < 50; level++) deep = new Error(`level ${String(level)}`, { cause: deep });
  let depth = 0;
  for (let at: unknown = acrossIpc(deep); at instanceof Error; at = at.cause) depth++;
  assert.equal(depth, MAX_CAUSE_DEPTH);

  const a = new Error('a');
  const b = new Error('b', { cause: a });
  a.cause = b;
  const copy = acrossIpc(a);
  assert.equal((copy.cause as Error).message, 'b');
  assert.equal((copy.cause as Error).cause, '[circular]');
});

test('a serialized chain claiming any depth is rebuilt no deeper than MAX_CAUSE_DEPTH', () => {
  let data: Record<string, unknown> = { name: 'Error', message: 'bottom', stack: undefined, properties: {} };
  for (let level = 0; level < 1000; level++) data = { name: 'Error', message: `level ${String(level)}`, properties: {}, cause: data };
  let depth = 0;
  for (let at: unknown = deserializeError(data); at instanceof Error; at = at.cause) depth++;
  assert.equal(depth, MAX_CAUSE_DEPTH);
});

test('whatever is not a serialized error becomes a TypeError saying so, never a throw', () => {
  for (const junk of [undefined, null, 42, 'boom', [], { name: 1 }, { message: 'no name' }]) {
    const error = deserializeError(junk);
    assert.equal(error.name, 'TypeError');
    assert.match(error.message, /^Not a serialized error/);
  }
  const odd = deserializeError({ name: 'Error', message: 'x', properties: { fine: 1, nested: { no: true }, stack: 'forged' }, stack: 7 });
  assert.equal((odd as unknown as Record<string, unknown>).fine, 1);
  assert.equal((odd as unknown as Record<string, unknown>).nested, undefined);
  assert.equal(odd.stack, undefined);
});

test('every text is redacted on the way out: message, stack, string properties, a cause that is a string', () => {
  const redactor = new Redactor();
  redactor.add('hunter2-secret', 'PASSWORD');
  const error = new Error('login with hunter2-secret failed', { cause: 'hunter2-secret rejected' });
  Object.assign(error, { url: 'https://example.test/?p=hunter2-secret' });
  const data = JSON.stringify(serializeError(error, (text) => redactor.redact(text)));
  assert.doesNotMatch(data, /hunter2-secret/);
  const copy = deserializeError(JSON.parse(data));
  assert.equal(copy.message, 'login with [REDACTED PASSWORD] failed');
  assert.equal(copy.cause, '[REDACTED PASSWORD] rejected');
  assert.match(copy.stack ?? '', /\[REDACTED PASSWORD\]/);
});

test("a DiscordAPIError keeps Discord's code, status, method and URL (its webhook token redacted) as properties", () => {
  const url = 'https://discord.com/api/v10/webhooks/123456789012345678/aW50ZXJhY3Rpb246secrettoken/messages/@original';
  const original = new DiscordAPIError({ code: 50013, message: 'Missing Permissions' }, 50013, 403, 'PATCH', url, {});
  const copy = acrossIpc(original, (text) => new Redactor().redact(text)) as unknown as Record<string, unknown>;
  assert.equal(copy.name, 'DiscordAPIError[50013]');
  assert.equal(copy.code, 50013);
  assert.equal(copy.status, 403);
  assert.equal(copy.method, 'PATCH');
  assert.doesNotMatch(String(copy.url), /secrettoken/);
});

test('a thrown value that is not an Error crosses as an Error naming it', () => {
  const copy = acrossIpc('plain text thrown');
  assert.equal(copy.message, 'plain text thrown');
});
