import { describeValue } from './format.js';
import { LanternError } from './lantern-error.js';
import type { ErrorCode } from './code-table.js';

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

/**
 * A command definition Discord would refuse (bad name, too many options, a bound of the wrong type...), caught before
 * any request. `command` names the command (or component, modal), `option` the option when one is at fault, `rule`
 * what is wrong.
 */
export class CommandDefinitionError extends LanternError<'LANTERN_ERR_COMMAND_DEFINITION'> {
  readonly command: string;
  readonly option: string | undefined;
  readonly rule: string;

  constructor(command: string, rule: string, option?: string) {
    super('LANTERN_ERR_COMMAND_DEFINITION', `Command ${command}${option === undefined ? '' : ` (option ${option})`}: ${rule}`);
    this.command = command;
    this.option = option;
    this.rule = rule;
  }
}

/** Two definitions for one command name in one scope; `command` is its label (`/ping`, `message command Quote`). */
export class DuplicateCommandError extends LanternError<'LANTERN_ERR_DUPLICATE_COMMAND'> {
  constructor(command: string, owner: string) {
    super('LANTERN_ERR_DUPLICATE_COMMAND', `${command} is already defined (by ${owner})`);
  }
}

/**
 * An option arrived that its definition does not allow: of another type, missing though required, outside its
 * bounds, lengths, choices or channel types, or not defined at all. The command registered on Discord is older or
 * newer than the running code (sync the commands and it goes away), or the request did not come from Discord's
 * client. `option` names the option, `rule` what it broke.
 */
export class OptionMismatchError extends LanternError<'LANTERN_ERR_OPTION_MISMATCH'> {
  readonly command: string;
  readonly option: string;
  readonly rule: string;

  constructor(command: string, option: string, rule: string, options?: ErrorOptions) {
    super(
      'LANTERN_ERR_OPTION_MISMATCH',
      `Option "${option}" of ${command} does not match its definition (${rule}); the registered command may be out of date`,
      options,
    );
    this.command = command;
    this.option = option;
    this.rule = rule;
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

/** `lantern/ext/local` or the `lantern` CLI was used without `better-sqlite3`, its optional peer dependency. */
export class SqliteMissingError extends LanternError<'LANTERN_ERR_SQLITE_MISSING'> {
  constructor(options?: ErrorOptions) {
    super('LANTERN_ERR_SQLITE_MISSING', 'The local error store needs SQLite: run `npm install better-sqlite3@12`', options);
  }
}

/** An option of the local error store no store could run with (`maxEventsPerIssue: 0`, say). */
export class StoreOptionsError extends LanternError<'LANTERN_ERR_STORE_OPTIONS'> {
  constructor(option: string, problem: string) {
    super('LANTERN_ERR_STORE_OPTIONS', `Local error store option ${option}: ${problem}`);
  }
}

/** The error store's file does not exist (the CLI never creates one). */
export class StoreNotFoundError extends LanternError<'LANTERN_ERR_STORE_NOT_FOUND'> {
  readonly path: string;

  constructor(path: string) {
    super('LANTERN_ERR_STORE_NOT_FOUND', `No error store at ${path}: load lantern/ext/local in the bot first, or pass --db PATH`);
    this.path = path;
  }
}

/** The error store's file was written by a newer Lantern; it is left as it is. */
export class StoreVersionError extends LanternError<'LANTERN_ERR_STORE_NEWER'> {
  readonly path: string;
  readonly version: number;

  constructor(path: string, version: number, known: number) {
    super(
      'LANTERN_ERR_STORE_NEWER',
      `The error store ${path} was written by a newer Lantern (schema version ${String(version)}; this one knows up to ` +
        `${String(known)}): it is left untouched. Upgrade Lantern, or use another file`,
    );
    this.path = path;
    this.version = version;
  }
}

/** The error store's file is damaged, or is not an error store at all; it is left as it is. */
export class StoreCorruptError extends LanternError<'LANTERN_ERR_STORE_CORRUPT'> {
  readonly path: string;

  constructor(path: string, problem: string, options?: ErrorOptions) {
    super('LANTERN_ERR_STORE_CORRUPT', `The error store ${path} ${problem}: move it away and a new one is made`, options);
    this.path = path;
  }
}

/** Another process held the error store's write lock for longer than the busy timeout. */
export class StoreLockedError extends LanternError<'LANTERN_ERR_STORE_LOCKED'> {
  readonly path: string;

  constructor(path: string, timeoutMs: number, options?: ErrorOptions) {
    super('LANTERN_ERR_STORE_LOCKED', `The error store ${path} stayed locked by another process for ${String(timeoutMs)} ms`, options);
    this.path = path;
  }
}

/** The error store's file or folder cannot be read or written: permissions, a read-only or full disk. */
export class StoreAccessError extends LanternError<'LANTERN_ERR_STORE_ACCESS'> {
  readonly path: string;

  constructor(path: string, problem: string, options?: ErrorOptions) {
    super('LANTERN_ERR_STORE_ACCESS', `The error store ${path} ${problem}`, options);
    this.path = path;
  }
}

/** `lantern serve` was given an option it cannot run with: a port out of range, a token too short to be safe. */
export class ServeOptionsError extends LanternError<'LANTERN_ERR_SERVE_OPTIONS'> {
  constructor(option: string, problem: string) {
    super('LANTERN_ERR_SERVE_OPTIONS', `lantern serve ${option}: ${problem}`);
  }
}

/** The page's server could not listen: the port is taken, or the host is not an address of this machine. */
export class ServeListenError extends LanternError<'LANTERN_ERR_SERVE_LISTEN'> {
  constructor(address: string, problem: string, options?: ErrorOptions) {
    super('LANTERN_ERR_SERVE_LISTEN', `lantern serve cannot listen on ${address}: ${problem}`, options);
  }
}
