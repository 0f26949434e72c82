/**
 * The log on its own: every line redacted at its level, a throwing logger harmless, and the error log's lines
 * (preface, reference, counts of repeats) exactly as written, on a FakeClock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor } from '../../src/errors/redact.js';
import { ErrorLog, validateErrorLogLimit, validateLogStack } from '../../src/log/error-log.js';
import { consoleLogger, Log } from '../../src/log/log.js';
import { FakeClock } from '../../src/testing/index.js';
import { recordingLogger } from '../support/bot.js';

const MINUTE = 60_000;

function errorLog(limit = 1) {
  const { logger, logged } = recordingLogger();
  const redactor = new Redactor();
  redactor.add('sk-live-0123456789', 'API KEY');
  const clock = new FakeClock(0);
  return { log: new ErrorLog(new Log(logger, redactor), redactor, clock, limit), logged, clock };
}

/** The first line of each logged message (the title, without the stack). */
const heads = (logged: { message: string }[]) => logged.map(({ message }) => message.split('\n')[0]);

test('each level goes to the logger’s method of that name, redacted', () => {
  const { logger, logged } = recordingLogger();
  const redactor = new Redactor();
  redactor.add('sk-live-0123456789', 'API KEY');
  const log = new Log(logger, redactor);
  log.info('info sk-live-0123456789');
  log.warn('warn sk-live-0123456789');
  log.error('error sk-live-0123456789');
  assert.deepEqual(logged, [
    { level: 'info', message: 'info [REDACTED API KEY]' },
    { level: 'warn', message: 'warn [REDACTED API KEY]' },
    { level: 'error', message: 'error [REDACTED API KEY]' },
  ]);
});

test('a logger that throws cannot break the caller, at any level', () => {
  const broken = {
    info: () => {
      throw new Error('disk full');
    },
    warn: () => {
      throw new Error('disk full');
    },
    error: () => {
      throw new Error('disk full');
    },
  };
  const log = new Log(broken, new Redactor());
  log.info('a');
  log.warn('b');
  log.error('c');
});

test('the console logger prefixes each line with [lantern] and writes it to the console method of its level', (t) => {
  const written: string[] = [];
  for (const method of ['log', 'warn', 'error'] as const)
    t.mock.method(console, method, (line: string) => {
      written.push(`${method} ${line}`);
    });
  consoleLogger.info('ready');
  consoleLogger.warn('slow');
  consoleLogger.error('broken');
  assert.deepEqual(written, ['log [lantern] ready', 'warn [lantern] slow', 'error [lantern] broken']);
});

test('a full line names the source and the reference, puts the preface under its title before the stack, and is redacted', () => {
  const { log, logged } = errorLog();
  log.error('/pay', new Error('key sk-live-0123456789 refused'), 'ref-1', 'The bot lacks Send Messages in #general.');
  log.error('/refund', new Error('no reference'), undefined, undefined);
  assert.equal(logged.length, 2);
  const [withPreface = [], plain = []] = logged.map(({ message }) => message.split('\n'));
  assert.deepEqual(withPreface.slice(0, 2), [
    'Error in /pay (reference ref-1): Error: key [REDACTED API KEY] refused',
    '  The bot lacks Send Messages in #general.',
  ]);
  assert.match(withPreface[2] ?? '', /^\s+at .*test\/log\/error-log\.mutation\.test\.ts:\d+/);
  assert.equal(plain[0], 'Error in /refund: Error: no reference');
  assert.ok(logged.every(({ level }) => level === 'error'));
});

test('the same error with another preface is another error: each is written in full', () => {
  const { log, logged } = errorLog();
  const error = new Error('cannot send');
  log.error('/post', error, undefined, 'Missing Send Messages.');
  log.error('/post', error, undefined, 'Missing Embed Links.');
  log.error('/post', error, undefined, 'Missing Embed Links.');
  assert.deepEqual(
    logged.map(({ message }) => message.split('\n').slice(0, 2)),
    [
      ['Error in /post: Error: cannot send', '  Missing Send Messages.'],
      ['Error in /post: Error: cannot send', '  Missing Embed Links.'],
    ],
  );
});

