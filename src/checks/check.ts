import { PermissionsBitField } from 'discord.js';
import type { PermissionResolvable, PermissionsString } from 'discord.js';
import type { InteractionContext } from '../interactions/context.js';
import { CheckFailure, GuardDefinitionError } from './errors.js';

/** `false` or a string fails (the string is the reason shown to the user); `true` or nothing passes. */
// void: a check written as a block that only throws or returns early has a void return type.
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type
export type CheckResult = boolean | string | undefined | void;

/**
 * Decides whether an interaction may run its handler. A failing check returns `false` or a reason, or throws a
 * `CheckFailure`; any other error it throws is a bug in the check and reaches the `Error` event as it is.
 */
export type Check = (ctx: InteractionContext) => CheckResult | Promise<CheckResult>;

/**
 * Runs one check; a refusal becomes a `CheckFailure` named after the check (its function name, else `custom`).
 * From plain JavaScript a check may return anything: a falsy value refuses, and a function (the check a factory made,
 * as when `checks.ownerOnly` is listed uncalled) is a bug that must not read as a pass.
 */
export async function runCheck(check: Check, ctx: InteractionContext): Promise<void> {
  const result: unknown = await check(ctx);
  const name = check.name || 'custom';
  if (typeof result === 'function')
    throw new TypeError(
      `Check ${name} returned a function instead of true, false or a reason (a ` +
        `check factory listed uncalled, like checks.ownerOnly for checks.ownerOnly()?)`,
    );
  if (typeof result === 'string') throw new CheckFailure(name, { reason: result });
  if (result === undefined || result) return;
  throw new CheckFailure(name);
}

function requiredPermissions(where: string, permissions: readonly PermissionResolvable[]): Readonly<PermissionsBitField> {
  if (permissions.length === 0) throw new GuardDefinitionError(where, 'name at least one permission');
  // Resolved now so an unknown permission name fails at definition, not on a user's first run.
  return new PermissionsBitField(permissions).freeze();
}

function failIfMissing(
  check: 'userPermissions' | 'botPermissions',
  have: Readonly<PermissionsBitField>,
  required: Readonly<PermissionsBitField>,
): void {
  const missing: PermissionsString[] = have.missing(required);
  if (missing.length > 0) throw new CheckFailure(check, { missing });
}

/** Built-in checks. Each returns a `Check` to put in a definition's `checks`. */
export const checks = {
  /** Only inside a server. */
  guildOnly(): Check {
    return function guildOnly(ctx) {
      if (ctx.guildId === null) throw new CheckFailure('guildOnly');
    };
  },

  /** Only outside servers: the bot's DMs (and group DMs, for a user-installed app). */
  dmOnly(): Check {
    return function dmOnly(ctx) {
      if (ctx.guildId !== null) throw new CheckFailure('dmOnly');
    };
  },

  /** Only the bot's owners (`bot.isOwner`). */
  ownerOnly(): Check {
    return function ownerOnly(ctx) {
      if (!ctx.bot.isOwner(ctx.user.id)) throw new CheckFailure('ownerOnly');
    };
  },

  /**
   * The invoking member has every one of these permissions in the channel (Discord's own computation, overwrites
   * and Administrator included). Nobody has server permissions in a DM, so there it fails as `guildOnly` would.
   */
  userPermissions(...permissions: PermissionResolvable[]): Check {
    const required = requiredPermissions('checks.userPermissions', permissions);
    return function userPermissions(ctx) {
      const have = ctx.interaction.memberPermissions;
      if (!have) throw new CheckFailure('guildOnly');
      failIfMissing('userPermissions', have, required);
    };
  },

  /** The bot has every one of these permissions in the channel, as Discord reports them with the interaction. */
  botPermissions(...permissions: PermissionResolvable[]): Check {
    const required = requiredPermissions('checks.botPermissions', permissions);
    return function botPermissions(ctx) {
      failIfMissing('botPermissions', ctx.interaction.appPermissions, required);
    };
  },

  /** A check with a name for `CheckFailure.check` (the failure's reason is what `fn` returns as a string). */
  custom(name: string, fn: Check): Check {
    if (!name) throw new GuardDefinitionError('checks.custom', 'a check needs a name');
    const named: Check = (ctx) => fn(ctx);
    // runCheck names a refusal after the function.
    return Object.defineProperty(named, 'name', { value: name });
  },
};
