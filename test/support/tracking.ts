import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { errorEvent as buildErrorEvent } from '../../src/events/error-event.js';
import { Client } from '../../src/index.js';
import type { ClientOptions, ErrorEvent } from '../../src/index.js';
import { buildTrackedEvent, newEventId } from '../../src/tracking/build.js';
import type { TrackedEvent } from '../../src/tracking/tracked-event.js';

export const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A bot that is never started: enough to build events (its redactor, options and an empty cache). */
export function idleBot(options: ClientOptions = {}): Client {
  return new Client({ logger: silentLogger, handleProcessErrors: false, ...options });
}

/** An `Error` event as the hub dispatches it, for a failure outside any interaction. */
export function errorEvent(source: string, error: Error, extra: Partial<ErrorEvent> = {}): ErrorEvent {
  return { ...buildErrorEvent({ source, error }), ...extra };
}

/** A real TrackedEvent built by the builder, with the time, release and user given. */
export function tracked(
  bot: Client,
  source: string,
  error: Error,
  options: { timestamp?: number; release?: string; user?: { id: string; username: string }; guildId?: string } = {},
): TrackedEvent {
  const event = buildTrackedEvent(bot, errorEvent(source, error), {
    eventId: newEventId(),
    timestamp: options.timestamp ?? Date.now(),
    release: options.release,
    environment: 'test',
  });
  // Outside an interaction an event has no user or guild; a test that needs them says which.
  return {
    ...event,
    user: options.user ?? event.user,
    tags: options.guildId ? { ...event.tags, guild_id: options.guildId } : event.tags,
  };
}

/** A folder of its own under the system's temporary folder, removed after the file. */
export function tempFolder(prefix = 'lantern-store-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });
  return folder;
}
