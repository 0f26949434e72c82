import type { Redactor } from '../errors/redact.js';

/** The longest line Lantern writes; a longer one is cut, and says how long it was. */
export const LINE_LIMIT = 1000;
/** What a line quotes from outside (a command name, a custom id, an option) is cut to this. */
export const QUOTE_LIMIT = 100;
/** Lines one log entry holds at most; the rest are counted on its last line. */
export const ENTRY_LINE_LIMIT = 200;

/**
 * Characters that would make a line show something other than what it holds: C0 and C1 controls (a carriage
 * return rewrites the terminal line, ESC starts a colour or cursor sequence), Unicode line separators, and the
 * marks that reorder or hide text. Tabs and newlines are a line's own business (see `boundEntry`).
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above, with newlines and tabs, for text quoted inside a line
const UNSAFE_IN_QUOTE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Outside text (from Discord, from a user) as a line quotes it: redacted first, since a cut could leave part of
 * a secret no search recognises; then every control character escaped, newlines too, so it cannot forge a
 * second line; then cut to `limit` characters, saying how long it was.
 */
export function quote(text: string, redactor: Redactor, limit = QUOTE_LIMIT): string {
  return cut(redactor.redact(text).replace(UNSAFE_IN_QUOTE, escape), limit);
}

/**
 * A log entry as it is written, already redacted: each line's control characters escaped and its length bounded,
 * every line after the first indented (so no text inside an entry can pass for the start of another), and at most
 * `ENTRY_LINE_LIMIT` lines. Whatever reaches the log, a line is at most `LINE_LIMIT` characters and the length note.
 */
export function boundEntry(entry: string): string {
  const lines = entry.split('\n');
  const kept = lines.length > ENTRY_LINE_LIMIT ? lines.slice(0, ENTRY_LINE_LIMIT - 1) : lines;
  const bounded = kept.map((line, i) => {
    const safe = cut(line.replace(UNSAFE, escape), LINE_LIMIT);
    return i === 0 || /^[ \t]/.test(safe) ? safe : `  ${safe}`;
  });
  if (kept.length < lines.length) bounded.push(`  … ${(lines.length - kept.length).toLocaleString('en')} more lines`);
  return bounded.join('\n');
}

/** `text` cut to `limit` characters (never inside a surrogate pair), with its length when it was longer. */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const end = isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
  return `${text.slice(0, end)}… (${text.length.toLocaleString('en')} characters)`;
}

function escape(char: string): string {
  return NAMED_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
