import { isAbsolute, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrackedFrame } from './tracked-event.js';

/** Frames kept per error: the innermost calls, where the failure is. */
const MAX_FRAMES = 50;
/** A frame's file or function name longer than this is a generated one; the start says enough. */
const NAME_LIMIT = 300;

/** Lantern's own folders (this file is in `src/tracking/` or `dist/tracking/`): frames there are not the bot's. */
const LANTERN_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LANTERN_OWN = [`${LANTERN_ROOT}src${sep}`, `${LANTERN_ROOT}dist${sep}`];

/**
 * The frames of a V8 stack (`    at fn (file:line:col)` lines), innermost call first. Files under the working
 * directory become relative to it; `inApp` marks the bot's own code: not `node_modules`, not Node's internals, not
 * Lantern's `src/` or `dist/`. Node maps the lines to TypeScript itself when source maps are on (`tsx`, or
 * `node --enable-source-maps`).
 */
export function parseStack(stack: string | undefined, cwd = process.cwd()): TrackedFrame[] {
  const frames: TrackedFrame[] = [];
  if (!stack) return frames;
  const inside = cwd.endsWith(sep) ? cwd : `${cwd}${sep}`;
  let start = stack.indexOf('\n    at ');
  while (start !== -1 && frames.length < MAX_FRAMES) {
    const end = stack.indexOf('\n', start + 1);
    const frame = parseFrame(stack.slice(start + 8, end === -1 ? undefined : end), inside);
    if (frame) frames.push(frame);
    // Causes and aggregated errors follow the outermost error's frames; its frames end at the first other line.
    if (end === -1 || !stack.startsWith('\n    at ', end)) break;
    start = end;
  }
  return frames;
}

/** One frame's text after `at `: `fn (location)`, `location`, or `fn (eval at outer (file:1:1), <anonymous>:1:1)`. */
function parseFrame(text: string, inside: string): TrackedFrame | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const named = / \((.*)\)$/.exec(trimmed);
  const name = named ? trimmed.slice(0, named.index) : undefined;
  let location = named ? (named[1] as string) : trimmed;
  // An eval'd frame names where the eval was; the code's own position is after the last comma.
  if (location.startsWith('eval at ')) location = location.slice(location.lastIndexOf(', ') + 2);
  const position = /:(\d+)(?::(\d+))?$/.exec(location);
  const rawFile = position ? location.slice(0, position.index) : location;
  const path = absolutePath(rawFile);
  return {
    file: (path === undefined ? rawFile : displayPath(path, inside)).slice(0, NAME_LIMIT),
    line: position ? Number(position[1]) : undefined,
    column: position?.[2] === undefined ? undefined : Number(position[2]),
    function: name?.replace(/^async /, '').slice(0, NAME_LIMIT) || undefined,
    inApp: path !== undefined && isInApp(path),
  };
}

function absolutePath(file: string): string | undefined {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(file) ? file : undefined;
}

/** Under the working directory (`inside` ends with a separator), relative to it with forward slashes; else as it is. */
function displayPath(path: string, inside: string): string {
  if (!path.startsWith(inside)) return path;
  const relativePath = path.slice(inside.length);
  return sep === '/' ? relativePath : relativePath.split(sep).join('/');
}

function isInApp(path: string): boolean {
  if (path.includes(`${sep}node_modules${sep}`)) return false;
  return !LANTERN_OWN.some((own) => path.startsWith(own));
}
