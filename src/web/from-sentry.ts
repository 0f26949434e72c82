import type { Redactor } from '../errors/redact.js';
import { fingerprintOf, finishTrackedEvent, newEventId, normalizeMessage } from '../tracking/build.js';
import type { TrackedBreadcrumb, TrackedEvent, TrackedFrame } from '../tracking/tracked-event.js';

/** Frames kept per error, the innermost: as many as the bot's own events keep. */
const MAX_FRAMES = 50;
/** The message's start that goes into a grouping key, as for the bot's own events. */
const KEY_MESSAGE_LIMIT = 300;
const TAG_VALUE_LIMIT = 200;
const FEEDBACK_LIMIT = 4096;
const EVENT_ID = /^[0-9a-f]{32}$/;
/** Sentry's placeholder in a custom fingerprint for the grouping it would have made itself. */
const DEFAULT_FINGERPRINT = /^\{\{\s*default\s*\}\}$/;

type Json = Readonly<Record<string, unknown>>;

/**
 * A Sentry event (the payload of an envelope's `event` item, or of the older store endpoint) as a TrackedEvent:
 * the thrown exception (Sentry lists the chain oldest first, so the last value) gives type, message and frames
 * (Sentry lists frames outermost first; a TrackedEvent innermost first); the others become causes. Grouping uses
 * the event's `fingerprint` when it has one (so a fingerprint Lantern's Sentry extension set, a Discord failure's,
 * gives the same issue as the local store's own event), else the type, the innermost in-app frame and the message
 * with numbers, ids and quoted values taken out. Then everything is redacted and cut as a bot's own event is.
 * Fields of the wrong shape are skipped, never thrown over: any SDK may send this.
 */
export function trackedFromSentry(event: Json, redactor: Redactor, now: number): TrackedEvent {
  const exceptions = exceptionValues(event.exception);
  const thrown = exceptions.at(-1);
  const message = text(thrown?.value) ?? messageOf(event) ?? '';
  const thrownType = text(thrown?.type);
  // captureMessage sends an exception with no type (only its stack): a message, not an error.
  const type = thrownType ?? 'Message';
  const frames = framesOf(record(thrown?.stacktrace) ?? record(event.stacktrace));
  const tags = tagsOf(event.tags);
  const source = tags.source ?? text(event.transaction) ?? 'sentry';
  const own = frames.find((frame) => frame.inApp);
  const causes = exceptions
    .slice(0, -1)
    .reverse()
    .map((cause) => ({ type: text(cause.type) ?? 'Error', message: text(cause.value) ?? '' }));
  const firstLine = message.split('\n', 1)[0] ?? '';
  const defaultKey = [
    'sentry',
    type,
    ...(own ? [`${own.file} in ${own.function ?? '?'}`] : []),
    // Redacted before it is normalised: taking the numbers out of a token would leave the rest of it unrecognised.
    normalizeMessage(redactor.redact(firstLine).slice(0, KEY_MESSAGE_LIMIT)),
  ];
  const raw: TrackedEvent = {
    eventId: eventIdOf(event.event_id),
    timestamp: timeOf(event.timestamp) ?? now,
    level: levelOf(event.level) ?? 'error',
    source,
    title: thrownType === undefined ? firstLine || 'An event with no message' : `${type}: ${firstLine}`,
    culprit: own ? `${own.file}${own.line === undefined ? '' : `:${String(own.line)}`} in ${own.function ?? '?'}` : source,
    fingerprint: '',
    groupingKey: groupingKeyOf(event.fingerprint, defaultKey),
    error: { type, message, stack: stackText(type, message, frames, causes), frames, causes },
    tags,
    user: userOf(event.user),
    contexts: contextsOf(event),
    breadcrumbs: breadcrumbsOf(event.breadcrumbs),
    release: text(event.release),
    environment: text(event.environment),
  };
  const finished = finishTrackedEvent(raw, redactor);
  // From the redacted key: a fingerprint is shown and searched for, so it must not be a hash of a secret either.
  return { ...finished, fingerprint: fingerprintOf(finished.groupingKey) };
}

/** What a user said about an error: a `feedback` item (captureFeedback) or the older `user_report`. */
export interface IngestedFeedback {
  readonly eventId: string;
  readonly message: string;
  readonly user: { readonly id: string; readonly username?: string } | undefined;
  readonly timestamp: number;
}

export function feedbackFromSentry(type: string, payload: Json, redactor: Redactor, now: number): IngestedFeedback | undefined {
  const redact = (value: string): string => redactor.redact(value);
  if (type === 'user_report') {
    const comments = text(payload.comments);
    const eventId = text(payload.event_id)?.toLowerCase().replaceAll('-', '');
    if (!comments || !eventId) return undefined;
    const name = text(payload.name);
    return {
      eventId,
      message: redact(comments).slice(0, FEEDBACK_LIMIT),
      user: name ? { id: redact(name), username: redact(name) } : undefined,
      timestamp: now,
    };
  }
  const feedback = record(record(payload.contexts)?.feedback);
  const message = text(feedback?.message);
  if (!feedback || !message) return undefined;
  const eventId = (text(feedback.associated_event_id) ?? text(payload.event_id) ?? newEventId()).toLowerCase().replaceAll('-', '');
  const user = userOf(payload.user);
  const name = text(feedback.name);
  return {
    eventId,
    message: redact(message).slice(0, FEEDBACK_LIMIT),
    user: user ? { id: redact(user.id), username: redact(user.username) } : name ? { id: redact(name), username: redact(name) } : undefined,
    timestamp: timeOf(payload.timestamp) ?? now,
  };
}

