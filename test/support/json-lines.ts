import type { Logger } from '../../src/index.js';

/** Writes one JSON line to stdout: how a fixture process tells the test that runs it what happened. */
export function print(line: Record<string, unknown>): void {
  console.log(JSON.stringify(line));
}

/** A logger whose every line is a JSON line `{ log: level, message }`, for the test to read. */
export const jsonLinesLogger: Logger = {
  info: (message) => {
    print({ log: 'info', message });
  },
  warn: (message) => {
    print({ log: 'warn', message });
  },
  error: (message) => {
    print({ log: 'error', message });
  },
};
