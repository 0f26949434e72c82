export { BUCKET_TYPES } from './bucket.js';
export type { BucketType } from './bucket.js';
export { checks } from './check.js';
export type { Check, CheckResult } from './check.js';
export type { ConcurrencyOptions } from './concurrency.js';
export type { CooldownOptions } from './cooldown.js';
export {
  CheckFailure,
  CommandOnCooldown,
  GuardDefinitionError,
  GuardStoreUnavailable,
  isExpectedError,
  MaxConcurrencyReached,
} from './errors.js';
export type { CooldownTake, GuardStore, StoredCooldown, StoredSlot } from './store.js';
export type { BuiltinCheckName } from './errors.js';
export { Guards, validateGuards } from './guard.js';
export type { GuardLayer, GuardOptions, GuardRunOptions } from './guard.js';
export { expectedErrorMessage, readableDuration } from './messages.js';
export type { ExpectedErrorMessage, ExpectedErrorMessages } from './messages.js';
export { readablePermission } from '../util/permissions.js';
