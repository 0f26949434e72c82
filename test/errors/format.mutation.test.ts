/**
 * What a traceback shows: the error, every cause (a cause's cause too) and every member of an `AggregateError`, in
 * order and indented under it. The leak tests check what is absent; these check what is there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { MAX_CAUSE_DEPTH, causeChain } from '../../src/errors/causes.js';
import { describeValue, errorText, errorType, formatError, relativePaths, summarizeError } from '../../src/errors/format.js';
import { Redactor } from '../../src/errors/redact.js';

/** The traceback's lines that open an error (its title), without the stack frames under each. */
function titles(text: string): string[] {
  return text.split('\n').filter((line) => !line.trimStart().startsWith('at '));
}

test('the cause of a cause is shown, each under "Caused by:" with its own stack', () => {
  const inner = new RangeError('the database refused the connection');
  const middle = new Error('loading the profile failed', { cause: inner });
  const outer = new TypeError('the /profile command failed', { cause: middle });
  const text = formatError(outer, new Redactor());
  assert.deepEqual(titles(text), [
    'TypeError: the /profile command failed',
    'Caused by: Error: loading the profile failed',
    'Caused by: RangeError: the database refused the connection',
  ]);
  const lines = text.split('\n');
  const innerAt = lines.indexOf('Caused by: RangeError: the database refused the connection');
  assert.match(lines[innerAt + 1] ?? '', /^\s+at .*format\.mutation\.test\.ts:\d+/, 'the innermost cause keeps its stack');
});

test("an AggregateError's members are shown, numbered and indented, with their own causes", () => {
  const first = new TypeError('the first shard failed');
  const second = new RangeError('the second shard failed', { cause: new Error('its socket closed') });
  const all = new AggregateError([first, second, 'a thrown string'], 'every shard failed', { cause: new Error('the gateway is down') });
  const text = formatError(all, new Redactor());
  assert.deepEqual(titles(text), [
    'AggregateError: every shard failed',
    '  [0] TypeError: the first shard failed',
    '  [1] RangeError: the second shard failed',
    '  Caused by: Error: its socket closed',
    '  [2] a thrown string',
    'Caused by: Error: the gateway is down',
  ]);
  const lines = text.split('\n');
  const firstAt = lines.indexOf('  [0] TypeError: the first shard failed');
  assert.match(lines[firstAt + 1] ?? '', /^ {2}\s+at /, "a member's stack is indented with it");
});

test('a cause that loops back is shown once and marked circular', () => {
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  a.cause = b;
  assert.deepEqual(titles(errorText(a)), ['Error: a', 'Caused by: Error: b', 'Caused by: [circular]']);
  assert.deepEqual(
    causeChain(a).map((e) => e.message),
    ['a', 'b'],
  );
  assert.equal(causeChain(new Error('x', { cause: 'not an error' })).length, 1);
});

test(`causes are followed ${String(MAX_CAUSE_DEPTH)} deep and no further`, () => {
  let error = new Error('level 0');
  for (let level = 1; level < MAX_CAUSE_DEPTH + 3; level++) error = new Error(`level ${String(level)}`, { cause: error });
  const shown = titles(errorText(error));
  assert.equal(shown.length, MAX_CAUSE_DEPTH);
  assert.equal(shown.at(-1), `Caused by: Error: level ${String(3)}`);
  assert.equal(causeChain(error).length, MAX_CAUSE_DEPTH);
  assert.deepEqual(
    causeChain(error).map((e) => e.message),
    shown.map((line) => line.replace(/^(Caused by: )?Error: /, '')),
  );
});

test('a stack a library rewrote without the message keeps the title; an error without a stack is its title', () => {
  const rewritten = new Error('the message');
  rewritten.stack = '    at somewhere (lib.js:1:1)';
  assert.equal(errorText(rewritten), 'Error: the message\n    at somewhere (lib.js:1:1)');
  const bare = new SyntaxError('no stack here');
  bare.stack = undefined;
  assert.equal(errorText(bare), 'SyntaxError: no stack here');
});

test('the type is the name, or the class when the name is empty, or the kind of value thrown', () => {
  class ShardError extends Error {}
  const unnamed = new ShardError('x');
  unnamed.name = '';
  assert.equal(errorType(unnamed), 'ShardError');
  assert.equal(errorType(new RangeError('x')), 'RangeError');
  assert.equal(errorType('text'), 'string');
  assert.equal(errorType(undefined), 'undefined');
});

test('thrown values that are not errors read as text: strings as they are, objects as JSON, the rest as best it can', () => {
  assert.equal(describeValue('plain text'), 'plain text');
  assert.equal(describeValue({ code: 42, reason: 'nope' }), '{"code":42,"reason":"nope"}');
  assert.equal(describeValue(undefined), 'undefined');
  assert.equal(describeValue(Symbol('s')), 'Symbol(s)');
  assert.equal(describeValue(10n), '[object BigInt]');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(describeValue(cyclic), '[object Object]');
});

test('the summary is one redacted line: type and the first line of the message', () => {
  const redactor = new Redactor();
  redactor.add('hunter2-secret', 'PASSWORD');
  assert.equal(
    summarizeError(new TypeError('login hunter2-secret failed\nsecond line'), redactor),
    'TypeError: login [REDACTED PASSWORD] failed',
  );
  assert.equal(summarizeError({ status: 'hunter2-secret' }, redactor), 'object: {"status":"[REDACTED PASSWORD]"}');
});

test('the full text is redacted and its paths are relative to the working directory', () => {
  const redactor = new Redactor();
  redactor.add('hunter2-secret', 'PASSWORD');
  const error = new Error('wrong password hunter2-secret', { cause: new Error('and again hunter2-secret') });
  const text = formatError(error, redactor);
  assert.deepEqual(titles(text), ['Error: wrong password [REDACTED PASSWORD]', 'Caused by: Error: and again [REDACTED PASSWORD]']);
  assert.ok(!text.includes(process.cwd()), text);
  assert.match(text, /\(test\/errors\/format\.mutation\.test\.ts:\d+:\d+\)/);

  const cwd = process.cwd();
  assert.equal(
    relativePaths(`at a (${cwd}/src/x.ts:1:2)\nat b (${pathToFileURL(cwd).href}/src/y.ts:3:4)\nat c (/elsewhere/z.js:5:6)`),
    'at a (src/x.ts:1:2)\nat b (src/y.ts:3:4)\nat c (/elsewhere/z.js:5:6)',
  );
});

test(`AggregateErrors nested in one another are followed ${String(MAX_CAUSE_DEPTH)} deep and no further`, () => {
  let error = new AggregateError([], 'level 0');
  for (let level = 1; level < MAX_CAUSE_DEPTH + 3; level++) error = new AggregateError([error], `level ${String(level)}`);
  const shown = errorText(error)
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('at '));
  assert.equal(shown.length, MAX_CAUSE_DEPTH);
  assert.equal(shown.at(-1)?.trim(), `[0] AggregateError: level ${String(3)}`);
});
