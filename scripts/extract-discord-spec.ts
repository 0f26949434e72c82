/**
 * Writes src/testing/spec/discord-requests.ts: the request schemas of the operations the fake Discord serves, taken
 * from Discord's published OpenAPI description, so the fake refuses the bodies Discord refuses without shipping the
 * whole description. Run it after updating the description or adding a route:
 *
 *   npx tsx scripts/extract-discord-spec.ts [path/to/discord-openapi.json]
 *
 * By default it reads the shared reference data next to the checkout (`../shared/data/`). The conformance test
 * (test/testing/conformance.test.ts) fails when the committed file and a fresh extraction differ.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { createRoutes } from '../src/testing/rest/routes.js';
import type { RouteContext } from '../src/testing/rest/routes.js';
import type { JsonSchema } from '../src/testing/spec/json-schema.js';
import { operationKey } from '../src/testing/spec/requests.js';
import type { OperationSpec, RequestSpec } from '../src/testing/spec/requests.js';

export interface OpenApiParameter {
  readonly name: string;
  readonly in: string;
  readonly schema?: JsonSchema;
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly parameters?: readonly OpenApiParameter[];
  readonly requestBody?: { readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>> };
  readonly responses: Readonly<
    Record<string, { readonly $ref?: string; readonly content?: Readonly<Record<string, { schema?: JsonSchema }>> }>
  >;
}

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation | readonly OpenApiParameter[]>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly responses?: Readonly<Record<string, { readonly content?: Readonly<Record<string, { schema?: JsonSchema }>> }>>;
  };
}

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SPEC_FILE = 'discord-openapi.json';
const TARGET = fileURLToPath(new URL('../src/testing/spec/discord-requests.ts', import.meta.url));

/** The keywords the fake's validator reads; descriptions, titles and vendor extensions are left out. */
const KEYWORDS = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'maxProperties',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'oneOf',
  'anyOf',
  'allOf',
]);

/** Every route the fake serves, as method and template. */
export function fakeRoutes(): { method: string; template: string }[] {
  // Building the table reads nothing from the context; only the handlers would.
  return createRoutes({} as RouteContext).map(({ method, template }) => ({ method, template }));
}

/** The operation of the description a route of the fake answers, or undefined when the description has none. */
export function findOperation(document: OpenApiDocument, method: string, template: string): OpenApiOperation | undefined {
  const key = operationKey(method, template);
  const path = key.slice(key.indexOf(' ') + 1);
  const operation = document.paths[path]?.[method.toLowerCase()];
  return operation && !Array.isArray(operation) ? (operation as OpenApiOperation) : undefined;
}

export function extractRequestSpec(document: OpenApiDocument, routes: readonly { method: string; template: string }[]): RequestSpec {
  const operations: Record<string, OperationSpec> = {};
  const wanted = new Set<string>();
  const collect = (schema: JsonSchema): JsonSchema => {
    const pruned = prune(schema);
    JSON.stringify(pruned, (key, value: unknown) => {
      if (key === '$ref' && typeof value === 'string') wanted.add(value.split('/').pop() ?? '');
      return value;
    });
    return pruned;
  };
  for (const { method, template } of routes) {
    const operation = findOperation(document, method, template);
    if (!operation) continue;
    const body = operation.requestBody?.content?.['application/json']?.schema;
    const query = (operation.parameters ?? []).filter((p) => p.in === 'query' && p.schema);
    if (!body && query.length === 0) continue;
    operations[operationKey(method, template)] = {
      id: operation.operationId,
      ...(body ? { body: collect(body) } : {}),
      ...(query.length > 0 ? { query: Object.fromEntries(query.map((p) => [p.name, collect(p.schema as JsonSchema)])) } : {}),
    };
  }
  const schemas: Record<string, JsonSchema> = {};
  const queue = [...wanted];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (name in schemas) continue;
    const schema = document.components.schemas[name];
    if (!schema) throw new Error(`The description refers to ${name}, which it does not define`);
    const before = new Set(wanted);
    schemas[name] = collect(schema);
    for (const added of wanted) if (!before.has(added)) queue.push(added);
  }
  return { operations, schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) };
}

function prune(schema: unknown): JsonSchema {
  if (Array.isArray(schema)) return schema.map(prune) as unknown as JsonSchema;
  if (typeof schema !== 'object' || schema === null) return schema as JsonSchema;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!KEYWORDS.has(key)) continue;
    if (key === 'properties') kept[key] = Object.fromEntries(Object.entries(value as object).map(([name, part]) => [name, prune(part)]));
    else kept[key] = typeof value === 'object' && value !== null ? prune(value) : value;
  }
  return kept;
}

/**
 * Where the reference data is: `shared/data/` beside the checkout, or beside a folder above it (a worktree kept
 * in a subfolder of the main checkout's parent). Null when there is none.
 */
export function findSpecPath(): string | null {
  for (let dir = resolve(REPO); ; dir = dirname(dir)) {
    const candidate = join(dirname(dir), 'shared', 'data', SPEC_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

export function readSpec(path: string): OpenApiDocument {
  return JSON.parse(readFileSync(path, 'utf8')) as OpenApiDocument;
}

async function write(specPath: string): Promise<void> {
  const licence = readFileSync(specPath.replace(/\.json$/, '.LICENSE'), 'utf8').trim();
  const extracted = extractRequestSpec(readSpec(specPath), fakeRoutes());
  const source = [
    '/*',
    ' * Generated by scripts/extract-discord-spec.ts from Discord\u2019s OpenAPI description (discord/discord-api-spec,',
    ' * specs/openapi.json): the request schemas of the operations the fake serves. Do not edit by hand.',
    ' *',
    ...licence.split('\n').flatMap((line) => wrap(line, 110).map((part) => ` * ${part}`.trimEnd())),
    ' */',
    "import type { RequestSpec } from './requests.js';",
    '',
    `export const DISCORD_REQUEST_SPEC: RequestSpec = ${JSON.stringify(extracted)};`,
    '',
  ].join('\n');
  const options = (await resolveConfig(TARGET)) ?? {};
  writeFileSync(TARGET, await format(source, { ...options, filepath: TARGET }));
  console.log(`Wrote ${TARGET}: ${Object.keys(extracted.operations).length} operations, ${Object.keys(extracted.schemas).length} schemas`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = process.argv[2] ?? findSpecPath();
  if (path === null) throw new Error(`No shared/data/${SPEC_FILE} beside this checkout or above it; pass its path`);
  await write(path);
}
