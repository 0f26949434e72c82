export { LanternError } from './lantern-error.js';
export {
  ClientOptionsError,
  ClientStateError,
  CommandDefinitionError,
  ComponentDefinitionError,
  ModalDefinitionError,
  CommandSyncError,
  DuplicateCommandError,
  DuplicateHandlerError,
  ExtensionLoadError,
  ExtensionStateError,
  LoginError,
  NonErrorThrownError,
  OptionMismatchError,
  TokenMissingError,
} from './codes.js';
export { Redactor } from './redact.js';
export { ERROR_CODES } from './code-table.js';
export type { ErrorCode } from './code-table.js';
