import { describeValue } from './format.js';
import { LanternError } from './lantern-error.js';
import type { ErrorCode } from './code-table.js';

/** A bot could not start: no token in the options or in `DISCORD_TOKEN`. */
export class TokenMissingError extends LanternError<'LANTERN_ERR_TOKEN_MISSING'> {
  constructor() {
    super('LANTERN_ERR_TOKEN_MISSING', 'No bot token: pass `token` to new Client() or set DISCORD_TOKEN');
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

/**
 * A command definition Discord would refuse (bad name, too many options, ...), caught before any request. `command` is
 * its label (`/ping`, `user command Who is this`).
 */
export class CommandDefinitionError extends LanternError<'LANTERN_ERR_COMMAND_DEFINITION'> {
  constructor(command: string, problem: string) {
    super('LANTERN_ERR_COMMAND_DEFINITION', `${command}: ${problem}`);
  }
}

/** Two definitions for one command name in one scope; `command` is its label (`/ping`, `message command Quote`). */
export class DuplicateCommandError extends LanternError<'LANTERN_ERR_DUPLICATE_COMMAND'> {
  constructor(command: string, owner: string) {
    super('LANTERN_ERR_DUPLICATE_COMMAND', `${command} is already defined (by ${owner})`);
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

/** A button or select menu definition Discord would refuse (its custom id), caught where it is defined. */
export class ComponentDefinitionError extends LanternError<'LANTERN_ERR_COMPONENT_DEFINITION'> {
  constructor(component: string, problem: string) {
    super('LANTERN_ERR_COMPONENT_DEFINITION', `${component}: ${problem}`);
  }
}

/** A modal definition Discord would refuse (title, fields, lengths), caught where it is defined. */
export class ModalDefinitionError extends LanternError<'LANTERN_ERR_MODAL_DEFINITION'> {
  constructor(modal: string, problem: string) {
    super('LANTERN_ERR_MODAL_DEFINITION', `${modal}: ${problem}`);
  }
}

/** A line of the log that names a code of the table: `LANTERN_ERR_UNKNOWN_COMMAND: Received /old, ...`. */
export function codedLine(code: ErrorCode, message: string): string {
  return `${code}: ${message}`;
}
