import type { EventEmitter } from 'node:events';
import { FakeDiscordError } from './errors.js';

/**
 * Resolves with the first `event` emission whose argument passes `accept`, or rejects after `timeoutMs`
 * with a message that says what was awaited, so a failing test reads as a sentence rather than a hang.
 */
export function waitForEmit<T>(
  emitter: EventEmitter,
  event: string,
  accept: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (value: T): void => {
      if (!accept(value)) return;
      clearTimeout(timer);
      emitter.off(event, onEvent);
      resolve(value);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new FakeDiscordError('LANTERN_ERR_FAKE_TIMEOUT', `Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    emitter.on(event, onEvent);
  });
}
