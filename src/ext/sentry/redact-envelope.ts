import type { Redactor } from '../../errors/redact.js';

/** Deeper than any event the SDK normalises; past it a value is dropped rather than sent unchecked. */
const MAX_DEPTH = 64;
const TOO_DEEP = '[REDACTED: nested too deeply to check]';
/** A webhook or interaction token in the URL that carries it (`/webhooks/<id>/<token>`). */
const URL_TOKEN = /\/(?:webhooks|interactions)\/\d{15,21}\/([\w-]{20,})/g;
/** Characters JSON escapes: a secret holding one would not appear as itself in JSON text. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const ESCAPED_IN_JSON = /["\\\u0000-\u001f\ud800-\udfff]/;

type Redact = (text: string) => string;

/**
 * The marks the SDK leaves where it cut a string, which can split a secret and leave a part no search recognises:
 * `...` at the end of a string it cut (`truncate`: `maxValueLength`, a breadcrumb's 2,048 characters) and
 * `{snip}` at either end of a source line it cut (ContextLines keeps 140 characters of a longer line).
 */
const SDK_CUT = /\.\.\.(?="|$)| \{snip\}|\{snip\} /g;
/** How far from a cut the part of a secret it left is looked for: longer than any secret's form. */
const CUT_REACH = 400;

/** An envelope as the SDK hands it to its transport: a header, then `[item header, payload]` pairs. */
export type MutableEnvelope = [Record<string, unknown>, [Record<string, unknown>, unknown][]];

/**
 * Redacts an envelope just before the transport serialises it: its header and every item (events,
 * transactions, spans, logs, feedback, sessions...), keys included. This is the one point every byte sent to
 * Sentry passes, whatever integration produced it, so nothing can be forgotten.
 *
 * Each item is serialised here and redacted as one text (the transport sends a string payload as it is): one
 * pass over the text instead of one per string of the event, which cut the cost per event several times over.
 * Strings holding characters JSON escapes are redacted on their own first, since a secret among such
 * characters would not appear as itself in the text.
 *
 * Where the SDK cut a string (its marks: `...`, `{snip}`), what the cut left of a registered secret is removed.
 *
 * A token seen in a URL anywhere in an item is also removed wherever else it appears on its own: the SDK
 * derives fields from URLs (a stack frame's `module` is the last segment of its file name), and a webhook token
 * alone has no shape to recognise it by.
 */
export function redactEnvelope(envelope: MutableEnvelope, redactor: Redactor): void {
  const redact: Redact = (text) => redactCuts(redactor.redact(text), redactor);
  const { dsn } = envelope[0];
  envelope[0] = redactStructure(envelope[0], redact) as Record<string, unknown>;
  // With `tunnel` set the header carries the DSN for the developer's own tunnel, which needs it to forward the event.
  if (dsn !== undefined) envelope[0].dsn = dsn;
  for (const item of envelope[1]) {
    const [header, payload] = item;
    if (payload instanceof Uint8Array) continue;
    if (typeof payload === 'string') {
      item[1] = redactText(payload, redact);
      // A text attachment declares its byte length; a shorter or longer redaction must say so.
      if (typeof header.length === 'number') header.length = Buffer.byteLength(item[1] as string);
      continue;
    }
    item[1] = redactAsJson(payload, redact) ?? redactStructure(payload, redact);
  }
}

/** The payload as redacted JSON text, or `undefined` when it cannot be done safely that way. */
function redactAsJson(payload: unknown, redact: Redact): string | undefined {
  let json: string;
  try {
    json = JSON.stringify(payload, (_key, value: unknown) => {
      if (typeof value === 'string') return ESCAPED_IN_JSON.test(value) ? redact(value) : value;
      if (
        value === null ||
        typeof value !== 'object' ||
        Array.isArray(value) ||
        !Object.keys(value).some((key) => ESCAPED_IN_JSON.test(key))
      )
        return value;
      return Object.fromEntries(Object.entries(value).map(([key, entry]) => [redact(key), entry]));
    });
  } catch {
    return undefined;
  }
  const redacted = redactText(json, redact);
  try {
    // A registered secret spanning two JSON strings (it would have to hold `","`) could break the syntax.
    JSON.parse(redacted);
    return redacted;
  } catch {
    return undefined;
  }
}

function redactText(text: string, redact: Redact): string {
  const tokens = new Set<string>();
  learnTokens(text, tokens);
  return withoutTokens(redact(text), tokens);
}

/** A copy with every string (keys included) redacted one by one: the way for what does not serialise as plain JSON. */
function redactStructure(value: unknown, redact: Redact): unknown {
  const tokens = new Set<string>();
  const redacted = mapStrings(value, (text) => redact(learnTokens(text, tokens)), 0);
  return tokens.size === 0 ? redacted : mapStrings(redacted, (text) => withoutTokens(text, tokens), 0);
}

/** Adds the tokens of the webhook and interaction URLs in `text` to `tokens`; returns `text`. */
function learnTokens(text: string, tokens: Set<string>): string {
  for (const match of text.matchAll(URL_TOKEN)) tokens.add(match[1] as string);
  return text;
}

function withoutTokens(text: string, tokens: ReadonlySet<string>): string {
  let out = text;
  // Longest first, so a token that contains another is replaced whole.
  for (const token of [...tokens].sort((a, b) => b.length - a.length)) out = out.replaceAll(token, '[REDACTED]');
  return out;
}

function mapStrings(value: unknown, map: Redact, depth: number): unknown {
  if (typeof value === 'string') return map(value);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((entry: unknown) => mapStrings(entry, map, depth + 1));
  // toJSON first, as the serialiser would (a session's payload is an object with toJSON).
  const plain: unknown =
    typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON: () => unknown }).toJSON() : value;
  if (plain !== value) return mapStrings(plain, map, depth + 1);
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) copy[map(key)] = mapStrings(entry, map, depth + 1);
  return copy;
}

/** Removes what a cut of the SDK left of a registered secret next to its mark. */
function redactCuts(text: string, redactor: Redactor): string {
  if (!text.includes('...') && !text.includes('{snip}')) return text;
  const parts: { start: number; end: number; replacement: string }[] = [];
  for (const mark of text.matchAll(SDK_CUT)) {
    if (mark[0] === '{snip} ') {
      const from = mark.index + mark[0].length;
      const part = redactor.partialAtStart(text.slice(from, from + CUT_REACH));
      if (part) parts.push({ start: from, end: from + part.length, replacement: part.replacement });
    } else {
      const part = redactor.partialAtEnd(text.slice(Math.max(0, mark.index - CUT_REACH), mark.index));
      if (part) parts.push({ start: mark.index - part.length, end: mark.index, replacement: part.replacement });
    }
  }
  let out = '';
  let cursor = 0;
  for (const { start, end, replacement } of parts.sort((a, b) => a.start - b.start)) {
    if (start < cursor) continue;
    out += text.slice(cursor, start) + replacement;
    cursor = end;
  }
  return out + text.slice(cursor);
}
