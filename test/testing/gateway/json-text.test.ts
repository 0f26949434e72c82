import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringifyDeep } from '../../../src/testing/gateway/json-text.js';

test('stringifyDeep writes what JSON.stringify writes for JSON data', () => {
  const samples: unknown[] = [
    null,
    0,
    -1.5,
    'text with "quotes" and \u2028',
    [],
    {},
    [1, 'a', null, undefined, () => 1, true],
    { a: 1, skipped: undefined, fn: () => 1, nested: { list: [{ x: [] }], when: new Date(0) }, 'key "q"': NaN, inf: Infinity },
  ];
  for (const sample of samples) assert.equal(stringifyDeep(sample), JSON.stringify(sample), JSON.stringify(sample));
});

test('stringifyDeep writes a payload nested far deeper than JSON.stringify can', () => {
  let deep: unknown = [];
  for (let i = 0; i < 100_000; i++) deep = { d: deep };
  assert.throws(() => JSON.stringify(deep), RangeError);
  assert.equal(stringifyDeep(deep), `${'{"d":'.repeat(100_000)}[]${'}'.repeat(100_000)}`);
});

test('stringifyDeep refuses cycles and bigints as JSON.stringify does', () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = { cycle };
  assert.throws(() => stringifyDeep(cycle), TypeError);
  assert.throws(() => stringifyDeep({ n: 1n }), TypeError);
  const shared = { x: 1 };
  assert.equal(stringifyDeep([shared, shared]), '[{"x":1},{"x":1}]', 'the same object twice is not a cycle');
});
