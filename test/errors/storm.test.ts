/**
 * Storm control on its own clock: how many occurrences of a group go on per minute, what is counted instead, and
 * what reaches the tracker in the end (the count with the next occurrence, or the latest held back at the drain).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STORM_WINDOW_MS, StormControl } from '../../src/errors/storm.js';
import { FakeClock } from '../../src/testing/index.js';

/** Storm control on a fake clock: `limit` per group, and `total` over all groups (none by default). */
function storm(limit: number, total?: number) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  return { clock, control: new StormControl<string>(limit, () => clock.now(), total) };
}

test('a group goes on `limit` times a window; later occurrences are held back with the last event id sent', () => {
  const { control } = storm(2);
  assert.deepEqual(control.admit('g', 'first'), { send: true, suppressedBefore: 0 });
  control.sent('g', 'event-1');
  assert.deepEqual(control.admit('g', 'second'), { send: true, suppressedBefore: 0 });
  control.sent('g', 'event-2');
  assert.deepEqual(control.admit('g', 'third'), { send: false, lastEventId: 'event-2' });
  assert.deepEqual(control.admit('g', 'fourth'), { send: false, lastEventId: 'event-2' });
});

test('a held-back occurrence before any event id was recorded gets none', () => {
  const { control } = storm(1);
  assert.equal(control.admit('g', 'first').send, true);
  assert.deepEqual(control.admit('g', 'second'), { send: false, lastEventId: undefined });
});

test('the next window lets the group on again, carrying how many were held back; the count then starts over', async () => {
  const { clock, control } = storm(1);
  control.admit('g', 'a');
  control.admit('g', 'b');
  control.admit('g', 'c');
  await clock.advance(STORM_WINDOW_MS - 1);
  assert.equal(control.admit('g', 'd').send, false, 'the window is not over a millisecond early');
  await clock.advance(1);
  assert.deepEqual(control.admit('g', 'e'), { send: true, suppressedBefore: 3 });
  assert.equal(control.admit('g', 'f').send, false);
  await clock.advance(STORM_WINDOW_MS);
  assert.deepEqual(control.admit('g', 'g'), { send: true, suppressedBefore: 1 });
});

test('groups are counted apart', () => {
  const { control } = storm(1);
  assert.equal(control.admit('a', 'a1').send, true);
  assert.equal(control.admit('b', 'b1').send, true);
  assert.equal(control.admit('a', 'a2').send, false);
  assert.equal(control.admit('b', 'b2').send, false);
});

test('the drain gives each group its latest held-back occurrence and how many were held back before it, then forgets all', () => {
  const { control } = storm(1);
  control.admit('a', 'a1');
  control.admit('a', 'a2');
  control.admit('a', 'a3');
  control.admit('a', 'a4');
  control.admit('b', 'b1');
  control.admit('c', 'c1');
  control.admit('c', 'c2');
  assert.deepEqual(control.drain(), [
    { key: 'a', occurrence: 'a4', suppressedBefore: 2 },
    { key: 'c', occurrence: 'c2', suppressedBefore: 0 },
  ]);
  assert.deepEqual(control.drain(), []);
  assert.deepEqual(control.admit('a', 'a5'), { send: true, suppressedBefore: 0 }, 'a drained group starts afresh');
});

test('an occurrence sent after held-back ones clears them: the drain has nothing left for its group', async () => {
  const { clock, control } = storm(1);
  control.admit('a', 'a1');
  control.admit('a', 'a2');
  await clock.advance(STORM_WINDOW_MS);
  assert.deepEqual(control.admit('a', 'a3'), { send: true, suppressedBefore: 1 });
  assert.deepEqual(control.drain(), []);
});

test('past 1000 groups the oldest is forgotten, so its next occurrence goes on as if new', () => {
  const { control } = storm(1);
  for (let i = 0; i < 1000; i++) control.admit(`group ${String(i)}`, 'x');
  assert.equal(control.admit('group 0', 'again').send, false, 'a thousand groups are all remembered');
  control.admit('group 1000', 'x');
  assert.equal(control.admit('group 0', 'again').send, true, 'the oldest group was forgotten for the new one');
  assert.equal(control.admit('group 2', 'again').send, false, 'newer groups are still remembered');
});

