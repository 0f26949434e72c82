import { MAX_CAUSE_DEPTH } from './causes.js';
import { describeValue, errorType } from './format.js';

/**
 * An error as plain data, to cross a process boundary (a shard's IPC channel) with what tells it apart: its class name,
 * message, stack, own properties and cause chain. discord.js's own `makePlainError` keeps only name, message and stack.
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own properties with plain values: a LanternError's `code`, a DiscordAPIError's `status`, `method` and `url`. */
  readonly properties: Readonly<Record<string, string | number | boolean | null>>;
  readonly cause?: SerializedCause;
  /** An `AggregateError`'s errors. */
  readonly errors?: readonly SerializedCause[];
}

/** A cause that is an error, or any other thrown value as text. */
export type SerializedCause = SerializedError | { readonly value: string };

/** An `AggregateError`'s members kept; a larger one is cut (the count is in its message). */
const MAX_AGGREGATED = 20;
/** Own properties kept per error, and the characters of each string among them. */
const MAX_PROPERTIES = 20;
const MAX_PROPERTY_LENGTH = 1000;
/** Set by the error itself, not read from its own properties. */
const STRUCTURAL = new Set(['name', 'message', 'stack', 'cause', 'errors']);

/**
 * The error as JSON-safe data, every text passed through `redact` (a shard redacts with its bot's `Redactor`). Causes
 * and aggregated errors are followed to MAX_CAUSE_DEPTH errors deep, as the log follows them; a cycle ends the chain.
 */
export function serializeError(error: unknown, redact: (text: string) => string = (text) => text): SerializedError {
  const seen = new Set<unknown>();
  const walk = (value: Error, depth: number): SerializedError => {
    seen.add(value);
    const deeper = depth + 1 < MAX_CAUSE_DEPTH;
    const cause = value.cause !== undefined && deeper ? { cause: causeOf(value.cause, depth + 1) } : {};
    const errors =
      value instanceof AggregateError && deeper
        ? { errors: (value.errors as unknown[]).slice(0, MAX_AGGREGATED).map((member) => causeOf(member, depth + 1)) }
        : {};
    return {
      name: errorType(value),
      message: redact(value.message),
      stack: typeof value.stack === 'string' ? redact(value.stack) : undefined,
      properties: plainProperties(value, redact),
      ...cause,
      ...errors,
    };
  };
  const causeOf = (value: unknown, depth: number): SerializedCause => {
    if (seen.has(value)) return { value: '[circular]' };
    return value instanceof Error ? walk(value, depth) : { value: redact(describeValue(value)) };
  };
  return walk(error instanceof Error ? error : new Error(describeValue(error)), 0);
}

/**
 * An `Error` again from what `serializeError` made: the same `name` (so logs and trackers show the original class),
 * message, stack, properties and causes. Anything that is not such data (a message from an older or foreign shard)
 * becomes an error saying so, never a throw; depth stays bounded whatever the data claims.
 */
export function deserializeError(data: unknown): Error {
  return rebuild(data, 0);
}

function rebuild(data: unknown, depth: number): Error {
  if (!isSerializedError(data)) return new TypeError(`Not a serialized error: ${describeValue(data).slice(0, MAX_PROPERTY_LENGTH)}`);
  const deeper = depth + 1 < MAX_CAUSE_DEPTH;
  const members = deeper && Array.isArray(data.errors) ? data.errors.slice(0, MAX_AGGREGATED).map((m) => causeValue(m, depth + 1)) : [];
  const cause = deeper && data.cause !== undefined ? { cause: causeValue(data.cause, depth + 1) } : undefined;
  const error = data.name === 'AggregateError' ? new AggregateError(members, data.message, cause) : new Error(data.message, cause);
  for (const [key, value] of Object.entries(isRecord(data.properties) ? data.properties : {}).slice(0, MAX_PROPERTIES))
    if (!STRUCTURAL.has(key) && isPlain(value))
      Object.defineProperty(error, key, { value, enumerable: true, writable: true, configurable: true });
  // As V8 defines them: own, writable, not enumerable.
  Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', {
    value: typeof data.stack === 'string' ? data.stack : undefined,
    writable: true,
    configurable: true,
  });
  return error;
}

function causeValue(data: unknown, depth: number): unknown {
  if (isRecord(data) && typeof data.value === 'string' && !('name' in data)) return data.value;
  return rebuild(data, depth);
}

function isSerializedError(data: unknown): data is SerializedError {
  return isRecord(data) && typeof data.name === 'string' && typeof data.message === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlain(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function plainProperties(error: Error, redact: (text: string) => string): Record<string, string | number | boolean | null> {
  const properties: Record<string, string | number | boolean | null> = {};
  let kept = 0;
  for (const [key, value] of Object.entries(error)) {
    if (kept >= MAX_PROPERTIES) break;
    if (STRUCTURAL.has(key) || !isPlain(value)) continue;
    properties[key] = typeof value === 'string' ? redact(value).slice(0, MAX_PROPERTY_LENGTH) : value;
    kept++;
  }
  return properties;
}
