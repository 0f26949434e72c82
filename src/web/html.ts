/**
 * HTML built from templates in which every interpolated value is escaped, unless it is itself `Html` made here.
 * Only this module's class marks markup as safe, so no value read from an error (a parsed JSON object with an
 * `isEscaped` field, say) can pass for markup; and the types refuse anything but text, numbers and `Html`.
 */
export class Html {
  readonly #markup: string;

  private constructor(markup: string) {
    this.#markup = markup;
  }

  /** Markup written by this program, never built from data: CSS, the page's script, an SVG path computed here. */
  static trusted(markup: string): Html {
    return new Html(markup);
  }

  toString(): string {
    return this.#markup;
  }
}

export type HtmlValue = Html | string | number | false | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in an element and in a quoted attribute value: `& < > " '` become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] as string);
}

/** Each template's literal parts with their line breaks and indentation folded, made once per template. */
const compact = new WeakMap<TemplateStringsArray, readonly string[]>();

/**
 * `false`, `null` and `undefined` render as nothing, so `${cond && html`...`}` reads naturally. A line break and the
 * indentation around it, in the template's own text, become one space: the source stays formatted while the page
 * is not padded with it (no template puts a line break inside a `<pre>`; values keep theirs).
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let parts = compact.get(strings);
  if (!parts) {
    parts = strings.map((part) => part.replace(/\s*\n\s*/g, ' '));
    compact.set(strings, parts);
  }
  let out = parts[0] as string;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (parts[i + 1] as string);
  return Html.trusted(out);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.toString();
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return '';
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the two line separators are escaped as
 * `\u` sequences, so no string in it can close the script element (`</script>`) or open a comment.
 */
export function scriptJson(value: unknown): Html {
  return Html.trusted(
    JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}
