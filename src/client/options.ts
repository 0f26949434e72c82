import type { BitFieldResolvable, ClientOptions as DiscordClientOptions, GatewayIntentsString } from 'discord.js';
import type { InteractionErrorEvent } from '../events/types.js';
import type { TracebackMode } from './error-answer.js';
import type { GuardOptions } from '../checks/guard.js';
import type { ExpectedErrorMessages } from '../checks/messages.js';
import type { LogStack } from '../log/entry.js';
import type { Logger } from '../log/log.js';
import type { Clock } from '../util/clock.js';

/** Its `checks`, `cooldown` and `maxConcurrency` guard every command, component and modal of the bot. */
export interface ClientOptions extends GuardOptions {
  /** The bot token; `DISCORD_TOKEN` from the environment when omitted. */
  token?: string;
  /** Gateway intents; `Guilds` by default (enough for slash commands). */
  intents?: BitFieldResolvable<GatewayIntentsString, number>;
  /** Anything else for the discord.js client (`rest`, `partials`, `shards`, ...). */
  discord?: Omit<DiscordClientOptions, 'intents'>;
  /**
   * Who sees a failed command's traceback (an ephemeral embed): everyone (`true`, the default, for
   * development), nobody (`false`, for production), or only the bot's owners (`'owners'`). Others get
   * `errorMessage`.
   */
  sendCommandTracebacks?: TracebackMode;
  /** Owners besides those Discord lists for the application (its owner, or its team's members). */
  ownerIds?: readonly string[];
  /** What a user sees when a command fails and they are not shown the traceback. */
  errorMessage?: string | ((event: InteractionErrorEvent) => string);
  /**
   * What a user sees when a check fails, a cooldown or a concurrency limit refuses a run (shown also with
   * tracebacks off). Built-in texts exist for English, French, German and Spanish, chosen by the user's locale.
   */
  expectedErrorMessages?: ExpectedErrorMessages;
  /** What a user sees for a command this bot does not define (a stale registration). */
  unknownCommandMessage?: string;
  /**
   * What a user sees for a button, select menu or modal no handler matches (an old message, an expired
   * one-message handler). `null` leaves such interactions alone, for bots that answer them with discord.js
   * collectors.
   */
  unknownComponentMessage?: string | null;
  /** Keep Discord's registered commands equal to the defined ones (default `true`). */
  syncCommands?: boolean;
  /** Register commands that name no guilds in these guilds instead of globally: instant updates while developing. */
  devGuilds?: readonly string[];
  /** Values to redact from everything shown or logged (API keys, passwords), besides the tokens Lantern knows. */
  secrets?: readonly string[];
  logger?: Logger;
  /**
   * How many times a minute one error (the same source and fingerprint: a Discord error's code and route, else its
   * type and the frame that threw) is logged in full; its repeats after that are counted, and one line a minute
   * says how many. Default 5; `Infinity` logs every one in full.
   */
  errorLogLimit?: number;
  /**
   * How an error's stack is logged: `'compact'` (the default: the bot's own frames first, at most two others, a
   * count of the rest, then the causes) or `'full'` (every frame, as the traceback shows it).
   */
  logStack?: LogStack;
  /** How long `stop()` waits for running handlers before it shuts down anyway. Default 10 s. */
  stopTimeoutMs?: number;
  /**
   * Turn unhandled rejections and uncaught exceptions into `Error` events instead of letting Node end the
   * process (default `true` while the bot runs).
   */
  handleProcessErrors?: boolean;
  /**
   * Lantern's default listeners (each kind's error event dispatched again as `Error`, and the log line for every
   * `Error`), as a set. `false` installs none: the app's own listeners do all of it (default `true`).
   */
  defaultListeners?: boolean;
  /**
   * Stop the bot on SIGTERM and SIGINT (default `true` while the bot runs): `stop()`, then the process exits unless
   * the app listens to that signal itself. `false` leaves both signals to the app.
   */
  handleSignals?: boolean;
  /** Where tasks and cooldowns read the time; tests pass a `FakeClock` from `lantern/testing`. */
  clock?: Clock;
}

export const DEFAULT_MESSAGES = {
  unknownCommand: 'This command is not available any more. It may have been removed or renamed; try again in a minute.',
  unknownComponent: 'This is no longer active. Run the command again to get a fresh one.',
  stopping: 'The bot is restarting. Please try again in a moment.',
  malformed: 'Discord sent something this bot could not read, so it could not run your request. Please try again.',
};
