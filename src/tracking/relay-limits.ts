import { cutText } from '../util/text.js';

/**
 * What Sentry's ingest server (Relay) refuses or trims in an event: a tag key over 32 characters, a tag value over 200
 * or holding a newline, a context over 8 KiB of JSON.
 */
export const RelayLimits = { tagKey: 32, tagValue: 200, contextBytes: 8192 } as const;

/**
 * A context's budget: below Relay's limit by room for what redaction adds after it is bounded (a registered secret of
 * 6 characters becomes the 17 of `[REDACTED SECRET]`).
 */
const CONTEXT_BUDGET_BYTES = RelayLimits.contextBytes - 1024;
/** A string in a bounded context is never cut shorter than this, nor an array to fewer entries. */
const SHORTEST_CUT = 64;
const ARRAY_KEPT = 8;

// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** A tag key Relay keeps: control characters as `_`, at most 32 characters. */
export function tagKey(key: string): string {
  return cutText(key.replace(CONTROL, '_'), RelayLimits.tagKey);
}

/** A tag value Relay keeps: newlines and other control characters as one space, at most 200 characters. */
export function tagValue(value: string): string {
  return cutText(value.replace(CONTROL, ' '), RelayLimits.tagValue, '…');
}

/**
 * The context itself when its JSON fits the budget, else a copy cut down until it does: the longest string halved
 * (not below 64 characters), then the longest array halved (not below 8 entries, the count of the rest at the end),
 * and as a last resort its scalar fields alone. What is cut is what the user typed or a list, never the ids.
 */
export function boundContext(context: Record<string, unknown>): Record<string, unknown> {
  if (jsonBytes(context) <= CONTEXT_BUDGET_BYTES) return context;
  const copy = JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
  while (jsonBytes(copy) > CONTEXT_BUDGET_BYTES) {
    const longest = largest(copy, (value): value is string => typeof value === 'string' && value.length > SHORTEST_CUT);
    if (longest) {
      longest.set(cutText(longest.value, Math.max(SHORTEST_CUT, Math.floor(longest.value.length / 2)), '…'));
      continue;
    }
    const list = largest(copy, (value): value is unknown[] => Array.isArray(value) && value.length > ARRAY_KEPT);
    if (!list) return Object.fromEntries(Object.entries(copy).filter(([, value]) => value === null || typeof value !== 'object'));
    const kept = Math.max(ARRAY_KEPT, Math.floor(list.value.length / 2));
    list.set([...list.value.slice(0, kept - 1), `… ${String(list.value.length - kept + 1)} more`]);
  }
  return copy;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

interface Found<T> {
  readonly value: T;
  readonly set: (value: unknown) => void;
}

/** The longest string (or array) anywhere in `root` that `matches`, with a setter for its place. */
function largest<T extends string | unknown[]>(
  root: Record<string, unknown>,
  matches: (value: unknown) => value is T,
): Found<T> | undefined {
  let best: Found<T> | undefined;
  const visit = (holder: Record<string, unknown> | unknown[]): void => {
    for (const [key, value] of Object.entries(holder)) {
      if (matches(value) && (!best || value.length > best.value.length))
        best = { value, set: (next) => ((holder as Record<string, unknown>)[key] = next) };
      if (value !== null && typeof value === 'object') visit(value as Record<string, unknown>);
    }
  };
  visit(root);
  return best;
}
