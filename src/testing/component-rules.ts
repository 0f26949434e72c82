import { ButtonStyle, ComponentType } from 'discord-api-types/v10';
import type { FormError } from './discord-error.js';
import { SELECT_TYPES } from './message-shape.js';

/**
 * Discord's rules on message components that its OpenAPI description does not express (the description checks types,
 * lengths and counts; these run after it passes). They are documented in the component reference and enforced by
 * Discord with `50035` errors on the component's path.
 */

/** Components V2 layouts and content, usable at the top level only with the `IsComponentsV2` flag. */
const V2_TOP_LEVEL = new Set<number>([
  ComponentType.Container,
  ComponentType.File,
  ComponentType.MediaGallery,
  ComponentType.Section,
  ComponentType.Separator,
  ComponentType.TextDisplay,
]);
/** Discord counts every component of a message, nested ones included, against this. */
const MAX_COMPONENTS_V2 = 40;
const CHILD_KEYS = ['components', 'accessory', 'component'] as const;

type Node = Readonly<Record<string, unknown>>;

/** The errors Discord answers for a message's `components` (already of the right types and lengths). */
export function messageComponentErrors(components: readonly unknown[], { v2 }: { v2: boolean }): FormError[] {
  const errors: FormError[] = [];
  const customIds = new Set<string>();
  let total = 0;
  components.forEach((top, i) => {
    const path = `components.${i}`;
    if (!isNode(top)) return;
    if (!v2 && top.type !== ComponentType.ActionRow)
      errors.push({
        path: `${path}.type`,
        code: V2_TOP_LEVEL.has(top.type as number) ? 'COMPONENT_REQUIRES_COMPONENTS_V2' : 'UNION_TYPE_CHOICES',
        message: V2_TOP_LEVEL.has(top.type as number)
          ? 'This component needs the IS_COMPONENTS_V2 message flag (1 << 15)'
          : 'Value of field "type" must be one of (1,).',
      });
  });
  for (const { node, path } of walk(components, 'components')) {
    total++;
    const type = node.type as number;
    errors.push(...duplicateIdErrors(node, path, customIds));
    if (type === ComponentType.ActionRow) errors.push(...actionRowErrors(node, path));
    else if (type === ComponentType.Button) errors.push(...buttonErrors(node, path));
    else if (SELECT_TYPES.has(type)) errors.push(...selectErrors(node, path));
  }
  if (v2 && total > MAX_COMPONENTS_V2)
    errors.push({
      path: 'components',
      code: 'COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED',
      message: `A message can have at most ${MAX_COMPONENTS_V2} components in total`,
    });
  return errors;
}

/** A modal's rows each hold one text input; a text input's bounds must leave room for an answer. */
export function modalComponentErrors(components: readonly unknown[]): FormError[] {
  const errors: FormError[] = [];
  const customIds = new Set<string>();
  for (const { node, path } of walk(components, 'data.components')) {
    if (node.type === ComponentType.ActionRow && Array.isArray(node.components) && node.components.length !== 1)
      errors.push({
        path: `${path}.components`,
        code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
        message: 'A modal action row holds exactly one text input',
      });
    errors.push(...duplicateIdErrors(node, path, customIds));
    if (node.type === ComponentType.TextInput) errors.push(...boundsErrors(node, path, 'min_length', 'max_length'));
    if (SELECT_TYPES.has(node.type as number)) errors.push(...selectErrors(node, path));
  }
  return errors;
}

/** A custom id seen before in the same message or modal (`seen` collects them). */
function duplicateIdErrors(node: Node, path: string, seen: Set<string>): FormError[] {
  if (typeof node.custom_id !== 'string') return [];
  const duplicate = seen.has(node.custom_id);
  seen.add(node.custom_id);
  return duplicate
    ? [{ path: `${path}.custom_id`, code: 'COMPONENT_CUSTOM_ID_DUPLICATED', message: 'Component custom id cannot be duplicated' }]
    : [];
}

function actionRowErrors(row: Node, path: string): FormError[] {
  const children = Array.isArray(row.components) ? (row.components as unknown[]).filter(isNode) : [];
  const selects = children.filter((child) => SELECT_TYPES.has(child.type as number)).length;
  if (selects === 0 || children.length === 1) return [];
  // A select menu takes the whole width of its row.
  return [
    { path: `${path}.components`, code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', message: 'The specified component exceeds the maximum width' },
  ];
}

function buttonErrors(button: Node, path: string): FormError[] {
  const style = button.style as number;
  const has = (key: string): boolean => button[key] !== undefined && button[key] !== null;
  if (style === ButtonStyle.Link) {
    if (!has('url')) return [{ path: `${path}.url`, code: 'BUTTON_COMPONENT_URL_REQUIRED', message: 'A url is required' }];
    if (has('custom_id'))
      return [{ path: `${path}.custom_id`, code: 'BUTTON_COMPONENT_INVALID_FIELD', message: 'A link button cannot have a custom id' }];
    return [];
  }
  if (style === ButtonStyle.Premium) {
    if (!has('sku_id')) return [{ path: `${path}.sku_id`, code: 'BUTTON_COMPONENT_SKU_ID_REQUIRED', message: 'A sku id is required' }];
    return [];
  }
  const errors: FormError[] = [];
  if (!has('custom_id'))
    errors.push({ path: `${path}.custom_id`, code: 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED', message: 'A custom id is required' });
  if (has('url'))
    errors.push({ path: `${path}.url`, code: 'BUTTON_COMPONENT_INVALID_FIELD', message: 'Only a link button can have a url' });
  return errors;
}

function selectErrors(select: Node, path: string): FormError[] {
  const errors = boundsErrors(select, path, 'min_values', 'max_values');
  const options = Array.isArray(select.options) ? select.options.length : undefined;
  const min = typeof select.min_values === 'number' ? select.min_values : 1;
  if (select.type === ComponentType.StringSelect && options !== undefined && min > options)
    errors.push({
      path: `${path}.min_values`,
      code: 'SELECT_COMPONENT_MIN_VALUES_TOO_LARGE',
      message: `min_values must be equal to or less than ${options}`,
    });
  return errors;
}

/** A lower bound above its upper bound leaves nothing a user could enter or pick. */
function boundsErrors(node: Node, path: string, low: string, high: string): FormError[] {
  const min = node[low];
  const max = node[high];
  if (typeof min !== 'number' || typeof max !== 'number' || min <= max) return [];
  return [{ path: `${path}.${low}`, code: 'BASE_TYPE_BAD_VALUE', message: `${low} must be equal to or less than ${high} (${max})` }];
}

/** Every component of the tree with its path, without recursion (the tree comes from the bot). */
function walk(components: readonly unknown[], root: string): { node: Node; path: string }[] {
  const found: { node: Node; path: string }[] = [];
  const stack = components.map((node, i) => ({ node, path: `${root}.${i}` })).reverse();
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: string };
    if (!isNode(node)) continue;
    found.push({ node, path });
    const children: { node: unknown; path: string }[] = [];
    for (const key of CHILD_KEYS) {
      const child = node[key];
      if (Array.isArray(child)) child.forEach((item: unknown, i) => children.push({ node: item, path: `${path}.${key}.${i}` }));
      else if (child !== undefined) children.push({ node: child, path: `${path}.${key}` });
    }
    stack.push(...children.reverse());
  }
  return found;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
