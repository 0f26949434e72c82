/**
 * The DSN: trimmed, accepted exactly when the SDK accepts it (else a SentryDsnError that never quotes it), and never
 * printed by the SDK, whose own parser prints a DSN it cannot read in full.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { makeDsn } from '@sentry/core';
import { checkDsn } from '../../../src/ext/sentry/dsn.js';
import { SentryDsnError } from '../../../src/ext/sentry/index.js';
import { startReceiver } from '../../fixtures/sentry-support.js';

const run = promisify(execFile);

const DSNS = [
  'https://abc123@o1.ingest.sentry.io/42',
  'http://abc123@127.0.0.1:9000/42',
  'https://abc123:legacysecret@sentry.example/42',
  'https://abc123@sentry.example/some/path/42',
  'https://abc123@sentry.example/42?query=1',
  'https://abc123@sentry.example/42abc',
  'https://abc123@[::1]:9000/42',
  'https://ab_c@sentry.example/42',
  'https://ab-cd@sentry.example/42',
  'https://ab%20cd@sentry.example/42',
  'https://abc@sentry.example/project',
  'https://abc@sentry.example/',
  'https://abc@sentry.example',
  'https://sentry.example/42',
  'ftp://abc@sentry.example/42',
  'https://abc@sentry example/42',
  'https://abc@sentry.example:port/42',
  'not a dsn at all',
  '',
  'https://abc:@sentry.example/42',
  'HTTPS://abc@sentry.example/42',
  'https:/abc@sentry.example/42',
  'https://abc@/42',
  'https://abc@sentry.example/42/',
  '-https://abc@sentry.example/42',
  'https://abc@sentry.example/p42',
];

/** The SDK's verdict, without the line it prints for a DSN it cannot read. */
function sdkAccepts(dsn: string): boolean {
  const print = console.error;
  console.error = () => undefined;
  try {
    return makeDsn(dsn) !== undefined;
  } finally {
    console.error = print;
  }
}

function lantern(dsn: string): string | SentryDsnError {
  try {
    return checkDsn(dsn).dsn;
  } catch (error) {
    assert.ok(error instanceof SentryDsnError, dsn);
    return error;
  }
}

test("a DSN is accepted exactly when the SDK's own parser accepts it, and a refusal never quotes it", () => {
  for (const dsn of DSNS) {
    const verdict = lantern(dsn);
    assert.equal(typeof verdict === 'string', sdkAccepts(dsn), `${JSON.stringify(dsn)}: ${String(verdict)}`);
    if (typeof verdict !== 'string' && dsn !== '') assert.ok(!verdict.message.includes(dsn), verdict.message);
  }
});

test('spaces and newlines around a DSN are trimmed; what is left is what the SDK gets, and it accepts it', () => {
  for (const dsn of DSNS.filter(sdkAccepts))
    for (const pasted of [` ${dsn}`, `${dsn} `, `${dsn}\n`, `\t${dsn}\r\n`]) {
      // The SDK refuses a leading space (and prints the DSN), and takes a trailing one into the project's path.
      if (pasted.startsWith(dsn)) assert.equal(sdkAccepts(pasted), true);
      else assert.equal(sdkAccepts(pasted), false);
      assert.equal(lantern(pasted), dsn);
    }
  assert.match(String(lantern('https://ab-cd@sentry.example/42')), /key that is not only letters, digits and _/);
  assert.match(String(lantern('https://abc@sentry.example/project')), /numeric project id/);
  assert.match(String(lantern('https://sentry.example/42')), /no public key/);
});

