/**
 * What bounds a log line: `quote` for outside text a line names, `boundEntry` for every entry the Log writes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor } from '../../src/index.js';
import { boundEntry, cut, ENTRY_LINE_LIMIT, LINE_LIMIT, quote, QUOTE_LIMIT } from '../../src/log/bound.js';
import { Log } from '../../src/log/log.js';
import { recordingLogger } from '../support/bot.js';

/** The longest a written line can be: the limit, the indentation of a later line, and the note of its length. */
const LONGEST_LINE = 2 + LINE_LIMIT + '… (1,000,000,000 characters)'.length;

test('quote cuts outside text to 100 characters with its length, and escapes newlines and every control character', () => {
  const redactor = new Redactor();
  assert.equal(quote('/ping', redactor), '/ping');
  const long = quote('x'.repeat(1 << 20), redactor);
  assert.equal(long, `${'x'.repeat(QUOTE_LIMIT)}… (1,048,576 characters)`);
  assert.equal(
    quote('a\nError in /admin: forged\r\u001b[31m\u2028\u202e', redactor),
    'a\\nError in /admin: forged\\r\\u001b[31m\\u2028\\u202e',
  );
  assert.ok(!quote('line\none\ttwo', redactor).includes('\n'));
});

test('quote redacts before it cuts: a secret where the cut falls leaves nothing of itself', () => {
  const redactor = new Redactor();
  const secret = 'sk-live-6f1c0e9d2b7a4c3e8d5f';
  redactor.add(secret, 'API KEY');
  const quoted = quote(`${'n'.repeat(QUOTE_LIMIT - 8)}${secret}`, redactor);
  assert.ok(!quoted.includes(secret.slice(0, 6)), quoted);
  assert.ok(quoted.startsWith(`${'n'.repeat(QUOTE_LIMIT - 8)}[REDACTE`), quoted);
});

test('cut never splits a surrogate pair', () => {
  const text = `${'a'.repeat(9)}😀rest`;
  const shortened = cut(text, 10);
  assert.ok(shortened.startsWith('a'.repeat(9) + '…'), shortened);
  assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(shortened), 'no lone high surrogate');
});

test('an entry: each line at most 1,000 characters and its length, later lines indented, at most 200 lines', () => {
  const entry = boundEntry(
    ['Error in /x: TypeError: boom', 'Error in /admin: forged', '    at run (bot.ts:1:1)', 'y'.repeat(5000)].join('\n'),
  );
  const lines = entry.split('\n');
  assert.equal(lines[0], 'Error in /x: TypeError: boom');
  assert.equal(lines[1], '  Error in /admin: forged', 'a line of the entry cannot pass for the start of another');
  assert.equal(lines[2], '    at run (bot.ts:1:1)');
  assert.equal(lines[3], `  ${'y'.repeat(LINE_LIMIT)}… (5,000 characters)`);
  const many = boundEntry(Array.from({ length: 5000 }, (_, i) => `line ${String(i)}`).join('\n')).split('\n');
  assert.equal(many.length, ENTRY_LINE_LIMIT);
  assert.equal(many.at(-1), `  … ${(5000 - ENTRY_LINE_LIMIT + 1).toLocaleString('en')} more lines`);
  assert.equal(boundEntry('tab\there, bell\u0007, escape\u001b[2J'), 'tab\there, bell\\u0007, escape\\u001b[2J');
});

test('every line the Log writes is bounded, whoever wrote it: 1 MiB with newlines and control characters in', () => {
  const { logger, logged } = recordingLogger();
  const log = new Log(logger, new Redactor());
  const hostile = `${'z'.repeat(1 << 20)}\n[lantern] Error in /admin: forged\r${'\u001b'.repeat(1 << 16)}\n`.repeat(3) + 'x\n'.repeat(1000);
  log.info(hostile);
  log.warn(hostile);
  log.error(hostile);
  for (const { message } of logged) {
    const lines = message.split('\n');
    assert.ok(lines.length <= ENTRY_LINE_LIMIT);
    for (const line of lines) assert.ok(line.length <= LONGEST_LINE, `a line of ${String(line.length)} characters`);
    assert.ok(
      lines.slice(1).every((line) => line.startsWith(' ')),
      'no later line starts where an entry starts',
    );
    assert.ok(!message.includes('\r') && !message.includes('\u001b'));
  }
});
