/**
 * Checks a Sentry event as Relay (Sentry's ingest server) would take it: against Relay's own event schema, read from
 * the reference data `shared/data/sentry-event.schema.json` beside the repository, and against the limits Relay
 * enforces beyond the schema (tag keys of 32 characters, values of 200 without newlines, contexts of 8 KiB, text
 * that is valid Unicode). Written apart from Lantern's own limits on purpose: it must catch them being wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReceivedEvent } from '../../src/testing/index.js';

const SCHEMA_FILE = join('shared', 'data', 'sentry-event.schema.json');
const TAG_KEY_MAX = 32;
const TAG_VALUE_MAX = 200;
const CONTEXT_MAX_BYTES = 8192;
/** Levels Relay reads besides the schema's own names (`log` is what the SDK gives console breadcrumbs). */
const LEVEL_ALIASES: Readonly<Record<string, string>> = { log: 'info', warn: 'warning', critical: 'fatal' };
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

interface Schema {
  readonly type?: string | readonly string[];
  readonly anyOf?: readonly Schema[];
  readonly $ref?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema | readonly Schema[];
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly definitions?: Readonly<Record<string, Schema>>;
}

/**
 * The schema, found as `../shared/data/` of the repository (a checkout beside `shared/`) or of a folder above it (a
 * worktree kept one level deeper); `undefined` when there is none.
 */
function findSchema(): { schema: Schema; file: string } | undefined {
  let folder = dirname(fileURLToPath(new URL('../../package.json', import.meta.url)));
  for (;;) {
    const parent = dirname(folder);
    const file = join(parent, SCHEMA_FILE);
    if (existsSync(file)) return { schema: JSON.parse(readFileSync(file, 'utf8')) as Schema, file };
    if (parent === folder) return undefined;
    folder = parent;
  }
}

const found = findSchema();
let skipNoticeShown = false;

/** Whether events are checked against the schema (and not only Relay's limits). */
export const schemaAvailable = found !== undefined;

/** Everything Relay would refuse or cut in `event`, one line each; empty when it would take the event whole. */
export function checkSentryEvent(event: ReceivedEvent): string[] {
  const problems: string[] = [];
  if (found) validate(found.schema, event, '', found.schema, problems);
  else if (!skipNoticeShown) {
    skipNoticeShown = true;
    console.log(`# ${SCHEMA_FILE} not found beside the repository: Sentry events are checked against Relay's limits only, not its schema`);
  }
  checkRelayLimits(event, problems);
  return problems;
}

function checkRelayLimits(event: ReceivedEvent, problems: string[]): void {
  for (const [key, value] of Object.entries(event.tags ?? {})) {
    if (codePoints(key) > TAG_KEY_MAX) problems.push(`tag key ${JSON.stringify(key)} is over ${String(TAG_KEY_MAX)} characters`);
    if (/[\r\n]/.test(key)) problems.push(`tag key ${JSON.stringify(key)} holds a newline`);
    if (typeof value !== 'string') continue;
    if (codePoints(value) > TAG_VALUE_MAX)
      problems.push(`tag ${key} is ${String(codePoints(value))} characters, over ${String(TAG_VALUE_MAX)}`);
    if (/[\r\n]/.test(value)) problems.push(`tag ${key} holds a newline: ${JSON.stringify(value)}`);
  }
  for (const [name, context] of Object.entries(event.contexts ?? {})) {
    const bytes = Buffer.byteLength(JSON.stringify(context));
    if (bytes > CONTEXT_MAX_BYTES) problems.push(`context ${name} is ${String(bytes)} bytes, over ${String(CONTEXT_MAX_BYTES)}`);
  }
  findLoneSurrogates(event, '', problems);
}

/** Relay counts characters, not UTF-16 units: an emoji is one. */
function codePoints(text: string): number {
  return text.length - (text.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
}

/** A lone surrogate half parses in JavaScript but not in Relay (serde_json refuses the event). */
function findLoneSurrogates(value: unknown, path: string, problems: string[]): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) problems.push(`${path || '/'} holds a lone surrogate: ${JSON.stringify(value.slice(-20))}`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, entry] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) problems.push(`${path}/ has a key with a lone surrogate`);
    findLoneSurrogates(entry, `${path}/${key}`, problems);
  }
}

/** The draft-07 keywords Relay's schema uses (`format` is an annotation there: uint64, uuid...). */
function validate(schema: Schema, value: unknown, path: string, root: Schema, problems: string[]): void {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace('#/definitions/', '');
    const target = root.definitions?.[name];
    if (name === 'Level' && typeof value === 'string' && value in LEVEL_ALIASES) value = LEVEL_ALIASES[value];
    if (!target) problems.push(`${path}: the schema has no ${schema.$ref}`);
    else validate(target, value, path, root, problems);
    return;
  }
  if (schema.anyOf) {
    const attempts = schema.anyOf.map((option) => {
      const attempt: string[] = [];
      validate(option, value, path, root, attempt);
      return attempt;
    });
    if (!attempts.some((attempt) => attempt.length === 0))
      problems.push(...attempts.reduce((fewest, attempt) => (attempt.length < fewest.length ? attempt : fewest)));
    return;
  }
  // Relay reads a list of `{ values: [...] }` (breadcrumbs, exceptions, threads) from the bare array as well.
  if (Array.isArray(value) && schema.required?.includes('values') && schema.properties?.values) {
    validate(schema, { values: value }, path, root, problems);
    return;
  }
  if (schema.type !== undefined) {
    const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!types.some((type) => hasType(value, type))) {
      problems.push(`${path || '/'}: ${describe(value)} where the schema wants ${types.join(' or ')}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${path || '/'}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum)
    problems.push(`${path}: ${String(value)} is below ${String(schema.minimum)}`);
  if (Array.isArray(value)) validateArray(schema, value, path, root, problems);
  else if (value !== null && typeof value === 'object') validateObject(schema, value as Record<string, unknown>, path, root, problems);
}

function validateArray(schema: Schema, value: readonly unknown[], path: string, root: Schema, problems: string[]): void {
  if (schema.minItems !== undefined && value.length < schema.minItems)
    problems.push(`${path}: fewer than ${String(schema.minItems)} items`);
  if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${path}: more than ${String(schema.maxItems)} items`);
  const { items } = schema;
  if (items === undefined) return;
  value.forEach((entry, index) => {
    const itemSchema = Array.isArray(items) ? (items as readonly Schema[])[index] : (items as Schema);
    if (itemSchema) validate(itemSchema, entry, `${path}/${String(index)}`, root, problems);
  });
}

function validateObject(schema: Schema, value: Record<string, unknown>, path: string, root: Schema, problems: string[]): void {
  for (const name of schema.required ?? []) if (!(name in value)) problems.push(`${path || '/'}: ${name} is required`);
  for (const [key, entry] of Object.entries(value)) {
    const property = schema.properties?.[key];
    if (property) validate(property, entry, `${path}/${key}`, root, problems);
    else if (schema.additionalProperties === false) problems.push(`${path || '/'}: ${key} is not a field the schema knows`);
    else if (typeof schema.additionalProperties === 'object')
      validate(schema.additionalProperties, entry, `${path}/${key}`, root, problems);
  }
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${((JSON.stringify(value) as string | undefined) ?? 'undefined').slice(0, 60)}`;
}
