/** `/` as text may carry it: itself, JSON-escaped (`\/`, at any depth) or URL-encoded (`%2F`, `%252F`). */
const SLASH = String.raw`(?:\\{0,8}\/|%(?:25){0,3}2[fF])`;

/**
 * Shapes that are secret wherever they appear, whoever registered them: Discord bot tokens (`id.time.hmac`, the
 * id's base64 padded or not), interaction tokens (base64 of `interaction:...`), whatever follows
 * `webhooks/<id>/` or `interactions/<id>/` in a URL on any host, its slashes as they are, JSON-escaped or
 * URL-encoded (discord.js puts those tokens in its error URLs), and Sentry DSNs with their keys.
 */
const SHAPES = [
  // The lookbehind starts a match only where a run of token characters starts: without it every position of a
  // long run is tried, each backtracking over the rest, and a 100 kB message takes seconds (a ReDoS).
  // The hint (its two last parts, which start with a dot) is found several times faster in a text without tokens.
  shape(/(?<![\w-])[\w-]{20,}={0,2}\.[\w-]{6,7}={0,2}\.[\w-]{27,}/g, '[REDACTED TOKEN]', /\.[\w-]{6,7}={0,2}\.[\w-]{27}/),
  shape(/aW50ZXJhY3Rpb246[\w-]+=*/g, '[REDACTED INTERACTION TOKEN]'),
  shape(new RegExp(String.raw`((?:webhooks|interactions)${SLASH}\d{15,21}${SLASH})[^\s/\\%?#&"'\x60<>]+`, 'gi'), '$1[REDACTED]'),
  shape(/\bhttps?:\/\/[0-9a-f]{32}(?::[0-9a-f]{32})?@[^\s/"'`<>]+\/\d+/gi, '[REDACTED SENTRY DSN]'),
];

/**
 * A shape and what replaces one match of it (the match is replaced by the shape again, so `$1` keeps its groups); a
 * text without a match of `hint` has none of the shape.
 */
function shape(pattern: RegExp, replacement: string, hint?: RegExp): { shape: RegExp; replacement: string; hint?: RegExp } {
  return { shape: pattern, replacement, hint };
}

/** Secrets shorter than this would blank out ordinary words; registering one is refused. */
const MIN_SECRET_LENGTH = 6;
/** A cut that leaves fewer characters of a secret than this is left alone: so few tell nothing, and often match by chance. */
const MIN_PARTIAL_LENGTH = 4;
/** Characters no encoding this knows changes (URL, form, JSON, HTML): a form made only of them is found as it is. */
const PLAIN = /^[\w.-]+$/;
const PLAIN_RUNS = /[\w.-]+/g;
/**
 * Where a wrapped text breaks a line: a newline (raw, or JSON-escaped in a serialised text) and the indentation
 * after it, or an invisible character a copy and paste leaves inside a word.
 */
const LINE_BREAK = /(?:\r\n|\r|\n|\\r\\n|\\n|\\r)(?:[ \t]|\\t)*|[\u00ad\u200b-\u200d\u2060\ufeff]/g;
/**
 * Characters a match beside a line break may hold besides a form's own: those of the token shapes and of the URLs
 * they sit in (`https://key@host/`, `webhooks/<id>/`), and those encodings write (`%40`, `&#64;`, `\u0040`, `+`).
 */
const MATCH_CHARACTER = /[\w.=%&#;\\+@:/-]/;
/** Token shapes are under 200 characters. */
const MIN_WRAPPED_REACH = 200;
const MAY_BREAK = /[\r\n\u00ad\u200b-\u200d\u2060\ufeff]|\\[nr]/;
const JSON_SHORT_ESCAPES: Readonly<Record<string, string>> = { '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't' };
const HTML_NAMED: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** The part of a registered secret a cut left at the edge of a text, and what replaces it. */
export interface SecretPart {
  readonly length: number;
  readonly replacement: string;
}

/** Where a secret was found, and what replaces it. */
type Found = [start: number, end: number, replacement: string];

/** One way a registered secret can be written, and what replaces it. */
interface Form {
  readonly text: string;
  /** Every encoding of `text`, for a form holding characters that encodings change; else `text` is searched as it is. */
  readonly pattern: RegExp | undefined;
  /** A part of `text` that every encoding keeps: a text without it cannot hold the form, and the pattern is skipped. */
  readonly anchor: string;
  readonly replacement: string;
}

/**
 * Removes secrets from text before it reaches a user, a log line or a tracker. It knows the shapes of Discord's
 * tokens and every exact value registered with `add` (the bot token, a DSN and its keys, an API key of the bot's
 * own), and finds those as they are and as text carries them: URL-encoded, form-encoded (`+` for a space),
 * JSON-escaped (`\"`, `\\`, `\/`, `\u0022`, JSON in JSON), as HTML character references, in base64 (standard or
 * URL-safe, at any offset inside a longer encoded text) and in hex. A secret or token broken across two lines
 * (a wrapped text) is found too. Where secrets overlap (a DSN and its key), everything any of them covers goes.
 */
export class Redactor {
  readonly #secrets = new Map<string, Form[]>();
  #forms: Form[] = [];
  /** Every character of every form: a line break between two of them may be inside a secret. */
  #characters = new Set<string>();
  /** How far from a line break a wrapped secret may reach: the longest form, or a token. */
  #reach = MIN_WRAPPED_REACH;

  /** Registers an exact value to hide, shown as `[REDACTED <label>]`. */
  add(secret: string, label = 'SECRET'): void {
    if (secret.length < MIN_SECRET_LENGTH)
      throw new RangeError(`A secret must have at least ${String(MIN_SECRET_LENGTH)} characters to be redacted safely`);
    const replacement = `[REDACTED ${label}]`;
    const copies = [secret, JSON.stringify(secret).slice(1, -1), ...encodedCopies(secret)];
    this.#secrets.set(
      secret,
      [...new Set(copies)].map((text) => formOf(text, replacement)),
    );
    this.#index();
  }

  /**
   * Registers a token Lantern saw Discord hand out (a webhook's), shown as `[REDACTED <label>]`. Such tokens are
   * made of characters no encoding changes, so only the token itself is searched: a bot that knows many stays fast.
   */
  learnToken(token: string, label: string): void {
    if (token.length < MIN_SECRET_LENGTH || this.#secrets.has(token)) return;
    this.#secrets.set(token, [formOf(token, `[REDACTED ${label}]`)]);
    this.#index();
  }

  delete(secret: string): void {
    this.#secrets.delete(secret);
    this.#index();
  }

  redact(text: string): string {
    const found = this.#find(text);
    // A match across a line break that overlaps one found directly is a line ending in a word before a token.
    if (MAY_BREAK.test(text))
      found.push(...this.#findWrapped(text).filter(([start, end]) => !found.some(([s, e]) => s < end && start < e)));
    return found.length === 0 ? text : replaceAll(text, found);
  }

  /**
   * For a text something cut at its end (a tracker's length limit): how many of its last characters (at least 4)
   * are the start of a registered secret, and what replaces them. No search recognises a secret by its first
   * characters alone, so a sink that cuts redacts the whole text first and then asks this about what the cut left.
   */
  partialAtEnd(text: string): SecretPart | undefined {
    return this.#longestPartial((form, length) => text.endsWith(form.slice(0, length)));
  }

  /** As `partialAtEnd`, for a text cut at its start: its first characters that are the end of a registered secret. */
  partialAtStart(text: string): SecretPart | undefined {
    return this.#longestPartial((form, length) => text.startsWith(form.slice(form.length - length)));
  }

  #longestPartial(matches: (form: string, length: number) => boolean): SecretPart | undefined {
    let best: SecretPart | undefined;
    for (const { text: form, replacement } of this.#forms) {
      for (let length = form.length - 1; length >= MIN_PARTIAL_LENGTH && length > (best?.length ?? 0); length--) {
        if (matches(form, length)) {
          best = { length, replacement };
          break;
        }
      }
    }
    return best;
  }

  /** Every occurrence of every form and shape, in the text as given. */
  #find(text: string): Found[] {
    const found: Found[] = [];
    for (const form of this.#forms) {
      if (form.pattern) {
        if (!text.includes(form.anchor)) continue;
        // One character on from each match, not after it: occurrences that overlap (`a/a/a` twice in `a/a/a/a`) are all found.
        const pattern = form.pattern;
        pattern.lastIndex = 0;
        for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
          found.push([match.index, match.index + match[0].length, form.replacement]);
          pattern.lastIndex = match.index + 1;
        }
      } else {
        for (let at = text.indexOf(form.text); at !== -1; at = text.indexOf(form.text, at + 1))
          found.push([at, at + form.text.length, form.replacement]);
      }
    }
    for (const { shape, replacement, hint } of SHAPES) {
      if (hint && !hint.test(text)) continue;
      for (const match of text.matchAll(shape))
        found.push([match.index, match.index + match[0].length, match[0].replace(shape, replacement)]);
    }
    return found;
  }

  /**
   * A secret wrapped onto a second line (a log or error text broken to a width) is two runs with a line break
   * between. Around each break with characters a secret can hold on both sides, the text is searched with its
   * breaks taken out; what is found across one is replaced, the break with it. Near breaks share one window, so
   * the cost stays one more pass over the text at most, however many breaks it has.
   */
  #findWrapped(text: string): Found[] {
    const breaks: [start: number, end: number][] = [];
    for (const lineBreak of text.matchAll(LINE_BREAK)) {
      const start = lineBreak.index;
      const end = start + lineBreak[0].length;
      if (this.#canHold(text[start - 1]) && this.#canHold(text[end])) breaks.push([start, end]);
    }
    const found: Found[] = [];
    for (let first = 0; first < breaks.length;) {
      let last = first;
      while (
        last + 1 < breaks.length &&
        (breaks[last + 1] as [number, number])[0] - (breaks[last] as [number, number])[1] <= 2 * this.#reach
      )
        last++;
      const from = Math.max(0, (breaks[first] as [number, number])[0] - this.#reach);
      const to = Math.min(text.length, (breaks[last] as [number, number])[1] + this.#reach);
      found.push(...this.#findAcross(text, from, to, breaks.slice(first, last + 1)));
      first = last + 1;
    }
    return found;
  }

  /** What `#find` sees in `text` from `from` to `to` with `breaks` taken out, where it spans one of them. */
  #findAcross(text: string, from: number, to: number, breaks: readonly [number, number][]): Found[] {
    let joined = '';
    let cursor = from;
    const joinedAt: number[] = [];
    for (const [start, end] of breaks) {
      joined += text.slice(cursor, start);
      joinedAt.push(joined.length);
      cursor = end;
    }
    joined += text.slice(cursor, to);
    const toText = (at: number): number => {
      let offset = from;
      for (const [i, position] of joinedAt.entries()) {
        if (position > at) break;
        const [start, end] = breaks[i] as [number, number];
        offset += end - start;
      }
      return at + offset;
    };
    const found: Found[] = [];
    for (const [start, end, replacement] of this.#find(joined)) {
      if (joinedAt.some((position) => position > start && position < end)) found.push([toText(start), toText(end - 1) + 1, replacement]);
    }
    return found;
  }

  #canHold(char: string | undefined): boolean {
    return char !== undefined && (MATCH_CHARACTER.test(char) || this.#characters.has(char));
  }

  #index(): void {
    this.#forms = [...this.#secrets.values()].flat();
    // UTF-16 units, as a line break's neighbours are read.
    this.#characters = new Set(this.#forms.flatMap((form) => Array.from({ length: form.text.length }, (_, i) => form.text.charAt(i))));
    this.#reach = Math.max(MIN_WRAPPED_REACH, ...this.#forms.map((form) => form.text.length));
  }
}

/**
 * Replaces each found range; overlapping ones become one replacement, labelled by the longest (the DSN, not its key),
 * the first of equal ones.
 */
function replaceAll(text: string, found: Found[]): string {
  // By start only: the sort is stable, so of equal ones the first found (a registered secret before a shape) stays first.
  found.sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  for (let i = 0; i < found.length;) {
    const [start, firstEnd, firstReplacement] = found[i] as Found;
    let end = firstEnd;
    let replacement = firstReplacement;
    let longest = firstEnd - start;
    for (i++; i < found.length && (found[i] as Found)[0] < end; i++) {
      const [otherStart, otherEnd, otherReplacement] = found[i] as Found;
      if (otherEnd - otherStart > longest) {
        longest = otherEnd - otherStart;
        replacement = otherReplacement;
      }
      end = Math.max(end, otherEnd);
    }
    out += text.slice(cursor, start) + replacement;
    cursor = end;
  }
  return out + text.slice(cursor);
}

function formOf(text: string, replacement: string): Form {
  if (PLAIN.test(text)) return { text, pattern: undefined, anchor: text, replacement };
  const runs = text.match(PLAIN_RUNS) ?? [];
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a), '');
  return { text, pattern: encodingsPattern(text), anchor: longest.length >= MIN_PARTIAL_LENGTH ? longest : '', replacement };
}

/**
 * The secret in base64 and hex. Inside a longer base64 text a secret's bytes start at one of three offsets in a
 * group of three, and at each the characters made only of its own bytes are always the same: those are searched.
 */
function encodedCopies(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const hex = bytes.toString('hex');
  const copies = [hex, hex.toUpperCase()];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // At least 7 characters: a secret has MIN_SECRET_LENGTH bytes or more.
    const own = encoded.slice(Math.ceil((offset * 4) / 3), Math.floor(((offset + bytes.length) * 4) / 3));
    copies.push(own, own.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return copies;
}

/** A pattern matching `text` with each character that encodings change written in any of its encodings. */
function encodingsPattern(text: string): RegExp {
  let source = '';
  for (const char of text) source += PLAIN.test(char) ? escapeRegExp(char) : `(?:${encodingsOf(char).join('|')})`;
  return new RegExp(source, 'g');
}

/** Repetitions are bounded (JSON escaped a few times over, `%25` a few times): a long run of `\` cannot make it backtrack far. */
function encodingsOf(char: string): string[] {
  const codePoint = char.codePointAt(0) ?? 0;
  const units = Array.from({ length: char.length }, (_, i) => char.charCodeAt(i));
  const encodings = [
    // Itself, or escaped with backslashes as JSON does (`\"`, `\\`, `\/`), JSON inside JSON too.
    String.raw`\\{0,8}${escapeRegExp(char)}`,
    units.map((unit) => String.raw`\\{1,8}u${hexPattern(unit, 4)}`).join(''),
    [...Buffer.from(char)].map((byte) => `%(?:25){0,3}${hexPattern(byte, 2)}`).join(''),
    `&#0{0,8}${String(codePoint)};`,
    `&#[xX]0{0,8}${hexPattern(codePoint, 1)};`,
  ];
  if (char === ' ') encodings.push(String.raw`\+`);
  const named = HTML_NAMED[char];
  if (named) encodings.push(named);
  const short = JSON_SHORT_ESCAPES[char];
  if (short) encodings.push(String.raw`\\{1,8}${short}`);
  return encodings;
}

/** `value` in hex, at least `width` digits, each letter in either case. */
function hexPattern(value: number, width: number): string {
  return value
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
