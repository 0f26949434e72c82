/**
 * Where tasks and cooldowns read the time and wait. The bot uses the system clock; tests pass a fake one
 * (`FakeClock` from `lantern/testing`) so that a task every hour or a 30 s cooldown runs without real waiting.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
}

/** A handle from `Clock.setTimeout`; only the clock that made it knows what it is. */
export type ClockTimer = object;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (timer) => {
    clearTimeout(timer as NodeJS.Timeout);
  },
};