function exceptionValues(exception: unknown): Json[] {
  const values = Array.isArray(exception) ? exception : record(exception)?.values;
  return Array.isArray(values) ? values.map(record).filter((value): value is Json => value !== undefined) : [];
}

function messageOf(event: Json): string | undefined {
  const logentry = record(event.logentry) ?? record(event.message);
  return text(event.message) ?? text(logentry?.formatted) ?? text(logentry?.message);
}

function framesOf(stacktrace: Json | undefined): TrackedFrame[] {
  const frames = Array.isArray(stacktrace?.frames) ? (stacktrace.frames as unknown[]) : [];
  return frames
    .map(record)
    .filter((frame): frame is Json => frame !== undefined)
    .slice(-MAX_FRAMES)
    .reverse()
    .map((frame) => {
      const file = text(frame.filename) ?? text(frame.abs_path) ?? text(frame.module) ?? '?';
      return {
        file,
        line: count(frame.lineno),
        column: count(frame.colno),
        function: text(frame.function),
        inApp: typeof frame.in_app === 'boolean' ? frame.in_app : !/node_modules|^node:|^internal\//.test(file),
      };
    });
}

/** The stack as a V8 stack reads (Sentry sends frames, not the text), so the page and the CLI show one format. */
function stackText(type: string, message: string, frames: readonly TrackedFrame[], causes: TrackedEvent['error']['causes']): string {
  const lines = [`${type}: ${message}`];
  for (const frame of frames) {
    const where = `${frame.file}${frame.line === undefined ? '' : `:${String(frame.line)}`}${
      frame.column === undefined ? '' : `:${String(frame.column)}`
    }`;
    lines.push(`    at ${frame.function === undefined ? where : `${frame.function} (${where})`}`);
  }
  for (const cause of causes) lines.push(`Caused by: ${cause.type}: ${cause.message}`);
  return lines.join('\n');
}

function groupingKeyOf(fingerprint: unknown, defaultKey: readonly string[]): string[] {
  if (!Array.isArray(fingerprint)) return [...defaultKey];
  const parts = fingerprint.map((part: unknown) => (typeof part === 'number' ? String(part) : text(part)));
  if (parts.length === 0 || parts.some((part) => part === undefined)) return [...defaultKey];
  return (parts as string[]).flatMap((part) => (DEFAULT_FINGERPRINT.test(part) ? defaultKey : [part]));
}

function tagsOf(tags: unknown): Record<string, string> {
  const entries = Array.isArray(tags) ? tags.filter(Array.isArray) : Object.entries(record(tags) ?? {});
  const out: Record<string, string> = {};
  for (const [key, value] of entries as [unknown, unknown][]) {
    if (typeof key !== 'string') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = String(value).slice(0, TAG_VALUE_LIMIT);
  }
  return out;
}

function userOf(user: unknown): TrackedEvent['user'] {
  const fields = record(user);
  const id = text(fields?.id) ?? (typeof fields?.id === 'number' ? String(fields.id) : undefined) ?? text(fields?.username);
  if (id === undefined) return undefined;
  return { id, username: text(fields?.username) ?? text(fields?.name) ?? id };
}

/**
 * The event's contexts (its trace ids say nothing a reader needs), `extra` as a context, and where it came from
 * as `sentry`. A request's headers, cookies and body are left out: that is where credentials travel.
 */
function contextsOf(event: Json): Record<string, Record<string, unknown>> {
  const contexts: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(record(event.contexts) ?? {})) {
    const context = record(value);
    if (context && name !== 'trace') contexts[name] = { ...context };
  }
  const extra = record(event.extra);
  if (extra && Object.keys(extra).length > 0) contexts.extra = { ...extra };
  const request = record(event.request);
  const url = text(request?.url);
  if (request && url) contexts.request = { method: text(request.method), url: url.replace(/[?#].*$/, '') };
  const sdk = record(event.sdk);
  contexts.sentry = {
    sdk: sdk && [text(sdk.name), text(sdk.version)].filter(Boolean).join(' '),
    platform: text(event.platform),
    server_name: text(event.server_name),
    logger: text(event.logger),
    transaction: text(event.transaction),
  };
  return contexts;
}

function breadcrumbsOf(breadcrumbs: unknown): TrackedBreadcrumb[] {
  const values = Array.isArray(breadcrumbs) ? breadcrumbs : record(breadcrumbs)?.values;
  if (!Array.isArray(values)) return [];
  return values
    .map(record)
    .filter((crumb): crumb is Json => crumb !== undefined)
    .map((crumb) => {
      const data = record(crumb.data);
      return {
        timestamp: timeOf(crumb.timestamp) ?? 0,
        category: text(crumb.category) ?? text(crumb.type) ?? 'default',
        message: text(crumb.message) ?? (data ? JSON.stringify(data) : ''),
        level: breadcrumbLevel(crumb.level),
        ...(data ? { data: { ...data } } : {}),
      };
    });
}

function levelOf(level: unknown): TrackedEvent['level'] | undefined {
  if (level === 'fatal' || level === 'error') return 'error';
  if (level === 'warning') return 'warning';
  if (level === 'info' || level === 'log' || level === 'debug') return 'info';
  return undefined;
}

function breadcrumbLevel(level: unknown): TrackedBreadcrumb['level'] {
  if (level === 'fatal' || level === 'error') return 'error';
  if (level === 'warning') return 'warning';
  if (level === 'debug') return 'debug';
  return 'info';
}

function eventIdOf(value: unknown): string {
  const id = text(value)?.toLowerCase().replaceAll('-', '');
  return id !== undefined && EVENT_ID.test(id) ? id : newEventId();
}

/** Sentry's timestamps: seconds since the epoch (with a fraction), or an RFC 3339 string. */
function timeOf(value: unknown): number | undefined {
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}
