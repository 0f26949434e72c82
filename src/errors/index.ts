export { LanternError } from './lantern-error.js';
export {
  ClientOptionsError,
  ClientStateError,
  CommandDefinitionError,
  CommandSyncError,
  DuplicateCommandError,
  DuplicateHandlerError,
  UnknownComponentError,
  ExtensionLoadError,
  ExtensionStateError,
  LoginError,
  NonErrorThrownError,
  OptionMismatchError,
  TokenMissingError,
  UnknownCommandError,
} from './codes.js';
export { Redactor } from './redact.js';
