/**
 * One `Error` event as every tracker records it (the local store, the webhook digest, an export): plain data, built
 * once per event for all of them, already redacted, and JSON-serialisable so it can be written to disk as it is.
 */
export interface TrackedEvent {
  /** 32 lowercase hex characters: the reference the user was shown, and the Sentry event id when Sentry is loaded. */
  readonly eventId: string;
  /** Milliseconds since the epoch, on the bot's clock. */
  readonly timestamp: number;
  readonly level: 'error' | 'warning' | 'info';
  /** What failed, as the `Error` event names it: `/divide`, `button delete:{id}`, `task digest`, `unhandled rejection`. */
  readonly source: string;
  /** `Type: message` of the error (the first line of the message), cut to a readable length. */
  readonly title: string;
  /** Where it happened: the bot's own frame that threw (`examples/bot.ts:82 in run`), else the source. */
  readonly culprit: string;
  /** The group this event belongs to: a hash of the Discord-aware grouping key (equal for "the same error again"). */
  readonly fingerprint: string;
  /** What the fingerprint was made from, readable: `['discord-api-error', '50013', 'POST', '/channels/:id/messages']`. */
  readonly groupingKey: readonly string[];
  readonly error: TrackedError;
  /** Searchable strings: `source`, `command`, `interaction_type`, `guild_id`, `channel_id`, `shard_id`, `locale`, ... */
  readonly tags: Readonly<Record<string, string>>;
  readonly user: { readonly id: string; readonly username: string } | undefined;
  /** `bot`, `interaction` (its options, custom id, fields), `task`, `discord` (what Discord answered). */
  readonly contexts: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** What the bot did just before, oldest first. */
  readonly breadcrumbs: readonly TrackedBreadcrumb[];
  readonly release: string | undefined;
  readonly environment: string | undefined;
}

/** The error and its causes, outermost first. */
export interface TrackedError {
  readonly type: string;
  readonly message: string;
  /** The whole redacted stack text, causes and aggregated errors included, as the log shows it. */
  readonly stack: string;
  /** The outermost error's frames, innermost call first, each mapped to TypeScript where a source map says so. */
  readonly frames: readonly TrackedFrame[];
  /** `cause` and `AggregateError` members, in the order the traceback shows them. */
  readonly causes: readonly { readonly type: string; readonly message: string }[];
}

export interface TrackedFrame {
  /** Relative to the working directory for the bot's own files; `node:internal/...` and package paths as they are. */
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly function: string | undefined;
  /** The bot's own code (not node_modules, not Node's internals, not Lantern). */
  readonly inApp: boolean;
}

export interface TrackedBreadcrumb {
  readonly timestamp: number;
  /** `discord.rest`, `discord.gateway`, `lantern.interaction`, `log`, ... */
  readonly category: string;
  readonly message: string;
  readonly level: 'error' | 'warning' | 'info' | 'debug';
  readonly data?: Readonly<Record<string, unknown>>;
}
