import { describeValue } from './format.js';
import { LanternError } from './lantern-error.js';

/** A bot could not start: no token in the options or in `DISCORD_TOKEN`. */
export class TokenMissingError extends LanternError<'LANTERN_ERR_TOKEN_MISSING'> {
  constructor() {
    super('LANTERN_ERR_TOKEN_MISSING', 'No bot token: pass `token` to new Client() or set DISCORD_TOKEN');
  }
}

/**
 * `start()` could not log in: Discord could not be reached, or refused the token or the intents. The message
 * says which, and what to check; `cause` holds discord.js's error.
 */
export class LoginError extends LanternError<'LANTERN_ERR_LOGIN'> {
  constructor(reason: string, options?: ErrorOptions) {
    super('LANTERN_ERR_LOGIN', `Could not log in to Discord: ${reason}`, options);
  }
}

/** `start()` on a running client, or a client reused after `stop()`. */
export class ClientStateError extends LanternError<'LANTERN_ERR_CLIENT_STATE'> {
  constructor(message: string) {
    super('LANTERN_ERR_CLIENT_STATE', message);
  }
}

/** A client option no bot could run with (`errorLogLimit: 0`, say), caught in `new Client()`. */
export class ClientOptionsError extends LanternError<'LANTERN_ERR_CLIENT_OPTIONS'> {
  constructor(option: string, problem: string) {
    super('LANTERN_ERR_CLIENT_OPTIONS', `Client option ${option}: ${problem}`);
  }
}

/** A command definition Discord would refuse (bad name, too many options, ...), caught before any request. */
export class CommandDefinitionError extends LanternError<'LANTERN_ERR_COMMAND_DEFINITION'> {
  constructor(command: string, problem: string) {
    super('LANTERN_ERR_COMMAND_DEFINITION', `Command ${command}: ${problem}`);
  }
}

/** Two definitions for one command name in one scope. */
export class DuplicateCommandError extends LanternError<'LANTERN_ERR_DUPLICATE_COMMAND'> {
  constructor(name: string, owner: string) {
    super('LANTERN_ERR_DUPLICATE_COMMAND', `Command /${name} is already defined (by ${owner})`);
  }
}

/**
 * An option arrived with another type than the definition says: the command registered on Discord is older or
 * newer than the running code. Sync the commands and it goes away.
 */
export class OptionMismatchError extends LanternError<'LANTERN_ERR_OPTION_MISMATCH'> {
  constructor(command: string, option: string, options?: ErrorOptions) {
    super(
      'LANTERN_ERR_OPTION_MISMATCH',
      `Option "${option}" of ${command} does not match its definition; the registered command is out of date`,
      options,
    );
  }
}

/** An interaction named a command this bot does not define (a stale registration, or a removed command). */
export class UnknownCommandError extends LanternError<'LANTERN_ERR_UNKNOWN_COMMAND'> {
  constructor(command: string) {
    super('LANTERN_ERR_UNKNOWN_COMMAND', `Received ${command}, which this bot does not define`);
  }
}

/** An extension failed to import or its `setup` threw; `cause` holds the original error. */
export class ExtensionLoadError extends LanternError<'LANTERN_ERR_EXTENSION_LOAD'> {
  readonly extension: string;

  constructor(extension: string, message: string, options?: ErrorOptions) {
    super('LANTERN_ERR_EXTENSION_LOAD', `Extension ${extension}: ${message}`, options);
    this.extension = extension;
  }
}

/** `unloadExtension` / `reloadExtension` of a name that is not loaded, or a second load of a loaded one. */
export class ExtensionStateError extends LanternError<'LANTERN_ERR_EXTENSION_STATE'> {
  constructor(message: string) {
    super('LANTERN_ERR_EXTENSION_STATE', message);
  }
}

/** A rejection or throw whose value is not an Error (`throw 'text'`), wrapped so it has a stack and a type. */
export class NonErrorThrownError extends LanternError<'LANTERN_ERR_NON_ERROR_THROWN'> {
  readonly value: unknown;

  constructor(value: unknown) {
    super('LANTERN_ERR_NON_ERROR_THROWN', `A non-Error value was thrown: ${describeValue(value)}`);
    this.value = value;
  }
}

/** Errors are Errors from here on: a thrown string becomes a NonErrorThrownError. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new NonErrorThrownError(value);
}

/** Registering commands with Discord failed for one scope (global or a guild); the bot keeps running. */
export class CommandSyncError extends LanternError<'LANTERN_ERR_COMMAND_SYNC'> {
  readonly scope: string;

  constructor(scope: string, options?: ErrorOptions) {
    super('LANTERN_ERR_COMMAND_SYNC', `Registering the ${scope} commands with Discord failed`, options);
    this.scope = scope;
  }
}

/** A component or modal handler whose custom id (or pattern) another handler already takes. */
export class DuplicateHandlerError extends LanternError<'LANTERN_ERR_DUPLICATE_HANDLER'> {
  constructor(handler: string, owner: string) {
    super('LANTERN_ERR_DUPLICATE_HANDLER', `A handler for ${handler} is already registered (by ${owner})`);
  }
}

/**
 * A button, select menu or modal whose custom id no handler matches: a message from an older version of the
 * bot, or a one-message handler that timed out.
 */
export class UnknownComponentError extends LanternError<'LANTERN_ERR_UNKNOWN_COMPONENT'> {
  constructor(kind: string, customId: string) {
    super('LANTERN_ERR_UNKNOWN_COMPONENT', `Received ${kind} "${customId}", which no handler matches`);
  }
}
