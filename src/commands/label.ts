/**
 * How Error events, logs and errors name a command, as its user wrote it: `/name` (with the group and subcommand an
 * interaction named: `/name group sub`), `user command Name`, `message command Name`. A definition or an interaction's
 * `{ type, name }`; the one naming of commands everywhere.
 */
export function commandLabel(
  command: { readonly type?: 'user' | 'message'; readonly name: string },
  path: readonly (string | null)[] = [],
): string {
  if (command.type !== undefined) return `${command.type} command ${command.name}`;
  return [`/${command.name}`, ...path.filter((part) => part !== null)].join(' ');
}
