import type { FormError } from '../discord-error.js';

/** The part of JSON Schema (2020-12, as OpenAPI 3.1 writes it) that Discord's published description uses. */
export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly maxProperties?: number;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
}

export type SchemaTable = Readonly<Record<string, JsonSchema>>;

export interface ValidationOptions {
  /**
   * Read the value as Discord reads a request body: an integer field takes a decimal string (`"8"`), a snowflake
   * field an integer. Responses are checked without it: the fake must send the types Discord sends.
   */
  readonly coerce: boolean;
}

const REF_PREFIX = '#/components/schemas/';
const INTEGER_TEXT = /^-?\d+$/;

/** An integer field of a request body as Discord reads it: a number, or its decimal text (`"64"`); else none. */
export function readInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : undefined;
}
/** Discord's date-time fields take ISO 8601: a date, optionally a time and an offset. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Checks a value against a schema and answers the errors as Discord's `Invalid Form Body` names them: a dotted path
 * (`embeds.0.color`, `_root` for the value itself) and Discord's error code and message for each rule broken.
 */
export function validateSchema(schema: JsonSchema, value: unknown, table: SchemaTable, options: ValidationOptions): FormError[] {
  const errors: FormError[] = [];
  new Validator(table, options, errors).check(schema, value, '');
  return dedupe(errors);
}

interface UnionShape {
  readonly resolved: readonly JsonSchema[];
  /** Every member a constant: an enumeration. */
  readonly constants: boolean;
  /** Per member, the constants its `type` property takes, or null. */
  readonly tagged: readonly (readonly unknown[] | null)[];
  /** For `null` or one other schema, that schema. */
  readonly nullable: JsonSchema | null;
}

/** Keyed by the union's member list, which belongs to one schema table for its whole life. */
const unionShapes = new WeakMap<readonly JsonSchema[], UnionShape>();

class Validator {
  constructor(
    private readonly table: SchemaTable,
    private readonly options: ValidationOptions,
    private readonly errors: FormError[],
  ) {}

  check(schema: JsonSchema, value: unknown, path: string): void {
    const resolved = this.resolve(schema);
    if (resolved.allOf) for (const part of resolved.allOf) this.check(part, value, path);
    const union = resolved.oneOf ?? resolved.anyOf;
    if (union) this.checkUnion(union, value, path, resolved.type);
    if (resolved.type !== undefined && !this.checkType(resolved, value, path)) return;
    const read = this.coerced(value, resolved.type);
    if (resolved.enum && !resolved.enum.some((allowed) => sameValue(allowed, read)))
      this.fail(path, 'BASE_TYPE_CHOICES', `Value must be one of ${choiceList(resolved.enum)}.`);
    if ('const' in resolved && !sameValue(resolved.const, read))
      this.fail(path, 'BASE_TYPE_CHOICES', `Value must be one of ${choiceList([resolved.const])}.`);
    if (typeof read === 'string') this.checkString(resolved, read, path);
    else if (typeof read === 'number') this.checkNumber(resolved, read, path);
    if (Array.isArray(value)) this.checkArray(resolved, value, path);
    else if (isObject(value)) this.checkObject(resolved, value, path);
  }

  /** What a union is made of, worked out once per union: requests of one shape meet the same unions again and again. */
  private analyse(members: readonly JsonSchema[]): UnionShape {
    let shape = unionShapes.get(members);
    if (!shape) {
      const resolved = members.map((member) => this.resolve(member));
      const others = resolved.filter((member) => !isNullOnly(member));
      shape = {
        resolved,
        constants: resolved.every((member) => 'const' in member),
        tagged: resolved.map((member) => discriminator(this.resolve(member.properties?.type ?? {}))),
        nullable: resolved.length === 2 && others.length === 1 ? (others[0] as JsonSchema) : null,
      };
      unionShapes.set(members, shape);
    }
    return shape;
  }

  /** `$ref`s into the components, followed until a schema with content. */
  private resolve(schema: JsonSchema): JsonSchema {
    let current = schema;
    for (let hops = 0; current.$ref !== undefined; hops++) {
      const name = current.$ref.startsWith(REF_PREFIX) ? current.$ref.slice(REF_PREFIX.length) : current.$ref;
      const target = this.table[name];
      if (target === undefined || hops > 32) throw new Error(`The schema refers to ${current.$ref}, which the table does not hold`);
      current = target;
    }
    return current;
  }

