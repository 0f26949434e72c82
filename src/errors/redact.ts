/**
 * Shapes that are secret wherever they appear, whoever registered them: Discord bot tokens (`id.time.hmac`),
 * interaction tokens (base64 of `interaction:...`) and whatever follows `/webhooks/<id>/` or
 * `/interactions/<id>/` in a URL (discord.js puts those tokens in its error URLs).
 */
const SHAPES: readonly [RegExp, string][] = [
  // The lookbehind starts a match only where a run of token characters starts: without it every position of a
  // long run is tried, each backtracking over the rest, and a 100 kB message takes seconds (a ReDoS).
  [/(?<![\w-])[\w-]{20,}\.[\w-]{6,7}\.[\w-]{27,}/g, '[REDACTED TOKEN]'],
  [/aW50ZXJhY3Rpb246[\w-]+=*/g, '[REDACTED INTERACTION TOKEN]'],
  [/(\/(?:webhooks|interactions)\/\d{15,21}\/)(?!\[REDACTED)[^/?#\s"'`]+/g, '$1[REDACTED]'],
];

/** Secrets shorter than this would blank out ordinary words; registering one is refused. */
const MIN_SECRET_LENGTH = 6;

/**
 * Removes secrets from text before it reaches a user, a log line or a tracker. It knows the shapes of Discord's
 * tokens and every exact value registered with `add` (the bot token, a DSN, an API key of the bot's own).
 */
export class Redactor {
  readonly #secrets = new Map<string, string>();
  #ordered: [string, string][] = [];

  /** Registers an exact value to hide, shown as `[REDACTED <label>]`. */
  add(secret: string, label = 'SECRET'): void {
    if (secret.length < MIN_SECRET_LENGTH)
      throw new RangeError(`A secret must have at least ${String(MIN_SECRET_LENGTH)} characters to be redacted safely`);
    const replacement = `[REDACTED ${label}]`;
    this.#secrets.set(secret, replacement);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.#secrets.set(encoded, replacement);
    // Longest first, so a secret that contains another is replaced whole.
    this.#ordered = [...this.#secrets].sort(([a], [b]) => b.length - a.length);
  }

  delete(secret: string): void {
    this.#secrets.delete(secret);
    this.#secrets.delete(encodeURIComponent(secret));
    this.#ordered = [...this.#secrets].sort(([a], [b]) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const [secret, replacement] of this.#ordered) if (out.includes(secret)) out = out.split(secret).join(replacement);
    for (const [shape, replacement] of SHAPES) out = out.replace(shape, replacement);
    return out;
  }
}
