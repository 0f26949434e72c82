/**
 * `npm start` with a token but no network: the example bot ends with one line saying what failed, not a
 * Node crash with a stack. Run in a child process whose DNS lookups all fail.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the example bot started with a token and no network says it could not reach Discord and exits 1', { timeout: 60_000 }, () => {
  const fakeToken = `${Buffer.from('123456789012345678').toString('base64url')}.GaBcDe.${'x'.repeat(38)}`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/fixtures/offline-dns.ts', 'examples/main.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 50_000,
    env: { ...process.env, DISCORD_TOKEN: fakeToken },
  });
  const report = `status ${String(child.status)}\nstdout:\n${child.stdout}\nstderr:\n${child.stderr}`;
  assert.equal(child.status, 1, report);
  assert.match(
    child.stderr,
    new RegExp(
      [
        String.raw`^The example bot could not start\. Could not log in to Discord: `,
        String.raw`Discord could not be reached \(Error: getaddrinfo ENOTFOUND discord\.com\)\. Check the network`,
      ].join(''),
      'm',
    ),
    report,
  );
  assert.doesNotMatch(child.stderr, /^\s+at |node:internal|triggerUncaughtException/m, 'no stack, no Node crash');
  assert.ok(!`${child.stdout}${child.stderr}`.includes(fakeToken.split('.')[2] ?? '?'), 'and no token');
});