test('the keys are read out of the DSN to be registered as secrets; each refusal says what is wrong', () => {
  assert.deepEqual(checkDsn('https://abc123:legacysecret@sentry.example/42'), {
    dsn: 'https://abc123:legacysecret@sentry.example/42',
    publicKey: 'abc123',
    secretKey: 'legacysecret',
  });
  assert.deepEqual(checkDsn(' https://abc123@[::1]:9000/42\n'), {
    dsn: 'https://abc123@[::1]:9000/42',
    publicKey: 'abc123',
    secretKey: '',
  });
  assert.deepEqual(checkDsn('https://abc:@sentry.example/42'), { dsn: 'https://abc:@sentry.example/42', publicKey: 'abc', secretKey: '' });
  const problems: [string, RegExp][] = [
    ['', /is not a URL/],
    ['not a dsn at all', /is not a URL/],
    ['https:/abc@sentry.example/42', /is not a URL/],
    ['my dsn: https://abc@sentry.example/42', /is not a URL/],
    ['ftp://abc@sentry.example/42', /must start with https:\/\/ \(or http:\/\/\)/],
    ['HTTPS://abc@sentry.example/42', /must start with https:\/\/ \(or http:\/\/\)/],
    ['https://sentry.example/42', /has no public key before the @/],
    ['http://sentry.example/42', /has no public key before the @/],
    ['https://ab-cd@sentry.example/42', /has a key that is not only letters, digits and _/],
    ['https://ab:c-d@sentry.example/42', /has a key that is not only letters, digits and _/],
    ['https://abc@sentry.example', /does not end with a numeric project id/],
    ['https://abc@sentry.example/', /does not end with a numeric project id/],
    ['https://abc@sentry.example/project', /does not end with a numeric project id/],
    ['https://abc@sentry.example/42/', /does not end with a numeric project id/],
    ['https://abc@sentry example/42', /has a host the Sentry SDK cannot read/],
    ['https://abc@sentry.example:port/42', /has a host the Sentry SDK cannot read/],
    ['https://abc@/42', /has a host the Sentry SDK cannot read/],
    ['https://abc:def@sentry example/42', /has a host the Sentry SDK cannot read/],
  ];
  for (const [dsn, problem] of problems) {
    const verdict = lantern(dsn);
    assert.ok(verdict instanceof SentryDsnError, dsn);
    assert.match(
      verdict.message,
      new RegExp(`^The Sentry DSN ${problem.source}; copy it from your project's Client Keys \\(DSN\\) page`),
      dsn,
    );
    assert.equal(verdict.code, 'LANTERN_ERR_SENTRY_DSN');
  }
});

test(
  'a pasted DSN with spaces around it sends events; one the SDK cannot read fails to load; ' +
    'nothing printed (the SDK debug logger on) holds either DSN',
  { timeout: 60_000 },
  async () => {
    const receiver = await startReceiver();
    const key = new URL(receiver.dsn).username;
    const unreadable = receiver.dsn.replace(key, `${key.slice(0, 8)}-${key.slice(8)}`);
    const env = { ...process.env, SENTRY_TEST_DSN: receiver.dsn, SENTRY_TEST_UNREADABLE_DSN: unreadable, SENTRY_DSN: '' };
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/sentry-dsn-output.ts'], {
      env,
      timeout: 45_000,
    });
    const results = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { variant: string; reference?: string; refused?: string; message?: string });
    assert.deepEqual(
      results.map((r) => r.variant),
      ['leading space', 'trailing newline', 'tab and space', 'unreadable'],
      stdout,
    );
    for (const { variant, reference } of results.slice(0, 3)) {
      assert.ok(reference, `${variant}: the user got no reference`);
      const event = await receiver.waitForEvent(reference);
      assert.equal(event.tags?.source, 'extension fragile', variant);
    }
    assert.equal(results[3]?.refused, 'LANTERN_ERR_SENTRY_DSN');
    assert.match(stderr + stdout, /Sentry Logger \[/, 'the SDK debug logger printed nothing: the check proves nothing');
    for (const secret of [key, unreadable, receiver.dsn])
      assert.ok(!(stdout + stderr).includes(secret), `printed a DSN:\n${stdout}\n${stderr}`);
    assert.ok(!(stdout + stderr).includes(key.slice(8)), 'printed the key of the unreadable DSN');
  },
);
