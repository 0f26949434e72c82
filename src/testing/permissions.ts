import { OverwriteType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { APIOverwrite } from 'discord-api-types/v10';

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

/** What a freshly invited bot usually gets: enough to talk, not enough to moderate. */
export const DEFAULT_BOT_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.UseApplicationCommands;

/** What @everyone gets in a new guild. */
export const DEFAULT_EVERYONE_PERMISSIONS =
  DEFAULT_BOT_PERMISSIONS | PermissionFlagsBits.Connect | PermissionFlagsBits.Speak | PermissionFlagsBits.CreateInstantInvite;

export interface PermissionSubject {
  readonly guildId: string;
  readonly ownerId: string;
  readonly userId: string;
  readonly roleIds: readonly string[];
  rolePermissions(roleId: string): bigint;
}

/** Discord's documented algorithm: base permissions from roles, then channel overwrites (@everyone, roles, member). */
export function computePermissions(subject: PermissionSubject, overwrites: readonly APIOverwrite[] = []): bigint {
  if (subject.userId === subject.ownerId) return ALL_PERMISSIONS;
  let base = subject.rolePermissions(subject.guildId);
  for (const roleId of subject.roleIds) base |= subject.rolePermissions(roleId);
  if ((base & PermissionFlagsBits.Administrator) !== 0n) return ALL_PERMISSIONS;

  const everyone = overwrites.find((o) => o.id === subject.guildId);
  if (everyone) base = (base & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === OverwriteType.Role && o.id !== subject.guildId && subject.roleIds.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  base = (base & ~deny) | allow;
  const member = overwrites.find((o) => o.type === OverwriteType.Member && o.id === subject.userId);
  if (member) base = (base & ~BigInt(member.deny)) | BigInt(member.allow);
  return base;
}