  /** False when the value is not of the type, so the type's own rules are not checked against it. */
  private checkType(schema: JsonSchema, value: unknown, path: string): boolean {
    const types = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
    if (types.some((type) => this.isOfType(type, value, schema))) return true;
    if (value === null || value === undefined) this.fail(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    else if (types.includes('integer') || types.includes('number'))
      this.fail(path, 'NUMBER_TYPE_COERCE', `Value "${describe(value)}" is not ${types.includes('integer') ? 'int' : 'a valid number'}.`);
    else if (types.includes('string'))
      this.fail(
        path,
        schema.format === 'snowflake' ? 'NUMBER_TYPE_COERCE' : 'BASE_TYPE_STRING',
        schema.format === 'snowflake'
          ? `Value "${describe(value)}" is not snowflake.`
          : `Could not interpret "${describe(value)}" as string.`,
      );
    else if (types.includes('boolean')) this.fail(path, 'BASE_TYPE_BOOLEAN', 'Must be either true or false.');
    else if (types.includes('array')) this.fail(path, 'ARRAY_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    else if (types.includes('object')) this.fail(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    else this.fail(path, 'BASE_TYPE_CHOICES', `Value must be of type ${types.join(' or ')}.`);
    return false;
  }

  private isOfType(type: string, value: unknown, schema: JsonSchema): boolean {
    switch (type) {
      case 'null':
        return value === null;
      case 'string':
        return typeof value === 'string' || (this.options.coerce && schema.format === 'snowflake' && Number.isSafeInteger(value));
      case 'integer':
        return Number.isInteger(value) || (this.options.coerce && typeof value === 'string' && INTEGER_TEXT.test(value));
      case 'number':
        return typeof value === 'number' && Number.isFinite(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'array':
        return Array.isArray(value);
      case 'object':
        return isObject(value);
      default:
        return false;
    }
  }

  /**
   * A union: enum-like unions of constants read as a choice; unions of objects told apart by a `type` constant
   * (components, options, callbacks) are checked against the member the value names; any other takes the first
   * member the value passes, or reports what the closest member finds wrong.
   */
  private checkUnion(members: readonly JsonSchema[], value: unknown, path: string, outerType: JsonSchema['type']): void {
    const { resolved, constants, tagged, nullable } = this.analyse(members);
    if (constants) {
      if (!resolved.some((member) => sameValue(member.const, this.coerced(value, outerType))))
        this.fail(path, 'BASE_TYPE_CHOICES', `Value must be one of ${choiceList(resolved.map((member) => member.const))}.`);
      return;
    }
    // The commonest union by far, `null` or one schema: no trial needed.
    if (nullable) {
      if (value !== null) this.check(nullable, value, path);
      return;
    }
    if (isObject(value) && tagged.every((tags, i) => tags !== null || isNullOnly(resolved[i] as JsonSchema))) {
      const index = tagged.findIndex((tags) => tags?.some((tag) => sameValue(tag, value.type)));
      if (index === -1) {
        const allowed = tagged.flatMap((tags) => tags ?? []).sort((a, b) => Number(a) - Number(b));
        if (value.type === undefined || value.type === null) this.fail(join(path, 'type'), 'BASE_TYPE_REQUIRED', 'This field is required');
        else this.fail(join(path, 'type'), 'UNION_TYPE_CHOICES', `Value of field "type" must be one of (${allowed.join(', ')}).`);
        return;
      }
      this.check(resolved[index] as JsonSchema, value, path);
      return;
    }
    // The member the value comes closest to passing (of its JSON type, fewest errors) says what is wrong.
    let closest: FormError[] | null = null;
    for (const member of resolved) {
      const found: FormError[] = [];
      new Validator(this.table, this.options, found).check(member, value, path);
      if (found.length === 0) return;
      const sameType = member.type === undefined || this.matchesType(member, value);
      if (sameType && (closest === null || found.length < closest.length)) closest = found;
    }
    this.errors.push(...(closest ?? this.typeErrorsFor(resolved, value, path)));
  }

  private matchesType(schema: JsonSchema, value: unknown): boolean {
    const types = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
    return types.some((type) => this.isOfType(type, value, schema));
  }

  private typeErrorsFor(members: readonly JsonSchema[], value: unknown, path: string): FormError[] {
    const found: FormError[] = [];
    const types = members.flatMap((member) => (typeof member.type === 'string' ? [member.type] : (member.type ?? [])));
    new Validator(this.table, this.options, found).checkType({ type: types.filter((type) => type !== 'null') }, value, path);
    return found;
  }

  private coerced(value: unknown, type: JsonSchema['type']): unknown {
    const integer = type === 'integer' || (Array.isArray(type) && type.includes('integer'));
    return this.options.coerce && integer && typeof value === 'string' ? (readInteger(value) ?? value) : value;
  }

  private checkString(schema: JsonSchema, value: string, path: string): void {
    this.checkLength(schema.minLength, schema.maxLength, value.length, path);
    if (
      schema.format === 'snowflake'
        ? !/^\d{1,20}$/.test(value)
        : schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)
    )
      this.fail(
        path,
        schema.format === 'snowflake' ? 'NUMBER_TYPE_COERCE' : 'STRING_TYPE_REGEX',
        schema.format === 'snowflake' ? `Value "${value}" is not snowflake.` : 'String value did not match validation regex.',
      );
    if (schema.format === 'uri' && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value))
      this.fail(path, 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    if (schema.format === 'date-time' && (!ISO_8601.test(value) || Number.isNaN(Date.parse(value))))
      this.fail(path, 'DATE_TIME_TYPE_PARSE', `Could not parse ${value}. Should be ISO8601.`);
  }

  private checkNumber(schema: JsonSchema, value: number, path: string): void {
    const kind = isIntegerTyped(schema) ? 'int' : 'float';
    if (schema.minimum !== undefined && value < schema.minimum)
      this.fail(path, 'NUMBER_TYPE_MIN', `${kind} value should be greater than or equal to ${schema.minimum}.`);
    if (schema.maximum !== undefined && value > schema.maximum)
      this.fail(path, 'NUMBER_TYPE_MAX', `${kind} value should be less than or equal to ${schema.maximum}.`);
  }

  private checkArray(schema: JsonSchema, value: readonly unknown[], path: string): void {
    this.checkLength(schema.minItems, schema.maxItems, value.length, path);
    if (schema.uniqueItems && new Set(value.map((item) => JSON.stringify(item))).size !== value.length)
      this.fail(path, 'ARRAY_ITEMS_UNIQUE', 'Items must be unique.');
    if (!schema.items) return;
    value.forEach((item, index) => {
      if (item === null || item === undefined) {
        if (!this.matchesType(this.resolve(schema.items as JsonSchema), item))
          this.fail(join(path, String(index)), 'LIST_ITEM_VALUE_REQUIRED', 'List item values of ModelType are required');
        return;
      }
      this.check(schema.items as JsonSchema, item, join(path, String(index)));
    });
  }

  private checkObject(schema: JsonSchema, value: Readonly<Record<string, unknown>>, path: string): void {
    for (const name of schema.required ?? [])
      if (value[name] === undefined) this.fail(join(path, name), 'BASE_TYPE_REQUIRED', 'This field is required');
    const keys = Object.keys(value);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties)
      this.fail(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${schema.maxProperties} or fewer in length.`);
    for (const key of keys) {
      const item = value[key];
      const property = schema.properties?.[key];
      if (property) {
        // An optional field sent as null is "not set" unless the schema says it is never null.
        if (item === undefined) continue;
        this.check(property, item, join(path, key));
      } else if (schema.additionalProperties === false) {
        this.fail(join(path, key), 'BASE_TYPE_INVALID', 'This field is not allowed');
      } else if (typeof schema.additionalProperties === 'object' && item !== undefined) {
        this.check(schema.additionalProperties, item, join(path, key));
      }
    }
  }

  private checkLength(min: number | undefined, max: number | undefined, length: number, path: string): void {
    if ((min === undefined || length >= min) && (max === undefined || length <= max)) return;
    if (min !== undefined && max !== undefined) this.fail(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
    else if (max !== undefined) this.fail(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    else this.fail(path, 'BASE_TYPE_MIN_LENGTH', `Must be ${String(min)} or more in length.`);
  }

  private fail(path: string, code: string, message: string): void {
    this.errors.push({ path: path === '' ? '_root' : path, code, message });
  }
}

/** The constants a `type` property takes (`enum: [2]` or `const: 2`), or null when it is not a tag. */
function discriminator(schema: JsonSchema): readonly unknown[] | null {
  if (schema.enum) return schema.enum;
  if ('const' in schema) return [schema.const];
  return null;
}

function isNullOnly(schema: JsonSchema): boolean {
  return schema.type === 'null';
}

function isIntegerTyped(schema: JsonSchema): boolean {
  return schema.type === 'integer' || (Array.isArray(schema.type) && schema.type.includes('integer'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
}

function choiceList(values: readonly unknown[]): string {
  return `{${values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(', ')}}`;
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 50 ? `${text.slice(0, 47)}...` : text;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** One error per path and code: a rule reached through two routes (allOf and the type) is reported once. */
function dedupe(errors: readonly FormError[]): FormError[] {
  const seen = new Set<string>();
  return errors.filter(({ path, code }) => {
    const key = `${path}\u0000${code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
