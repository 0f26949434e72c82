/**
 * Every code a Lantern error carries, defined once (as Fastify's `lib/errors.js` does): the classes take their code
 * from here, the log lines that name one do too, and a test holds the README's error-code tables to exactly this list.
 * A code is stable across releases, so handlers and trackers can branch and group on it instead of on a message.
 */
export const ERROR_CODES = {
  LANTERN_ERR_TOKEN_MISSING: '`start()` with no token',
  LANTERN_ERR_CLIENT_OPTIONS: 'a client option no bot could run with (`errorLogLimit: 0`)',
  LANTERN_ERR_CLIENT_STATE: '`start()` twice, `syncCommands()` before start',
  LANTERN_ERR_COMMAND_DEFINITION: 'a command definition Discord would refuse',
  LANTERN_ERR_COMPONENT_DEFINITION: 'a button or select menu definition Discord would refuse (its custom id)',
  LANTERN_ERR_MODAL_DEFINITION: 'a modal definition Discord would refuse (title, fields, lengths)',
  LANTERN_ERR_DUPLICATE_COMMAND: 'two commands with one name',
  LANTERN_ERR_COMMAND_SYNC: 'registering a scope failed (`scope`, `cause`)',
  LANTERN_ERR_OPTION_MISMATCH: 'an option arrived with another type than defined',
  LANTERN_ERR_UNKNOWN_COMMAND: 'an interaction for a command the bot does not define (a log line)',
  LANTERN_ERR_UNKNOWN_SUBCOMMAND: 'an interaction for a command the bot defines, naming no subcommand or one it lacks (a log line)',
  LANTERN_ERR_UNKNOWN_COMPONENT: 'a button, select menu or modal no handler matches (a log line)',
  LANTERN_ERR_EXTENSION_LOAD: 'an extension failed to import or set up (`extension`, `cause`)',
  LANTERN_ERR_EXTENSION_STATE: 'loading a loaded extension, unloading one that is not',
  LANTERN_ERR_NON_ERROR_THROWN: 'a thrown value that is not an `Error` (`value`)',
  LANTERN_ERR_DUPLICATE_HANDLER: 'two component or modal handlers for one custom id or pattern',
  LANTERN_ERR_CHECK_FAILED: 'a check refused the interaction (`check`, `missing`, `reason`); expected',
  LANTERN_ERR_COOLDOWN: 'a cooldown refused it (`retryAfterMs`, `bucket`); expected',
  LANTERN_ERR_MAX_CONCURRENCY: 'a concurrency limit refused it (`limit`, `bucket`); expected',
  LANTERN_ERR_GUARD_DEFINITION: 'guard options no run could use',
  LANTERN_ERR_TASK_DEFINITION: 'a task definition without a valid schedule, or a taken name',
  LANTERN_ERR_SENTRY_MISSING: '`lantern/ext/sentry` loaded without `@sentry/node` installed',
  LANTERN_ERR_SENTRY_DSN: 'a DSN that cannot be one (the message never quotes it)',
  LANTERN_ERR_FAKE_UNKNOWN_COMMAND: 'no such command registered where the user is (lists the registered ones)',
  LANTERN_ERR_FAKE_BAD_OPTION: "an option, select value or modal field Discord's client would not send",
  LANTERN_ERR_FAKE_UNKNOWN_COMPONENT: 'no such component on the message, or it is disabled',
  LANTERN_ERR_FAKE_NO_MODAL: '`submitModal` on an interaction that showed none',
  LANTERN_ERR_FAKE_NOT_A_MEMBER: 'acting in a guild the user has not joined',
  LANTERN_ERR_FAKE_NOT_CONNECTED: 'no bot session holds the shard the interaction would go to',
  LANTERN_ERR_FAKE_UNKNOWN_ENTITY: 'no channel, role, user or guild by that name or id',
  LANTERN_ERR_FAKE_TOKEN_NOT_KEPT: 'reading `discord.token` when the token was given in the options (only its digest is kept)',
  LANTERN_ERR_FAKE_TIMEOUT: 'something awaited did not happen in time',
  LANTERN_ERR_SENTRY_RECEIVER_TIMEOUT: 'an awaited envelope did not arrive in time',
  LANTERN_ERR_SENTRY_RECEIVER_START_FAILED: 'the receiver could not start',
  LANTERN_ERR_SENTRY_RECEIVER_EXITED: "the receiver's process ended",
  LANTERN_ERR_SENTRY_RECEIVER_STOPPED: 'a call on a stopped receiver',
  LANTERN_ERR_SENTRY_RECEIVER_MODE_FAILED: 'the receiver could not switch to the outage mode asked for',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
