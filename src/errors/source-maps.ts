import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A stack frame in a JavaScript file: its start (`    at fn (`), the file (a path or a file URL), line, column, end. */
const JS_FRAME = /^(\s+at (?:[^\n]*?\()?)((?:file:\/\/)?[^\s()]+?\.[cm]?js):(\d+):(\d+)(\)?)$/gm;
const SOURCE_MAPPING_URL = /\/\/[#@] sourceMappingURL=(\S+)\s*$/;
/** tsc writes the comment last: the end of a file is enough, unless the map is inline (then it is read whole). */
const TAIL_BYTES = 4096;
/** Files whose maps are kept; past it the oldest is forgotten, so a process with many files stays bounded. */
const MAX_FILES = 500;

const maps = new Map<string, SourceMap | null>();

/**
 * `stack` with each frame in a JavaScript file that has a source map (tsc's `sourceMap`, as Lantern's own
 * `dist/` ships) shown at its TypeScript file, line and column. Node maps stacks itself only with
 * `--enable-source-maps`, or for modules loaded after `process.setSourceMapsEnabled(true)` (a bot's own
 * modules and Lantern are loaded before), so the log, the traceback and Sentry map them here. A map is read
 * once per file, on the first error through it; a frame without one stays as it is.
 */
export function mapStack(stack: string): string {
  if (!stack.includes('js:')) return stack;
  return stack.replace(JS_FRAME, (frame: string, start: string, file: string, line: string, column: string, end: string) => {
    const original = originalPosition(file, Number(line), Number(column));
    return original ? `${start}${original}${end}` : frame;
  });
}

function originalPosition(file: string, line: number, column: number): string | undefined {
  const isUrl = file.startsWith('file://');
  const path = isUrl ? fileURLToPath(file) : file;
  const map = sourceMapOf(path);
  if (!map) return undefined;
  const entry = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return undefined;
  const source = entry.originalSource;
  return `${isUrl ? pathToFileURL(source).href : source}:${String(entry.originalLine + 1)}:${String(entry.originalColumn + 1)}`;
}

function sourceMapOf(path: string): SourceMap | null {
  const known = maps.get(path);
  if (known !== undefined) return known;
  let map: SourceMap | null = null;
  try {
    map = readSourceMap(path);
  } catch {
    // No map, an unreadable one, or a file that is gone: its frames stay as they are.
  }
  if (maps.size >= MAX_FILES) maps.delete(maps.keys().next().value as string);
  maps.set(path, map);
  return map;
}

function readSourceMap(path: string): SourceMap | null {
  let url = SOURCE_MAPPING_URL.exec(tailOf(path))?.[1];
  if (url?.startsWith('data:')) url = SOURCE_MAPPING_URL.exec(readFileSync(path, 'utf8'))?.[1];
  if (!url) return null;
  const payload = url.startsWith('data:') ? decodeDataUrl(url) : readFileSync(resolve(dirname(path), decodeURIComponent(url)), 'utf8');
  const parsed = JSON.parse(payload) as { sources?: string[]; sourceRoot?: string };
  // Sources are relative to the map's own folder (and its sourceRoot); findEntry gives them back as written.
  const mapDir = url.startsWith('data:') ? dirname(path) : dirname(resolve(dirname(path), decodeURIComponent(url)));
  parsed.sources = (parsed.sources ?? []).map((source) =>
    source.startsWith('file://') ? fileURLToPath(source) : resolve(mapDir, parsed.sourceRoot ?? '', source),
  );
  return new SourceMap(parsed as ConstructorParameters<typeof SourceMap>[0]);
}

function tailOf(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function decodeDataUrl(url: string): string {
  const comma = url.indexOf(',');
  const data = url.slice(comma + 1);
  return url.slice(0, comma).endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
}
