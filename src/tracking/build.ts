import { createHash, randomUUID } from 'node:crypto';
import type { Bot } from '../interactions/bot.js';
import { describeValue, errorText, errorType, relativePaths } from '../errors/format.js';
import type { Redactor } from '../errors/redact.js';
import type { ErrorEvent } from '../events/types.js';
import type { InteractionContext } from '../interactions/context.js';
import { describeEvent } from './event-data.js';
import { groupError } from '../errors/grouping.js';
import type { Grouping } from '../errors/grouping.js';
import { parseStack } from './stack.js';
import type { TrackedBreadcrumb, TrackedError, TrackedEvent, TrackedFrame } from './tracked-event.js';

/** Hex digits of the fingerprint: 64 bits, so two groups of one bot never share one. */
const FINGERPRINT_LENGTH = 16;
const EVENT_ID = /^[0-9a-f]{32}$/;
/** The message's start that goes into a grouping key: enough to tell errors apart, short enough to hash cheaply. */
const KEY_MESSAGE_LIMIT = 300;
const LIMITS = {
  title: 200,
  message: 8192,
  stack: 16_384,
  causes: 10,
  causeMessage: 1024,
  breadcrumbs: 50,
  breadcrumbMessage: 500,
  username: 100,
  /** A context whose JSON is longer than this is replaced by a note saying so. */
  contextBytes: 8192,
};
/** Deeper than any context Lantern builds; past it a value is dropped rather than kept unchecked. */
const MAX_DEPTH = 12;
const MAX_CAUSE_DEPTH = 6;

/** How an `Error` event is grouped: cheap to work out, so a tracker can storm-check it before building the event. */
export interface EventGrouping {
  /** A short hash of `key`: equal for "the same error again". */
  readonly fingerprint: string;
  /** What the fingerprint is made from, redacted. */
  readonly key: readonly string[];
  /** groupError's answer: the Discord failure's tags and context. */
  readonly grouping: Grouping;
  /** The outermost error's frames, parsed once for the key and the event. */
  readonly frames: readonly TrackedFrame[];
}

/**
 * Groups an `Error` event the Discord-aware way: a Discord failure (itself or as a cause) by code, method and route
 * template, whatever command or channel it came from; any other error by its source, type, the bot's own frame that
 * threw (file and function: an edit elsewhere in the file keeps the group) and its message's first line with numbers,
 * ids, hex strings and quoted values taken out, so `Cannot divide 3 by zero` and `Cannot divide 4 by zero` are one
 * group. Everything in the key is redacted first.
 */
export function groupEvent(event: ErrorEvent, redactor: Redactor): EventGrouping {
  const grouping = groupError(event.source, event.error);
  const frames = parseStack(event.error.stack);
  const key = grouping.fingerprint ?? ownKey(event, frames, redactor);
  return { fingerprint: fingerprintOf(key), key, grouping, frames };
}

/** A grouping key's fingerprint: a short hash, equal for equal keys whichever tracker or process made them. */
export function fingerprintOf(key: readonly string[]): string {
  return createHash('sha256').update(key.join('\n')).digest('hex').slice(0, FINGERPRINT_LENGTH);
}

function ownKey(event: ErrorEvent, frames: readonly TrackedFrame[], redactor: Redactor): string[] {
  const own = frames.find((frame) => frame.inApp);
  const where = [event.source, errorType(event.error), ...(own ? [`${own.file} in ${own.function ?? '?'}`] : [])];
  // Redacted before it is normalised: taking the numbers out of a token would leave the rest of it unrecognised.
  const message = normalizeMessage(redactor.redact(firstLine(event.error.message)).slice(0, KEY_MESSAGE_LIMIT));
  return [...where.map((part) => redactor.redact(part)), message];
}

