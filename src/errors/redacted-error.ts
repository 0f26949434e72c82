import { describeValue } from './format.js';
import type { Redactor } from './redact.js';
import { mapStack } from './source-maps.js';

/** How deep causes and aggregated errors are copied; a cycle or a pathological chain stops here. */
const MAX_DEPTH = 6;

/**
 * A copy of `error` for a sink that cuts what it is given (Sentry cuts a message at `maxValueLength` before any
 * hook of ours runs): the same class and name, with its message, stack (at TypeScript lines where a source map
 * says so), string properties, causes and aggregated errors redacted, so a cut can only fall where no secret is
 * left. Other properties are kept as they are (the sink serialises them whole, and its whole text is redacted later).
 */
export function redactedCopy(error: Error, redactor: Redactor, depth = 0, copies = new Map<Error, Error>()): Error {
  const done = copies.get(error);
  if (done) return done;
  // The copy's own stack is never used: capturing it would only cost time.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const copy = new Error(redactor.redact(error.message));
  Error.stackTraceLimit = limit;
  Object.setPrototypeOf(copy, Object.getPrototypeOf(error) as object | null);
  copies.set(error, copy);
  const hidden = { writable: true, configurable: true, enumerable: false } as const;
  Object.defineProperty(copy, 'name', { ...hidden, value: redactor.redact(error.name) });
  Object.defineProperty(copy, 'stack', {
    ...hidden,
    value: typeof error.stack === 'string' ? redactor.redact(mapStack(error.stack)) : undefined,
  });
  const copyOf = (value: unknown): unknown => {
    if (value instanceof Error) return depth < MAX_DEPTH ? redactedCopy(value, redactor, depth + 1, copies) : undefined;
    return typeof value === 'string' ? redactor.redact(value) : value;
  };
  for (const [key, value] of Object.entries(error)) Object.defineProperty(copy, key, { ...hidden, enumerable: true, value: copyOf(value) });
  if (error.cause !== undefined) {
    const cause = error.cause instanceof Error ? copyOf(error.cause) : redactor.redact(describeValue(error.cause));
    Object.defineProperty(copy, 'cause', { ...hidden, value: cause });
  }
  if (error instanceof AggregateError) Object.defineProperty(copy, 'errors', { ...hidden, value: (error.errors as unknown[]).map(copyOf) });
  return copy;
}
