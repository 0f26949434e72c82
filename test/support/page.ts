import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ErrorStore } from '../../src/ext/local/store.js';
import { serve } from '../../src/web/serve.js';
import type { RunningPage, ServeOptions } from '../../src/web/serve.js';
import type { TrackedEvent } from '../../src/tracking/tracked-event.js';
import { tempFolder } from './tracking.js';

/** The page on a fresh store file of its own, on a free port, closed after the test. `events` are recorded first. */
export async function startPage(
  t: TestContext,
  events: readonly TrackedEvent[] = [],
  options: Partial<ServeOptions> = {},
): Promise<RunningPage & { db: string }> {
  const db = join(tempFolder('lantern-page-'), 'errors.db');
  if (events.length > 0) {
    const store = await ErrorStore.open(db);
    store.record(events);
    store.close();
  }
  const page = await serve({ db, port: 0, pollMs: 50, ...options });
  t.after(() => page.close());
  return { ...page, close: () => page.close(), db };
}

/** A second connection to the page's file, as another process (the bot) would write through. */
export async function writerFor(t: TestContext, db: string): Promise<ErrorStore> {
  const store = await ErrorStore.open(db);
  t.after(() => {
    store.close();
  });
  return store;
}

/** The page's origin (`http://127.0.0.1:port`), without the token. */
export function originOf(page: RunningPage): string {
  return new URL(page.url).origin;
}
