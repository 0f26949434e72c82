import type { Redactor } from '../errors/redact.js';
import { boundEntry } from './bound.js';

/** Where Lantern writes. Any object with these three methods (pino, winston, console) fits. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: Logger = {
  info: (message) => {
    console.log(`[lantern] ${message}`);
  },
  warn: (message) => {
    console.warn(`[lantern] ${message}`);
  },
  error: (message) => {
    console.error(`[lantern] ${message}`);
  },
};

/**
 * The only way Lantern writes a line: every line is redacted first, then bounded (control characters escaped,
 * each line at most 1,000 characters, an entry's later lines indented, at most 200 lines), and a throwing logger
 * cannot break the bot.
 */
export class Log {
  constructor(
    private readonly logger: Logger,
    private readonly redactor: Redactor,
  ) {}

  info(message: string): void {
    this.#write('info', message);
  }

  warn(message: string): void {
    this.#write('warn', message);
  }

  error(message: string): void {
    this.#write('error', message);
  }

  #write(level: keyof Logger, message: string): void {
    try {
      this.logger[level](boundEntry(this.redactor.redact(message)));
    } catch {
      // A logger that throws has nowhere to report to; the bot must go on.
    }
  }
}