test('the count line reads "once more" for one repeat and groups thousands; the latest reference given is kept', async () => {
  const { log, logged, clock } = errorLog();
  const once = new Error('once');
  const many = new Error('many');
  log.error('/a', once, undefined, undefined);
  log.error('/a', once, 'ref-a', undefined);
  log.error('/b', many, undefined, undefined);
  for (let i = 0; i < 1234; i++) log.error('/b', many, i === 5 ? 'ref-b' : undefined, undefined);
  await clock.advance(MINUTE);
  assert.deepEqual(heads(logged).slice(2), [
    'Error in /a: the same error once more since 1970-01-01T00:00:00.000Z, not logged in full (Error: once; latest reference ref-a)',
    'Error in /b: the same error 1,234 more times since 1970-01-01T00:00:00.000Z, not logged in full (Error: many; latest reference ref-b)',
  ]);
  assert.equal(clock.pendingTimers, 0);
});

test('a count without any reference says none; after flush every error is written in full and nothing is counted', async () => {
  const { log, logged, clock } = errorLog();
  const error = new Error('again');
  log.error('/a', error, undefined, undefined);
  log.error('/a', error, undefined, undefined);
  log.flush();
  assert.equal(heads(logged)[1], 'Error in /a: the same error once more since 1970-01-01T00:00:00.000Z, not logged in full (Error: again)');
  log.error('/a', error, undefined, undefined);
  log.error('/a', error, undefined, undefined);
  assert.deepEqual(heads(logged).slice(2), ['Error in /a: Error: again', 'Error in /a: Error: again']);
  assert.equal(clock.pendingTimers, 0, 'no timer after the bot stopped');
  await clock.advance(MINUTE);
  assert.equal(logged.length, 4);
});

test('errorLogLimit accepts 1, any whole number and Infinity', () => {
  for (const limit of [1, 2, 1000, Infinity]) validateErrorLogLimit(limit);
  for (const limit of [0, 0.5, -Infinity]) {
    assert.throws(() => {
      validateErrorLogLimit(limit);
    }, /errorLogLimit/);
  }
});

/** An error thrown, as its stack says, at `frame`. */
function thrownAt(frame: string, message = 'lookup failed'): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}\n    at ${frame}\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;
  return error;
}

test('errors of one source thrown at other lines, or of other types, are other errors: each is written in full', () => {
  const { log, logged } = errorLog();
  log.error('/lookup', thrownAt('lookup (/app/commands/lookup.js:10:5)'), undefined, undefined);
  log.error('/lookup', thrownAt('lookup (/app/commands/lookup.js:11:5)'), undefined, undefined);
  log.error('/lookup', thrownAt('lookup (/app/commands/lookup.js:10:7)'), undefined, undefined);
  const typed = thrownAt('lookup (/app/commands/lookup.js:10:5)');
  typed.name = 'TypeError';
  log.error('/lookup', typed, undefined, undefined);
  assert.equal(logged.length, 4, heads(logged).join('\n'));
});

test('the same error about another user (an id in the frame that threw) is the same error: counted, not written again', () => {
  const { log, logged } = errorLog();
  log.error('/lookup', thrownAt('Object.user_123456789012345678 (/app/lookup.js:10:5)'), undefined, undefined);
  log.error('/lookup', thrownAt('Object.user_876543210987654321 (/app/lookup.js:10:5)'), undefined, undefined);
  log.error('/lookup', thrownAt('Object.user_81384788765712384 (/app/lookup.js:10:5)'), undefined, undefined);
  log.answerFailed('/lookup', thrownAt('Object.user_123456789012345678 (/app/lookup.js:10:5)'), 'The interaction expired.');
  log.answerFailed('/lookup', thrownAt('Object.user_876543210987654321 (/app/lookup.js:10:5)'), 'The interaction expired.');
  assert.deepEqual(heads(logged), [
    'Error in /lookup: Error: lookup failed',
    'Could not tell the user about the error in /lookup: The interaction expired.',
  ]);
});

test('logStack accepts compact and full; anything else is refused with a ClientOptionsError naming the value', () => {
  validateLogStack('compact');
  validateLogStack('full');
  for (const [value, shown] of [
    ['short', '"short"'],
    [undefined, 'undefined'],
    ['', '""'],
  ] as const) {
    assert.throws(
      () => {
        validateLogStack(value);
      },
      {
        name: 'ClientOptionsError',
        code: 'LANTERN_ERR_CLIENT_OPTIONS',
        message: `Client option logStack: must be 'compact' or 'full' (got ${shown})`,
      },
    );
  }
});
