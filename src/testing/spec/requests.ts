import type { FormError } from '../discord-error.js';
import { validateSchema } from './json-schema.js';
import type { JsonSchema, SchemaTable } from './json-schema.js';

/** What Discord's description says one operation takes: its JSON body and its query parameters. */
export interface OperationSpec {
  readonly id: string;
  readonly body?: JsonSchema;
  readonly query?: Readonly<Record<string, JsonSchema>>;
}

/** The operations of Discord's description that the fake serves, by `METHOD /path/{param}`, and the schemas they use. */
export interface RequestSpec {
  readonly operations: Readonly<Record<string, OperationSpec>>;
  readonly schemas: SchemaTable;
}

/** `/channels/:channel_id/messages` (the fake's route template) as the description writes it: `/channels/{channel_id}/messages`. */
export function specPath(template: string): string {
  return template.replace(/:([a-z_]+)/g, '{$1}');
}

export function operationKey(method: string, template: string): string {
  return `${method.toUpperCase()} ${specPath(template)}`;
}

/**
 * The `Invalid Form Body` errors Discord would answer a request with, by its description: the body against the
 * operation's request schema, the query parameters against theirs. Empty when the request passes, or when the
 * description has no such operation.
 */
export function validateRequest(spec: RequestSpec, method: string, template: string, body: unknown, query: URLSearchParams): FormError[] {
  const operation = spec.operations[operationKey(method, template)];
  if (!operation) return [];
  const errors: FormError[] = [];
  for (const [name, schema] of Object.entries(operation.query ?? {})) {
    const text = query.get(name);
    if (text === null) continue;
    errors.push(...validateSchema(schema, readQueryValue(text, schema, spec.schemas), spec.schemas, { coerce: true }).map(rename(name)));
  }
  if (operation.body) errors.push(...validateSchema(operation.body, body, spec.schemas, { coerce: true }));
  return errors;
}

/** Query strings are text; Discord reads `true`/`false` (and `1`/`0`) for booleans. */
function readQueryValue(text: string, schema: JsonSchema, schemas: SchemaTable): unknown {
  const resolved = schema.$ref ? (schemas[schema.$ref.split('/').pop() ?? ''] ?? schema) : schema;
  const types = typeof resolved.type === 'string' ? [resolved.type] : (resolved.type ?? []);
  if (types.includes('boolean')) {
    const lowered = text.toLowerCase();
    if (lowered === 'true' || lowered === '1') return true;
    if (lowered === 'false' || lowered === '0') return false;
  }
  return text;
}

function rename(name: string): (error: FormError) => FormError {
  return (error) => ({ ...error, path: error.path === '_root' ? name : `${name}.${error.path}` });
}
