import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestBudget } from '../../../src/ext/webhook/budget.js';
import { FakeClock } from '../../../src/testing/index.js';

test('the budget spaces requests evenly, holds while the headers say the bucket is empty, and doubles its back-off', async () => {
  const clock = new FakeClock(0);
  const budget = new RequestBudget(5, () => clock.now());
  assert.equal(budget.ready(), true);
  budget.started();
  assert.equal(budget.nextAt, 12_000, 'five a minute: one every 12 s');

  budget.observe(new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '40.5' }));
  assert.equal(budget.nextAt, 40_500, 'an empty bucket holds past the spacing');
  budget.observe(new Headers({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset-after': '90' }));
  assert.equal(budget.nextAt, 40_500, 'a bucket with room changes nothing');

  await clock.advance(50_000);
  assert.equal(budget.ready(), true);
  assert.deepEqual([budget.backOff(), budget.backOff(), budget.backOff(120_000)], [30_000, 60_000, 120_000]);
  assert.equal(budget.nextAt, 170_000);
  budget.succeeded();
  assert.equal(budget.backOff(2000), 30_000, 'a success starts the back-off over');
});
