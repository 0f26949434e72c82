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
      let accepted: boolean;
      try {
        accepted = accept(value);
      } catch (error) {
        // A throwing predicate is the test's bug: it must fail the wait, not the fake's request handling.
        clearTimeout(timer);
        emitter.off(event, onEvent);
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (!accepted) return;
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
