/**
 * `lantern/redis` against a real redis-server started on a free port for this file: the cooldown and slot scripts
 * (sliding windows, all or none, expiry, leases), the prefix, the bounded wait on a slow server, refused options, and
 * the error for a missing ioredis. Guards shared between processes are in processes.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { RedisStore, RedisStoreOptionsError, redisStore } from '../../src/redis/index.js';
import type { StoredCooldown } from '../../src/redis/index.js';
import { redisSkipReason, startRedisServer } from '../support/redis-server.js';
import type { RedisServer } from '../support/redis-server.js';

const skip = redisSkipReason();
const server: RedisServer | undefined = skip ? undefined : await startRedisServer();
const raw = server && new Redis(server.url);
after(() => raw?.disconnect());

/** The server and a plain client to look at what the store wrote (only called by tests that are not skipped). */
function redis(): { server: RedisServer; raw: Redis } {
  assert.ok(server && raw);
  return { server, raw };
}

/** A store on its own connection, closed after the test. */
function store(options: ConstructorParameters<typeof RedisStore>[1] = {}): RedisStore {
  const made = redisStore(redis().server.url, { prefix: `t${String(Math.random()).slice(2, 8)}:`, ...options });
  after(() => made.close());
  return made;
}

const daily = (key: string, uses = 2, windowMs = 30_000): StoredCooldown => ({ key, uses, windowMs });

test('a cooldown allows its uses in the window, then refuses with the wait until the oldest use leaves it', { skip }, async () => {
  const shared = store();
  const other = redisStore(redis().server.url, { prefix: shared.prefix });
  after(() => other.close());
  assert.equal((await shared.takeCooldowns([daily('/spin:global:')])).refused, false);
  // Another connection (another process, another machine) counts in the same log.
  assert.equal((await other.takeCooldowns([daily('/spin:global:')])).refused, false);
  const refused = await shared.takeCooldowns([daily('/spin:global:')]);
  assert.ok(refused.refused);
  assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 30_000, JSON.stringify(refused));
  assert.equal(refused.index, 0);
});

test('the uses of several cooldowns are taken all or none: one exhausted log leaves the others untouched', { skip }, async () => {
  const { raw: client } = redis();
  const shared = store();
  assert.equal((await shared.takeCooldowns([daily('bot:user:1', 1)])).refused, false);
  const both = await shared.takeCooldowns([daily('/spin:user:1', 5), daily('bot:user:1', 1)]);
  assert.deepEqual(both.refused && both.index, 1);
  assert.equal(await client.zcard(`${shared.prefix}cooldown:/spin:user:1`), 0, 'nothing recorded in the other log');
  assert.equal(await client.zcard(`${shared.prefix}cooldown:bot:user:1`), 1);
});

test('a refund takes the use back; every key expires on its own within its window', { skip }, async () => {
  const { raw: client } = redis();
  const shared = store();
  const take = await shared.takeCooldowns([daily('/spin:guild:9', 1, 5000)]);
  const key = `${shared.prefix}cooldown:/spin:guild:9`;
  const ttl = await client.pttl(key);
  assert.ok(ttl > 0 && ttl <= 5000, `PTTL ${String(ttl)}`);
  assert.ok(!take.refused);
  take.refund();
  await waitFor(async () => (await client.zcard(key)) === 0);
  assert.equal((await shared.takeCooldowns([daily('/spin:guild:9', 1, 5000)])).refused, false);

  const slot = await shared.acquireSlot('/hold:global:', 1);
  assert.ok(slot);
  const slotTtl = await client.pttl(`${shared.prefix}slots:/hold:global:`);
  assert.ok(slotTtl > 0 && slotTtl <= shared.slotLeaseMs, `PTTL ${String(slotTtl)}`);
  slot.release();
});

test('slots: at most the limit are held; a release frees one; the keys carry the prefix', { skip }, async () => {
  const { raw: client } = redis();
  const shared = store({ prefix: 'myBot:' });
  const first = await shared.acquireSlot('/render:guild:1', 2);
  const second = await shared.acquireSlot('/render:guild:1', 2);
  assert.ok(first && second);
  assert.equal(await shared.acquireSlot('/render:guild:1', 2), undefined);
  assert.ok(await shared.acquireSlot('/render:guild:2', 2), 'another bucket has its own slots');
  first.release();
  first.release();
  await waitFor(async () => (await client.zcard('myBot:slots:/render:guild:1')) === 1);
  assert.ok(await shared.acquireSlot('/render:guild:1', 2));
  assert.ok((await client.keys('myBot:*')).every((key) => key.startsWith('myBot:slots:')));
});

test('a holder that stops renewing (its process crashed) loses its slot once the lease runs out', { skip }, async () => {
  const { server: running } = redis();
  const prefix = 'lease:';
  const crashing = new Redis(running.url);
  const doomed = redisStore(crashing, { prefix, slotLeaseMs: 600 });
  const survivor = store({ prefix, slotLeaseMs: 600 });
  assert.ok(await doomed.acquireSlot('/solo:global:', 1));
  // Renewed while its process lives: still held after several leases.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(await survivor.acquireSlot('/solo:global:', 1), undefined);
  crashing.disconnect();
  await waitFor(async () => (await survivor.acquireSlot('/solo:global:', 1)) !== undefined, 5000);
});

test(
  'a server that does not answer (paused) makes a call reject after commandTimeoutMs, and a late take is given back',
  { skip },
  async (t) => {
    const { raw: client } = redis();
    const shared = store({ commandTimeoutMs: 200 });
    await shared.ping();
    await client.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const startedAt = performance.now();
    await assert.rejects(shared.takeCooldowns([daily('/late:global:', 1)]), /did not answer within 200 ms/);
    const waitedMs = performance.now() - startedAt;
    await assert.rejects(shared.ping(), /did not answer/);
    // Once the pause ends the take lands after all (it was sent): without its refund the log would keep it.
    await new Promise((resolve) => setTimeout(resolve, 1500 - (performance.now() - startedAt)));
    await waitFor(async () => (await client.zcard(`${shared.prefix}cooldown:/late:global:`)) === 0, 5000);
    assert.equal((await shared.takeCooldowns([daily('/late:global:', 1)])).refused, false);
    t.diagnostic(`waited ${waitedMs.toFixed(0)} ms`);
  },
);

test('options no store could run with are refused when the store is made', () => {
  assert.throws(() => redisStore('redis://127.0.0.1:1', { commandTimeoutMs: 0 }), RedisStoreOptionsError);
  assert.throws(() => redisStore('redis://127.0.0.1:1', { slotLeaseMs: Number.NaN }), /slotLeaseMs: must be a positive number/);
  assert.throws(() => redisStore({} as never), /must be an ioredis client/);
  assert.throws(
    () => redisStore('redis://127.0.0.1:1', { prefix: 3 as never }),
    (error: Error & { code?: string }) => {
      return error.code === 'LANTERN_ERR_REDIS_OPTIONS';
    },
  );
});

test('a URL without ioredis installed is refused at once with LANTERN_ERR_REDIS_MISSING naming npm install ioredis', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/fixtures/redis-missing.ts']);
  const result = JSON.parse(stdout.trim()) as { code?: string; message?: string; client?: string };
  assert.equal(result.code, 'LANTERN_ERR_REDIS_MISSING');
  assert.match(result.message ?? '', /npm install ioredis/);
  assert.equal(result.client, 'accepted', 'a client passed in needs no import');
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
