import { fileURLToPath } from 'node:url';
import { errorTree } from '../errors/causes.js';
import { describeValue, errorText, errorType, relativePaths } from '../errors/format.js';
import type { Redactor } from '../errors/redact.js';
import { mapStack } from '../errors/source-maps.js';

/** How the default log shows a stack: the bot's own frames and a few others (`compact`), or all of it (`full`). */
export type LogStack = 'compact' | 'full';
export const LOG_STACKS: readonly LogStack[] = ['compact', 'full'];

/** How deep causes and aggregated errors are followed, as in the traceback. */
const MAX_DEPTH = 6;
/** The bot's own frames shown per error; deeper recursion is counted. */
const OWN_FRAME_LIMIT = 10;
/** Other frames (libraries, Lantern, Node) shown per error: where it was thrown when that is not the bot's code. */
const OTHER_FRAME_LIMIT = 2;
/** Lines of a long message shown after its first. */
const MESSAGE_LINE_LIMIT = 8;
const FRAME_LINE = /^\s+at /;
/** Lantern's own files, wherever it runs from (`src/` in its repository, `dist/` once built), as paths and as URLs. */
const LANTERN_FOLDERS = ['src', 'dist'].flatMap((folder) => {
  const url = new URL(`../../${folder}/`, import.meta.url);
  return [url.href, fileURLToPath(url)];
});

type Place = 'the bot' | 'node_modules' | 'Lantern' | "Node's internals";

/**
 * An error as the default log shows it after `Error in <source>: `: the title (`Type: message`) and, by
 * default, a compact body: the rest of the message, the bot's own frames first, at most two others (where it was
 * thrown, when inside a library), a count of the rest by where they are, then each cause the same way. `full`
 * gives the whole stack as the traceback shows it. Each error's text is redacted whole before anything is left
 * out, so what is dropped never splits a secret.
 */
export function errorEntry(error: unknown, redactor: Redactor, stack: LogStack): string {
  if (stack === 'full') return redactor.redact(relativePaths(errorText(error)));
  const lines: string[] = [];
  // Members and causes are both indented under the error they hang from.
  for (const { value, label, depth, circular } of errorTree(error, MAX_DEPTH)) {
    const indent = '  '.repeat(depth);
    if (circular) {
      lines.push(`${indent}${label}[circular]`);
      continue;
    }
    const [title = '', ...more] = redactor.redact(titleOf(value)).split('\n');
    lines.push(`${indent}${label}${title}`);
    const shown = more.slice(0, MESSAGE_LINE_LIMIT);
    for (const line of shown) lines.push(`${indent}  ${line}`);
    if (more.length > shown.length) lines.push(`${indent}  … ${String(more.length - shown.length)} more lines of the message`);
    if (value instanceof Error) lines.push(...compactFrames(value, redactor).map((frame) => `${indent}${frame}`));
  }
  return lines.join('\n');
}

function titleOf(value: unknown): string {
  return value instanceof Error ? `${errorType(value)}: ${value.message}` : describeValue(value);
}

/** The bot's own frames, then up to two others, then how many more there are and where. */
function compactFrames(error: Error, redactor: Redactor): string[] {
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const frames = redactor
    .redact(mapStack(stack))
    .split('\n')
    .filter((line) => FRAME_LINE.test(line))
    .map((line) => ({ line: `    ${relativePaths(line.trim())}`, place: placeOf(line) }));
  const own = frames.filter((frame) => frame.place === 'the bot');
  const others = frames.filter((frame) => frame.place !== 'the bot');
  const shown = [...own.slice(0, OWN_FRAME_LIMIT), ...others.slice(0, own.length > 0 ? OTHER_FRAME_LIMIT : OTHER_FRAME_LIMIT + 1)];
  const hidden = frames.filter((frame) => !shown.includes(frame));
  const lines = shown.map((frame) => frame.line);
  if (hidden.length > 0) {
    const counts = new Map<Place, number>();
    for (const { place } of hidden) counts.set(place, (counts.get(place) ?? 0) + 1);
    const where = [...counts].map(([place, count]) => `${String(count)} in ${place}`).join(', ');
    lines.push(`    … ${String(hidden.length)} more frame${hidden.length === 1 ? '' : 's'}: ${where}`);
  }
  return lines;
}

function placeOf(frame: string): Place {
  if (/\bnode:|\(native\)|<anonymous>\)?$/.test(frame)) return "Node's internals";
  if (/[/\\]node_modules[/\\]/.test(frame)) return 'node_modules';
  return LANTERN_FOLDERS.some((folder) => frame.includes(folder)) ? 'Lantern' : 'the bot';
}
