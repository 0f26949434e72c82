/** Half of a surrogate pair without its other half: not a character, and invalid in UTF-8 (JSON parsers refuse it). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `text` cut to at most `max` UTF-16 units, `ending` included, never between the two halves of a surrogate pair
 * (an emoji): a lone half makes the whole text invalid Unicode downstream.
 */
export function cutText(text: string, max: number, ending = ''): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ending.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + ending;
}

/** `text` with every lone surrogate half replaced by U+FFFD, as a UTF-8 encoder would. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}
