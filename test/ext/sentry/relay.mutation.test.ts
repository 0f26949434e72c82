/**
 * fitForRelay on events built by hand: every string and key anywhere in the event made valid Unicode (to the depth
 * bound), tags fitted to Relay's limits with null kept, contexts bounded, and the same event object handed back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorEvent as SentryEvent } from '@sentry/node';
import { fitForRelay } from '../../../src/ext/sentry/relay.js';

const LONE = '\ud83d';
const FIXED = '\ufffd';

/** An object `depth` levels under the event: { next: { next: … { text } } }. */
function nested(depth: number, text: string): Record<string, unknown> {
  let holder: Record<string, unknown> = { text };
  for (let level = 0; level < depth; level++) holder = { next: holder };
  return holder;
}

function textAt(holder: unknown, depth: number): unknown {
  let current = holder as Record<string, unknown>;
  for (let level = 0; level < depth; level++) current = current.next as Record<string, unknown>;
  return current.text;
}

test('lone surrogate halves become U+FFFD in values and keys, in objects and arrays, and the event is the one given', () => {
  const event = {
    type: undefined,
    message: `cut ${LONE}`,
    extra: { [`key${LONE}`]: 'value', list: ['fine', `half${LONE}`, 3, null, { deep: `x${LONE}y` }] },
    breadcrumbs: [{ message: `crumb${LONE}` }],
    fine: 'a whole 🔥 stays',
  } as unknown as SentryEvent;
  const fitted = fitForRelay(event);
  assert.equal(fitted, event);
  assert.deepEqual(JSON.parse(JSON.stringify(fitted)), {
    message: `cut ${FIXED}`,
    extra: { [`key${FIXED}`]: 'value', list: ['fine', `half${FIXED}`, 3, null, { deep: `x${FIXED}y` }] },
    breadcrumbs: [{ message: `crumb${FIXED}` }],
    fine: 'a whole 🔥 stays',
  });
});

test('strings down to the depth bound are fixed; below it the event is left as it is', () => {
  const event = { extra: { shallow: nested(10, LONE), bound: nested(62, LONE), below: nested(63, LONE) } } as unknown as SentryEvent;
  fitForRelay(event);
  const extra = event.extra as Record<string, unknown>;
  assert.equal(textAt(extra.shallow, 10), FIXED);
  // The event is depth 0, extra 1, `bound` 2 and each holder under it one more: its text sits in the holder at depth 64.
  assert.equal(textAt(extra.bound, 62), FIXED);
  assert.equal(textAt(extra.below, 63), LONE);
});

test('tags: keys and values fitted to Relay, a null value kept, numbers and booleans as text', () => {
  const event = {
    tags: { 'two\nlines': 'a\nb', [`k${'e'.repeat(200)}`]: 'v', long: 'x'.repeat(300), none: null, count: 3, flag: false },
  } as unknown as SentryEvent;
  fitForRelay(event);
  const tags = event.tags as Record<string, unknown>;
  assert.equal(tags.two_lines, 'a b');
  assert.equal(tags.none, null);
  assert.equal(tags.count, '3');
  assert.equal(tags.flag, 'false');
  assert.equal((tags.long as string).length, 200);
  assert.ok((tags.long as string).endsWith('…'));
  assert.equal(tags[`k${'e'.repeat(31)}`], 'v');
  assert.equal(Object.keys(tags).length, 6);
});

test('each context is bounded to 8 KiB on its own; a small one is left whole, a missing one left missing', () => {
  const small = { id: '42', name: 'ping' };
  const event = { contexts: { small, big: { id: '7', text: 'y'.repeat(20_000) }, gone: undefined } } as unknown as SentryEvent;
  fitForRelay(event);
  const contexts = event.contexts as Record<string, Record<string, unknown> | undefined>;
  assert.equal(contexts.small, small);
  assert.equal(contexts.big?.id, '7');
  assert.ok(Buffer.byteLength(JSON.stringify(contexts.big)) <= 8192);
  assert.ok('gone' in contexts && contexts.gone === undefined);
  const bare = {} as SentryEvent;
  assert.deepEqual(fitForRelay(bare), {});
});
