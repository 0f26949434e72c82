import type { PermissionsString } from 'discord.js';
import { LanternError } from '../errors/lantern-error.js';
import type { BucketType } from './bucket.js';
import { readablePermission } from '../util/permissions.js';

/** The built-in checks, by the name a `CheckFailure` carries; a custom check carries its own name. */
export type BuiltinCheckName = 'guildOnly' | 'dmOnly' | 'ownerOnly' | 'userPermissions' | 'botPermissions';

/**
 * A check said no: the user may not run this here and now. An expected outcome, answered with a friendly message
 * (which names the missing permissions, or shows `reason`) whatever the traceback setting.
 */
export class CheckFailure extends LanternError<'LANTERN_ERR_CHECK_FAILED'> {
  /** Which check failed: a built-in's name, a `checks.custom` name, or a plain check function's name. */
  readonly check: BuiltinCheckName | (string & {});
  /** For `userPermissions` and `botPermissions`: every missing permission, as discord.js flag names (`ManageMessages`). */
  readonly missing: readonly PermissionsString[];
  /** The text a custom check gave for the user, if any. */
  readonly reason: string | undefined;

  constructor(check: string, details: { missing?: readonly PermissionsString[]; reason?: string | undefined } = {}) {
    const missing = Object.freeze([...(details.missing ?? [])]);
    const why =
      missing.length > 0 ? `: missing ${missing.map(readablePermission).join(', ')}` : details.reason ? `: ${details.reason}` : '';
    super('LANTERN_ERR_CHECK_FAILED', `Check ${check} failed${why}`);
    this.check = check;
    this.missing = missing;
    this.reason = details.reason || undefined;
  }
}

/** The invocation exceeded its cooldown: `retryAfterMs` until the oldest use in the window expires. */
export class CommandOnCooldown extends LanternError<'LANTERN_ERR_COOLDOWN'> {
  readonly retryAfterMs: number;
  readonly bucket: BucketType;
  readonly uses: number;
  readonly windowMs: number;

  constructor(details: { retryAfterMs: number; bucket: BucketType; uses: number; windowMs: number }) {
    super(
      'LANTERN_ERR_COOLDOWN',
      `On cooldown (${details.uses} per ${details.windowMs} ms per ${details.bucket}); retry in ${details.retryAfterMs} ms`,
    );
    this.retryAfterMs = details.retryAfterMs;
    this.bucket = details.bucket;
    this.uses = details.uses;
    this.windowMs = details.windowMs;
  }
}

/** As many runs as `limit` allow are going on in the bucket: refused at once, or after waiting `timeoutMs` for a slot. */
export class MaxConcurrencyReached extends LanternError<'LANTERN_ERR_MAX_CONCURRENCY'> {
  readonly limit: number;
  readonly bucket: BucketType;
  /** Whether it waited for a slot (mode `wait`) and gave up, rather than being refused outright. */
  readonly timedOut: boolean;

  constructor(details: { limit: number; bucket: BucketType; timedOut: boolean }) {
    const how = details.timedOut ? 'no slot freed in time' : 'refused';
    super('LANTERN_ERR_MAX_CONCURRENCY', `At most ${details.limit} concurrent run(s) per ${details.bucket}; ${how}`);
    this.limit = details.limit;
    this.bucket = details.bucket;
    this.timedOut = details.timedOut;
  }
}

/** Guard options a definition cannot run with (`uses: 0`, an unknown bucket, ...), caught when it is defined. */
export class GuardDefinitionError extends LanternError<'LANTERN_ERR_GUARD_DEFINITION'> {
  constructor(where: string, problem: string) {
    super('LANTERN_ERR_GUARD_DEFINITION', `${where}: ${problem}`);
  }
}

/**
 * A guard store (Redis) failed or did not answer in time: until it answers again, this process's cooldowns and
 * concurrency limits that use it count in memory (each process enforcing them on its own). `cause` says what failed.
 */
export class GuardStoreUnavailable extends LanternError<'LANTERN_ERR_GUARD_STORE_UNAVAILABLE'> {
  readonly store: string;

  constructor(store: string, options?: ErrorOptions) {
    super(
      'LANTERN_ERR_GUARD_STORE_UNAVAILABLE',
      `Guard store ${store} did not answer; cooldowns and concurrency limits count in this process's memory until it is back`,
      options,
    );
    this.store = store;
  }
}

const EXPECTED_CODES: ReadonlySet<string> = new Set(['LANTERN_ERR_CHECK_FAILED', 'LANTERN_ERR_COOLDOWN', 'LANTERN_ERR_MAX_CONCURRENCY']);

/**
 * Whether the error is an outcome the bot expects and explains to the user itself (a failed check, a cooldown, a
 * concurrency limit) rather than a bug. Decided by code, so it also holds across two copies of Lantern.
 */
export function isExpectedError(error: unknown): error is CheckFailure | CommandOnCooldown | MaxConcurrencyReached {
  return error instanceof Error && EXPECTED_CODES.has((error as Partial<LanternError>).code ?? '');
}
