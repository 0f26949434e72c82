export { Client } from './client/client.js';
export type { ClientOptions } from './client/options.js';
export { command, messageCommand, subcommand, userCommand } from './commands/define.js';
export type {
  ChatInputDefinition,
  CommandDefinition,
  CommandScope,
  MessageCommand,
  ParentCommand,
  Runnable,
  SlashCommand,
  Subcommand,
  SubcommandGroup,
  UserCommand,
} from './commands/define.js';
export { button, selectMenu } from './components/component.js';
export type { ComponentDefinition, ComponentHandlerInput, ComponentKind } from './components/component.js';
export type { CustomIdPattern, ParamsOf, TemplateParams } from './components/custom-id.js';
export { field, modal } from './components/modal.js';
export type { FieldValues, ModalDefinition, ModalFields, ModalInput, TextField } from './components/modal.js';
export type { OneMessageOptions } from './components/registry.js';
export { option } from './commands/options.js';
export type {
  AutocompleteChoice,
  AutocompleteHandler,
  ChannelValue,
  Choice,
  MentionableValue,
  OptionDefinition,
  OptionDefinitions,
  OptionValue,
  OptionValues,
  RoleValue,
} from './commands/options.js';
export type { SyncResult } from './commands/sync.js';
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
  LanternError,
  LoginError,
  NonErrorThrownError,
  OptionMismatchError,
  Redactor,
  TokenMissingError,
} from './errors/index.js';
export {
  CheckFailure,
  checks,
  CommandOnCooldown,
  expectedErrorMessage,
  GuardDefinitionError,
  GuardStoreUnavailable,
  isExpectedError,
  MaxConcurrencyReached,
  readableDuration,
  readablePermission,
} from './checks/index.js';
export type {
  BucketType,
  BuiltinCheckName,
  Check,
  CheckResult,
  ConcurrencyOptions,
  CooldownOptions,
  CooldownTake,
  ExpectedErrorMessage,
  ExpectedErrorMessages,
  GuardOptions,
  GuardStore,
  StoredCooldown,
  StoredSlot,
} from './checks/index.js';
export { Events } from './events/types.js';
export type {
  AutocompleteErrorEvent,
  CommandCompletionEvent,
  CommandErrorEvent,
  ComponentErrorEvent,
  ErrorEvent,
  InteractionCompletionEvent,
  InteractionErrorEvent,
  ModalErrorEvent,
  TaskErrorEvent,
  TaskRun,
  EventArgs,
  EventName,
  LanternEvents,
  Listener,
  ListenOptions,
} from './events/types.js';
export type { ErrorInit } from './events/error-event.js';
export { defineExtension } from './extensions/extension.js';
export { setupSinks } from './extensions/sink.js';
export type { Sink } from './extensions/sink.js';
export type { Extension, LanternExtensions, Teardown } from './extensions/extension.js';
export {
  AutocompleteContext,
  CommandContext,
  ComponentContext,
  InteractionContext,
  MessageCommandContext,
  ModalContext,
  ModalOpeningContext,
  RepliableContext,
  UserCommandContext,
} from './interactions/context.js';
export type { AnyCommandContext, InteractionKind, MessageInput, ModalPayload } from './interactions/context.js';
export type { InteractionWrapper } from './client/router.js';
export type { Clock, ClockTimer } from './util/clock.js';
export { TaskDefinitionError } from './tasks/define.js';
export type { TaskContext, TaskDefinition } from './tasks/define.js';
export type { Task } from './tasks/scheduler.js';
export type { TracebackMode } from './client/error-answer.js';
export type { Logger } from './log/log.js';

// The options of Lantern's own extensions when loaded by name (see LanternExtensions): named here, at the top, because
// the extensions sit above the client that loads them.
declare module './extensions/extension.js' {
  interface LanternExtensions {
    'lantern/ext/sentry': import('./ext/sentry/index.js').SentryOptions;
    'lantern/ext/local': import('./ext/local/index.js').LocalOptions;
    'lantern/ext/webhook': import('./ext/webhook/index.js').WebhookOptions;
  }
}
