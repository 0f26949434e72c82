import type { ErrorCode } from './code-table.js';

/**
 * The base of every error Lantern raises. `code` is stable across releases (like Fastify's `FST_ERR_*`),
 * so handlers and trackers can branch and group on it instead of on the message text.
 */
export class LanternError<Code extends ErrorCode = ErrorCode> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
