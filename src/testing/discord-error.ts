/** One field-level complaint inside a 50035 Invalid Form Body answer. */
export interface FormError {
  /** Where in the body, as Discord writes it: `0.options.1.name`. */
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/**
 * A Discord API error the fake answers with: the status and the JSON body real Discord sends, which
 * discord.js turns into a `DiscordAPIError` carrying the same `code`.
 */
export class DiscordApiFailure extends Error {
  /** Headers the answer carries besides its JSON body (a 429's `Retry-After`). */
  readonly headers: Readonly<Record<string, string>> = {};

  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly formErrors: readonly FormError[] = [],
  ) {
    super(message);
  }

  toBody(): Record<string, unknown> {
    if (this.formErrors.length === 0) return { message: this.message, code: this.code };
    const errors: Record<string, unknown> = {};
    for (const { path, code, message } of this.formErrors) {
      let node = errors;
      // `_root` names the value itself: its errors sit beside its fields, as Discord writes them.
      for (const key of path.split('.')) if (key !== '_root') node = (node[key] ??= {}) as Record<string, unknown>;
      ((node._errors ??= []) as unknown[]).push({ code, message });
    }
    return { message: this.message, code: this.code, errors };
  }

  static invalidForm(formErrors: readonly FormError[]): DiscordApiFailure {
    return new DiscordApiFailure(400, 50035, 'Invalid Form Body', formErrors);
  }
}

export const UNKNOWN_INTERACTION = (): DiscordApiFailure => new DiscordApiFailure(404, 10062, 'Unknown interaction');
export const ALREADY_ACKNOWLEDGED = (): DiscordApiFailure =>
  new DiscordApiFailure(400, 40060, 'Interaction has already been acknowledged.');
export const UNKNOWN_WEBHOOK = (): DiscordApiFailure => new DiscordApiFailure(404, 10015, 'Unknown Webhook');
export const INVALID_WEBHOOK_TOKEN = (): DiscordApiFailure => new DiscordApiFailure(401, 50027, 'Invalid Webhook Token');
export const UNKNOWN_MESSAGE = (): DiscordApiFailure => new DiscordApiFailure(404, 10008, 'Unknown Message');
export const UNAUTHORIZED = (): DiscordApiFailure => new DiscordApiFailure(401, 0, '401: Unauthorized');
export const MISSING_PERMISSIONS = (): DiscordApiFailure => new DiscordApiFailure(403, 50013, 'Missing Permissions');
