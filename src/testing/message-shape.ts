import { ComponentType } from 'discord-api-types/v10';
import type { APIEmbed, APIMessage } from 'discord-api-types/v10';

/** The component types that are select menus. */
export const SELECT_TYPES: ReadonlySet<number> = new Set<number>([
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
]);
const CHILD_KEYS = ['components', 'accessory', 'component'] as const;

/** Embeds as Discord stores a bot's: of type `rich` unless it said otherwise, fields `inline: false` unless set. */
export function storedEmbeds(embeds: readonly APIEmbed[]): APIEmbed[] {
  if (embeds.length === 0) return [];
  return embeds.map((embed) => ({
    ...embed,
    type: embed.type ?? ('rich' as APIEmbed['type']),
    ...(embed.fields ? { fields: embed.fields.map((field) => ({ ...field, inline: field.inline ?? false })) } : {}),
  }));
}

/**
 * Components as Discord stores them: every component numbered (`id`), in order through the tree from 1, skipping the
 * ids the bot chose itself, and select menus with their default `min_values` and `max_values` of 1.
 */
export function storedComponents(components: readonly unknown[]): APIMessage['components'] {
  // Most messages have none; the copy (the bot's own request body stays as it was sent) is for the others.
  if (components.length === 0) return [];
  const copy = structuredClone(components) as Record<string, unknown>[];
  const nodes: Record<string, unknown>[] = [];
  // Depth first, in document order, without recursion: the tree comes from the bot and may be deep.
  const stack: unknown[] = [...copy].reverse();
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || Array.isArray(node)) continue;
    const component = node as Record<string, unknown>;
    nodes.push(component);
    const children: unknown[] = [];
    for (const key of CHILD_KEYS) {
      const child = component[key];
      if (Array.isArray(child)) children.push(...(child as unknown[]));
      else if (child !== undefined) children.push(child);
    }
    stack.push(...children.reverse());
  }
  const taken = new Set(nodes.map((node) => node.id).filter((id) => typeof id === 'number'));
  let next = 1;
  for (const node of nodes) {
    if (typeof node.id !== 'number') {
      while (taken.has(next)) next++;
      node.id = next;
      taken.add(next);
    }
    if (SELECT_TYPES.has(node.type as number)) {
      node.min_values ??= 1;
      node.max_values ??= 1;
    }
  }
  return copy as unknown as APIMessage['components'];
}
