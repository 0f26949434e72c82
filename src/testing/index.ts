export { FakeDiscord } from './fake-discord.js';
export type { FakeDiscordOptions } from './fake-discord.js';
export { FakeDiscordError } from './errors.js';
export type { FakeDiscordErrorCode } from './errors.js';
export { DiscordFaults } from './rest/faults.js';
export type { Fault, FaultInjector, FaultResponse, FaultRule } from './rest/faults.js';
export type { RecordedRequest } from './rest/server.js';
export type { InteractionHandle, InteractionResponse, ResponseKind } from './interactions/handle.js';
export type { CommandInvokeOptions, SelectValue, UserActor } from './interactions/user-actor.js';
export type { OptionValue, OptionValues } from './interactions/options.js';
export type { AttachmentInput } from './interactions/resolver.js';
export type { CloseEvent, FakeGateway, IdentifyEvent, ResumeEvent, ShardSelector, ShardSessionInfo } from './gateway/gateway.js';
export { shardOf } from './gateway/gateway.js';
export type { CommandStore } from './commands.js';
export type {
  ChannelInit,
  FakeChannel,
  FakeGuild,
  FakeMember,
  FakeRole,
  FakeUser,
  GuildInit,
  MemberInit,
  OverwriteInit,
  RoleInit,
  StoredFile,
  UserInit,
} from './state.js';
export type { FakeWebhook } from './webhooks.js';
export { ALL_PERMISSIONS, DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS } from './permissions.js';
export {
  SentryReceiver,
  SentryReceiverError,
  type EnvelopeHeader,
  type EnvelopeItem,
  type EnvelopeItemHeader,
  type EventViolation,
  type MalformedEnvelope,
  type RateLimitOptions,
  type ReceivedEnvelope,
  type ReceivedEvent,
  type ReceivedException,
  type SentryReceiverErrorCode,
  type SentryReceiverMode,
  type SentryReceiverOptions,
  type WaitForEventsOptions,
  type WaitOptions,
} from './sentry/receiver.js';
export { FakeClock } from './clock.js';
