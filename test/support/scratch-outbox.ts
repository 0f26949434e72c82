import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let made = 0;

/**
 * An outbox file of this process's own under the system's temporary folder, removed when the process exits. Without
 * it, every test bot would share `.lantern/outbox.db` in the checkout, and test files run in parallel would wait on
 * each other's locks.
 */
export function scratchOutbox(): { path: string } {
  const path = join(tmpdir(), `lantern-test-outbox-${String(process.pid)}-${String(++made)}.db`);
  process.once('exit', () => {
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
  });
  return { path };
}