/** A message with what changes between occurrences of one error (numbers, ids, hex, UUIDs, quoted values) replaced. */
export function normalizeMessage(message: string): string {
  return message
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b\d{15,21}\b/g, '<id>')
    .replace(/\b(?=[a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/(?<!\w)(["'`])[^"'`\n]*\1/g, '<value>')
    .replace(/\d+(?:\.\d+)?/g, '<n>');
}

/** A new event id: 32 lowercase hex digits, Sentry's format. */
export function newEventId(): string {
  return randomUUID().replaceAll('-', '');
}

/** The id to record the event under: the reference an earlier tracker gave it when that is an event id, else a new one. */
export function eventIdFor(event: ErrorEvent): string {
  return event.reference !== undefined && EVENT_ID.test(event.reference) ? event.reference : newEventId();
}

export interface BuildOptions {
  readonly eventId: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly release: string | undefined;
  readonly environment: string | undefined;
  /** What the bot went through before, oldest first; the interaction's own arrival is added to them. */
  readonly breadcrumbs?: readonly TrackedBreadcrumb[];
  /** The event's grouping, when the caller worked it out already. */
  readonly grouping?: EventGrouping;
  /** The interaction it happened in, when the event does not carry it but the caller knows it. */
  readonly ctx?: InteractionContext;
}

/**
 * The one TrackedEvent of an `Error` event, for every tracker: its tags, user and contexts (describeEvent), its
 * Discord-aware grouping, the stack parsed into frames with the bot's own marked, the causes and the breadcrumbs.
 * Every string, keys included, goes through the bot's redactor first; only then are long values cut, so no cut can
 * leave part of a secret behind.
 */
export function buildTrackedEvent(bot: Bot, event: ErrorEvent, options: BuildOptions): TrackedEvent {
  const grouped = options.grouping ?? groupEvent(event, bot.redactor);
  const ctx = options.ctx ?? event.ctx;
  const data = describeEvent(bot, event, ctx);
  const { error } = event;
  const own = grouped.frames.find((frame) => frame.inApp);
  const { discord } = grouped.grouping;
  const raw: TrackedEvent = {
    eventId: options.eventId,
    timestamp: options.timestamp,
    level: event.expected ? 'info' : 'error',
    source: event.source,
    title: `${errorType(error)}: ${firstLine(error.message)}`,
    culprit: own ? `${own.file}${own.line === undefined ? '' : `:${String(own.line)}`} in ${own.function ?? '?'}` : event.source,
    fingerprint: grouped.fingerprint,
    groupingKey: grouped.key,
    error: {
      type: errorType(error),
      message: error.message,
      stack: relativePaths(errorText(error)),
      frames: grouped.frames,
      causes: causesOf(error),
    },
    tags: { ...data.tags, ...grouped.grouping.tags },
    user: data.user,
    contexts: discord ? { ...data.contexts, discord } : data.contexts,
    breadcrumbs: [...(options.breadcrumbs ?? []), ...(ctx ? [arrival(ctx, options.timestamp)] : [])],
    release: options.release,
    environment: options.environment,
  };
  return finishTrackedEvent(raw, bot.redactor);
}

/**
 * The last step of making any TrackedEvent, whether from the bot's own error or one that came from elsewhere (the
 * page's Sentry ingest): every string, keys included, redacted, then long values cut.
 */
export function finishTrackedEvent(raw: TrackedEvent, redactor: Redactor): TrackedEvent {
  return withinLimits(redactDeep(raw as unknown as Record<string, unknown>, redactor) as unknown as TrackedEvent);
}

/** The interaction's arrival, dated on the event's clock by how long ago it reached Lantern. */
function arrival(ctx: InteractionContext, timestamp: number): TrackedBreadcrumb {
  return {
    timestamp: Math.round(timestamp - (performance.now() - ctx.receivedAt)),
    category: 'lantern.interaction',
    level: 'info',
    message: `${ctx.source} (${ctx.kind}) from user ${ctx.user.id}`,
    data: { id: ctx.interaction.id, guild_id: ctx.guildId, channel_id: ctx.channelId },
  };
}

/** `cause` chains and `AggregateError` members under the error, in the order the traceback shows them. */
function causesOf(error: Error): TrackedError['causes'] {
  const causes: { type: string; message: string }[] = [];
  const seen = new Set<unknown>([error]);
  const walk = (value: unknown, depth: number): void => {
    if (depth > MAX_CAUSE_DEPTH || causes.length >= LIMITS.causes || !(value instanceof Error)) return;
    if (value instanceof AggregateError) for (const inner of value.errors as unknown[]) visit(inner, depth + 1);
    visit(value.cause, depth + 1);
  };
  const visit = (value: unknown, depth: number): void => {
    if (value === undefined || seen.has(value) || causes.length >= LIMITS.causes) return;
    seen.add(value);
    causes.push(
      value instanceof Error ? { type: errorType(value), message: value.message } : { type: typeof value, message: describeValue(value) },
    );
    walk(value, depth);
  };
  walk(error, 0);
  return causes;
}

/**
 * Between the strings of one event while they are redacted as one text. No secret or token shape the redactor knows
 * can match across it (they stop at a line break), and should one ever, the count of pieces tells.
 */
const SEPARATOR = '\n\u0000\n';

/**
 * A copy that is plain JSON data with every string and key redacted. The strings are redacted as one text, joined
 * by SEPARATOR: one pass of the redactor instead of one per string, several times cheaper for an event's hundred
 * short strings. If the text does not split back into as many pieces, each string is redacted on its own.
 */
function redactDeep(value: Record<string, unknown>, redactor: Redactor): Record<string, unknown> {
  const found: FoundStrings = { texts: [], holders: [], keys: [], renames: [] };
  const copy = plainCopy(value, found, 0) as Record<string, unknown>;
  const joined = redactor.redact(found.texts.join(SEPARATOR)).split(SEPARATOR);
  const redacted = joined.length === found.texts.length ? joined : found.texts.map((text) => redactor.redact(text));
  const renames: [Record<string, unknown>, string, string][] = [];
  for (let i = 0; i < redacted.length; i++) {
    const text = redacted[i] as string;
    if (text === found.texts[i]) continue;
    const holder = found.holders[i] as Record<string | number, unknown>;
    const key = found.keys[i] as string | number;
    // Keys are renamed once every value is in place under its old key.
    if (found.renames[i]) renames.push([holder, key as string, text]);
    else holder[key] = text;
  }
  for (const [holder, key, text] of renames) {
    holder[text] = holder[key];
    Reflect.deleteProperty(holder, key);
  }
  return copy;
}

/** Every string of a value and where it sits: `holders[i][keys[i]]`, or the key `keys[i]` itself when `renames[i]`. */
interface FoundStrings {
  readonly texts: string[];
  readonly holders: object[];
  readonly keys: (string | number)[];
  readonly renames: boolean[];
}

/** A copy that is plain JSON data (no functions, symbols or cycles), noting where each string and key is. */
function plainCopy(value: unknown, found: FoundStrings, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return plainValue(value);
  if (depth >= MAX_DEPTH) return '[nested too deeply]';
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    for (const entry of value as unknown[]) {
      const plain = plainCopy(entry, found, depth + 1) ?? null;
      if (typeof plain === 'string') note(found, copy, copy.length, plain, false);
      copy.push(plain);
    }
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const plain = plainCopy((value as Record<string, unknown>)[key], found, depth + 1);
    if (plain === undefined) continue;
    copy[key] = plain;
    if (typeof plain === 'string') note(found, copy, key, plain, false);
    note(found, copy, key, key, true);
  }
  return copy;
}

function note(found: FoundStrings, holder: object, key: string | number, text: string, isKey: boolean): void {
  found.texts.push(text);
  found.holders.push(holder);
  found.keys.push(key);
  found.renames.push(isKey);
}

function plainValue(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return String(value);
  return value === null ? null : undefined;
}

/** Long values cut (after redaction), so one event stays a few kilobytes whatever the error held. */
function withinLimits(event: TrackedEvent): TrackedEvent {
  let contexts = event.contexts;
  // Contexts are a kilobyte or two; only when they are more together is each one measured.
  if (JSON.stringify(contexts).length > LIMITS.contextBytes) {
    const cut: Record<string, Record<string, unknown>> = {};
    for (const [name, context] of Object.entries(event.contexts)) {
      const size = JSON.stringify(context).length;
      cut[name] = size > LIMITS.contextBytes ? { truncated: `${String(size)} characters, over ${String(LIMITS.contextBytes)}` } : context;
    }
    contexts = cut;
  }
  return {
    ...event,
    title: clip(event.title, LIMITS.title),
    error: {
      ...event.error,
      message: clip(event.error.message, LIMITS.message),
      stack: clip(event.error.stack, LIMITS.stack),
      causes: event.error.causes.map((cause) => ({
        type: clip(cause.type, LIMITS.title),
        message: clip(cause.message, LIMITS.causeMessage),
      })),
    },
    user: event.user && { id: event.user.id, username: clip(event.user.username, LIMITS.username) },
    contexts,
    breadcrumbs: event.breadcrumbs
      .slice(-LIMITS.breadcrumbs)
      .map((breadcrumb) => ({ ...breadcrumb, message: clip(breadcrumb.message, LIMITS.breadcrumbMessage) })),
  };
}

function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}
