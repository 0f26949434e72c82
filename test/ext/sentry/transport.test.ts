/**
 * Sentry's HTTP transport as the extension sets it up: after stop(), nothing of it keeps the process alive, even when
 * Sentry had answered on kept-alive connections and then stopped answering (the SDK retries a request that failed on
 * a reused connection, which once opened a new one after the client was closed).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';

test(
  'stop() with Sentry hanging on a kept-alive connection leaves nothing open: the process ends by itself right after',
  { timeout: 90_000 },
  async (t) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/sentry-keepalive-stop.ts'], {
      env: { ...process.env, SENTRY_DSN: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    let stoppedAt: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      stoppedAt ??= /^stopped \d+$/m.test(output) ? Date.now() : undefined;
    });
    const [code] = (await once(child, 'close')) as [number | null];
    const lived = stoppedAt === undefined ? undefined : Date.now() - stoppedAt;
    assert.equal(code, 0, output);
    assert.ok(lived !== undefined, `the fixture never stopped:\n${output}`);
    // A request left open would hold the process for the fixture's 60 s request timeout; a clean exit takes well under 5.
    t.diagnostic(`the process ended ${String(lived)} ms after stop() resolved`);
    assert.ok(lived < 5000, `the process lived ${String(lived)} ms after stop() resolved:\n${output}`);
  },
);
