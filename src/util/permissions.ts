import type { PermissionsString } from 'discord.js';

/** Discord's own labels where they differ from the flag name's words (the UI says "server", not "guild"). */
const DISCORD_LABELS: Partial<Record<PermissionsString, string>> = {
  ManageGuild: 'Manage Server',
  ViewGuildInsights: 'View Server Insights',
  UseVAD: 'Use Voice Activity',
  ModerateMembers: 'Timeout Members',
  SendMessagesInThreads: 'Send Messages in Threads',
};

/**
 * A discord.js permission flag name as words a user reads: `ManageMessages` → "Manage Messages", `SendTTSMessages` → "Send TTS
 * Messages".
 */
export function readablePermission(flag: PermissionsString): string {
  return DISCORD_LABELS[flag] ?? flag.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
}
