import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateSchema } from '../../../src/testing/spec/json-schema.js';
import type { JsonSchema, SchemaTable } from '../../../src/testing/spec/json-schema.js';

const table: SchemaTable = {
  Snowflake: { type: 'string', pattern: '^(0|[1-9][0-9]*)$', format: 'snowflake' },
  Colour: { type: 'integer', oneOf: [{ const: 1 }, { const: 2 }] },
  Button: {
    type: 'object',
    properties: { type: { type: 'integer', enum: [2] }, label: { type: ['string', 'null'], maxLength: 3 } },
    required: ['type'],
  },
  Row: {
    type: 'object',
    properties: {
      type: { type: 'integer', enum: [1] },
      components: { type: 'array', items: { $ref: '#/components/schemas/Button' }, minItems: 1, maxItems: 2 },
    },
    required: ['type', 'components'],
  },
};
const request = { coerce: true };
const response = { coerce: false };
const check = (schema: JsonSchema, value: unknown, options = request) =>
  validateSchema(schema, value, table, options).map(({ path, code }) => `${path} ${code}`);

test('types are read as Discord reads a request body: decimal strings for integers, integers for snowflakes', () => {
  assert.deepEqual(check({ type: 'integer', minimum: 0 }, '8'), []);
  assert.deepEqual(check({ type: 'integer', minimum: 0 }, '-8'), ['_root NUMBER_TYPE_MIN']);
  assert.deepEqual(check({ type: 'integer' }, 'red'), ['_root NUMBER_TYPE_COERCE']);
  assert.deepEqual(check({ type: 'integer' }, 1.5), ['_root NUMBER_TYPE_COERCE']);
  assert.deepEqual(check({ $ref: '#/components/schemas/Snowflake' }, 123), []);
  assert.deepEqual(check({ $ref: '#/components/schemas/Snowflake' }, 'abc'), ['_root NUMBER_TYPE_COERCE']);
});

test('an answer is read strictly: a decimal string is not an integer there', () => {
  assert.deepEqual(check({ type: 'integer' }, '8', response), ['_root NUMBER_TYPE_COERCE']);
  assert.deepEqual(check({ $ref: '#/components/schemas/Snowflake' }, 123, response), ['_root NUMBER_TYPE_COERCE']);
});

test('null is taken only where the type lists it, and a missing required field is named', () => {
  assert.deepEqual(check({ type: ['string', 'null'] }, null), []);
  assert.deepEqual(check({ type: 'string' }, null), ['_root BASE_TYPE_REQUIRED']);
  assert.deepEqual(check({ $ref: '#/components/schemas/Button' }, { label: 'a' }), ['type BASE_TYPE_REQUIRED']);
});

test('lengths and counts answer Discord\u2019s three length codes', () => {
  assert.deepEqual(check({ type: 'string', maxLength: 2 }, 'abc'), ['_root BASE_TYPE_MAX_LENGTH']);
  assert.deepEqual(check({ type: 'string', minLength: 2 }, 'a'), ['_root BASE_TYPE_MIN_LENGTH']);
  assert.deepEqual(check({ type: 'array', minItems: 1, maxItems: 2 }, []), ['_root BASE_TYPE_BAD_LENGTH']);
});

test('a union of constants is a choice; a union of objects is read by its type tag', () => {
  assert.deepEqual(check({ $ref: '#/components/schemas/Colour' }, 3), ['_root BASE_TYPE_CHOICES']);
  assert.deepEqual(check({ $ref: '#/components/schemas/Colour' }, '2'), []);
  const component = { oneOf: [{ $ref: '#/components/schemas/Row' }, { $ref: '#/components/schemas/Button' }] };
  assert.deepEqual(check(component, { type: 2, label: 'long' }), ['label BASE_TYPE_MAX_LENGTH'], 'checked as the button it says it is');
  assert.deepEqual(check(component, { type: 9 }), ['type UNION_TYPE_CHOICES']);
  assert.deepEqual(check(component, { type: 1, components: [{ type: 2 }, { type: 2 }, { type: 2 }] }), ['components BASE_TYPE_BAD_LENGTH']);
  assert.deepEqual(check(component, 'text'), ['_root MODEL_TYPE_CONVERT']);
});

test('formats Discord checks: URLs and ISO 8601 times', () => {
  assert.deepEqual(check({ type: 'string', format: 'uri' }, 'https://example.com/a'), []);
  assert.deepEqual(check({ type: 'string', format: 'uri' }, 'example.com'), ['_root URL_TYPE_INVALID_URL']);
  assert.deepEqual(check({ type: 'string', format: 'date-time' }, '2024-01-02T03:04:05.000Z'), []);
  assert.deepEqual(check({ type: 'string', format: 'date-time' }, '2024-13-45'), ['_root DATE_TIME_TYPE_PARSE']);
});

test('unknown fields are let through, as Discord ignores them, unless the schema closes the object', () => {
  assert.deepEqual(check({ type: 'object', properties: {} }, { extra: 1 }), []);
  assert.deepEqual(check({ type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 }, { a: 1, b: 'x' }), [
    '_root BASE_TYPE_MAX_LENGTH',
    'a BASE_TYPE_STRING',
  ]);
});
