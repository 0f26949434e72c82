import type { ErrorEvent as SentryEvent } from '@sentry/node';
import { boundContext, tagKey, tagValue } from '../../tracking/relay-limits.js';
import { wellFormed } from '../../util/text.js';

/** Deeper than any event the SDK normalises; past it nothing is changed. */
const MAX_DEPTH = 64;

/**
 * The event as Relay takes it whole, changed in place: no lone surrogate half anywhere (the SDK's own truncation
 * can leave one, and Relay's JSON parser then refuses the event), tag keys and values within Relay's limits and
 * without newlines, each context within 8 KiB. Runs last, on whatever the SDK, Lantern and the app's own
 * `beforeSend`, `filter` and `Sentry.setTag` put there.
 */
export function fitForRelay(event: SentryEvent): SentryEvent {
  makeWellFormed(event, 0);
  if (event.tags)
    event.tags = Object.fromEntries(
      Object.entries(event.tags).map(([key, value]) => [tagKey(key), value == null ? value : tagValue(String(value))]),
    );
  const { contexts } = event;
  if (contexts) for (const [name, context] of Object.entries(contexts)) if (context) contexts[name] = boundContext(context);
  return event;
}

function makeWellFormed(holder: object, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const record = holder as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    const fixedKey = wellFormed(key);
    if (fixedKey !== key) {
      Reflect.deleteProperty(record, key);
      record[fixedKey] = value;
    }
    if (typeof value === 'string') record[fixedKey] = wellFormed(value);
    else if (value !== null && typeof value === 'object') makeWellFormed(value, depth + 1);
  }
}