test('recording an event id for a group never admitted does nothing', () => {
  const { control } = storm(1);
  control.sent('nobody', 'event-1');
  assert.deepEqual(control.admit('nobody', 'x'), { send: true, suppressedBefore: 0 });
  assert.deepEqual(control.admit('nobody', 'y'), { send: false, lastEventId: undefined });
});

test('the overall budget lets a tenth of it through at once, then refills evenly over the window', async () => {
  const { clock, control } = storm(Number.POSITIVE_INFINITY, 600);
  const sent = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => control.admit(`group ${String(from + i)}`, 'x').send).filter(Boolean).length;
  assert.equal(sent(0, 100), 60, 'a burst spends the bucket, a tenth of the window');
  await clock.advance(999);
  assert.equal(sent(100, 20), 9, 'ten a second: 9.99 refilled in 999 ms');
  await clock.advance(STORM_WINDOW_MS * 5);
  assert.equal(sent(200, 100), 60, 'a long quiet fills the bucket no further than its size');
});

test('an occurrence past the budget is held back like a repeat: its user gets the last event id, its group counts it', () => {
  const { control } = storm(10, 10);
  assert.deepEqual(control.admit('a', 'a1'), { send: true, suppressedBefore: 0 });
  control.sent('a', 'event-a1');
  assert.deepEqual(control.admit('a', 'a2'), { send: false, lastEventId: 'event-a1' });
  assert.deepEqual(control.admit('b', 'b1'), { send: false, lastEventId: undefined });
  assert.deepEqual(control.drain(), [
    { key: 'a', occurrence: 'a2', suppressedBefore: 0 },
    { key: 'b', occurrence: 'b1', suppressedBefore: 0 },
  ]);
});

test('release hands on held-back groups, oldest first, as the budget refills, each with its count', async () => {
  const { clock, control } = storm(Number.POSITIVE_INFINITY, 60);
  assert.equal(control.admit('first', 'f1').send, true, 'the bucket holds 6: a tenth of 60');
  for (const name of ['a', 'b', 'c', 'd', 'e']) assert.equal(control.admit(name, `${name}1`).send, true);
  for (const name of ['g', 'h', 'i']) {
    assert.equal(control.admit(name, `${name}1`).send, false);
    assert.equal(control.admit(name, `${name}2`).send, false);
  }
  assert.deepEqual(control.release(), [], 'nothing refilled yet');
  await clock.advance(2000);
  assert.deepEqual(control.release(), [
    { key: 'g', occurrence: 'g2', suppressedBefore: 1 },
    { key: 'h', occurrence: 'h2', suppressedBefore: 1 },
  ]);
  assert.deepEqual(control.release(), [], 'the two refilled were spent');
  await clock.advance(1000);
  assert.deepEqual(control.release(), [{ key: 'i', occurrence: 'i2', suppressedBefore: 1 }]);
  assert.deepEqual(control.drain(), [], 'nothing is left held back');
});

test("release sends a quiet group's held-back occurrence once its window is over, not before", async () => {
  const { clock, control } = storm(1);
  control.admit('loop', 'l1');
  control.admit('loop', 'l2');
  control.admit('loop', 'l3');
  await clock.advance(STORM_WINDOW_MS - 1);
  assert.deepEqual(control.release(), []);
  await clock.advance(1);
  assert.deepEqual(control.release(), [{ key: 'loop', occurrence: 'l3', suppressedBefore: 1 }]);
  assert.equal(control.admit('loop', 'l4').send, false, 'the release used the new window');
});

test('without a budget (Infinity) every group is held back only by its own limit', () => {
  const { control } = storm(1, Number.POSITIVE_INFINITY);
  for (let i = 0; i < 5000; i++) assert.equal(control.admit(`group ${String(i)}`, 'x').send, true);
});
