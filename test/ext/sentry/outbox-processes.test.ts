/**
 * The outbox across processes: a bot killed with SIGKILL during an outage leaves its envelopes in the file, and the
 * next start delivers every one; two processes (shards) draining one file never send an envelope twice.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { readOutboxStatus } from '../../../src/ext/sentry/index.js';
import { arrivals, outboxPath, queuedAtLeast, waitForAll } from '../../fixtures/outbox-support.js';
import { startReceiver } from '../../fixtures/sentry-support.js';

const receiver = await startReceiver();

interface Child {
  readonly process: ChildProcess;
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first line that has `key` (with a value matching `pattern`, if given). */
  line(key: string, pattern?: RegExp): Promise<Record<string, unknown>>;
}

function bot(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/outbox-bot.ts'], {
    env: { ...process.env, SENTRY_TEST_DSN: receiver.dsn, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiting = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (text) => {
    lines.push(JSON.parse(text) as Record<string, unknown>);
    for (const check of waiting) check();
  });
  return {
    process: child,
    lines,
    line: (key, pattern) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`no "${key}" line ${String(pattern ?? '')} from the bot within a minute; it printed ${JSON.stringify(lines)}`));
        }, 60_000);
        const check = () => {
          const found = lines.find((line) => key in line && (pattern === undefined || pattern.test(String(line[key]))));
          if (!found) return;
          clearTimeout(timer);
          waiting.delete(check);
          resolve(found);
        };
        waiting.add(check);
        check();
      }),
  };
}

async function exited(child: Child): Promise<number | null> {
  if (child.process.exitCode !== null) return child.process.exitCode;
  const [code] = (await once(child.process, 'exit')) as [number | null];
  return code;
}

test('a bot killed with SIGKILL during an outage delivers every pending event at its next start, Sentry healthy', async () => {
  receiver.clear();
  const path = outboxPath();
  await receiver.setMode('refuse');
  const crashing = bot({ OUTBOX_PATH: path, FAILURES: '300', MODE: 'wait', LABEL: 'before the crash' });
  const references = (await crashing.line('references')).references as string[];
  assert.equal(new Set(references).size, 300);
  await queuedAtLeast(path, 300);
  crashing.process.kill('SIGKILL');
  await exited(crashing);
  assert.equal(receiver.events.length, 0);

  await receiver.setMode('accept');
  const restarted = bot({ OUTBOX_PATH: path, FAILURES: '0', MODE: 'deliver' });
  await waitForAll(receiver, references, 60_000);
  await restarted.line('stopped');
  assert.equal(await exited(restarted), 0, 'the restarted bot did not exit by itself');
  const counts = arrivals(receiver);
  assert.deepEqual(
    references.filter((reference) => counts.get(reference) !== 1),
    [],
  );
  assert.equal((await readOutboxStatus(path))?.queued, 0);
});

test('two processes on one outbox file both deliver its backlog, and no envelope reaches Sentry twice', async () => {
  receiver.clear();
  const path = outboxPath();
  await receiver.setMode('refuse');
  const shards = [
    bot({ OUTBOX_PATH: path, FAILURES: '300', MODE: 'deliver', LABEL: 'shard 0' }),
    bot({ OUTBOX_PATH: path, FAILURES: '300', MODE: 'deliver', LABEL: 'shard 1' }),
  ];
  const references = (await Promise.all(shards.map((shard) => shard.line('references')))).flatMap((line) => line.references as string[]);
  await queuedAtLeast(path, 600);
  // Both processes must have seen the outage: one that never failed has no backlog of its own to speak of.
  for (const shard of shards) await shard.line('warn', /delivery is failing/);
  await receiver.setMode('accept');
  await waitForAll(receiver, references, 60_000);
  for (const shard of shards) await shard.line('stopped');
  for (const shard of shards) assert.equal(await exited(shard), 0);

  const counts = arrivals(receiver);
  assert.deepEqual(
    references.filter((reference) => counts.get(reference) !== 1),
    [],
    'events that did not arrive exactly once',
  );
  // No envelope with an id (events, feedback) twice, whatever it carries.
  const ids = receiver.envelopes.flatMap((envelope) => (envelope.header.event_id === undefined ? [] : [envelope.header.event_id]));
  assert.equal(new Set(ids).size, ids.length);
  // The file counts every envelope of the backlog as delivered late, whichever process sent it (the 600 events and
  // whatever else the SDK queued beside them, such as a session).
  const storedLate = (await readOutboxStatus(path))?.today.late ?? 0;
  assert.ok(storedLate >= 600, `${String(storedLate)} delivered late by the file's count`);
  // Whichever shard claims the rows (one may claim them all on a fast machine), the backlog is said to be delivered
  // late. A process may go through more than one episode (a slow machine times a request out), so every line counts.
  const late = shards.map((shard) =>
    shard.lines
      .map((line) => (typeof line.warn === 'string' ? line.warn : ''))
      .filter((warn) => /delivery works again/.test(warn))
      .reduce((sum, warn) => sum + Number(/(\d+) events? (?:was|were) delivered late/.exec(warn)?.[1] ?? 0), 0),
  );
  assert.ok(late.some((count) => count > 0) && late[0]! + late[1]! <= storedLate, `late deliveries per shard: ${late.join(', ')}`);
});
