import { LanternError } from '../../errors/lantern-error.js';

/** `lantern/ext/sentry` was loaded but `@sentry/node`, its optional peer dependency, is not installed. */
export class SentryMissingError extends LanternError<'LANTERN_ERR_SENTRY_MISSING'> {
  constructor(options?: ErrorOptions) {
    super('LANTERN_ERR_SENTRY_MISSING', 'lantern/ext/sentry needs the Sentry SDK: run `npm install @sentry/node`', options);
  }
}

/** The DSN given to `lantern/ext/sentry` (option `dsn` or `SENTRY_DSN`) is not one Sentry accepts. */
export class SentryDsnError extends LanternError<'LANTERN_ERR_SENTRY_DSN'> {
  constructor(problem: string) {
    // The DSN itself is never quoted: it is a credential.
    super(
      'LANTERN_ERR_SENTRY_DSN',
      `The Sentry DSN ${problem}; copy it from your project's Client Keys (DSN) page, shaped like https://<key>@<host>/<project id>`,
    );
  }
}

/** An `outbox` or `feedback` option of `lantern/ext/sentry` no bot could run with (`maxEnvelopes: 0`, say). */
export class SentryOutboxOptionsError extends LanternError<'LANTERN_ERR_SENTRY_OUTBOX_OPTIONS'> {
  constructor(option: string, problem: string) {
    super('LANTERN_ERR_SENTRY_OUTBOX_OPTIONS', `Sentry option ${option}: ${problem}`);
  }
}

/** An option of `lantern/ext/sentry` outside the outbox and feedback no bot could run with (`eventsPerMinute: 0`, say). */
export class SentryOptionsError extends LanternError<'LANTERN_ERR_SENTRY_OPTIONS'> {
  constructor(option: string, problem: string) {
    super('LANTERN_ERR_SENTRY_OPTIONS', `Sentry option ${option}: ${problem}`);
  }
}
