import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { after } from 'node:test';

const START_TIMEOUT_MS = 15_000;

/**
 * Why the Redis tests cannot run here, or `false` when they can: they need a real `redis-server` (Debian's package).
 * Without it they are skipped with this message, except in CI (`CI` set), where a missing server is a failure.
 */
export function redisSkipReason(): string | false {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error === undefined && found.status === 0) return false;
  if (process.env.CI) throw new Error('redis-server is not installed, and CI must run the Redis tests (apt-get install redis-server)');
  return 'redis-server is not installed (apt-get install redis-server); the Redis tests are skipped';
}

/** A real redis-server on 127.0.0.1 that a test may stop and start again on the same port; stopped after the file. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops it the way a crash would look to clients (SIGKILL: connections reset, nothing saved). */
  stop(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  start(): Promise<void>;
}

/** A server for this test file, stopped after it. */
export async function startRedisServer(): Promise<RedisServer> {
  const server = await spawnRedisServer();
  after(() => server.stop());
  return server;
}

/** A server the caller stops (a benchmark's, outside the test runner). */
export async function spawnRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
      { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child = server;
    const lines = createInterface({ input: server.stdout });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`redis-server did not start on port ${String(port)} within ${String(START_TIMEOUT_MS)} ms`));
      }, START_TIMEOUT_MS);
      lines.on('line', (line) => {
        if (!line.includes('Ready to accept connections')) return;
        clearTimeout(timer);
        resolve();
      });
      server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with code ${String(code)} while starting on port ${String(port)}`));
      });
    });
  };
  const stop = async () => {
    const server = child;
    child = undefined;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, 'exit');
    server.kill('SIGKILL');
    await exited;
  };
  await start();
  return { port, url: `redis://127.0.0.1:${String(port)}`, stop, start };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
